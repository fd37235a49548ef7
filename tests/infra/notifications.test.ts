import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DELIVERY_RETRY_ATTEMPTS } from '../../infra/constructs/notifications.ts';
import { functionEntry, repoRoot } from '../../infra/constructs/paths.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../../infra/function-timeouts.ts';
import { contextSms } from '../../infra/stacks/settings.ts';
import { functionGroups } from '../../shared/http/route.ts';
import { bundleInputs } from './bundle-inputs.ts';
import { logicalId, resourceOf, resourcesOfType, synthStack, testApp } from './synth.ts';

/** Issue 17: the stream, the delivery function with its dead-letter queue and alarm, and least privilege. */

const secretArn = 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:edu-subsidy/sms-AbCdEf';
const sms = {
  provider: 'tencent' as const,
  templates: { submitted: '2000001', returned: '2000003' },
  signName: '求学圆梦',
  appId: '1400000000',
  region: 'ap-guangzhou',
  secretArn,
};
const { stack, template } = synthStack({ sms });
const notifications = stack.notifications;
if (!notifications) throw new Error('no notifications construct');

describe('SMS delivery in AWS', () => {
  it('the table has a stream of new images', () => {
    expect(resourceOf(template, stack.data.table).Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_IMAGE',
    });
  });

  it('the delivery function reads the stream: new outbox items only, partial failures, bounded retries, a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(notifications.delivery.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: DELIVERY_RETRY_ATTEMPTS,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(notifications.deadLetters), 'Arn'] } },
      },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { type: { S: ['sms'] } } },
            }),
          },
        ],
      },
    });
    const queue = resourceOf(template, notifications.deadLetters);
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('an alarm fires on the first dead letter and tells the alarm topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(notifications.deadLetters), 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalId(stack.monitoring.topic) }],
    });
  });

  it('the SMS functions’ timeouts are the deadlines the local stack gives their handlers', () => {
    expect(resourceOf(template, notifications.delivery.function).Properties.Timeout).toBe(
      FUNCTION_TIMEOUT_SECONDS.notify,
    );
    expect(resourceOf(template, notifications.schedule.function).Properties.Timeout).toBe(
      FUNCTION_TIMEOUT_SECONDS['notify-schedule'],
    );
  });

  it('a schedule runs the re-drive every 15 minutes', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(notifications.schedule.function), 'Arn'] },
      }),
    });
  });

  it('the provider, templates and secret reach the functions as configuration', () => {
    const env = (
      resourceOf(template, notifications.delivery.function).Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env).toMatchObject({
      SMS_PROVIDER: 'tencent',
      SMS_TEMPLATES: JSON.stringify(sms.templates),
      SMS_SIGN_NAME: '求学圆梦',
      SMS_APP_ID: '1400000000',
      SMS_SECRET_ARN: secretArn,
    });
  });

  it('least privilege: only the two SMS functions may read the secret, and only that secret', () => {
    const readers = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:'),
    );
    const roles = readers.flatMap((p) => p.Properties.Roles as unknown[]);
    expect(roles).toEqual(
      expect.arrayContaining([
        { Ref: logicalId(notifications.delivery.role) },
        { Ref: logicalId(notifications.schedule.role) },
      ]),
    );
    expect(roles).toHaveLength(2);
    for (const policy of readers) {
      const statements = (
        policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }
      ).Statement;
      const secretStatements = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
      expect(secretStatements).toEqual([
        expect.objectContaining({
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: secretArn,
        }),
      ]);
    }
  });

  it('each SMS function holds exactly: the table, the stream (delivery), phone decryption and hashing, the secret', () => {
    const actionsOf = (role: Parameters<typeof logicalId>[0]) =>
      Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify({ Ref: logicalId(role) })))
        .flatMap(
          (p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
        )
        .flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]))
        .filter((a) => !/^(logs|xray):/.test(a));
    const common = [
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:GenerateMac',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ];
    expect([...new Set(actionsOf(notifications.schedule.role))].sort()).toEqual(common);
    expect([...new Set(actionsOf(notifications.delivery.role))].sort()).toEqual(
      [
        ...common,
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
  });

  it('the delivery function decrypts and hashes phones; it cannot encrypt or touch documents', () => {
    const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(logicalId(notifications.delivery.role)),
    );
    const text = JSON.stringify(policies);
    expect(text).toContain('kms:Decrypt');
    expect(text).toContain('kms:GenerateMac');
    expect(text).not.toContain('kms:GenerateDataKey');
    expect(text).not.toContain('s3:');
  });

  it('without SMS configuration there is no delivery, and a Chinese provider without a secret is refused', () => {
    expect(synthStack().stack.notifications).toBeUndefined();
    expect(() => synthStack({ sms: { ...sms, secretArn: undefined as unknown as string } })).toThrow(
      /secretArn/,
    );
    expect(contextSms(testApp({ 'edu-subsidy:sms': JSON.stringify(sms) }))).toEqual(sms);
    expect(() =>
      contextSms(testApp({ 'edu-subsidy:sms': { provider: 'carrier-pigeon', templates: {} } })),
    ).toThrow(/provider/);
    expect(() => contextSms(testApp({ 'edu-subsidy:sms': "{provider: 'tencent'}" }))).toThrow(
      /context edu-subsidy:sms is not valid JSON/,
    );
  });
});

/** No bundle holds an SMS provider SDK: the Chinese providers are called directly, AWS through the runtime’s SDK. */
const bundledInputs = async (entry: string) => Object.keys(await bundleInputs(entry));
const providerSdk = /tencentcloud-sdk|@alicloud\/|client-pinpoint-sms-voice/;

describe('bundles', () => {
  it.each(functionGroups)('the %s API function bundles no SMS provider SDK', async (group) => {
    expect((await bundledInputs(functionEntry(group))).filter((p) => providerSdk.test(p))).toEqual([]);
  });

  it.each(['tencent', 'aliyun'] as const)(
    'the %s adapter bundles no package: it signs and sends its one call itself',
    async (provider) => {
      const inputs = Object.keys(
        await bundleInputs(join(repoRoot, 'shared', 'adapters', 'sms', `${provider}.ts`)),
      );
      expect(inputs.filter((p) => p.includes('node_modules/'))).toEqual([]);
    },
  );

  it('the SMS functions bundle no provider SDK; the AWS adapter’s client is the runtime’s', async () => {
    for (const entry of [functionEntry('notify'), functionEntry('notify-schedule')]) {
      expect((await bundledInputs(entry)).filter((p) => providerSdk.test(p))).toEqual([]);
    }
    const aws = await bundleInputs(join(repoRoot, 'shared', 'adapters', 'sms', 'aws.ts'));
    const external = Object.values(aws).flatMap((i) =>
      i.imports.filter((x) => x.external).map((x) => x.path),
    );
    expect(external).toContain('@aws-sdk/client-pinpoint-sms-voice-v2');
  });

  it('the SMS functions load the AWS SMS client on the first message, not at each cold start', async () => {
    for (const entry of [functionEntry('notify'), functionEntry('notify-schedule')]) {
      const pinpoint = Object.values(await bundleInputs(entry))
        .flatMap((i) => i.imports)
        .filter((x) => x.path === '@aws-sdk/client-pinpoint-sms-voice-v2');
      expect(pinpoint.length).toBeGreaterThan(0);
      expect(pinpoint.map((x) => x.kind)).toEqual(pinpoint.map(() => 'dynamic-import'));
    }
  });
});
