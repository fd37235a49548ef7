import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces in the project's own sources, read from the source map beside a deployed bundle
 * (`index.mjs.map`) when an error is logged, not at every cold start. Node's `--enable-source-maps`
 * reads and parses every loaded bundle's map while the module loads, ~12 ms of each function's init
 * (docs/benchmarks.md, coldStart); the functions run without it, and the few stacks that are logged
 * (unexpected errors, `errorSummary`) are mapped here, each bundle's map parsed once per container.
 *
 * A frame whose file has no map (the local stage runs the sources themselves, Node's own modules) is
 * left as it is.
 */
export function originalStack(stack: string): string {
  return stack.replace(FRAME_LOCATION, (whole, file: string, line: string, column: string) => {
    const map = sourceMapOf(file);
    if (!map) return whole;
    const origin = map.findOrigin(Number(line), Number(column));
    if (!('fileName' in origin)) return whole;
    return `${sourcePath(origin.fileName)}:${origin.lineNumber}:${origin.columnNumber}`;
  });
}

/** `file:///var/task/index.mjs:1:2345` or `/var/task/index.mjs:1:2345` inside a stack frame. */
const FRAME_LOCATION = /((?:file:\/\/)?\/[^\s():]+\.m?js):(\d+):(\d+)/g;

const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (maps.has(file)) return maps.get(file);
  let map: SourceMap | undefined;
  try {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as SourceMapPayload);
  } catch {
    map = undefined; // no map beside it (or an unreadable one): the frame stays as it is
  }
  maps.set(file, map);
  return map;
}

/** The map's source as a repository path: esbuild writes them relative to where it bundled. */
function sourcePath(fileName: string): string {
  return fileName.replace(/^(?:\.\.\/)+/, '');
}
