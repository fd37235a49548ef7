import { join } from 'node:path';
import { webBuildDir, webSiteDir } from '../constructs/paths.ts';
import type { WebRoots } from './gateway/static-files.ts';

/**
 * What the local gateway serves besides the API: the public site at `/`, the union console at
 * `/console/` and the worker pages at `/m/` (built by `npm run web:build`), and the runtime
 * configuration the apps read at start-up. Locally they sign in through the stack's OIDC provider
 * under `/oidc` with the authorization code and PKCE, as against any deployment's issuer
 * (architecture.md §8); `signIn` names it once the gateway knows its port.
 */
export function localWeb(signIn: () => Record<string, unknown>): WebRoots {
  return {
    site: webSiteDir,
    apps: { '/console/': join(webBuildDir, 'console'), '/m/': join(webBuildDir, 'm') },
    runtimeConfig: () => ({ apiBasePath: '/v1', auth: signIn() }),
  };
}
