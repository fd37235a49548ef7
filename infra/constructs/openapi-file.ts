import { join } from 'node:path';
import { shellQuote as quote } from './lazy-modules.ts';
import { repoRoot } from './paths.ts';

/** The document's file name beside the public function's bundle. */
export const OPENAPI_FILE = 'openapi.json';

/**
 * What the bundler replaces with {@link OPENAPI_FILE} (esbuild `define`): `functions/public.ts` reads
 * the document from that file when it is set, and generates it from the route table when it is not
 * (the local stack, which runs the source).
 */
export const OPENAPI_FILE_VARIABLE = 'process.env.EDU_OPENAPI_FILE';

/**
 * The generator, left out of the bundle (esbuild `external`): with the variable defined, the branch
 * that imports it is dead and dropped, and with it zod-to-openapi and every other group's routes.
 */
export const openApiGenerator = join(repoRoot, 'shared', 'http', 'openapi.ts');

/** Writes the document the route table generates — the one the local stack serves — beside the bundle. */
export function openApiDocumentCommands(outputDir: string): string[] {
  return [
    [
      quote(join(repoRoot, 'node_modules', '.bin', 'tsx')),
      quote(join(repoRoot, 'scripts', 'openapi-document.ts')),
      quote(join(outputDir, OPENAPI_FILE)),
    ].join(' '),
  ];
}
