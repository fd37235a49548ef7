import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KMSClient } from '@aws-sdk/client-kms';

/**
 * Field-level protection of personal data (architecture.md §6, PIPL): ID and account numbers are stored
 * encrypted, and found again — e.g. R8's "one application per ID number and level" — through a
 * keyed hash, so neither the table nor its backups hold them in clear.
 */
export interface FieldCipher {
  /** An opaque, versioned ciphertext; two encryptions of the same value differ. */
  encrypt(plaintext: string): Promise<string>;
  /** The plaintext; rejects when the ciphertext was altered or belongs to another key. */
  decrypt(ciphertext: string): Promise<string>;
  /**
   * HMAC-SHA256 (hex) of `${purpose}:${value}`: deterministic per key, so equal values give equal
   * hashes (usable in a DynamoDB key), and the purpose keeps hashes of one use from matching
   * another's. Hash the normalised value (`normaliseIdNumber`), never raw input.
   */
  lookupHash(value: string, purpose: string): Promise<string>;
}

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const LOCAL_PREFIX = 'v1.local';
const KMS_PREFIX = 'v1.kms';

/** File name of the local key file under the data directory. */
export const LOCAL_FIELD_KEY_FILE = 'field-keys.json';

/**
 * KMS encryption context bound to every data key this module generates; a key policy may require
 * it (`kms:EncryptionContext:purpose`).
 */
export const KMS_ENCRYPTION_CONTEXT = { purpose: 'edu-subsidy:field-encryption' } as const;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function fromB64(part: string | undefined, expectedBytes?: number): Buffer {
  if (part === undefined || !/^[A-Za-z0-9_-]*$/.test(part)) throw malformed();
  const bytes = Buffer.from(part, 'base64url');
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) throw malformed();
  return bytes;
}

/**
 * A ciphertext that can never be read: malformed, altered, or sealed under another key. Permanent,
 * unlike a key service that did not answer: whoever reads it should not try again.
 */
export class UnreadableCiphertext extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'UnreadableCiphertext';
  }
}

function malformed(): Error {
  return new UnreadableCiphertext('Malformed field ciphertext');
}

function seal(key: Uint8Array, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${b64(iv)}.${b64(cipher.getAuthTag())}.${b64(ct)}`;
}

/** Throws when the tag does not match: altered ciphertext, IV, header or wrong key. */
function open(key: Uint8Array, parts: readonly string[], aad: string): string {
  const [ivPart, tagPart, ctPart] = parts;
  const iv = fromB64(ivPart, IV_BYTES);
  const tag = fromB64(tagPart, TAG_BYTES);
  const ct = fromB64(ctPart);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new UnreadableCiphertext('Field ciphertext failed authentication', { cause: err });
  }
}

interface LocalKeyFile {
  encryptionKey: string;
  hmacKey: string;
}

function parseKeyFile(text: string, path: string): { encryptionKey: Buffer; hmacKey: Buffer } {
  const parsed = JSON.parse(text) as Partial<LocalKeyFile>;
  const encryptionKey = Buffer.from(String(parsed.encryptionKey ?? ''), 'base64');
  const hmacKey = Buffer.from(String(parsed.hmacKey ?? ''), 'base64');
  if (encryptionKey.length !== KEY_BYTES || hmacKey.length < KEY_BYTES) {
    throw new Error(`Field key file ${path} must hold a 32-byte encryptionKey and hmacKey (base64)`);
  }
  return { encryptionKey, hmacKey };
}

/**
 * The local stand-in for KMS (architecture.md §6): AES-256-GCM with a key kept in a file under the data
 * directory, and HMAC-SHA256 with a second key for lookup hashes. Ciphertexts read
 * `v1.local.<iv>.<tag>.<ct>` (base64url).
 */
export class LocalFieldCipher implements FieldCipher {
  readonly #encryptionKey: Buffer;
  readonly #hmacKey: Buffer;

  constructor(keys: { encryptionKey: Uint8Array; hmacKey: Uint8Array }) {
    if (keys.encryptionKey.length !== KEY_BYTES) throw new Error('encryptionKey must be 32 bytes');
    if (keys.hmacKey.length < KEY_BYTES) throw new Error('hmacKey must be at least 32 bytes');
    this.#encryptionKey = Buffer.from(keys.encryptionKey);
    this.#hmacKey = Buffer.from(keys.hmacKey);
  }

  /**
   * Opens the key file `{encryptionKey, hmacKey}` (base64), creating it with fresh random keys and
   * mode 0600 (and its directory) when absent. The same file must be kept for data to stay readable.
   */
  static fromKeyFile(path: string): LocalFieldCipher {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(path), { recursive: true });
      const fresh: LocalKeyFile = {
        encryptionKey: randomBytes(KEY_BYTES).toString('base64'),
        hmacKey: randomBytes(KEY_BYTES).toString('base64'),
      };
      try {
        // `wx`: if another process created the file meanwhile, keep its keys rather than overwrite them.
        writeFileSync(path, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
        text = JSON.stringify(fresh);
      } catch (writeErr) {
        if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
        text = readFileSync(path, 'utf8');
      }
    }
    return new LocalFieldCipher(parseKeyFile(text, path));
  }

  async encrypt(plaintext: string): Promise<string> {
    return `${LOCAL_PREFIX}.${seal(this.#encryptionKey, plaintext, LOCAL_PREFIX)}`;
  }

  async decrypt(ciphertext: string): Promise<string> {
    const parts = ciphertext.split('.');
    if (parts.length !== 5 || `${parts[0]}.${parts[1]}` !== LOCAL_PREFIX) throw malformed();
    return open(this.#encryptionKey, parts.slice(2), LOCAL_PREFIX);
  }

  async lookupHash(value: string, purpose: string): Promise<string> {
    return createHmac('sha256', this.#hmacKey).update(`${purpose}:${value}`, 'utf8').digest('hex');
  }
}

/** What the cipher needs of a KMS client: sending its commands. */
export type KmsSender = Pick<KMSClient, 'send'>;

/**
 * The KMS SDK, imported on first use rather than when a function starts: only requests that encrypt
 * or hash personal data need it (docs/benchmarks.md, cold start).
 */
const kmsSdk = () => import('@aws-sdk/client-kms');

/** A KMS client built on its first command. */
function lazyKmsClient(): KmsSender {
  let client: Promise<KMSClient> | undefined;
  const send = async (command: Parameters<KMSClient['send']>[0]) => {
    client ??= kmsSdk().then(({ KMSClient }) => new KMSClient({}));
    return (await client).send(command);
  };
  return { send: send as KMSClient['send'] };
}

/** Most data keys kept decrypted in memory; each cold start of a writer adds one. */
const MAX_CACHED_DATA_KEYS = 1000;

/**
 * Field encryption with KMS (architecture.md §6): envelope encryption under the customer-managed key
 * `keyId`. One AES-256 data key is generated per cold start and reused for every encryption; the
 * encrypted data key travels inside each ciphertext, `v1.kms.<encDataKey>.<iv>.<tag>.<ct>`
 * (base64url), and is bound to it as GCM additional data. Decryption asks KMS once per distinct
 * encrypted data key. Lookup hashes come from KMS `GenerateMac` (HMAC_SHA_256) under the HMAC key
 * `hmacKeyId`, so the hash key never leaves KMS.
 */
export class KmsFieldCipher implements FieldCipher {
  readonly #kms: KmsSender;
  readonly #keyId: string;
  readonly #hmacKeyId: string;
  #dataKey: Promise<{ plaintext: Buffer; encrypted: string }> | undefined;
  readonly #decryptedKeys = new Map<string, Promise<Buffer>>();

  constructor(kms: KmsSender, options: { keyId: string; hmacKeyId?: string }) {
    if (!options.keyId) throw new Error('KmsFieldCipher needs keyId');
    // Deriving the hash key from a data key would change it every cold start: lookups need one fixed key.
    if (!options.hmacKeyId) throw new Error('KmsFieldCipher needs hmacKeyId (an HMAC_256 KMS key)');
    this.#kms = kms;
    this.#keyId = options.keyId;
    this.#hmacKeyId = options.hmacKeyId;
  }

  #currentDataKey(): Promise<{ plaintext: Buffer; encrypted: string }> {
    if (!this.#dataKey) {
      const pending = kmsSdk()
        .then(({ GenerateDataKeyCommand }) =>
          this.#kms.send(
            new GenerateDataKeyCommand({
              KeyId: this.#keyId,
              KeySpec: 'AES_256',
              EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT },
            }),
          ),
        )
        .then(({ Plaintext, CiphertextBlob }) => {
          if (!Plaintext || !CiphertextBlob || Plaintext.length !== KEY_BYTES) {
            throw new Error('KMS GenerateDataKey returned no usable data key');
          }
          const dataKey = { plaintext: Buffer.from(Plaintext), encrypted: b64(CiphertextBlob) };
          this.#remember(dataKey.encrypted, Promise.resolve(dataKey.plaintext));
          return dataKey;
        });
      // A failed call is retried by the next encryption rather than cached for the container's life.
      pending.catch(() => {
        if (this.#dataKey === pending) this.#dataKey = undefined;
      });
      this.#dataKey = pending;
    }
    return this.#dataKey;
  }

  #remember(encrypted: string, key: Promise<Buffer>): void {
    if (this.#decryptedKeys.size >= MAX_CACHED_DATA_KEYS) {
      const oldest = this.#decryptedKeys.keys().next();
      if (!oldest.done) this.#decryptedKeys.delete(oldest.value);
    }
    this.#decryptedKeys.set(encrypted, key);
  }

  #dataKeyFor(encrypted: string): Promise<Buffer> {
    const cached = this.#decryptedKeys.get(encrypted);
    if (cached) return cached;
    const pending = kmsSdk()
      .then(({ DecryptCommand }) =>
        this.#kms.send(
          new DecryptCommand({
            KeyId: this.#keyId,
            CiphertextBlob: fromB64(encrypted),
            EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT },
          }),
        ),
      )
      .then(
        ({ Plaintext }) => {
          if (!Plaintext || Plaintext.length !== KEY_BYTES)
            throw new Error('KMS Decrypt returned no data key');
          return Buffer.from(Plaintext);
        },
        (err: unknown) => {
          // KMS's own verdict that the data key is not one of its keys: as permanent as a bad tag.
          if (
            err instanceof Error &&
            (err.name === 'InvalidCiphertextException' || err.name === 'IncorrectKeyException')
          ) {
            throw new UnreadableCiphertext('KMS refused the data key', { cause: err });
          }
          throw err;
        },
      );
    pending.catch(() => {
      if (this.#decryptedKeys.get(encrypted) === pending) this.#decryptedKeys.delete(encrypted);
    });
    this.#remember(encrypted, pending);
    return pending;
  }

  async encrypt(plaintext: string): Promise<string> {
    const { plaintext: key, encrypted } = await this.#currentDataKey();
    const header = `${KMS_PREFIX}.${encrypted}`;
    return `${header}.${seal(key, plaintext, header)}`;
  }

  async decrypt(ciphertext: string): Promise<string> {
    const parts = ciphertext.split('.');
    const encrypted = parts[2];
    if (parts.length !== 6 || `${parts[0]}.${parts[1]}` !== KMS_PREFIX || !encrypted) throw malformed();
    fromB64(encrypted);
    const key = await this.#dataKeyFor(encrypted);
    return open(key, parts.slice(3), `${KMS_PREFIX}.${encrypted}`);
  }

  async lookupHash(value: string, purpose: string): Promise<string> {
    const { GenerateMacCommand } = await kmsSdk();
    const { Mac } = await this.#kms.send(
      new GenerateMacCommand({
        KeyId: this.#hmacKeyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(`${purpose}:${value}`, 'utf8'),
      }),
    );
    if (!Mac) throw new Error('KMS GenerateMac returned no MAC');
    return Buffer.from(Mac).toString('hex');
  }
}

/**
 * The field cipher for the stage: a key file under `dataDir` locally (default `.data/`), KMS in
 * AWS (`fieldKeyId` for data keys, `fieldHmacKeyId` for lookup hashes). Build it once per cold start.
 *
 * @example
 * const cipher = createFieldCipher({ stage: config.stage, dataDir: process.env.DATA_DIR,
 *   fieldKeyId: process.env.FIELD_KEY_ID, fieldHmacKeyId: process.env.FIELD_HMAC_KEY_ID });
 */
export function createFieldCipher(env: {
  stage: 'local' | 'aws';
  dataDir?: string;
  fieldKeyId?: string;
  fieldHmacKeyId?: string;
  kms?: KmsSender;
}): FieldCipher {
  if (env.stage === 'local') {
    return LocalFieldCipher.fromKeyFile(join(env.dataDir ?? '.data', LOCAL_FIELD_KEY_FILE));
  }
  if (!env.fieldKeyId || !env.fieldHmacKeyId) {
    throw new Error('fieldKeyId and fieldHmacKeyId must be set outside the local stage');
  }
  return new KmsFieldCipher(env.kms ?? lazyKmsClient(), {
    keyId: env.fieldKeyId,
    hmacKeyId: env.fieldHmacKeyId,
  });
}
