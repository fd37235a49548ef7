import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openApiDocument } from '../shared/http/openapi.ts';

/**
 * Writes `/openapi.json` as the API serves it to a file (default `dist/openapi.json`), for the web
 * apps' typed client (`npm run web:types`) and the document linters.
 */
const out = resolve(process.argv[2] ?? 'dist/openapi.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
