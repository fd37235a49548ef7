import { join } from 'node:path';
import { webBuildDir, webSiteDir } from '../constructs/paths.ts';
import type { WebRoots } from './gateway/static-files.ts';

/**
 * What the local gateway serves besides the API: the public site at `/`, the union console at
 * `/console/` and the worker pages at `/m/` (built by `npm run web:build`), and the runtime
 * configuration the apps read at start-up. Locally they sign in with the stand-in page `/signin/`,
 * which gets a dev token (architecture.md §6).
 */
export function localWeb(): WebRoots {
  return {
    site: webSiteDir,
    apps: { '/console/': join(webBuildDir, 'console'), '/m/': join(webBuildDir, 'm') },
    runtimeConfig: () => ({ apiBasePath: '/v1', auth: { kind: 'dev', signInPath: '/signin/' } }),
  };
}
