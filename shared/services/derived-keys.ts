import type { FieldCipher } from '../adapters/field-cipher.ts';

/** What deriving a key needs of the field cipher: its keyed hash (KMS `GenerateMac` in AWS). */
export type KeySource = Pick<FieldCipher, 'lookupHash'>;

/**
 * A signing key for one purpose (page cursors, receipt digests): the keyed hash of a fixed label under
 * the field HMAC key. It is the same in every function and after every cold start (so what one
 * container signed, the next verifies), only a holder of that HMAC key can compute it, and its label
 * keeps it apart from every lookup hash stored in the table. Derived once per cipher and purpose, so
 * signing costs no KMS call: a rush of submits would otherwise spend one `GenerateMac` per receipt
 * from the account's shared KMS request quota. A failed derivation is not kept.
 */
const derived = new WeakMap<KeySource, Map<string, Promise<Buffer>>>();

export function derivedKey(source: KeySource, purpose: string): Promise<Buffer> {
  let keys = derived.get(source);
  if (!keys) {
    keys = new Map();
    derived.set(source, keys);
  }
  let key = keys.get(purpose);
  if (!key) {
    const pending = source.lookupHash('v1', purpose).then((hex) => Buffer.from(hex, 'hex'));
    pending.catch(() => {
      if (keys.get(purpose) === pending) keys.delete(purpose);
    });
    keys.set(purpose, pending);
    key = pending;
  }
  return key;
}
