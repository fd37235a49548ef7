import { startKeyOf } from '../adapters/page.ts';
import { InvalidPageToken } from '../adapters/persistence-errors.ts';
import { invalidCursor } from '../services/contract-errors.ts';
import { type CursorKeySource, openPageCursor, sealPageToken } from '../services/page-cursors.ts';

export type { CursorKeySource };

/**
 * Page cursors at the HTTP edge: the signing is `services/page-cursors.ts`, what a page's start key
 * must hold is the repository's (`adapters/page.ts`). These two keep the shape the routes and the
 * tests have used: `encodeCursor(cipher, key)` / `decodeCursor(cipher, cursor, partition, keys)`.
 */

/** An opaque page cursor: the last evaluated key, signed (`<key>.<mac>`). */
export function encodeCursor(source: CursorKeySource, key: Record<string, unknown>): Promise<string> {
  return sealPageToken(source, key as Record<string, string>);
}

/**
 * Reads a cursor back: accepted only when the server signed it, it was issued for this partition
 * (`expected`) and it holds exactly the key attributes of the index it pages (`keys`), each a
 * non-empty string. Anything else is 400 `validation_failed` at `query.cursor`.
 *
 * @example await decodeCursor(deps.cipher(), c, { gsi2pk: 'REVIEW#p#org' }, ['pk', 'sk', 'gsi2sk'])
 */
export async function decodeCursor(
  source: CursorKeySource,
  cursor: string,
  expected: Record<string, string>,
  keys: readonly string[],
): Promise<Record<string, string>> {
  const token = await openPageCursor(source, cursor);
  try {
    return startKeyOf(token, expected, keys);
  } catch (err) {
    if (err instanceof InvalidPageToken) throw invalidCursor(err);
    throw err;
  }
}
