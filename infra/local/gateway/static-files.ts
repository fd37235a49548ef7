import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** The types CloudFront compresses among those served here (its list of compressible content types). */
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.map', '.webmanifest']);

/**
 * An encoding the browser accepts, as CloudFront picks one for a distribution that compresses
 * (`compress: true` with a cache policy that allows gzip and Brotli): Brotli if accepted, else gzip.
 */
function encodingFor(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => q === undefined || Number(q.trim().replace(/^q=/, '')) > 0)
      .map(([name]) => name?.trim().toLowerCase()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

/** Compressed files, by encoding, path, size and modification time: each compressed once. */
const compressed = new Map<string, Buffer>();

function compress(file: string, mtimeMs: number, body: Buffer, encoding: 'br' | 'gzip'): Buffer {
  const key = `${encoding}:${file}:${body.length}:${mtimeMs}`;
  let out = compressed.get(key);
  if (!out) {
    out = encoding === 'br' ? brotliCompressSync(body) : gzipSync(body);
    compressed.set(key, out);
  }
  return out;
}

/**
 * What the gateway serves besides the API, as CloudFront does in AWS (architecture.md §6): the public
 * site (`web/site`: the quota board) at `/`, each built app under its own prefix (`/console/`, `/m/`),
 * and `/runtime-config.json`, the settings the apps read at start-up.
 */
export interface WebRoots {
  site: string;
  /** Path prefix (`/console/`) → the directory Vite built that app into. */
  apps: Record<string, string>;
  runtimeConfig: () => Record<string, unknown>;
}

/** Serves `path` from the web roots; false when it names nothing there (the caller answers 404). */
export function serveWeb(web: WebRoots, path: string, res: ServerResponse, acceptEncoding?: string): boolean {
  if (path === '/runtime-config.json') {
    res.writeHead(200, {
      'content-type': contentTypes['.json'] as string,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    res.end(JSON.stringify(web.runtimeConfig()));
    return true;
  }
  for (const [prefix, dir] of Object.entries(web.apps)) {
    if (path === prefix.slice(0, -1)) {
      res.writeHead(301, { location: prefix });
      res.end();
      return true;
    }
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length - 1);
    if (serveStatic(dir, rest, res, acceptEncoding)) return true;
    // A client-side route (`/console/review/x`): the app's page, which routes itself. A missing asset
    // (a name with an extension) stays a 404.
    if (extname(rest) === '' && serveStatic(dir, '/index.html', res, acceptEncoding)) return true;
    return false;
  }
  return serveStatic(web.site, path, res, acceptEncoding);
}

/**
 * Serves a file from `webDir`, as CloudFront serves the bucket in AWS; false when the path names no
 * file there (or tries to leave the directory). Vite's hashed assets are cached for good. Text of
 * 1,000 bytes or more goes compressed when the browser accepts it, as CloudFront sends it: a page
 * measured here (the bench's Lighthouse runs) loads the bytes a phone would.
 */
export function serveStatic(
  webDir: string,
  path: string,
  res: ServerResponse,
  acceptEncoding?: string,
): boolean {
  const root = resolve(webDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape (`/%zz`) names no file: 404, not a 500.
    return false;
  }
  let file = normalize(join(root, decoded));
  // `root + sep`: `/..%2fweb-other/x` must not reach a sibling directory whose name starts like root's.
  if (file !== root && !file.startsWith(root + sep)) return false;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  const stat = existsSync(file) ? statSync(file) : undefined;
  if (!stat?.isFile()) return false;
  const hashed = /[/\\]assets[/\\][^/\\]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(file);
  const body = readFileSync(file);
  const textual = compressible.has(extname(file));
  // CloudFront compresses objects from 1,000 bytes.
  const encoding = textual && body.length >= 1000 ? encodingFor(acceptEncoding) : undefined;
  res.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(textual ? { vary: 'accept-encoding' } : {}),
    ...(encoding ? { 'content-encoding': encoding } : {}),
  });
  res.end(encoding ? compress(file, stat.mtimeMs, body, encoding) : body);
  return true;
}
