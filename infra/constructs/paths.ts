import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: where `package-lock.json`, `functions/` and `web/` live. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The lock file that pins what esbuild bundles into the functions. */
export const lockFile = join(repoRoot, 'package-lock.json');

/** The static web consoles, deployed as they are to the web bucket. */
export const webDir = join(repoRoot, 'web');

/** `functions/public.ts` for the `public` group: one entry file a function. */
export const functionEntry = (name: string) => join(repoRoot, 'functions', `${name}.ts`);
