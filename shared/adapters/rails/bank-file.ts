import type { S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type BankFileRow, bankPurpose, renderBankFile } from '../../domain/bank-file.ts';
import type { StoredPayoutAccount } from '../../model/application.ts';
import type { BankFileSummary, BankLineRecord } from '../../model/payout.ts';
import { batchGetAll } from '../batch.ts';
import { attachmentsBucket } from '../bucket.ts';
import type { FieldCipher } from '../field-cipher.ts';
import {
  applicationKey,
  BANK_LINE_PREFIX,
  bankLineKey,
  bankLinePrefix,
  orgKey,
  payoutRunPartition,
} from '../keys.ts';
import { queryAll } from '../query.ts';
import { writeIf } from '../writes.ts';
import type { PaymentRail, RailInstruction, RailResult } from './rail.ts';

/** Where a payer's batch file of a run lives in the bucket. */
export const bankFileObjectKey = (runId: string, payerOrgId: string) =>
  `${attachmentsBucket.payoutPrefix}${runId}/${payerOrgId}.csv`;

const DECRYPT_CONCURRENCY = 16;

/**
 * The `bank_file` rail (design §4, R7, R13): paying an instruction records it as a line of its payer's
 * batch file and answers `submitted`; the money moves when the payer uploads the file to its bank, and
 * the bank's result file, imported back, settles each line. The line is a conditional put keyed by run,
 * payer and idempotency key, so a repeated call adds no second line and answers the first one again.
 * A worker whose payout account is a wallet cannot be paid by a bank file: that line fails at once.
 */
export class BankFileRail implements PaymentRail {
  readonly name = 'bank_file';

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async pay(instruction: RailInstruction): Promise<RailResult> {
    const payee = await this.payee(instruction);
    if ('failure' in payee) return { status: 'failed', reference: '', reason: payee.failure };
    const reference = `line-${instruction.key.slice(0, 16)}`;
    const line: BankLineRecord = {
      key: instruction.key,
      runId: instruction.runId,
      programmeId: instruction.programmeId,
      payerOrgId: instruction.payerOrgId,
      kind: instruction.kind,
      instructionSk: instruction.instructionSk,
      amountFen: instruction.amountFen,
      ...payee,
      purpose: bankPurpose(instruction.kind, instruction.programmeId),
      reference,
      createdAt: new Date().toISOString(),
    };
    // Already a line of this run's file (the put finds one): answer it again, never add a second line.
    await writeIf(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...bankLineKey(instruction.runId, instruction.payerOrgId, instruction.key),
            type: 'bank-line',
            ...line,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return { status: 'submitted', reference };
  }

  private async payee(
    i: RailInstruction,
  ): Promise<
    | Pick<BankLineRecord, 'payeeName' | 'payeeRef' | 'bankName' | 'accountMasked' | 'accountCipher'>
    | { failure: string }
  > {
    if (i.kind === 'transfer') {
      if (!i.payeeOrgId) return { failure: 'no_payee: 拨付缺少收款工会' };
      const org = await this.get(orgKey(i.payeeOrgId), '#n', { '#n': 'name' });
      return {
        payeeName: (org?.name as string | undefined) ?? i.payeeOrgId,
        payeeRef: `org:${i.payeeOrgId}`,
        bankName: '',
        accountMasked: '',
      };
    }
    if (!i.applicationId) return { failure: 'no_payee: 发放缺少申请' };
    const app = await this.get(applicationKey(i.applicationId), 'payoutAccount', {});
    const account = app?.payoutAccount as StoredPayoutAccount | undefined;
    if (!account) return { failure: 'no_payout_account: 申请没有收款账户' };
    if (account.kind !== 'bank') {
      return { failure: 'wallet_account: 钱包账户不能通过银行批量文件发放，请用钱包通道' };
    }
    return {
      payeeName: account.accountName,
      payeeRef: `app:${i.applicationId}`,
      bankName: account.bankName,
      accountMasked: account.accountNumber.masked,
      accountCipher: account.accountNumber.cipher,
    };
  }

  private async get(key: Record<string, string>, projection: string, names: Record<string, string>) {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ProjectionExpression: projection,
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }
}

/** The bank file lines of a run: reading them by payer, finding imported result lines by key, writing the files. */
export class BankFileStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every line of a run, in payer then key order. */
  async lines(runId: string): Promise<BankLineRecord[]> {
    return (await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': payoutRunPartition(runId), ':prefix': BANK_LINE_PREFIX },
      ConsistentRead: true,
    })) as unknown as BankLineRecord[];
  }

  /** The lines of one payer's file with the given keys; keys without a line are absent from the map. */
  async linesByKey(
    runId: string,
    payerOrgId: string,
    keys: readonly string[],
  ): Promise<Map<string, BankLineRecord>> {
    const prefix = bankLinePrefix(payerOrgId);
    const items = await batchGetAll(
      this.db,
      this.tableName,
      keys.map((k) => bankLineKey(runId, payerOrgId, k)),
      { consistent: true },
    );
    const found = new Map<string, BankLineRecord>();
    for (const item of items) {
      if (String(item.sk).startsWith(prefix))
        found.set(item.key as string, item as unknown as BankLineRecord);
    }
    return found;
  }

  /**
   * Writes one batch file per payer of the run to `payouts/{runId}/{payerOrgId}.csv` (R7: each paying
   * union uploads its own). Account numbers are decrypted here, into the file only; the same lines
   * always give the same file, so writing again (a retried task) changes nothing.
   */
  async writeFiles(
    s3: S3Client,
    bucket: string,
    cipher: FieldCipher,
    runId: string,
  ): Promise<BankFileSummary[]> {
    const byPayer = new Map<string, BankLineRecord[]>();
    for (const line of await this.lines(runId)) {
      byPayer.set(line.payerOrgId, [...(byPayer.get(line.payerOrgId) ?? []), line]);
    }
    const summaries: BankFileSummary[] = [];
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    for (const [payerOrgId, lines] of [...byPayer].sort(([a], [b]) => a.localeCompare(b))) {
      // Transfers first, as they must be paid before the payments they fund; then by key.
      lines.sort((a, b) => (a.kind === b.kind ? a.key.localeCompare(b.key) : a.kind === 'transfer' ? -1 : 1));
      const rows: BankFileRow[] = new Array(lines.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(DECRYPT_CONCURRENCY, lines.length) }, async () => {
          while (next < lines.length) {
            const n = next++;
            const line = lines[n] as BankLineRecord;
            rows[n] = {
              key: line.key,
              payeeName: line.payeeName,
              accountNumber: line.accountCipher ? await cipher.decrypt(line.accountCipher) : '',
              bankName: line.bankName,
              amountFen: line.amountFen,
              purpose: line.purpose,
              payeeRef: line.payeeRef,
            };
          }
        }),
      );
      const objectKey = bankFileObjectKey(runId, payerOrgId);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: objectKey,
          Body: renderBankFile(rows),
          ContentType: 'text/csv; charset=utf-8',
          ContentDisposition: `attachment; filename="${runId}-${payerOrgId}.csv"`,
        }),
      );
      summaries.push({
        payerOrgId,
        objectKey,
        lines: lines.length,
        totalFen: lines.reduce((n, l) => n + l.amountFen, 0),
        writtenAt: new Date().toISOString(),
      });
    }
    return summaries;
  }
}
