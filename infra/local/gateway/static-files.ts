import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

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
export function serveWeb(web: WebRoots, path: string, res: ServerResponse): boolean {
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
    if (serveStatic(dir, rest, res)) return true;
    // A client-side route (`/console/review/x`): the app's page, which routes itself. A missing asset
    // (a name with an extension) stays a 404.
    if (extname(rest) === '' && serveStatic(dir, '/index.html', res)) return true;
    return false;
  }
  return serveStatic(web.site, path, res);
}

/**
 * Serves a file from `webDir`, as CloudFront serves the bucket in AWS; false when the path names no
 * file there (or tries to leave the directory). Vite's hashed assets are cached for good.
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
  const hashed = /[/\\]assets[/\\][^/\\]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(file);
  res.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(readFileSync(file));
  return true;
}
