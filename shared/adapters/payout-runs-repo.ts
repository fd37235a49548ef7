import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BankFileSummary, PayoutRunRecord } from '../model/payout.ts';
import { channelObserver, type Observer } from '../observer.ts';
import { cancellationReasons, isConditionFailed } from './errors.ts';
import { type Guard, type UpdateSpec, updateExpression } from './expressions.ts';
import { openPayoutRunKey, payoutRunKey, programmeRunsIndex, runAuditKey } from './keys.ts';
import { PayoutRunOpen } from './persistence-errors.ts';
import { queryAll } from './query.ts';
import { transactWithRetry } from './retry.ts';
import { writeIf } from './writes.ts';

/**
 * Payout runs (architecture.md §4): their records, the programme's one open run, their counters and audit
 * trail. A run's instructions are `InstructionRepository`'s, the money it holds `PayoutHoldRepository`'s.
 */
function runOf(item: Record<string, unknown>): PayoutRunRecord {
  const { pk: _pk, sk: _sk, type: _t, gsi1pk: _g, gsi1sk: _s, ...run } = item;
  return run as unknown as PayoutRunRecord;
}

export class PayoutRunRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observer: Observer = channelObserver,
  ) {}

  /**
   * Records a new run and makes it the programme's open run, in one transaction: false if a run of
   * that id exists (a repeated start is idempotent); {@link PayoutRunOpen} naming the open run if
   * another run of the programme has not ended. The open-run item is a conditional put, so two runs
   * started at the same instant cannot both open.
   */
  async createRun(run: PayoutRunRecord): Promise<boolean> {
    const items = [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...payoutRunKey(run.runId),
            ...programmeRunsIndex(run.programmeId, run.createdAt, run.runId),
            type: 'payout-run',
            ...run,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...openPayoutRunKey(run.programmeId),
            type: 'open-payout-run',
            runId: run.runId,
            since: run.createdAt,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR runId = :run',
          ExpressionAttributeValues: { ':run': run.runId },
        },
      },
    ];
    try {
      await transactWithRetry(this.db, items, this.observer);
      return true;
    } catch (err) {
      const [record, open] = cancellationReasons(err) ?? [];
      if (record === 'ConditionalCheckFailed') return false;
      if (open === 'ConditionalCheckFailed') {
        throw new PayoutRunOpen((await this.openRunOf(run.programmeId)) ?? 'unknown');
      }
      throw err;
    }
  }

  /** The programme's open run (planning, paying or awaiting the bank), if any. */
  async openRunOf(programmeId: string): Promise<string | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: openPayoutRunKey(programmeId), ConsistentRead: true }),
    );
    return out.Item?.runId as string | undefined;
  }

  async getRun(runId: string): Promise<PayoutRunRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: payoutRunKey(runId), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return runOf(out.Item);
  }

  /** A programme's runs, newest first (gsi1; runs recorded before the index existed are not listed). */
  async runsOf(programmeId: string, limit = 100): Promise<PayoutRunRecord[]> {
    const items = await queryAll(this.db, this.tableName, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': programmeRunsIndex(programmeId).gsi1pk },
      ScanIndexForward: false,
      Limit: limit,
    });
    return items.slice(0, limit).map(runOf);
  }

  async updateRun(runId: string, set: Partial<PayoutRunRecord>): Promise<void> {
    await this.db.send(new UpdateCommand(this.runUpdate(runId, { set })));
  }

  /**
   * Takes the run's planning lease for the Plan attempt `token` until `until`, answering the run as it
   * now stands: the lease is this attempt's when the run is not planned yet and nobody held it, its
   * holder's time is up (`until` < `now`) or this attempt holds it already. Undefined otherwise. Only
   * the holder writes the plan, so a Plan that Step Functions retries while an earlier attempt still
   * runs (an invocation out of time, frozen and later thawed) waits instead of planning beside it.
   */
  async takePlanLease(
    runId: string,
    token: string,
    now: string,
    until: string,
  ): Promise<PayoutRunRecord | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          ...this.runUpdate(
            runId,
            { set: { planLeaseToken: token, planLeaseUntil: until } },
            {
              condition:
                'attribute_exists(pk) AND attribute_not_exists(#pages) AND (attribute_not_exists(#leaseToken) OR #leaseUntil < :now OR #leaseToken = :token)',
              names: { '#pages': 'pages', '#leaseToken': 'planLeaseToken', '#leaseUntil': 'planLeaseUntil' },
              values: { ':now': now, ':token': token },
            },
          ),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? runOf(out.Attributes) : undefined;
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  /**
   * Records what the Plan attempt `token` planned, only while it holds the lease; `release` gives the
   * lease up in the same write. False when another attempt has taken the lease over, or the run has
   * ended meanwhile: nothing written.
   */
  updateRunLeased(
    runId: string,
    token: string,
    set: Partial<PayoutRunRecord>,
    options: { release?: boolean } = {},
  ): Promise<boolean> {
    return this.updateRunIf(
      runId,
      { set, ...(options.release ? { remove: ['planLeaseToken', 'planLeaseUntil'] } : {}) },
      {
        // Only while the run is still planning: a Plan racing the run's end (an execution given up,
        // a Plan invocation that outlived it) must not reopen a run its programme no longer names.
        condition: '#leaseToken = :token AND #status = :running',
        names: { '#leaseToken': 'planLeaseToken', '#status': 'status' },
        values: { ':token': token, ':running': 'running' },
      },
    );
  }

  /** Gives the planning lease up, if `token` still holds it (a failed attempt lets its retry in at once). */
  async releasePlanLease(runId: string, token: string): Promise<void> {
    await this.updateRunLeased(runId, token, {}, { release: true });
  }

  /**
   * Records a run's end and closes it as the programme's open run, in one transaction, so the next
   * run can open exactly when this one has ended.
   */
  async finish(runId: string, programmeId: string, set: Partial<PayoutRunRecord>): Promise<void> {
    const items = [
      { Update: this.runUpdate(runId, { set }) },
      {
        Delete: {
          TableName: this.tableName,
          Key: openPayoutRunKey(programmeId),
          ConditionExpression: 'attribute_not_exists(pk) OR runId = :run',
          ExpressionAttributeValues: { ':run': runId },
        },
      },
    ];
    try {
      await transactWithRetry(this.db, items, this.observer);
    } catch (err) {
      // Ended before, and the next run is open already (a repeated result import): record the end only.
      if (cancellationReasons(err)?.[1] !== 'ConditionalCheckFailed') throw err;
      await this.updateRun(runId, set);
    }
  }

  /** The run record updated by `spec` only where `guard` holds; false when it did not, nothing written. */
  private updateRunIf(runId: string, spec: UpdateSpec, guard: Guard): Promise<boolean> {
    return writeIf(() => this.db.send(new UpdateCommand(this.runUpdate(runId, spec, guard))));
  }

  /** An update of the run record: `spec`, under `guard` (by default only that the record exists). */
  private runUpdate(runId: string, spec: UpdateSpec, guard: Guard = { condition: 'attribute_exists(pk)' }) {
    return { TableName: this.tableName, Key: payoutRunKey(runId), ...updateExpression(spec, guard) };
  }

  /** Live progress: counts of instructions a page attempt settled (each transition is counted once). */
  async addCounts(runId: string, paid: number, failed: number): Promise<void> {
    if (paid === 0 && failed === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: payoutRunKey(runId),
        UpdateExpression: 'ADD paidCount :p, failedCount :f',
        ExpressionAttributeValues: { ':p': paid, ':f': failed },
      }),
    );
  }

  /**
   * bank_file: `paying → awaiting_bank` once the batch files are written. False when the run was not
   * `paying` any more (a retried task after the first one got through), so nothing is reset.
   */
  awaitBank(
    runId: string,
    counts: { planned: number; paidCount: number; failedCount: number; awaitingBank: number },
    bankFiles: BankFileSummary[],
    at: string,
  ): Promise<boolean> {
    return this.updateRunIf(
      runId,
      { set: { status: 'awaiting_bank', ...counts, bankFiles, bankPaidByFunder: {}, updatedAt: at } },
      { condition: '#s = :paying', names: { '#s': 'status' }, values: { ':paying': 'paying' } },
    );
  }

  /** Appends an audit event to a run (each bank file download: who, for which org, when). */
  async appendAudit(
    runId: string,
    event: { action: string; at: string; actor: string; orgId?: string; [k: string]: unknown },
  ): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...runAuditKey(runId, event.at, randomUUID().slice(0, 8)),
          type: 'run-audit',
          runId,
          ...event,
        },
      }),
    );
  }
}
