import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: where `package-lock.json`, `functions/` and `web/` live. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The lock file that pins what esbuild bundles into the functions. */
export const lockFile = join(repoRoot, 'package-lock.json');

/** The public site (the quota board and the stand-in sign-in page), deployed as it is. */
export const webSiteDir = join(repoRoot, 'web', 'site');

/** Where `npm run web:build` writes the union console (`console/`) and the worker pages (`m/`). */
export const webBuildDir = join(repoRoot, 'dist', 'web');

/** `functions/public.ts` for the `public` group: one entry file a function. */
export const functionEntry = (name: string) => join(repoRoot, 'functions', `${name}.ts`);
