import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedKey, type KeySource } from '../../shared/services/derived-keys.ts';
import { receiptDigest } from '../../shared/services/submission.ts';

/** A field cipher's keyed hash that counts its calls (KMS `GenerateMac` in AWS, one request each). */
function countingSource(fail = 0): KeySource & { calls: string[] } {
  const calls: string[] = [];
  let failures = fail;
  return {
    calls,
    lookupHash: async (value: string, purpose: string) => {
      calls.push(`${purpose}:${value}`);
      if (failures-- > 0) throw new Error('KMS did not answer');
      return createHmac('sha256', 'hmac-key').update(`${purpose}:${value}`).digest('hex');
    },
  };
}

const receipt = {
  programmeId: 'lc-2022',
  applicationId: 'a1',
  sequence: 7,
  submittedAt: '2022-06-01T08:00:00.000Z',
  unitOrgId: 'lc-dongchangfu',
};

describe('derived signing keys', () => {
  it('derives each purpose’s key once per cipher, and each purpose its own', async () => {
    const source = countingSource();
    const [a, b, c] = await Promise.all([
      derivedKey(source, 'receipt-digest-key'),
      derivedKey(source, 'receipt-digest-key'),
      derivedKey(source, 'pagination-cursor-key'),
    ]);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(source.calls.sort()).toEqual(['pagination-cursor-key:v1', 'receipt-digest-key:v1']);
  });

  it('does not keep a failed derivation: the next use asks again', async () => {
    const source = countingSource(1);
    await expect(derivedKey(source, 'receipt-digest-key')).rejects.toThrow('KMS did not answer');
    expect((await derivedKey(source, 'receipt-digest-key')).length).toBe(32);
    expect(source.calls).toHaveLength(2);
  });
});

describe('receipt digests', () => {
  it('are a 64-hex HMAC of what the receipt states, recomputable, with one key derivation for a rush', async () => {
    const source = countingSource();
    const deps = { cipher: () => source as never };
    const digest = await receiptDigest(deps, receipt);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    // Recomputed by anyone who may use the HMAC key: the derived key, then the receipt's fields.
    const key = createHmac('sha256', 'hmac-key').update('receipt-digest-key:v1').digest();
    expect(digest).toBe(
      createHmac('sha256', key)
        .update('receipt.v1.lc-2022|7|a1|2022-06-01T08:00:00.000Z|lc-dongchangfu')
        .digest('hex'),
    );
    const others = await Promise.all(
      (
        [
          { programmeId: 'lc-2023' },
          { applicationId: 'a2' },
          { sequence: 8 },
          { submittedAt: '2022-06-01T08:00:00.001Z' },
          { unitOrgId: 'lc-guanxian' },
        ] as const
      ).map((change) => receiptDigest(deps, { ...receipt, ...change })),
    );
    expect(new Set([digest, ...others]).size).toBe(6);
    for (let n = 0; n < 100; n++) await receiptDigest(deps, { ...receipt, sequence: n + 1 });
    expect(source.calls).toEqual(['receipt-digest-key:v1']);
  });
});
