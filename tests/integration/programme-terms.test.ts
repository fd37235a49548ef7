import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/aws.ts';
import { capacityStats } from '../../shared/adapters/fault-injection.ts';
import { programmeKey } from '../../shared/adapters/keys.ts';
import { ProgrammeRepository } from '../../shared/adapters/programmes-repo.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { programmeRecord } from '../support/ledger-fixtures.ts';
import { startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
/** Every DynamoDB call of these deps is recorded in `capacityStats`. */
let deps: Deps;
let programmeCount = 0;

beforeAll(async () => {
  stack = await startTestStack();
  deps = createDeps({ ...loadConfig(), recordConsumedCapacity: true });
});
afterAll(async () => {
  await stack.stop();
});
beforeEach(() => capacityStats.reset());

async function newProgramme(): Promise<string> {
  const id = `terms-${++programmeCount}`;
  await deps.programmes.create(
    programmeRecord(
      id,
      { 'lc-chiping': 3 },
      {
        title: '求学圆梦行动',
        applicationWindow: { opensOn: '2026-03-01', closesOn: '2026-03-31' },
        reviewBatches: [{ id: 'b1', opensOn: '2026-04-01', closesOn: '2026-04-30' }],
      },
    ),
  );
  return id;
}

/** The edit another container makes: straight to the table, unseen by this process's memory. */
async function closeEarlyElsewhere(programmeId: string, closesOn: string) {
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.config.tableName,
      Key: programmeKey(programmeId),
      UpdateExpression: 'SET applicationWindow.closesOn = :c',
      ExpressionAttributeValues: { ':c': closesOn },
    }),
  );
}

const reads = () => capacityStats.calls.filter((c) => c.command !== 'UpdateItemCommand');

describe('programme terms as submits read them (ProgrammeRepository.terms, architecture.md §3)', () => {
  it('are one read of the programme item, kept for their max age, without the units', async () => {
    const id = await newProgramme();
    capacityStats.reset();
    const first = await deps.programmes.terms(id);
    expect(first?.applicationWindow).toEqual({ opensOn: '2026-03-01', closesOn: '2026-03-31' });
    expect(first?.levels).toEqual(['junior_college']);
    expect(first).not.toHaveProperty('allocations');
    expect(reads().map((c) => c.command)).toEqual(['GetItemCommand']);

    await closeEarlyElsewhere(id, '2026-03-20');
    capacityStats.reset();
    // Within the max age: the terms from memory, no call at all.
    expect((await deps.programmes.terms(id))?.applicationWindow.closesOn).toBe('2026-03-31');
    expect(capacityStats.calls).toHaveLength(0);
    // Older than the max age asked: read again, and the edit is there.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await deps.programmes.terms(id, 50))?.applicationWindow.closesOn).toBe('2026-03-20');
    expect(reads().map((c) => c.command)).toEqual(['GetItemCommand']);
  });

  it('an edit through this process is seen by the next submit at once', async () => {
    const id = await newProgramme();
    expect((await deps.programmes.terms(id))?.applicationWindow.closesOn).toBe('2026-03-31');
    await deps.programmes.update(
      id,
      { applicationWindow: { opensOn: '2026-03-01', closesOn: '2026-03-15' } },
      0,
      new Date().toISOString(),
    );
    expect((await deps.programmes.terms(id))?.applicationWindow.closesOn).toBe('2026-03-15');
  });

  it('a full read of the programme refreshes them', async () => {
    const id = await newProgramme();
    await deps.programmes.terms(id);
    await closeEarlyElsewhere(id, '2026-03-10');
    expect((await deps.programmes.get(id))?.programme.applicationWindow.closesOn).toBe('2026-03-10');
    capacityStats.reset();
    expect((await deps.programmes.terms(id))?.applicationWindow.closesOn).toBe('2026-03-10');
    expect(capacityStats.calls).toHaveLength(0);
  });

  it('submits arriving together share one read; a programme not found or a failed read is not kept', async () => {
    const id = await newProgramme();
    capacityStats.reset();
    const together = await Promise.all(Array.from({ length: 20 }, () => deps.programmes.terms(id)));
    expect(together.every((t) => t?.id === id)).toBe(true);
    expect(reads()).toHaveLength(1);

    const later = `terms-${++programmeCount}`;
    capacityStats.reset();
    expect(await deps.programmes.terms(later)).toBeUndefined();
    expect(await deps.programmes.terms(later)).toBeUndefined();
    expect(reads()).toHaveLength(2);

    // A table that does not exist: the read fails, and the next call tries again.
    const db = createDocumentClient(deps.config);
    let sent = 0;
    db.middlewareStack.add(
      (next) => async (args) => {
        sent++;
        return next(args);
      },
      { step: 'initialize', name: 'count-sent' },
    );
    const missing = new ProgrammeRepository(db, `${deps.config.tableName}-missing`);
    await expect(missing.terms(id)).rejects.toThrow(/non-existent table|not found/i);
    await expect(missing.terms(id)).rejects.toThrow(/non-existent table|not found/i);
    expect(sent).toBe(2);
    // The other table's terms are kept apart from it.
    capacityStats.reset();
    expect((await deps.programmes.terms(id))?.id).toBe(id);
    expect(capacityStats.calls).toHaveLength(0);
  });
});
