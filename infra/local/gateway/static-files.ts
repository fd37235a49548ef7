import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Serves a file of the web consoles from `webDir`, as CloudFront serves them in AWS; false when the
 * path names no file there (or tries to leave the directory).
 */
export function serveStatic(webDir: string, path: string, res: ServerResponse): boolean {
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
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  res.end(readFileSync(file));
  return true;
}
