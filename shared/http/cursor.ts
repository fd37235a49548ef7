import { AppError } from '../errors.ts';

/** An opaque page cursor: the last evaluated key, base64url-encoded. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Reads a cursor back, accepting it only for the partition it was issued for — a cursor forged for
 * another queue or worker is a 400, never a read of someone else's page — and only with exactly the
 * key attributes of the index it pages (`keys`, besides the partition), since DynamoDB rejects any
 * other start key with an error that is no client's business.
 *
 * @example decodeCursor(c, { gsi2pk: 'REVIEW#p#org' }, ['pk', 'sk', 'gsi2sk'])
 */
export function decodeCursor(
  cursor: string,
  expected: Record<string, string>,
  keys: readonly string[],
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const valid =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string') &&
    Object.keys(parsed).length === Object.keys(expected).length + keys.length &&
    keys.every((k) => Object.hasOwn(parsed, k)) &&
    Object.entries(expected).every(([k, v]) => (parsed as Record<string, unknown>)[k] === v);
  if (!valid)
    throw new AppError('validation_failed', { fields: [{ path: 'query.cursor', message: '分页游标无效' }] });
  return parsed as Record<string, unknown>;
}
