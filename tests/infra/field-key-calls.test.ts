import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type AppFunction, BUNDLED_FOR_AWS_VARIABLE } from '../../infra/constructs/app-function.ts';
import type { FieldKeyUse } from '../../infra/constructs/data-store.ts';
import { functionEntry, repoRoot } from '../../infra/constructs/paths.ts';
import { type FunctionGroup, functionGroups } from '../../shared/http/route.ts';
import { logicalId, resourcesOfType, synthStack } from './synth.ts';

/**
 * The field key's operations (KMS in AWS: GenerateDataKey to encrypt, Decrypt, GenerateMac for lookup
 * hashes and cursor keys) are granted per function, while the local stage's key file lets any code use
 * any of them: a call a role lacks would only fail in AWS, as a 500. The field cipher's method names
 * survive minification, so each function's deployed bundle shows which it calls; this checks every
 * Lambda function of the stack (SMS configured, so the SMS functions exist) against its role.
 */

const { stack, template } = synthStack({
  sms: {
    provider: 'tencent',
    templates: { submitted: '1' },
    signName: '求学圆梦',
    appId: '1400000000',
    secretArn: 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:edu-subsidy/sms-AbCdEf',
  },
});

const cipherCalls: Record<FieldKeyUse, RegExp> = {
  encrypt: /\.encrypt\(/,
  decrypt: /\.decrypt\(/,
  hash: /\.lookupHash\(/,
};

/** Cipher calls a function's bundle holds that its code never makes, and why. */
const neverCalled: Partial<Record<string, FieldKeyUse[]>> = {
  // The application view decrypts the phone for its owner and for the employer's union; a revocation
  // (the admin route that answers the view) is refused unless the caller acts for the unit or above.
  admin: ['decrypt'],
  // `BankFileStore.writeFiles` (a class, bundled whole) decrypts account numbers into the batch files;
  // only the payout workflow writes them.
  payments: ['decrypt'],
};

function functionOf(name: string): AppFunction {
  if ((functionGroups as readonly string[]).includes(name)) return stack.functions.of(name as FunctionGroup);
  const fn =
    name === 'calendar' || name === 'payouts'
      ? stack.workflows.taskFunction(name)
      : name === 'notify'
        ? stack.notifications?.delivery
        : name === 'notify-schedule'
          ? stack.notifications?.schedule
          : name === 'attachment-events'
            ? stack.documentEvents.fn
            : undefined;
  if (!fn) throw new Error(`no function of the stack runs functions/${name}.ts`);
  return fn;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** What the function's role may do with the field keys, as the cipher's operations. */
function grantedUses(fn: AppFunction): FieldKeyUse[] {
  const role = JSON.stringify({ Ref: logicalId(fn.role) });
  const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const allows = (action: string, key: unknown) =>
    statements.some((s) => {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      return (
        s.Effect === 'Allow' &&
        actions.includes(action) &&
        resources.some((r) => JSON.stringify(r) === JSON.stringify(stack.resolve(key)))
      );
    });
  const uses: FieldKeyUse[] = [];
  if (allows('kms:GenerateDataKey', stack.data.fieldKey.keyArn)) uses.push('encrypt');
  if (allows('kms:Decrypt', stack.data.fieldKey.keyArn)) uses.push('decrypt');
  if (allows('kms:GenerateMac', stack.data.fieldHmacKey.keyArn)) uses.push('hash');
  return uses;
}

const entries = readdirSync(join(repoRoot, 'functions'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));

describe('field key: every function may make the cipher calls its deployed code makes', () => {
  it.each(entries)('functions/%s.ts', async (name) => {
    const { outputFiles } = await build({
      entryPoints: [functionEntry(name)],
      bundle: true,
      write: false,
      minify: true,
      platform: 'node',
      format: 'esm',
      external: ['@aws-sdk/*', 'exceljs', './openapi.ts'],
      define: { [BUNDLED_FOR_AWS_VARIABLE]: JSON.stringify('true') },
      absWorkingDir: repoRoot,
      logLevel: 'silent',
    });
    const code = outputFiles[0]?.text ?? '';
    const calls = (Object.entries(cipherCalls) as [FieldKeyUse, RegExp][])
      .filter(([, call]) => call.test(code))
      .map(([use]) => use);
    const granted = grantedUses(functionOf(name));
    const notMade = neverCalled[name] ?? [];
    expect(calls.filter((use) => !granted.includes(use) && !notMade.includes(use))).toEqual([]);
    // An exception must still be needed: the call is in the bundle and the role lacks it.
    for (const use of notMade)
      expect([use, calls.includes(use), granted.includes(use)]).toEqual([use, true, false]);
  });
});
