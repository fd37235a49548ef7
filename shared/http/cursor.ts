import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FieldCipher } from '../adapters/field-cipher.ts';
import { AppError } from '../errors.ts';

/** What signing cursors needs of the field cipher: its keyed hash (KMS `GenerateMac` in AWS). */
export type CursorKeySource = Pick<FieldCipher, 'lookupHash'>;

/**
 * The cursor-signing key: the keyed hash of a fixed label under the field HMAC key. It is the same
 * in every function and after every cold start (so a cursor one container issued is accepted by the
 * next), only a holder of that HMAC key can compute it, and its purpose keeps it apart from every
 * lookup hash stored in the table. Derived once per cipher, so a page costs no KMS call.
 */
const signingKeys = new WeakMap<CursorKeySource, Promise<Buffer>>();
const CURSOR_KEY_PURPOSE = 'pagination-cursor-key';

function signingKey(source: CursorKeySource): Promise<Buffer> {
  let key = signingKeys.get(source);
  if (!key) {
    key = source.lookupHash('v1', CURSOR_KEY_PURPOSE).then((hex) => Buffer.from(hex, 'hex'));
    // A failed KMS call must not stay cached for the life of the container.
    key.catch(() => signingKeys.delete(source));
    signingKeys.set(source, key);
  }
  return key;
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(`cursor.v1.${body}`).digest();

/** base64url of a 32-byte HMAC-SHA256, without padding. */
const MAC_CHARS = 43;
const CURSOR_SHAPE = new RegExp(`^([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]{${MAC_CHARS}})$`);

function invalidCursor(): AppError {
  return new AppError('validation_failed', { fields: [{ path: 'query.cursor', message: '分页游标无效' }] });
}

/**
 * An opaque page cursor: the last evaluated key, base64url-encoded, and an HMAC of it under a key
 * only the server holds (`<key>.<mac>`), so the only cursors {@link decodeCursor} accepts are the
 * ones the server issued.
 */
export async function encodeCursor(source: CursorKeySource, key: Record<string, unknown>): Promise<string> {
  const body = Buffer.from(JSON.stringify(key)).toString('base64url');
  return `${body}.${mac(await signingKey(source), body).toString('base64url')}`;
}

/**
 * Reads a cursor back. Accepted only when the server signed it (an altered or made-up cursor —
 * empty key values, numbers, another index's key — would otherwise reach DynamoDB as a start key it
 * rejects: a 500), when it was issued for this partition (a cursor of another queue or worker is a
 * 400, never a read of someone else's page), and when it holds exactly the key attributes of the
 * index it pages (`keys`, besides the partition), each a non-empty string. Anything else is 400
 * `validation_failed` at `query.cursor`. Malformed cursors are refused before the key is derived.
 *
 * @example await decodeCursor(deps.cipher(), c, { gsi2pk: 'REVIEW#p#org' }, ['pk', 'sk', 'gsi2sk'])
 */
export async function decodeCursor(
  source: CursorKeySource,
  cursor: string,
  expected: Record<string, string>,
  keys: readonly string[],
): Promise<Record<string, string>> {
  const match = CURSOR_SHAPE.exec(cursor);
  if (!match) throw invalidCursor();
  const [, body = '', signature = ''] = match;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const valid =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string' && v.length > 0) &&
    Object.keys(parsed).length === Object.keys(expected).length + keys.length &&
    keys.every((k) => Object.hasOwn(parsed, k)) &&
    Object.entries(expected).every(([k, v]) => (parsed as Record<string, unknown>)[k] === v);
  if (!valid) throw invalidCursor();
  const given = Buffer.from(signature, 'base64url');
  if (!timingSafeEqual(given, mac(await signingKey(source), body))) throw invalidCursor();
  return parsed as Record<string, string>;
}
