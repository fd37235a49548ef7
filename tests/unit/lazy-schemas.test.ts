import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { builtSchema, lazySchema } from '../../shared/schemas/lazy.ts';

const functionsDir = resolve(import.meta.dirname, '..', '..', 'functions');
const functionFiles = readdirSync(functionsDir).filter((f) => f.endsWith('.ts'));

/** What a function reads at import, as the local stage gives it (no AWS call is made at import). */
function stubFunctionEnv() {
  const env = {
    TABLE_NAME: 'edu-subsidy-lazy-schemas',
    BUCKET_NAME: 'edu-subsidy-lazy-schemas',
    STAGE: 'local',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'lazy-schemas-')),
    AWS_REGION: 'cn-north-1',
    LOG_LEVEL: 'silent',
    SMS_PROVIDER: 'tencent',
    SMS_SECRET_ID: 'AKIDlazy',
    SMS_SECRET_KEY: 'lazy-secret',
    SMS_TEMPLATES: '{}',
    SMS_SIGN_NAME: '求学圆梦',
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
}

/** A function module and the schema counter of the same fresh module graph. */
async function importFresh(file: string) {
  vi.resetModules();
  const fn = (await import(join(functionsDir, file))) as { handler: unknown };
  const lazy = await import('../../shared/schemas/lazy.ts');
  return { fn, built: lazy.lazySchemasBuilt };
}

describe('a cold start builds no request schema', () => {
  beforeEach(stubFunctionEnv);
  afterEach(() => vi.unstubAllEnvs());

  it.each(functionFiles)('importing functions/%s builds none', async (file) => {
    const { fn, built } = await importFresh(file);
    expect(typeof fn.handler).toBe('function');
    expect(built()).toBe(0);
  });

  it('a decision builds its route’s schemas when it is validated, the bulk route’s only when that is', async () => {
    const { built } = await importFresh('review.ts');
    const { reviewRoutes } = await import('../../shared/http/routes/review.ts');
    const { BulkDecisionBody, DecisionBody } = await import('../../shared/schemas/review.ts');
    expect(reviewRoutes.decideApplication.body).toBe(DecisionBody);
    expect(built()).toBe(0);
    expect(DecisionBody.safeParse({ decision: 'approve' }).success).toBe(true);
    const forOneRoute = built();
    expect(forOneRoute).toBeGreaterThan(0);
    // The bulk decision embeds the single one: building it adds its own schemas, not the single's again.
    expect(BulkDecisionBody.safeParse({ items: [] }).success).toBe(false);
    expect(built()).toBeGreaterThan(forOneRoute);
  });
});

describe('lazySchema', () => {
  it('builds once, on first use, and is the built schema to every reader', () => {
    const build = vi.fn(() =>
      z.object({ name: z.string().check(z.minLength(1)) }).check(z.meta({ id: 'LazyProbe' })),
    );
    const Probe = lazySchema(build);
    expect(build).not.toHaveBeenCalled();

    expect(Probe.safeParse({ name: '张三' }).success).toBe(true);
    expect(Probe.safeParse({ name: '' }).success).toBe(false);
    expect(Probe).toBeInstanceOf(z.ZodMiniObject);
    // zod's registry holds the built instance: `builtSchema` is how a reader keyed by identity finds it.
    expect(z.globalRegistry.get(builtSchema(Probe))).toEqual({ id: 'LazyProbe' });
    expect(builtSchema(Probe)).not.toBe(Probe);
    expect(builtSchema(builtSchema(Probe))).toBe(builtSchema(Probe));
    expect(Object.keys(Probe.shape)).toEqual(['name']);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('embeds in another schema as itself', () => {
    const Inner = lazySchema(() => z.string().check(z.regex(/^\d+$/, '只能是数字')));
    const Outer = z.object({ code: Inner, more: z.optional(Inner) });
    expect(Outer.safeParse({ code: '42' }).success).toBe(true);
    const failed = Outer.safeParse({ code: 'x' });
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.message).toBe('只能是数字');
  });

  it('spreads like the object it stands for', () => {
    const Fields = lazySchema(() => ({ a: 1, b: 2 }));
    expect({ ...Fields }).toEqual({ a: 1, b: 2 });
    expect('a' in Fields).toBe(true);
  });
});
