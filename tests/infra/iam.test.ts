import { describe, expect, it } from 'vitest';
import { attachmentsBucket } from '../../shared/adapters/bucket.ts';
import { KMS_ENCRYPTION_CONTEXT } from '../../shared/adapters/field-cipher.ts';
import { tableDefinition } from '../../shared/adapters/table.ts';
import { routeList } from '../../shared/http/routes.ts';
import { logicalId, resourcesOfType, synthStack } from './synth.ts';

/**
 * Issue 10, point 13: every function's role holds exactly what its code calls (traced in
 * `infra/constructs/route-functions.ts`), written here as `action resource` pairs, with the resources
 * named: one list per function, compared whole, so a grant added or lost shows up.
 */

const { stack, template } = synthStack();
const { data, workflows } = stack;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Names for the resources a statement may name, by their resolved CloudFormation form. */
const names = new Map<string, string>();
const name = (label: string, value: unknown) => names.set(JSON.stringify(stack.resolve(value)), label);
name('table', data.table.tableArn);
for (const index of tableDefinition.globalSecondaryIndexes)
  name(`table/index/${index.indexName}`, `${data.table.tableArn}/index/${index.indexName}`);
name('documents', data.attachments.arnForObjects(`${attachmentsBucket.applicationPrefix}*`));
name('payoutFiles', data.attachments.arnForObjects(`${attachmentsBucket.payoutPrefix}*`));
name('bucket', data.attachments.bucketArn);
name('attachmentsKey', data.attachmentsKey.keyArn);
name('fieldKey', data.fieldKey.keyArn);
name('hmacKey', data.fieldHmacKey.keyArn);
for (const w of workflows.names()) {
  name(`machine:${w}`, workflows.arn(w));
  name(`executions:${w}`, `${workflows.arn(w).replace(':stateMachine:', ':execution:')}:*`);
}

const viaS3 = {
  StringEquals: {
    'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
  },
};
const fieldContext = {
  StringEquals: Object.fromEntries(
    Object.entries(KMS_ENCRYPTION_CONTEXT).map(([k, v]) => [`kms:EncryptionContext:${k}`, v]),
  ),
};

/**
 * The grants of a role as `action resource` lines, sorted; logging and tracing (every function's,
 * from `AppFunction`) left out. Asserts on the way that KMS use of the attachments key is only
 * through S3 and use of the field key only with the field cipher's encryption context.
 */
function grantsOf(role: Parameters<typeof logicalId>[0]): string[] {
  const roleId = logicalId(role);
  const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const lines: string[] = [];
  for (const s of statements) {
    expect(s.Effect).toBe('Allow');
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    if (actions.every((a) => /^(logs|xray):/.test(a))) continue;
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    for (const resource of resources) {
      const label = names.get(JSON.stringify(resource)) ?? JSON.stringify(resource);
      if (label === 'attachmentsKey') expect(s.Condition, actions.join()).toEqual(viaS3);
      if (label === 'fieldKey') expect(s.Condition, actions.join()).toEqual(fieldContext);
      for (const action of actions) lines.push(`${action} ${label}`);
    }
  }
  return lines.sort();
}

const tableRead = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'].flatMap((a) =>
  ['table', ...tableDefinition.globalSecondaryIndexes.map((i) => `table/index/${i.indexName}`)].map(
    (r) => `${a} ${r}`,
  ),
);
const tableWrite = [
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
].map((a) => `${a} table`);
const tableReadWrite = [...tableRead, ...tableWrite];
const sorted = (lines: string[]) => [...lines].sort();

describe('IAM: each function holds exactly what its code calls', () => {
  it('public: reads the table, nothing else', () => {
    expect(grantsOf(stack.functions.of('public').role)).toEqual(sorted(tableRead));
  });

  it('admin: the table, signed cursors (the SMS log) and the calendar workflow; no encryption, no bucket', () => {
    expect(grantsOf(stack.functions.of('admin').role)).toEqual(
      sorted([
        ...tableReadWrite,
        'kms:GenerateMac hmacKey',
        'states:StartExecution machine:calendar',
        'states:StopExecution executions:calendar',
        'states:DescribeExecution executions:calendar',
      ]),
    );
  });

  it('payments: the table, presigned GETs of bank files, starting payout runs; no field key, no documents', () => {
    expect(grantsOf(stack.functions.of('payments').role)).toEqual(
      sorted([
        ...tableReadWrite,
        's3:GetObject payoutFiles',
        'kms:Decrypt attachmentsKey',
        'states:StartExecution machine:payout-run',
      ]),
    );
  });

  it('every signed-in route that pages with a cursor is served by a function that can sign one (GenerateMac)', () => {
    // Cursors are HMAC-signed under a key derived through the field HMAC key (services/page-cursors.ts);
    // the public routes page with unsigned tokens and hold no key at all.
    const paged = routeList.filter((route) => {
      const shape = (route.query as { shape?: Record<string, unknown> } | undefined)?.shape;
      return route.auth !== 'public' && shape !== undefined && 'cursor' in shape;
    });
    expect(paged.map((r) => r.operationId).sort()).toEqual([
      'listApplications',
      'listMyApplications',
      'listNotifications',
      'reviewQueue',
    ]);
    for (const route of paged) {
      expect([route.operationId, grantsOf(stack.functions.of(route.group).role)]).toEqual([
        route.operationId,
        expect.arrayContaining(['kms:GenerateMac hmacKey']),
      ]);
    }
  });

  it('accounts: the table; hashes verified phones and encrypts the reviewer contact; no decryption', () => {
    expect(grantsOf(stack.functions.of('accounts').role)).toEqual(
      sorted([...tableReadWrite, 'kms:GenerateMac hmacKey', 'kms:GenerateDataKey fieldKey']),
    );
  });

  it('catalogue: the table, nothing else (issue 16)', () => {
    expect(grantsOf(stack.functions.of('catalogue').role)).toEqual(sorted(tableReadWrite));
  });

  it('applications: encrypts, hashes and (for the owner, the employer and saved forms) decrypts personal data, uploads and verifies documents', () => {
    expect(grantsOf(stack.functions.of('applications').role)).toEqual(
      sorted([
        ...tableReadWrite,
        'kms:GenerateDataKey fieldKey',
        'kms:Decrypt fieldKey',
        'kms:GenerateMac hmacKey',
        's3:GetObject documents',
        's3:GetObjectVersion documents',
        's3:PutObject documents',
        's3:DeleteObject documents',
        's3:DeleteObjectVersion documents',
        's3:ListBucket bucket',
        'kms:GenerateDataKey attachmentsKey',
        'kms:Decrypt attachmentsKey',
      ]),
    );
  });

  it('review: decisions, presigned GETs of pinned documents and signed cursors; no decryption, no document writes', () => {
    expect(grantsOf(stack.functions.of('review').role)).toEqual(
      sorted([
        ...tableReadWrite,
        'kms:GenerateMac hmacKey',
        's3:GetObject documents',
        's3:GetObjectVersion documents',
        'kms:Decrypt attachmentsKey',
      ]),
    );
  });

  it('document verifier: reads uploads, writes their pinned copies, deletes forged or replacing ones; no field key', () => {
    expect(grantsOf(stack.documentEvents.fn.role)).toEqual(
      sorted([
        ...tableReadWrite,
        's3:GetObject documents',
        's3:GetObjectVersion documents',
        's3:PutObject documents',
        's3:DeleteObject documents',
        's3:DeleteObjectVersion documents',
        's3:ListBucket bucket',
        'kms:GenerateDataKey attachmentsKey',
        'kms:Decrypt attachmentsKey',
      ]),
    );
  });

  it('payout tasks: decrypt account numbers into the bank files they write', () => {
    const task = workflows.taskFunction('payouts');
    if (!task) throw new Error('no payouts task function');
    expect(grantsOf(task.role)).toEqual(
      sorted([
        ...tableReadWrite,
        'kms:Decrypt fieldKey',
        's3:PutObject payoutFiles',
        'kms:GenerateDataKey attachmentsKey',
      ]),
    );
  });

  it('calendar tasks: the table, its own successor (start, stop) and payout runs (start only)', () => {
    const task = workflows.taskFunction('calendar');
    if (!task) throw new Error('no calendar task function');
    expect(grantsOf(task.role)).toEqual(
      sorted([
        ...tableReadWrite,
        'states:StartExecution machine:calendar',
        'states:StopExecution executions:calendar',
        'states:StartExecution machine:payout-run',
      ]),
    );
  });
});
