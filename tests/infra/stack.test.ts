import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DataStore } from '../../infra/constructs/data-store.ts';
import { Identity } from '../../infra/constructs/identity.ts';
import { LogBucket } from '../../infra/constructs/log-bucket.ts';
import { PublicApi } from '../../infra/constructs/public-api.ts';
import { RouteFunctions } from '../../infra/constructs/route-functions.ts';
import { apiPathPatterns } from '../../infra/constructs/web-console.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../../infra/function-timeouts.ts';
import { attachmentsBucket } from '../../shared/adapters/bucket.ts';
import { SUBMIT_BUDGET_MS } from '../../shared/adapters/place-ledger.ts';
import { tableDefinition } from '../../shared/adapters/table.ts';
import { stateMachineArnVariables } from '../../shared/adapters/workflows.ts';
import { functionGroups, type RouteDef, routeKey } from '../../shared/http/route.ts';
import { routeList } from '../../shared/http/routes.ts';
import {
  localFunctionArns,
  type WorkflowName,
  workflowFunctions,
  workflowFunctionTimeoutSeconds,
} from '../../shared/workflows/asl.ts';
import { calendarDefinition } from '../../shared/workflows/calendar.ts';
import { workflowDefinitions, workflowFunctionsInUse } from '../../shared/workflows/index.ts';
import {
  type CfnResource,
  cognitoOf,
  logicalId,
  resourceOf,
  resourcesOfType,
  synthStack,
  testApp,
  webOf,
} from './synth.ts';

const { stack, template } = synthStack();
const resources = (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources;

const ref = (construct: Parameters<typeof logicalId>[0]) => ({ Ref: logicalId(construct) });
const arnOf = (construct: Parameters<typeof logicalId>[0]) => ({
  'Fn::GetAtt': [logicalId(construct), 'Arn'],
});

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of every inline policy attached to a role. */
function statementsOf(role: Parameters<typeof logicalId>[0]): Statement[] {
  const roleId = logicalId(role);
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The variables naming each workflow's state machine ARN, as the template resolves them. */
const stateMachineArnEnvironment = (workflows: readonly WorkflowName[]) =>
  Object.fromEntries(
    workflows.map((w) => [stateMachineArnVariables[w], stack.resolve(stack.workflows.arn(w))]),
  );

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('function timeouts', () => {
  it('are the deadlines the local stack gives the same handlers', () => {
    const timeoutOf = (fn: { function: Parameters<typeof resourceOf>[1] }) =>
      resourceOf(template, fn.function).Properties.Timeout;
    for (const [group, fn] of stack.functions.entries()) {
      expect(timeoutOf(fn), group).toBe(FUNCTION_TIMEOUT_SECONDS.api);
    }
    // A contended submit stops trying in time to answer 429 itself, before its function is stopped
    // (until 2026-12-01 the route functions had 10 s against the submit's 26 s).
    expect(SUBMIT_BUDGET_MS).toBeLessThanOrEqual(FUNCTION_TIMEOUT_SECONDS.api * 1000 - 3000);
    expect(timeoutOf(stack.documentEvents.fn)).toBe(FUNCTION_TIMEOUT_SECONDS['attachment-events']);
    // The local runner computes a workflow function's from its Task states, as the stack does.
    const arns = localFunctionArns();
    const definitions = Object.values(workflowDefinitions(arns));
    for (const fn of workflowFunctionsInUse()) {
      const task = stack.workflows.taskFunction(fn);
      expect(task && timeoutOf(task), fn).toBe(workflowFunctionTimeoutSeconds(definitions, arns[fn]));
    }
  });
});

describe('DynamoDB table', () => {
  const table = resourceOf(template, stack.data.table);

  it('is the only table: on-demand, point-in-time recovery, deletion protection, encrypted, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('has the keys, the indexes and the TTL attribute of tableDefinition', () => {
    const keySchema = (pk: string, sk: string) => [
      { AttributeName: pk, KeyType: 'HASH' },
      { AttributeName: sk, KeyType: 'RANGE' },
    ];
    expect(table.Properties.KeySchema).toEqual(
      keySchema(tableDefinition.partitionKey.name, tableDefinition.sortKey.name),
    );
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      tableDefinition.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey.name, index.sortKey.name),
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    const expectedAttributes = [
      tableDefinition.partitionKey,
      tableDefinition.sortKey,
      ...tableDefinition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ].map((key) => ({ AttributeName: key.name, AttributeType: key.type }));
    expect(table.Properties.AttributeDefinitions).toEqual(expect.arrayContaining(expectedAttributes));
    expect(table.Properties.AttributeDefinitions).toHaveLength(expectedAttributes.length);
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: tableDefinition.timeToLiveAttribute,
      Enabled: true,
    });
  });
});

describe('attachments bucket', () => {
  const bucket = resourceOf(template, stack.data.attachments);

  it('is private, KMS-encrypted, versioned, logged and retained', () => {
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: arnOf(stack.data.attachmentsKey),
          },
        },
      ],
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LoggingConfiguration).toMatchObject({
      DestinationBucketName: ref(stack.accessLogs.bucket),
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(stack.data.attachments),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('admits the console origin (the CloudFront domain) for browser uploads', () => {
    const rules = (bucket.Properties.CorsConfiguration as { CorsRules: Record<string, unknown>[] }).CorsRules;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toEqual({
      AllowedOrigins: [
        {
          'Fn::Join': [
            '',
            ['https://', { 'Fn::GetAtt': [logicalId(webOf(stack).distribution), 'DomainName'] }],
          ],
        },
      ],
      AllowedMethods: [...attachmentsBucket.cors.allowedMethods],
      AllowedHeaders: attachmentsBucket.cors.allowedHeaders,
      ExposedHeaders: attachmentsBucket.cors.exposedHeaders,
      MaxAge: attachmentsBucket.cors.maxAgeSeconds,
    });
  });

  it('expires superseded versions and abandoned multipart uploads', () => {
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: attachmentsBucket.noncurrentVersionDays },
        }),
        expect.objectContaining({
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: {
            DaysAfterInitiation: attachmentsBucket.abortIncompleteUploadDays,
          },
        }),
      ]),
    );
  });

  it('lets the document verifier delete exactly the version of an upload that replaces a verified document', () => {
    // Without DeleteObjectVersion the delete of a re-posted form's version is refused, and in a
    // versioned bucket a plain delete only hides the replacement behind a delete marker.
    const actions = actionsOf(statementsOf(stack.documentEvents.fn.role));
    expect(actions).toEqual(
      expect.arrayContaining(['s3:GetObjectVersion', 's3:PutObject', 's3:DeleteObjectVersion']),
    );
  });

  it('notifies the document verifier of every upload under the application prefix', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: ref(stack.data.attachments),
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: { FilterRules: [{ Name: 'prefix', Value: attachmentsBucket.applicationPrefix }] },
            },
            LambdaFunctionArn: arnOf(stack.documentEvents.fn.function),
          },
        ],
      },
    });
  });
});

describe('functions', () => {
  const ours = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs24.x',
  );

  it('one per route group, plus the document verifier and one per workflow task function', () => {
    expect(ours).toHaveLength(functionGroups.length + 1 + workflowFunctionsInUse().length);
  });

  it.each(functionGroups)(
    'the %s group runs on Node.js 24, arm64, ESM bundle, with its configuration',
    (group) => {
      const fn = stack.functions.of(group);
      const props = resourceOf(template, fn.function).Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
      expect((props.Environment as { Variables: Record<string, unknown> }).Variables).toEqual({
        TABLE_NAME: ref(stack.data.table),
        BUCKET_NAME: ref(stack.data.attachments),
        FIELD_KEY_ID: ref(stack.data.fieldKey),
        FIELD_HMAC_KEY_ID: ref(stack.data.fieldHmacKey),
        PAYOUT_RAIL: 'bank_file',
        STAGE: 'aws',
        POWERTOOLS_SERVICE_NAME: 'edu-subsidy',
        POWERTOOLS_METRICS_NAMESPACE: 'EduSubsidy',
        // Admins publish and edit programmes (their calendars); the payments function starts payout runs.
        ...(group === 'admin' ? stateMachineArnEnvironment(['calendar']) : {}),
        ...(group === 'payments' ? stateMachineArnEnvironment(['payout-run']) : {}),
      });
      expect(props.LoggingConfig).toEqual({ LogGroup: ref(fn.logGroup) });
      expect(resourceOf(template, fn.logGroup).Properties.RetentionInDays).toBe(180);
    },
  );

  it('no role of ours carries a managed policy', () => {
    for (const [, fn] of ours) {
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(resources[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('the public group only reads the table', () => {
    const role = stack.functions.of('public').role;
    const actions = actionsOf(statementsOf(role));
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'logs:PutLogEvents']),
    );
    expect(actions.filter((a) => /^(s3|kms):|dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
  });

  // Each group's exact grants are listed in tests/infra/iam.test.ts (issue 10, point 13).
  it('writing groups write the table, with no wildcard action; the field key only in its context', () => {
    for (const group of functionGroups.filter((g) => g !== 'public')) {
      const statements = statementsOf(stack.functions.of(group).role);
      const actions = actionsOf(statements);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']));
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      const fieldKeyUse = statements.find(
        (s) => JSON.stringify(s.Resource) === JSON.stringify(arnOf(stack.data.fieldKey)),
      );
      if (fieldKeyUse)
        expect(fieldKeyUse.Condition).toEqual({
          StringEquals: { 'kms:EncryptionContext:purpose': 'edu-subsidy:field-encryption' },
        });
    }
  });
});

describe('HTTP API', () => {
  const routeResources = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
  const authorizers = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer');
  const [authorizerId] = Object.keys(authorizers);

  it('has exactly one route per entry of the route table', () => {
    expect(routeResources.map((r) => r.Properties.RouteKey).sort()).toEqual(routeList.map(routeKey).sort());
  });

  it('never deploys the local-only /v1/dev routes', () => {
    expect(routeResources.filter((r) => String(r.Properties.RouteKey).includes('/dev'))).toEqual([]);
  });

  it.each(routeList.map((route) => [routeKey(route), route] as const))(
    '%s is integrated with its group and authorized as the route table says',
    (key, route) => {
      const [resource] = routeResources.filter((r) => r.Properties.RouteKey === key);
      expect(resource).toBeDefined();
      if (route.auth === 'public') {
        expect(resource?.Properties.AuthorizationType).toBe('NONE');
        expect(resource?.Properties.AuthorizerId).toBeUndefined();
      } else {
        expect(resource?.Properties.AuthorizationType).toBe('JWT');
        expect(resource?.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
      }
      const target = resource?.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resources[target['Fn::Join'][1][1].Ref];
      expect(integration?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: arnOf(stack.functions.of(route.group).function),
      });
    },
  );

  it('verifies Cognito JWTs: issuer is the user pool, audience the console client', () => {
    expect(Object.values(authorizers)).toHaveLength(1);
    expect(authorizers[authorizerId ?? '']?.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [ref(cognitoOf(stack).consoleClient)],
        Issuer: {
          'Fn::Join': [
            '',
            ['https://', { 'Fn::GetAtt': [logicalId(cognitoOf(stack).userPool), 'ProviderURL'] }],
          ],
        },
      },
    });
  });

  it('logs every request and throttles on the default stage', () => {
    const stage = resourceOf(template, stack.api.stage).Properties;
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: { DestinationArn: arnOf(stack.api.accessLogs) },
    });
    const format = JSON.parse((stage.AccessLogSettings as { Format: string }).Format) as Record<
      string,
      string
    >;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  it('needs no CORS by default: the console calls it through its own CloudFront origin', () => {
    expect(resourceOf(template, stack.api.httpApi).Properties.CorsConfiguration).toBeUndefined();
  });

  it('refuses to deploy a route served only by the local gateway', () => {
    const scratch = new Stack(testApp(), 'Scratch');
    const logs = new LogBucket(scratch, 'Logs', { retentionDays: 1 });
    const data = new DataStore(scratch, 'Data', {
      accessLogBucket: logs.bucket,
      payoutRail: 'bank_file',
      testStage: false,
    });
    const functions = new RouteFunctions(scratch, 'Functions', { data, bundleAwsSdk: false });
    const identity = new Identity(scratch, 'Identity');
    const [health] = routeList;
    if (!health) throw new Error('the route table is empty');
    const devToken: RouteDef = { ...health, method: 'POST', path: '/v1/dev/token' };
    const build = (routes: RouteDef[]) =>
      new PublicApi(scratch, `Api${routes.length}`, {
        routes,
        functions,
        identity,
        corsOrigins: [],
        throttle: { rateLimit: 1, burstLimit: 1 },
      });
    expect(() => build([health])).not.toThrow();
    expect(() => build([health, devToken])).toThrow(
      /POST \/v1\/dev\/token is served by the local gateway only/,
    );
  });
});

describe('Cognito', () => {
  const pool = resourceOf(template, cognitoOf(stack).userPool).Properties;

  it('keeps the old role and org attributes in its schema (they cannot be removed), admin-created accounts, a strong password policy and optional MFA', () => {
    expect(pool.Schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: 'role', AttributeDataType: 'String', Mutable: true }),
        expect.objectContaining({ Name: 'org', AttributeDataType: 'String', Mutable: true }),
      ]),
    );
    expect(pool).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('lets no client read or write a custom attribute: tokens carry identity only (issue 12)', () => {
    const client = resourceOf(template, cognitoOf(stack).consoleClient).Properties;
    expect(client.GenerateSecret).toBe(false);
    for (const attributes of [client.ReadAttributes, client.WriteAttributes] as string[][]) {
      expect(attributes.filter((a) => a.startsWith('custom:'))).toEqual([]);
    }
  });
});

describe('KMS keys', () => {
  it('rotate the field, attachments and alarm-topic keys; the HMAC key is HMAC_256; all retained', () => {
    for (const key of [stack.data.fieldKey, stack.data.attachmentsKey, stack.monitoring.topicKey]) {
      const resource = resourceOf(template, key);
      expect(resource.Properties.EnableKeyRotation).toBe(true);
      expect(resource.DeletionPolicy).toBe('Retain');
    }
    const hmac = resourceOf(template, stack.data.fieldHmacKey);
    expect(hmac.Properties).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(hmac.DeletionPolicy).toBe('Retain');
  });
});

describe('web consoles', () => {
  const distribution = resourceOf(template, webOf(stack).distribution).Properties
    .DistributionConfig as Record<string, unknown>;

  it('serve a private bucket through CloudFront with Origin Access Control', () => {
    expect(resourceOf(template, webOf(stack).bucket).Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    expect(distribution.DefaultRootObject).toBe('index.html');
    expect(distribution.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: { Ref: logicalId(webOf(stack).node.findChild('SecurityHeaders')) },
    });
    expect(distribution.Logging).toMatchObject({
      Bucket: { 'Fn::GetAtt': [logicalId(stack.accessLogs.bucket), 'RegionalDomainName'] },
    });
  });

  it('forward the API paths to the HTTP API over HTTPS only, uncached', () => {
    const behaviors = distribution.CacheBehaviors as Record<string, unknown>[];
    expect(behaviors.map((b) => b.PathPattern)).toEqual([...apiPathPatterns]);
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({
        ViewerProtocolPolicy: 'https-only',
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        AllowedMethods: expect.arrayContaining(['POST', 'PATCH', 'DELETE']),
      });
    }
    const origins = distribution.Origins as Record<string, unknown>[];
    expect(origins).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          CustomOriginConfig: expect.objectContaining({
            OriginProtocolPolicy: 'https-only',
            OriginSSLProtocols: ['TLSv1.2'],
          }),
        }),
      ]),
    );
  });

  it('send security headers', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 63072000,
            IncludeSubdomains: true,
          }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentSecurityPolicy: Match.objectLike({ Override: true }),
        },
      },
    });
  });

  it('deploy web/ and the runtime configuration, then invalidate the distribution', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: ref(webOf(stack).bucket),
      DistributionId: ref(webOf(stack).distribution),
      DistributionPaths: ['/*'],
      Prune: true,
    });
  });
});

describe('alarms', () => {
  const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
  const topicRef = ref(stack.monitoring.topic);

  it('watch errors and throttles of every function', () => {
    const functions = [
      ...functionGroups.map((group) => stack.functions.of(group).function),
      stack.documentEvents.fn.function,
      ...stack.workflows.taskFunctions().map(([, task]) => task.function),
    ];
    for (const fn of functions) {
      for (const metric of ['Errors', 'Throttles']) {
        const matching = alarms.filter(
          (a) =>
            a.Properties.MetricName === metric &&
            JSON.stringify(a.Properties.Dimensions) ===
              JSON.stringify([{ Name: 'FunctionName', Value: ref(fn) }]),
        );
        expect(matching, `${metric} alarm of ${fn.node.path}`).toHaveLength(1);
        expect(matching[0]?.Properties).toMatchObject({
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: [topicRef],
        });
      }
    }
  });

  it('watch DynamoDB throttles and system errors, and API 5xx', () => {
    const mathAlarms = alarms.filter((a) => Array.isArray(a.Properties.Metrics));
    const metricNames = mathAlarms.map((a) =>
      (a.Properties.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[])
        .map((m) => m.MetricStat?.Metric.MetricName)
        .find((name) => name !== undefined),
    );
    expect(metricNames.sort()).toEqual(['SystemErrors', 'ThrottledRequests']);
    expect(
      alarms.filter((a) => a.Properties.MetricName === '5xx' && a.Properties.Namespace === 'AWS/ApiGateway'),
    ).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
  });

  it('notify an encrypted topic that refuses plain HTTP, and feed a dashboard', () => {
    expect(resourceOf(template, stack.monitoring.topic).Properties.KmsMasterKeyId).toEqual(
      arnOf(stack.monitoring.topicKey),
    );
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('workflows (Step Functions)', () => {
  const placeholders = Object.fromEntries(workflowFunctions.map((fn) => [fn, `\${${fn}}`])) as Parameters<
    typeof calendarDefinition
  >[0];
  const registry = workflowDefinitions(placeholders);
  const names = Object.keys(registry) as WorkflowName[];
  const machines = Object.values(resourcesOfType(template, 'AWS::StepFunctions::StateMachine'));

  it('one Standard state machine per entry of the registry, logged without data and traced', () => {
    expect(names).toContain('calendar');
    expect(machines).toHaveLength(names.length);
    for (const name of names) {
      const machine = stack.workflows.stateMachine(name);
      expect(machine, name).toBeDefined();
      const props = resourceOf(template, machine as NonNullable<typeof machine>).Properties;
      expect(props).toMatchObject({
        StateMachineName: `EduSubsidy-${name}`,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    }
  });

  it('deploys the very definition the local runner runs, its Task resources substituted with the functions', () => {
    const machine = stack.workflows.stateMachine('calendar');
    const props = resourceOf(template, machine as NonNullable<typeof machine>).Properties;
    const definition = JSON.parse(props.DefinitionString as string);
    expect(definition).toEqual(calendarDefinition(placeholders));
    expect(Object.keys(definition.States)).toEqual(
      expect.arrayContaining([
        'NextStep',
        'WhatNext',
        'WaitForBoundary',
        'ApplyTransition',
        'HandOver',
        'Done',
      ]),
    );
    expect(definition.States.WaitForBoundary).toMatchObject({
      Type: 'Wait',
      TimestampPath: '$.step.waitUntil',
    });
    const calendarTasks = stack.workflows.taskFunction('calendar');
    expect(props.DefinitionSubstitutions).toEqual({
      calendar: arnOf((calendarTasks as NonNullable<typeof calendarTasks>).function),
    });
  });

  it('deploys the payout run: plan, two bounded Maps over page descriptors with retries, reconcile', () => {
    const machine = stack.workflows.stateMachine('payout-run');
    expect(machine).toBeDefined();
    const props = resourceOf(template, machine as NonNullable<typeof machine>).Properties;
    const definition = JSON.parse(props.DefinitionString as string);
    expect(definition).toEqual(registry['payout-run']);
    const maps = Object.values(definition.States as Record<string, Record<string, unknown>>).filter(
      (state) => state.Type === 'Map',
    );
    expect(maps.length).toBeGreaterThanOrEqual(2);
    for (const map of maps) {
      expect(map.MaxConcurrency).toBeGreaterThan(0);
      expect(map.MaxConcurrency).toBeLessThanOrEqual(40);
      const inner = Object.values(
        (map.ItemProcessor as { States: Record<string, Record<string, unknown>> }).States,
      );
      expect(inner.some((state) => state.Type === 'Task' && Array.isArray(state.Retry))).toBe(true);
    }
    const payouts = stack.workflows.taskFunction('payouts');
    expect(payouts).toBeDefined();
  });

  it('the calendar function outlasts no Task, writes the table and may start its successor and payout runs', () => {
    const task = stack.workflows.taskFunction('calendar') as NonNullable<
      ReturnType<typeof stack.workflows.taskFunction>
    >;
    const props = resourceOf(template, task.function).Properties;
    expect(props.Timeout).toBe(300);
    expect((props.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject(
      stateMachineArnEnvironment(names.filter((n) => n === 'calendar' || n === 'payout-run')),
    );
    const statements = statementsOf(task.role);
    const actions = actionsOf(statements);
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'dynamodb:Query',
        'states:StartExecution',
        'states:StopExecution',
      ]),
    );
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions.filter((a) => /^(s3|kms):/.test(a))).toEqual([]);
  });

  it('each state machine may invoke exactly its own task functions', () => {
    for (const name of names) {
      const machine = stack.workflows.stateMachine(name) as NonNullable<
        ReturnType<typeof stack.workflows.stateMachine>
      >;
      const invoke = statementsOf(machine.role).filter((s) =>
        actionsOf([s]).includes('lambda:InvokeFunction'),
      );
      const used = workflowFunctions.filter((fn) => JSON.stringify(registry[name]).includes(`\${${fn}}`));
      expect(JSON.stringify(invoke.flatMap((s) => s.Resource as unknown[]))).toBe(
        JSON.stringify(
          used.flatMap((fn) => {
            const task = stack.workflows.taskFunction(fn) as NonNullable<
              ReturnType<typeof stack.workflows.taskFunction>
            >;
            return [arnOf(task.function), { 'Fn::Join': ['', [arnOf(task.function), ':*']] }];
          }),
        ),
      );
    }
  });

  it('admins start, stop and look up calendar executions; the payments function starts payout runs; no other function touches Step Functions', () => {
    const statesActions = (group: (typeof functionGroups)[number]) =>
      actionsOf(statementsOf(stack.functions.of(group).role)).filter((a) => a.startsWith('states:'));
    expect(statesActions('admin').sort()).toEqual([
      'states:DescribeExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    expect(statesActions('payments')).toEqual(['states:StartExecution']);
    for (const group of functionGroups.filter((g) => g !== 'admin' && g !== 'payments')) {
      expect(statesActions(group), group).toEqual([]);
    }
  });

  it('alarm on failed and timed-out executions; a calendar stopped for new dates is no alarm', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.Namespace === 'AWS/States',
    );
    for (const name of names) {
      const machine = stack.workflows.stateMachine(name) as NonNullable<
        ReturnType<typeof stack.workflows.stateMachine>
      >;
      const of = (metric: string) =>
        alarms.filter(
          (a) =>
            a.Properties.MetricName === metric &&
            JSON.stringify(a.Properties.Dimensions) ===
              JSON.stringify([{ Name: 'StateMachineArn', Value: ref(machine) }]),
        );
      expect(of('ExecutionsFailed'), name).toHaveLength(1);
      expect(of('ExecutionsTimedOut'), name).toHaveLength(1);
      expect(of('ExecutionsAborted'), name).toHaveLength(name === 'calendar' ? 0 : 1);
    }
  });
});

describe('construct tree', () => {
  it('carries no error annotations', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('deployment settings', () => {
  const configured = synthStack({
    consoleOrigins: ['https://staging.example.cn'],
    webDomain: {
      names: ['edu.example.cn'],
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
    },
    geoAllowlist: ['CN', 'HK', 'MO'],
    webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edu/00000000-0000-0000-0000-000000000000',
    alarmEmails: ['ops@example.cn'],
    apiThrottle: { rateLimit: 300, burstLimit: 600 },
  });
  const config = resourceOf(configured.template, webOf(configured.stack).distribution).Properties
    .DistributionConfig as Record<string, unknown>;

  it('a custom domain gets its certificate with TLS 1.2 at least, geo restriction and WAF', () => {
    expect(config).toMatchObject({
      Aliases: ['edu.example.cn'],
      ViewerCertificate: { MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      Restrictions: { GeoRestriction: { RestrictionType: 'whitelist', Locations: ['CN', 'HK', 'MO'] } },
    });
    expect(config.WebACLId).toMatch(/^arn:aws:wafv2:us-east-1:/);
  });

  it('extra origins may call the API and upload documents', () => {
    const origins = ['https://staging.example.cn', 'https://edu.example.cn'];
    expect(
      resourceOf(configured.template, configured.stack.api.httpApi).Properties.CorsConfiguration,
    ).toMatchObject({
      AllowOrigins: origins,
      AllowHeaders: ['authorization', 'content-type', 'x-acting-org'],
    });
    const bucket = resourceOf(configured.template, configured.stack.data.attachments).Properties;
    const [rule] = (bucket.CorsConfiguration as { CorsRules: { AllowedOrigins: unknown[] }[] }).CorsRules;
    expect(rule?.AllowedOrigins).toEqual(expect.arrayContaining(origins));
  });

  it('alarm e-mails subscribe to the topic, and the stage throttle is configurable', () => {
    configured.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.cn',
      TopicArn: { Ref: logicalId(configured.stack.monitoring.topic) },
    });
    expect(
      resourceOf(configured.template, configured.stack.api.stage).Properties.DefaultRouteSettings,
    ).toEqual({
      ThrottlingRateLimit: 300,
      ThrottlingBurstLimit: 600,
    });
  });
});
