import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createFieldCipher,
  KMS_ENCRYPTION_CONTEXT,
  KmsFieldCipher,
  LOCAL_FIELD_KEY_FILE,
  LocalFieldCipher,
  UnreadableCiphertext,
} from '../../shared/adapters/field-cipher.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'field-cipher-'));
const idNumber = '11010519491231002X';

/** Replaces one base64url character of the given dot-separated part. */
function tamper(ciphertext: string, partIndex: number): string {
  const parts = ciphertext.split('.');
  const part = parts[partIndex] ?? '';
  const flipped = part[0] === 'A' ? 'B' : 'A';
  parts[partIndex] = `${flipped}${part.slice(1)}`;
  return parts.join('.');
}

/**
 * A stand-in for KMS (AWS cannot run here): a symmetric key that wraps data keys with AES-GCM and
 * checks the encryption context, and an HMAC key — enough to exercise envelope encryption.
 */
class FakeKms {
  readonly calls = { GenerateDataKey: 0, Decrypt: 0, GenerateMac: 0 };
  readonly contexts: (Record<string, string> | undefined)[] = [];
  readonly #wrapKey = randomBytes(32);
  readonly #macKey = randomBytes(32);

  constructor(
    readonly keyId: string,
    readonly hmacKeyId: string,
  ) {}

  get client(): KMSClient {
    return this as unknown as KMSClient;
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof GenerateDataKeyCommand) {
      this.calls.GenerateDataKey++;
      const { KeyId, KeySpec, EncryptionContext } = command.input;
      this.contexts.push(EncryptionContext);
      if (KeyId !== this.keyId || KeySpec !== 'AES_256') throw new Error('bad GenerateDataKey request');
      const plaintext = randomBytes(32);
      return {
        Plaintext: new Uint8Array(plaintext),
        CiphertextBlob: this.#wrap(plaintext, EncryptionContext),
      };
    }
    if (command instanceof DecryptCommand) {
      this.calls.Decrypt++;
      const { KeyId, CiphertextBlob, EncryptionContext } = command.input;
      this.contexts.push(EncryptionContext);
      if (KeyId !== this.keyId || !CiphertextBlob) throw new Error('bad Decrypt request');
      return { Plaintext: this.#unwrap(CiphertextBlob, EncryptionContext) };
    }
    if (command instanceof GenerateMacCommand) {
      this.calls.GenerateMac++;
      const { KeyId, MacAlgorithm, Message } = command.input;
      if (KeyId !== this.hmacKeyId || MacAlgorithm !== 'HMAC_SHA_256' || !Message) {
        throw new Error('bad GenerateMac request');
      }
      return { Mac: new Uint8Array(createHmac('sha256', this.#macKey).update(Message).digest()) };
    }
    throw new Error('unexpected command');
  }

  #wrap(plaintext: Buffer, context: Record<string, string> | undefined): Uint8Array {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#wrapKey, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(context ?? {})));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), ct]));
  }

  #unwrap(blob: Uint8Array, context: Record<string, string> | undefined): Uint8Array {
    const bytes = Buffer.from(blob);
    const decipher = createDecipheriv('aes-256-gcm', this.#wrapKey, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(JSON.stringify(context ?? {})));
    decipher.setAuthTag(bytes.subarray(12, 28));
    try {
      return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]));
    } catch {
      // What KMS answers for a blob that is not one of its ciphertexts.
      throw Object.assign(new Error('The ciphertext is invalid'), { name: 'InvalidCiphertextException' });
    }
  }
}

describe('LocalFieldCipher', () => {
  it('round-trips any string, including empty and non-ASCII text', async () => {
    const cipher = LocalFieldCipher.fromKeyFile(join(tempDir(), 'keys.json'));
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme' }), async (value) => {
        const ciphertext = await cipher.encrypt(value);
        expect(ciphertext).toMatch(/^v1\.local\.[\w-]+\.[\w-]+\.[\w-]*$/);
        expect(await cipher.decrypt(ciphertext)).toBe(value);
      }),
    );
    expect(await cipher.decrypt(await cipher.encrypt('张三丰 6222 0212 3456 1234'))).toBe(
      '张三丰 6222 0212 3456 1234',
    );
  });

  it('encrypts the same value differently each time but hashes it the same', async () => {
    const cipher = LocalFieldCipher.fromKeyFile(join(tempDir(), 'keys.json'));
    const [a, b] = [await cipher.encrypt(idNumber), await cipher.encrypt(idNumber)];
    expect(a).not.toBe(b);
    expect(a).not.toContain(idNumber);
    const hash = await cipher.lookupHash(idNumber, 'idNumber');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await cipher.lookupHash(idNumber, 'idNumber')).toBe(hash);
    expect(await cipher.lookupHash(idNumber, 'accountNumber')).not.toBe(hash);
    expect(await cipher.lookupHash('11010519491231003X', 'idNumber')).not.toBe(hash);
  });

  it('computes HMAC-SHA256 of purpose:value with the file hmacKey', async () => {
    const path = join(tempDir(), 'keys.json');
    const cipher = LocalFieldCipher.fromKeyFile(path);
    const { hmacKey } = JSON.parse(readFileSync(path, 'utf8')) as { hmacKey: string };
    const expected = createHmac('sha256', Buffer.from(hmacKey, 'base64'))
      .update(`idNumber:${idNumber}`)
      .digest('hex');
    expect(await cipher.lookupHash(idNumber, 'idNumber')).toBe(expected);
  });

  it('rejects tampered or malformed ciphertexts', async () => {
    const cipher = LocalFieldCipher.fromKeyFile(join(tempDir(), 'keys.json'));
    const ciphertext = await cipher.encrypt(idNumber);
    // Each refusal is permanent (UnreadableCiphertext): nobody should try to read it again.
    for (const part of [2, 3, 4]) {
      await expect(cipher.decrypt(tamper(ciphertext, part))).rejects.toThrow(UnreadableCiphertext);
    }
    await expect(cipher.decrypt(ciphertext.replace('v1.local', 'v2.local'))).rejects.toThrow(
      UnreadableCiphertext,
    );
    await expect(cipher.decrypt(`${ciphertext}.x`)).rejects.toThrow(UnreadableCiphertext);
    await expect(cipher.decrypt(idNumber)).rejects.toThrow(UnreadableCiphertext);
    await expect(cipher.decrypt('v1.local.!!!.###.$$$')).rejects.toThrow(UnreadableCiphertext);
    await expect(cipher.decrypt('x')).rejects.toThrow(UnreadableCiphertext);
  });

  it('keeps its keys in a 0600 file (directory created) that a second instance reuses', async () => {
    const path = join(tempDir(), 'nested', 'deeper', LOCAL_FIELD_KEY_FILE);
    const first = LocalFieldCipher.fromKeyFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(path, 'utf8')) as { encryptionKey: string; hmacKey: string };
    expect(Buffer.from(keys.encryptionKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(keys.hmacKey, 'base64')).toHaveLength(32);

    const ciphertext = await first.encrypt(idNumber);
    const second = LocalFieldCipher.fromKeyFile(path);
    expect(await second.decrypt(ciphertext)).toBe(idNumber);
    expect(await second.lookupHash(idNumber, 'idNumber')).toBe(await first.lookupHash(idNumber, 'idNumber'));
    expect(readFileSync(path, 'utf8')).toContain(keys.encryptionKey);
  });

  it('different key files give different hashes and cannot read each other', async () => {
    const a = LocalFieldCipher.fromKeyFile(join(tempDir(), 'a.json'));
    const b = LocalFieldCipher.fromKeyFile(join(tempDir(), 'b.json'));
    expect(await a.lookupHash(idNumber, 'idNumber')).not.toBe(await b.lookupHash(idNumber, 'idNumber'));
    await expect(b.decrypt(await a.encrypt(idNumber))).rejects.toThrow(UnreadableCiphertext);
  });

  it('refuses a key file with short keys', () => {
    expect(
      () => new LocalFieldCipher({ encryptionKey: randomBytes(16), hmacKey: randomBytes(32) }),
    ).toThrow();
    expect(() => new LocalFieldCipher({ encryptionKey: randomBytes(32), hmacKey: randomBytes(8) })).toThrow();
  });
});

describe('KmsFieldCipher', () => {
  const make = () => {
    const kms = new FakeKms('arn:aws-cn:kms:cn-north-1:1:key/data', 'arn:aws-cn:kms:cn-north-1:1:key/hmac');
    const cipher = new KmsFieldCipher(kms.client, { keyId: kms.keyId, hmacKeyId: kms.hmacKeyId });
    return { kms, cipher };
  };

  it('requires a key and an HMAC key', () => {
    const kms = new FakeKms('k', 'h');
    expect(() => new KmsFieldCipher(kms.client, { keyId: 'k' })).toThrow(/hmacKeyId/);
    expect(() => new KmsFieldCipher(kms.client, { keyId: '', hmacKeyId: 'h' })).toThrow(/keyId/);
  });

  it('round-trips values with the encrypted data key inside the ciphertext', async () => {
    const { cipher } = make();
    for (const value of [idNumber, '6222021234567891234', '', '钱包 wx-12345']) {
      const ciphertext = await cipher.encrypt(value);
      expect(ciphertext).toMatch(/^v1\.kms\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]*$/);
      expect(await cipher.decrypt(ciphertext)).toBe(value);
    }
  });

  it('asks KMS for one data key per cold start, however many values it encrypts', async () => {
    const { kms, cipher } = make();
    const ciphertexts = await Promise.all(
      Array.from({ length: 100 }, (_, i) => cipher.encrypt(`value-${i}`)),
    );
    expect(kms.calls.GenerateDataKey).toBe(1);
    expect(new Set(ciphertexts.map((c) => c.split('.')[2])).size).toBe(1);
    // Its own data key is already known: no Decrypt call needed.
    expect(await cipher.decrypt(ciphertexts[42] ?? '')).toBe('value-42');
    expect(kms.calls.Decrypt).toBe(0);
  });

  it('decrypts another cold start’s ciphertexts with one KMS Decrypt per data key', async () => {
    const { kms, cipher: writer } = make();
    const ciphertexts = await Promise.all(Array.from({ length: 20 }, (_, i) => writer.encrypt(`v${i}`)));
    const reader = new KmsFieldCipher(kms.client, { keyId: kms.keyId, hmacKeyId: kms.hmacKeyId });
    const plaintexts = await Promise.all(ciphertexts.map((c) => reader.decrypt(c)));
    expect(plaintexts).toEqual(ciphertexts.map((_, i) => `v${i}`));
    expect(kms.calls.Decrypt).toBe(1);
    expect(kms.calls.GenerateDataKey).toBe(1);
  });

  it('two encryptions of one value differ; its lookup hashes are equal', async () => {
    const { kms, cipher } = make();
    const [a, b] = [await cipher.encrypt(idNumber), await cipher.encrypt(idNumber)];
    expect(a).not.toBe(b);
    const hash = await cipher.lookupHash(idNumber, 'idNumber');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await cipher.lookupHash(idNumber, 'idNumber')).toBe(hash);
    expect(await cipher.lookupHash(idNumber, 'other')).not.toBe(hash);
    expect(kms.calls.GenerateMac).toBe(3);
    // A second instance (another cold start) hashes the same way.
    const other = new KmsFieldCipher(kms.client, { keyId: kms.keyId, hmacKeyId: kms.hmacKeyId });
    expect(await other.lookupHash(idNumber, 'idNumber')).toBe(hash);
  });

  it('rejects tampered ciphertexts, including a swapped data key', async () => {
    const { kms, cipher } = make();
    const ciphertext = await cipher.encrypt(idNumber);
    for (const part of [3, 4, 5]) {
      await expect(cipher.decrypt(tamper(ciphertext, part))).rejects.toThrow(UnreadableCiphertext);
    }
    // The wrapped data key of another cold start, spliced in: KMS unwraps it, but GCM rejects.
    const other = new KmsFieldCipher(kms.client, { keyId: kms.keyId, hmacKeyId: kms.hmacKeyId });
    const foreignKey = (await other.encrypt('x')).split('.')[2] ?? '';
    const parts = ciphertext.split('.');
    parts[2] = foreignKey;
    await expect(cipher.decrypt(parts.join('.'))).rejects.toThrow(UnreadableCiphertext);
    // A corrupted wrapped key: KMS refuses it (InvalidCiphertextException), for good.
    await expect(cipher.decrypt(tamper(ciphertext, 2))).rejects.toThrow(UnreadableCiphertext);
    await expect(cipher.decrypt('v1.local.a.b.c')).rejects.toThrow(UnreadableCiphertext);
  });

  it('retries a failed GenerateDataKey instead of caching the failure', async () => {
    const kms = new FakeKms('k', 'h');
    let failures = 1;
    const flaky = {
      send: async (command: unknown) => {
        if (command instanceof GenerateDataKeyCommand && failures-- > 0) throw new Error('throttled');
        return kms.send(command);
      },
    } as unknown as KMSClient;
    const cipher = new KmsFieldCipher(flaky, { keyId: 'k', hmacKeyId: 'h' });
    await expect(cipher.encrypt('a')).rejects.toThrow('throttled');
    expect(await cipher.decrypt(await cipher.encrypt('a'))).toBe('a');
  });

  it('a KMS that does not answer a Decrypt is not an unreadable ciphertext: the next read succeeds', async () => {
    const kms = new FakeKms('k', 'h');
    const writer = new KmsFieldCipher(kms.client, { keyId: 'k', hmacKeyId: 'h' });
    const ciphertext = await writer.encrypt('a');
    let failures = 1;
    const flaky = {
      send: async (command: unknown) => {
        if (command instanceof DecryptCommand && failures-- > 0) {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        }
        return kms.send(command);
      },
    } as unknown as KMSClient;
    const reader = new KmsFieldCipher(flaky, { keyId: 'k', hmacKeyId: 'h' });
    const refused = await reader.decrypt(ciphertext).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(UnreadableCiphertext);
    expect(await reader.decrypt(ciphertext)).toBe('a');
  });

  it('binds data keys to the encryption context', async () => {
    const { kms, cipher } = make();
    const ciphertext = await cipher.encrypt('x');
    const reader = new KmsFieldCipher(kms.client, { keyId: kms.keyId, hmacKeyId: kms.hmacKeyId });
    await reader.decrypt(ciphertext);
    expect(kms.contexts).toEqual([KMS_ENCRYPTION_CONTEXT, KMS_ENCRYPTION_CONTEXT]);
    expect(KMS_ENCRYPTION_CONTEXT).toEqual({ purpose: 'edu-subsidy:field-encryption' });
  });
});

describe('createFieldCipher', () => {
  it('uses a key file under the data directory locally', async () => {
    const dataDir = tempDir();
    const cipher = createFieldCipher({ stage: 'local', dataDir });
    expect(cipher).toBeInstanceOf(LocalFieldCipher);
    const again = LocalFieldCipher.fromKeyFile(join(dataDir, LOCAL_FIELD_KEY_FILE));
    expect(await again.decrypt(await cipher.encrypt(idNumber))).toBe(idNumber);
  });

  it('uses KMS in AWS and needs both key ids', async () => {
    const kms = new FakeKms('k', 'h');
    const cipher = createFieldCipher({ stage: 'aws', fieldKeyId: 'k', fieldHmacKeyId: 'h', kms: kms.client });
    expect(cipher).toBeInstanceOf(KmsFieldCipher);
    expect(await cipher.decrypt(await cipher.encrypt(idNumber))).toBe(idNumber);
    expect(() => createFieldCipher({ stage: 'aws', fieldKeyId: 'k', kms: kms.client })).toThrow();
    expect(() => createFieldCipher({ stage: 'aws', fieldHmacKeyId: 'h', kms: kms.client })).toThrow();
  });
});
