import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PageToken } from '../adapters/page.ts';
import { invalidCursor } from './contract-errors.ts';
import { derivedKey, type KeySource } from './derived-keys.ts';

/**
 * Page cursors as clients hold them: a repository's opaque page token, base64url-encoded, and an
 * HMAC of it under a key only the server holds (`<token>.<mac>`), so the only cursors read back are
 * ones the server issued. What a token must look like is the issuing repository's business; here
 * it is only sealed and opened.
 */

/** What signing cursors needs of the field cipher: its keyed hash (KMS `GenerateMac` in AWS). */
export type CursorKeySource = KeySource;

/** The cursor-signing key (`derivedKey`): one per cipher, the same in every function. */
const CURSOR_KEY_PURPOSE = 'pagination-cursor-key';
const signingKey = (source: CursorKeySource) => derivedKey(source, CURSOR_KEY_PURPOSE);

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(`cursor.v1.${body}`).digest();

/** base64url of a 32-byte HMAC-SHA256, without padding. */
const MAC_CHARS = 43;
const CURSOR_SHAPE = new RegExp(`^([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]{${MAC_CHARS}})$`);

/** Seals a repository's page token into a cursor a client may hold. */
export async function sealPageToken(source: CursorKeySource, token: PageToken): Promise<string> {
  const body = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${body}.${mac(await signingKey(source), body).toString('base64url')}`;
}

/**
 * Opens a cursor back into the token it sealed, for the repository to check against the page asked
 * for. Refused with 400 `validation_failed` at `query.cursor` unless the server signed it and it
 * holds a flat object of non-empty strings; malformed cursors are refused before the key is derived.
 */
export async function openPageCursor(source: CursorKeySource, cursor: string): Promise<unknown> {
  const match = CURSOR_SHAPE.exec(cursor);
  if (!match) throw invalidCursor();
  const [, body = '', signature = ''] = match;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const flat =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string' && v.length > 0);
  if (!flat) throw invalidCursor();
  if (!timingSafeEqual(Buffer.from(signature, 'base64url'), mac(await signingKey(source), body))) {
    throw invalidCursor();
  }
  return parsed;
}

/**
 * A public list's cursor: the repository's page token, base64url-encoded and not signed. For lists
 * anyone may read whose partition the repository rebuilds from the path (a token can only move within
 * that list, and the repository checks its shape and range), served by a function that holds no key
 * and keeps its cold start free of KMS: the public catalogue of offerings.
 */
export function encodePublicPageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

/** Reads a public list's cursor back into a token for the repository to check; 400 at `query.cursor` if malformed. */
export function openPublicPageCursor(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(cursor)) throw invalidCursor();
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
}
