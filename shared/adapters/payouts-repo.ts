import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApplicationPaymentRecord } from '../model/application.ts';
import type {
  BankFileSummary,
  InstructionRecord,
  PayoutHoldRecord,
  PayoutPhase,
  PayoutRunRecord,
  PlannedInstruction,
  Settlement,
} from '../model/payout.ts';
import { cancellationReasons, isConditionFailed } from './errors.ts';
import {
  applicationKey,
  applicationPaymentKey,
  eventKey,
  INSTRUCTION_PREFIX,
  instructionPagePrefix,
  openPayoutRunKey,
  PAYOUT_HOLD_PREFIX,
  payoutHoldKey,
  payoutKeyPartition,
  payoutRunKey,
  payoutRunPartition,
  runAuditKey,
} from './keys.ts';
import { queryAll } from './query.ts';
import { backoffMs, retryConflicts, sleep } from './retry.ts';

/** Why a run could not be recorded: another run of the programme is still open. */
export class PayoutRunOpen extends Error {
  constructor(readonly openRunId: string) {
    super(`payout run ${openRunId} is still open`);
    this.name = 'PayoutRunOpen';
  }
}

const WRITE_CONCURRENCY = 8;

/** Payout runs, their instructions and the programme's paid keys, in the one table. */
export class PayoutRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Records a new run and makes it the programme's open run, in one transaction: false if a run of
   * that id exists (a repeated start is idempotent); {@link PayoutRunOpen} naming the open run if
   * another run of the programme has not ended. The open-run item is a conditional put, so two runs
   * started at the same instant cannot both open.
   */
  async createRun(run: PayoutRunRecord): Promise<boolean> {
    try {
      await retryConflicts(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...payoutRunKey(run.runId), type: 'payout-run', ...run },
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
            ],
          }),
        ),
      );
      return true;
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err;
      if (reasons[0] === 'ConditionalCheckFailed') return false;
      if (reasons[1] === 'ConditionalCheckFailed') {
        const open = await this.openRunOf(run.programmeId);
        throw new PayoutRunOpen(open ?? 'unknown');
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
    const { pk: _pk, sk: _sk, type: _t, ...run } = out.Item;
    return run as PayoutRunRecord;
  }

  async updateRun(runId: string, set: Partial<PayoutRunRecord>): Promise<void> {
    await this.db.send(new UpdateCommand(this.runUpdate(runId, set)));
  }

  /**
   * Records a run's end and closes it as the programme's open run, in one transaction, so the next
   * run can open exactly when this one has ended.
   */
  async finish(runId: string, programmeId: string, set: Partial<PayoutRunRecord>): Promise<void> {
    try {
      await this.closeRun(runId, programmeId, set);
    } catch (err) {
      // Ended before, and the next run is open already (a repeated result import): record the end only.
      if (cancellationReasons(err)?.[1] !== 'ConditionalCheckFailed') throw err;
      await this.updateRun(runId, set);
    }
  }

  private async closeRun(runId: string, programmeId: string, set: Partial<PayoutRunRecord>): Promise<void> {
    await retryConflicts(() =>
      this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: this.runUpdate(runId, set) },
            {
              Delete: {
                TableName: this.tableName,
                Key: openPayoutRunKey(programmeId),
                ConditionExpression: 'attribute_not_exists(pk) OR runId = :run',
                ExpressionAttributeValues: { ':run': runId },
              },
            },
          ],
        }),
      ),
    );
  }

  private runUpdate(runId: string, set: Partial<PayoutRunRecord>) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const parts = Object.entries(set).map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      return `#f${i} = :f${i}`;
    });
    return {
      TableName: this.tableName,
      Key: payoutRunKey(runId),
      UpdateExpression: `SET ${parts.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /** Live progress: counts of instructions this page attempt settled (each transition is counted once). */
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

  /** Every hold of a programme's runs (strongly consistent): what planning must leave out or adopt. */
  async holds(programmeId: string): Promise<PayoutHoldRecord[]> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': payoutKeyPartition(programmeId), ':prefix': PAYOUT_HOLD_PREFIX },
      ConsistentRead: true,
    });
    return items.map(({ pk: _pk, sk: _sk, type: _t, ...hold }) => hold as unknown as PayoutHoldRecord);
  }

  /**
   * Takes holds for a run's new instructions. A worker payment is held together with a guarded change
   * of its application (still `approved` and holding its place; `paymentsHeld` counts the payments in
   * flight or paid, which withdrawal checks), so a withdrawal racing the plan either comes first and
   * the payment is dropped, or comes second and is refused. Every hold is a conditional put: a key
   * another run holds is never taken. Answers the instructions held; payments of applications that
   * are no longer payable are left out.
   */
  async holdNew(
    runId: string,
    programmeId: string,
    list: readonly PlannedInstruction[],
    at: string,
  ): Promise<PlannedInstruction[]> {
    const groups = new Map<string, PlannedInstruction[]>();
    for (const i of list) {
      const group = i.kind === 'payment' && i.applicationId ? `app:${i.applicationId}` : `key:${i.key}`;
      groups.set(group, [...(groups.get(group) ?? []), i]);
    }
    const taken = new Set<PlannedInstruction>();
    const itemsOf = (group: PlannedInstruction[]): TransactItems => {
      const items: TransactItems = group.map((i) => ({
        Put: {
          TableName: this.tableName,
          Item: {
            ...payoutHoldKey(programmeId, i.key),
            type: 'payout-hold',
            ...i,
            programmeId,
            runId,
            state: 'held',
            heldAt: at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }));
      const first = group[0];
      if (first?.kind === 'payment' && first.applicationId) {
        items.push({
          Update: {
            TableName: this.tableName,
            Key: applicationKey(first.applicationId),
            UpdateExpression: 'ADD paymentsHeld :n',
            ConditionExpression: '#s = :approved AND quotaState = :claimed',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':n': group.length, ':approved': 'approved', ':claimed': 'claimed' },
          },
        });
      }
      return items;
    };
    await pool(
      chunks([...groups.values()], (g) => g.length + 1),
      WRITE_CONCURRENCY,
      async (chunk) => {
        if (await this.transact(chunk.flatMap(itemsOf))) {
          for (const i of chunk.flat()) taken.add(i);
          return;
        }
        // One group failed its condition (an application withdrawn meanwhile): the others go alone.
        await pool(chunk, WRITE_CONCURRENCY, async (group) => {
          if (await this.transact(itemsOf(group))) for (const i of group) taken.add(i);
        });
      },
    );
    return list.filter((i) => taken.has(i));
  }

  /**
   * Moves the holds of instructions a run that ended left unsettled (outcome unknown: the rail may
   * have paid) to `runId`, which sends them again with the same keys; the rail pays each key once.
   */
  async adopt(runId: string, holds: readonly PayoutHoldRecord[]): Promise<void> {
    await pool(holds, WRITE_CONCURRENCY, async (h) => {
      if (h.runId === runId) return;
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: payoutHoldKey(h.programmeId, h.key),
          UpdateExpression: 'SET runId = :run, adoptedFrom = :from',
          ConditionExpression: '#s = :held AND runId = :from',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':run': runId, ':from': h.runId, ':held': 'held' },
        }),
      );
    });
  }

  /**
   * Stores a run's planned instructions, and for each worker payment its copy in the application's
   * partition with a `payment_pending` event (R14). Plain puts with deterministic keys: planning
   * again before any payment (a retried Plan) writes the same items.
   */
  async writePlan(instructions: readonly InstructionRecord[], plannedAt: string): Promise<void> {
    const items: Record<string, unknown>[] = [];
    for (const i of instructions) {
      items.push({ type: 'payout-instruction', ...i });
      if (i.kind !== 'payment' || !i.applicationId) continue;
      const copy: ApplicationPaymentRecord = {
        key: i.key,
        runId: i.runId,
        payerOrgId: i.payerOrgId,
        amountFen: i.amountFen,
        funding: i.funding,
        status: 'pending',
        plannedAt,
      };
      items.push({ ...applicationPaymentKey(i.applicationId, i.key), type: 'payment', ...copy });
      items.push({
        ...eventKey(i.applicationId, plannedAt, `payment_pending-${i.key.slice(0, 12)}`),
        type: 'event',
        event: eventOf('payment_pending', i, plannedAt),
      });
    }
    const batches: Record<string, unknown>[][] = [];
    for (let n = 0; n < items.length; n += 25) batches.push(items.slice(n, n + 25));
    await pool(batches, WRITE_CONCURRENCY, (batch) => this.batchPut(batch));
  }

  private async batchPut(items: Record<string, unknown>[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      if (requests.length > 0) {
        if (attempt > 10) throw new Error('batch write: items left unprocessed');
        await sleep(backoffMs(attempt, 20, 1000));
      }
    }
  }

  /** One page of a run's instructions, strongly consistent. */
  async page(runId: string, phase: PayoutPhase, page: number): Promise<InstructionRecord[]> {
    return this.query(runId, instructionPagePrefix(phase, page));
  }

  /** Every instruction of a run (Reconcile). */
  async instructions(runId: string): Promise<InstructionRecord[]> {
    return this.query(runId, INSTRUCTION_PREFIX);
  }

  private async query(runId: string, prefix: string): Promise<InstructionRecord[]> {
    return (await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': payoutRunPartition(runId), ':prefix': prefix },
      ConsistentRead: true,
    })) as unknown as InstructionRecord[];
  }

  /** Instructions by sort key (the transfers a page of payments waits for). */
  async bySortKeys(runId: string, sks: readonly string[]): Promise<InstructionRecord[]> {
    if (sks.length === 0) return [];
    const found: InstructionRecord[] = [];
    for (let n = 0; n < sks.length; n += 100) {
      let keys = sks.slice(n, n + 100).map((sk) => ({ pk: payoutRunPartition(runId), sk }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        const out = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        found.push(...((out.Responses?.[this.tableName] ?? []) as InstructionRecord[]));
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
        if (keys.length > 0) await sleep(backoffMs(attempt, 20, 1000));
      }
    }
    return found;
  }

  /**
   * `pending | sending → sending`: takes an instruction for a call to the rail. A `sending` one is
   * taken over too — Step Functions retries a page only after the attempt that left it has ended, so
   * it is stale; the rail's idempotency key makes the second call pay nothing twice.
   */
  async claim(i: InstructionRecord, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: i.pk, sk: i.sk },
          UpdateExpression: 'SET #s = :sending, sendingAt = :at ADD attempts :one',
          ConditionExpression: '#s IN (:pending, :sending)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':at': at, ':one': 1 },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * {@link claim} for many instructions at once: each chunk of up to 100 in one transaction whose
   * every update keeps the `pending | sending` condition. A chunk that fails a condition (one
   * instruction settled meanwhile) is claimed item by item, so one stale instruction blocks nothing.
   * Answers the instructions taken, in the order given.
   */
  async claimMany(list: readonly InstructionRecord[], at: string): Promise<InstructionRecord[]> {
    const taken = new Set<InstructionRecord>();
    await pool(
      chunks(list, () => 1),
      WRITE_CONCURRENCY,
      async (chunk) => {
        const items = chunk.map((i) => ({
          Update: {
            TableName: this.tableName,
            Key: { pk: i.pk, sk: i.sk },
            UpdateExpression: 'SET #s = :sending, sendingAt = :at ADD attempts :one',
            ConditionExpression: '#s IN (:pending, :sending)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':at': at, ':one': 1 },
          },
        }));
        if (await this.transact(items)) {
          for (const i of chunk) taken.add(i);
          return;
        }
        await pool(chunk, WRITE_CONCURRENCY, async (i) => {
          if (await this.claim(i, at)) taken.add(i);
        });
      },
    );
    return list.filter((i) => taken.has(i));
  }

  /**
   * Records that a rail which answers later (bank_file) took a `sending` instruction; it stays
   * `sending` until the rail's result is recorded with {@link settle}. False when it was not `sending`.
   */
  async markSubmitted(i: InstructionRecord, reference: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: i.pk, sk: i.sk },
          UpdateExpression: 'SET submittedAt = if_not_exists(submittedAt, :at), #ref = :ref',
          ConditionExpression: '#s = :sending',
          ExpressionAttributeNames: { '#s': 'status', '#ref': 'reference' },
          ExpressionAttributeValues: { ':at': at, ':ref': reference, ':sending': 'sending' },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * bank_file: `paying → awaiting_bank` once the batch files are written. False when the run was not
   * `paying` any more (a retried task after the first one got through), so nothing is reset.
   */
  async awaitBank(
    runId: string,
    set: {
      planned: number;
      paidCount: number;
      failedCount: number;
      awaitingBank: number;
      bankFiles: BankFileSummary[];
    },
    at: string,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: payoutRunKey(runId),
          UpdateExpression:
            'SET #s = :awaiting, planned = :planned, paidCount = :paid, failedCount = :failed, awaitingBank = :n, bankFiles = :files, bankPaidByFunder = :none, updatedAt = :at',
          ConditionExpression: '#s = :paying',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':awaiting': 'awaiting_bank',
            ':paying': 'paying',
            ':planned': set.planned,
            ':paid': set.paidCount,
            ':failed': set.failedCount,
            ':n': set.awaitingBank,
            ':files': set.bankFiles,
            ':none': {},
            ':at': at,
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * bank_file: settles imported result lines together with the run's counters, each chunk in one
   * transaction (the lines' settlements and one update of the run, conditional on `awaiting_bank`),
   * so no import can settle a line without counting it or count a line twice. A chunk that fails a
   * condition (a line settled meanwhile) is settled line by line. Answers the settlements made.
   */
  async settleBankResults(runId: string, list: readonly Settlement[], at: string): Promise<Settlement[]> {
    const done = new Set<Settlement>();
    const itemsOf = (chunk: readonly Settlement[]): TransactItems => [
      ...chunk.flatMap((s) => this.settleItems(s.i, s.outcome, at)),
      { Update: this.bankCounts(runId, chunk, at) },
    ];
    await pool(
      chunks(list, (s) => settleItemCount(s.i), TRANSACTION_ITEMS - 1),
      WRITE_CONCURRENCY,
      async (chunk) => {
        if (await this.transact(itemsOf(chunk))) {
          for (const s of chunk) done.add(s);
          return;
        }
        await pool(chunk, WRITE_CONCURRENCY, async (s) => {
          if (await this.transact(itemsOf([s]))) done.add(s);
        });
      },
    );
    return list.filter((s) => done.has(s));
  }

  /** The run's counters for settled bank lines: paid, failed, still waiting, and funders' money reaching workers. */
  private bankCounts(runId: string, settled: readonly Settlement[], at: string) {
    const paid = settled.filter((s) => s.outcome.status === 'paid');
    const byFunder = new Map<string, number>();
    // A funder's money is counted when it reaches a worker, not for the transfer that carried it.
    for (const s of paid) {
      if (s.i.kind !== 'payment') continue;
      for (const p of s.i.funding)
        byFunder.set(p.funderOrgId, (byFunder.get(p.funderOrgId) ?? 0) + p.amountFen);
    }
    const names: Record<string, string> = { '#s': 'status' };
    const values: Record<string, unknown> = {
      ':awaiting': 'awaiting_bank',
      ':p': paid.length,
      ':f': settled.length - paid.length,
      ':n': -settled.length,
      ':at': at,
    };
    const sets = ['updatedAt = :at'];
    if (byFunder.size > 0) {
      names['#m'] = 'bankPaidByFunder';
      values[':zero'] = 0;
      [...byFunder].forEach(([funderOrgId, fen], n) => {
        names[`#f${n}`] = funderOrgId;
        values[`:v${n}`] = fen;
        sets.push(`#m.#f${n} = if_not_exists(#m.#f${n}, :zero) + :v${n}`);
      });
    }
    return {
      TableName: this.tableName,
      Key: payoutRunKey(runId),
      UpdateExpression: `SET ${sets.join(', ')} ADD paidCount :p, failedCount :f, awaitingBank :n`,
      ConditionExpression: '#s = :awaiting',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
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

  /**
   * `sending → paid | failed`, in one transaction with what follows from it: the programme's paid-key
   * record, and for a worker payment its copy in the application and a timeline event (R14).
   * False when the instruction was not `sending` any more (settled by someone else).
   */
  async settle(i: InstructionRecord, outcome: Settlement['outcome'], at: string): Promise<boolean> {
    try {
      await retryConflicts(() =>
        this.db.send(new TransactWriteCommand({ TransactItems: this.settleItems(i, outcome, at) })),
      );
      return true;
    } catch (err) {
      if (cancellationReasons(err)?.includes('ConditionalCheckFailed')) return false;
      throw err;
    }
  }

  /**
   * {@link settle} for many instructions: the settlements of a chunk — each with its paid-key record,
   * worker-visible copy and timeline event, at most 100 items — in one transaction, every state
   * change still conditional on `sending`. A chunk that fails a condition (an instruction settled
   * meanwhile) is settled item by item. Answers the settlements that moved their instruction.
   */
  async settleMany(list: readonly Settlement[], at: string): Promise<Settlement[]> {
    const done = new Set<Settlement>();
    await pool(
      chunks(list, (s) => settleItemCount(s.i)),
      WRITE_CONCURRENCY,
      async (chunk) => {
        if (await this.transact(chunk.flatMap((s) => this.settleItems(s.i, s.outcome, at)))) {
          for (const s of chunk) done.add(s);
          return;
        }
        await pool(chunk, WRITE_CONCURRENCY, async (s) => {
          if (await this.settle(s.i, s.outcome, at)) done.add(s);
        });
      },
    );
    return list.filter((s) => done.has(s));
  }

  /** One transaction, conflicts retried; false when a condition failed (nothing was written). */
  private async transact(items: TransactItems): Promise<boolean> {
    if (items.length === 0) return true;
    try {
      await retryConflicts(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
      return true;
    } catch (err) {
      if (cancellationReasons(err)?.includes('ConditionalCheckFailed')) return false;
      throw err;
    }
  }

  /** The writes of one settlement: the conditional state change first, then what follows from it. */
  private settleItems(i: InstructionRecord, outcome: Settlement['outcome'], at: string): TransactItems {
    const paid = outcome.status === 'paid';
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: i.pk, sk: i.sk },
          UpdateExpression: `SET #s = :status, #ref = :ref, ${paid ? 'paidAt' : 'failedAt'} = :at${outcome.reason ? ', reason = :reason' : ''}`,
          ConditionExpression: '#s = :sending',
          ExpressionAttributeNames: { '#s': 'status', '#ref': 'reference' },
          ExpressionAttributeValues: {
            ':status': outcome.status,
            ':ref': outcome.reference,
            ':at': at,
            ':sending': 'sending',
            ...(outcome.reason ? { ':reason': outcome.reason } : {}),
          },
        },
      },
    ];
    // The hold follows the outcome: kept as `paid` for good, or released for a later run. Only the
    // run that holds the key records it (a run that ended and was adopted records nothing).
    items.push(
      paid
        ? {
            Update: {
              TableName: this.tableName,
              Key: payoutHoldKey(i.programmeId, i.key),
              UpdateExpression: 'SET #s = :paid, paidAt = :at',
              ConditionExpression: 'runId = :run',
              ExpressionAttributeNames: { '#s': 'state' },
              ExpressionAttributeValues: { ':paid': 'paid', ':at': at, ':run': i.runId },
            },
          }
        : {
            Delete: {
              TableName: this.tableName,
              Key: payoutHoldKey(i.programmeId, i.key),
              ConditionExpression: 'runId = :run',
              ExpressionAttributeValues: { ':run': i.runId },
            },
          },
    );
    if (!paid && i.kind === 'payment' && i.applicationId) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: applicationKey(i.applicationId),
          UpdateExpression: 'ADD paymentsHeld :minus',
          ExpressionAttributeValues: { ':minus': -1 },
        },
      });
    }
    if (i.kind === 'payment' && i.applicationId) {
      items.push(
        {
          Update: {
            TableName: this.tableName,
            Key: applicationPaymentKey(i.applicationId, i.key),
            UpdateExpression: `SET #s = :status, ${paid ? 'paidAt' : 'failedAt'} = :at${outcome.reason ? ', reason = :reason' : ''}`,
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':status': outcome.status,
              ':at': at,
              ...(outcome.reason ? { ':reason': outcome.reason } : {}),
            },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...eventKey(i.applicationId, at, `payment_${outcome.status}-${i.key.slice(0, 12)}`),
              type: 'event',
              event: {
                ...eventOf(paid ? 'payment_paid' : 'payment_failed', i, at),
                ...(outcome.reason ? { reason: outcome.reason } : {}),
              },
            },
          },
        },
      );
    }
    return items;
  }
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Items one settlement writes at most (state change, hold, worker copy, event, the application's count). */
export const settleItemCount = (i: Pick<InstructionRecord, 'kind' | 'applicationId'>) =>
  i.kind === 'payment' && i.applicationId ? 5 : 2;

/** TransactWriteItems takes at most 100 items. */
export const TRANSACTION_ITEMS = 100;

/** Splits `list`, in order, into chunks whose items (by `size`) fit one transaction. */
export function chunks<T>(list: readonly T[], size: (item: T) => number, limit = TRANSACTION_ITEMS): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of list) {
    const n = size(item);
    if (current.length > 0 && used + n > limit) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function eventOf(
  type: string,
  i: Pick<InstructionRecord, 'payerOrgId' | 'amountFen' | 'funding' | 'runId'>,
  at: string,
) {
  return { type, at, payerOrgId: i.payerOrgId, amountFen: i.amountFen, funding: i.funding, runId: i.runId };
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}
