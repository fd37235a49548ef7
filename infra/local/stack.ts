import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Context, S3Event } from 'aws-lambda';
import { attachmentsBucket } from '../../shared/adapters/bucket.ts';
import { useWorkflowStarter } from '../../shared/adapters/workflows.ts';
import { type Clock, useLocalClock } from '../../shared/clock.ts';
import { ID_HASH_PURPOSE } from '../../shared/domain/account.ts';
import { normaliseIdNumber } from '../../shared/domain/identity.ts';
import type { FunctionGroup } from '../../shared/http/route.ts';
import { functionGroups } from '../../shared/http/route.ts';
import { logger } from '../../shared/logger.ts';
import type { MemberRole } from '../../shared/model/membership.ts';
import { recordVerifiedPhone } from '../../shared/services/accounts.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { localFunctionArns, type WorkflowFunction } from '../../shared/workflows/asl.ts';
import { workflowDefinitions, workflowFunctionsInUse } from '../../shared/workflows/index.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../function-timeouts.ts';
import { demoAccounts } from '../seed/accounts.ts';
import { applySeed, type SeedResult } from '../seed/apply.ts';
import { ensureBucket, ensureTable } from './bootstrap.ts';
import { DevAuthority } from './dev-auth.ts';
import { startDynamoDbLocal } from './dynamodb.ts';
import { createGateway, type LambdaHandler } from './gateway.ts';
import { invokeLocally, isolateInvocations } from './invocation.ts';
import { LocalOidc } from './oidc/provider.ts';
import { type S3Emulator, startS3Emulator } from './s3.ts';
import { type StreamHandler, StreamPoller } from './sms-delivery.ts';
import { type SmsStandIn, startSmsStandIn } from './sms-standin.ts';
import { localWeb } from './web.ts';
import { type LocalRunnerOptions, LocalWorkflowRunner, type TaskHandler } from './workflows.ts';

export interface LocalStackOptions {
  /** Where DynamoDB Local, the S3 emulator and the dev signing key keep their data. */
  dataDir: string;
  /** Gateway port; 0 picks a free one. */
  port?: number;
  /** Keep DynamoDB data on disk (npm start) or in memory (tests). */
  persist?: boolean;
  seed?: boolean;
  tableName?: string;
  bucketName?: string;
  /** A DynamoDB endpoint already running (tests share one); otherwise one is started. */
  dynamodbEndpoint?: string;
  s3Endpoint?: string;
  now?: Date;
  /** The rail payout runs pay with (`PAYOUT_RAIL`): the sandbox unless set here or in the environment. */
  payoutRail?: 'sandbox' | 'bank_file' | 'wallet';
  /**
   * The local Step Functions: wait and retry overrides for tests, and whether to start (resume) a
   * calendar execution for every programme at startup (default true, as `npm start` does).
   */
  workflows?: LocalRunnerOptions & { resume?: boolean };
  /**
   * Where the handlers' "now" comes from (`Deps.clock`); the system clock by default. Tests pass a
   * settable one and move time instead of sleeping.
   */
  clock?: Clock;
  /**
   * Print the handlers' EMF metric lines on stdout. Off by default: locally nothing turns them into
   * metrics, and `npm start` and the tests stay readable. Decided by the first stack in a process
   * (the Metrics is built once, at the first handler's cold start).
   */
  metrics?: boolean;
  /**
   * SMS (architecture.md §9): the Tencent stand-in the delivery function sends to, and the stream's
   * event source. `secretKey` signs the SDK's requests (another than the stand-in's is refused);
   * `schedule` runs the 15-minute tick on a timer (npm start), else tests call `tick()`. `deliver:
   * false` makes a table without a stream, unread (test files that do not look at SMS: DynamoDB Local
   * slows down as stream records pile up); the outbox items are written all the same.
   */
  sms?: {
    secretKey?: string;
    retryAttempts?: number;
    webDomain?: string;
    schedule?: boolean;
    deliver?: boolean;
  };
}

/** The local SMS parts: the provider stand-in, the stream's event source, the schedule's tick. */
export interface LocalSms {
  standIn: SmsStandIn;
  stream: StreamPoller;
  /** One tick of the 15-minute schedule (re-drive of deferred notifications, reviewers' daily counts, the places' join repair). */
  tick(): Promise<unknown>;
  /**
   * Reads the whole stream again from its start with a second event source, as Lambda may after a
   * crash mid-batch or a shard's replay: every record is delivered again; nothing may be sent twice.
   */
  replay(): Promise<void>;
}

export interface LocalStack {
  url: string;
  port: number;
  dataDir: string;
  tableName: string;
  bucketName: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  auth: DevAuthority;
  /** The OIDC provider people sign in with, under `/oidc` (issuer `http://localhost:PORT/oidc`). */
  oidc: LocalOidc;
  seed: SeedResult | undefined;
  /** The state machines' local runner (the calendar runs here); tests wait on its executions. */
  workflows: LocalWorkflowRunner;
  sms: LocalSms;
  stop(): Promise<void>;
}

/** Stacks started in this process; each loads its own instances of the handler modules. */
let stacksStarted = 0;

/**
 * Starts everything `npm start` runs — DynamoDB Local, the S3 emulator, the table and bucket from the
 * CDK definitions, the seed, and the gateway in front of the real handler exports — and returns a
 * handle that stops it all. The tests start it the same way.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  const tableName = options.tableName ?? 'edu-subsidy';
  const bucketName = options.bucketName ?? 'edu-subsidy-attachments';
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    stops.length = 0;
  };

  try {
    // Many invocations share this process: each gets its own Powertools state, as on Lambda Managed
    // Instances (see isolateInvocations). Before the first SDK call, which makes a store of its own.
    isolateInvocations();
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      const dynamo = await startDynamoDbLocal(options.persist ? { dataDir: join(dataDir, 'dynamodb') } : {});
      stops.push(dynamo.stop);
      dynamodbEndpoint = dynamo.endpoint;
    }
    let s3Endpoint = options.s3Endpoint;
    let s3Events: S3Emulator['events'] | undefined;
    if (!s3Endpoint) {
      const s3 = await startS3Emulator({ directory: join(dataDir, 's3') });
      stops.push(s3.stop);
      s3Endpoint = s3.endpoint;
      s3Events = s3.events;
    }

    const port = options.port ?? 0;
    await ensureTable(dynamodbEndpoint, tableName, { stream: options.sms?.deliver !== false });
    await ensureBucket(s3Endpoint, bucketName, ['http://localhost:*', 'http://127.0.0.1:*']);

    // The handlers read their configuration at cold start, as in Lambda: set it before loading them.
    Object.assign(process.env, {
      STAGE: 'local',
      TABLE_NAME: tableName,
      BUCKET_NAME: bucketName,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      S3_ENDPOINT: s3Endpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'cn-north-1',
      DATA_DIR: dataDir,
      MAX_UPLOAD_BYTES: String(attachmentsBucket.maxObjectBytes),
      PAYOUT_RAIL: options.payoutRail ?? process.env.PAYOUT_RAIL ?? 'sandbox',
      POWERTOOLS_METRICS_DISABLED:
        options.metrics === undefined
          ? (process.env.POWERTOOLS_METRICS_DISABLED ?? 'true')
          : String(!options.metrics),
    });
    // SMS: the provider stand-in, configured as a deployment configures Tencent Cloud SMS.
    const standIn = await startSmsStandIn();
    stops.push(standIn.stop);
    Object.assign(process.env, {
      SMS_PROVIDER: 'tencent',
      SMS_ENDPOINT: standIn.endpoint,
      SMS_SECRET_ID: standIn.secretId,
      SMS_SECRET_KEY: options.sms?.secretKey ?? standIn.secretKey,
      SMS_APP_ID: standIn.appId,
      SMS_SIGN_NAME: standIn.signName,
      SMS_TEMPLATES: JSON.stringify(standIn.templates),
      SMS_REGION: 'ap-guangzhou',
      WEB_DOMAIN: options.sms?.webDomain ?? '',
    });
    if (options.clock) {
      const unregisterClock = useLocalClock(options.clock);
      stops.push(async () => unregisterClock());
    }
    // A module is evaluated once per specifier: a second stack in the same process (a restart on the
    // same data directory, as the tests do) would otherwise reuse handlers bound to the first one's
    // endpoints. A query per stack gives each stack its own cold start.
    const stackNumber = ++stacksStarted;
    const functionModule = (name: string) =>
      new URL(`../../functions/${name}.ts?stack=${stackNumber}`, import.meta.url).href;
    const handlers = {} as Record<FunctionGroup, LambdaHandler>;
    for (const group of functionGroups) {
      const mod = (await import(functionModule(group))) as { handler: LambdaHandler };
      handlers[group] = mod.handler;
    }

    // The bucket's object-created notification, as S3 would deliver it to the verification function.
    if (s3Events) {
      const { handler: onObjectCreated } = (await import(functionModule('attachment-events'))) as {
        handler: (event: S3Event, context: Context) => Promise<unknown>;
      };
      const listener = (event: S3Event) => {
        const records = event.Records.filter((r) => r.s3.bucket.name === bucketName);
        if (records.length > 0)
          void invokeLocally('attachment-events', FUNCTION_TIMEOUT_SECONDS['attachment-events'], (context) =>
            onObjectCreated({ Records: records }, context),
          ).catch(() => undefined);
      };
      s3Events.on('event', listener);
      stops.push(async () => {
        s3Events.off('event', listener);
      });
    }

    // The state machines, from the same definitions CDK deploys, each Task state mapped to the handler
    // export of its function; registered before any handler can start an execution.
    const taskHandlers: Partial<Record<WorkflowFunction, TaskHandler>> = {};
    for (const fn of workflowFunctionsInUse()) {
      taskHandlers[fn] = ((await import(functionModule(fn))) as { handler: TaskHandler }).handler;
    }
    const workflows = new LocalWorkflowRunner(
      workflowDefinitions(localFunctionArns()),
      localFunctionArns(),
      taskHandlers,
      options.workflows ?? {},
    );
    const unregisterWorkflows = useWorkflowStarter(workflows);
    stops.push(async () => {
      await workflows.stopAll();
      unregisterWorkflows();
    });

    // The table's stream → the delivery function, as the event source mapping does in AWS.
    const { handler: onStream } = (await import(functionModule('notify'))) as { handler: StreamHandler };
    const { handler: onTick } = (await import(functionModule('notify-schedule'))) as {
      handler: (event: unknown, context: Context) => Promise<unknown>;
    };
    const stream = new StreamPoller(dynamodbEndpoint, tableName, onStream, {
      ...(options.sms?.retryAttempts === undefined ? {} : { retryAttempts: options.sms.retryAttempts }),
    });
    if (options.sms?.deliver !== false) stream.start();
    stops.push(() => stream.stop());
    const tick = () =>
      invokeLocally('notify-schedule', FUNCTION_TIMEOUT_SECONDS['notify-schedule'], (context) =>
        onTick({}, context),
      );
    if (options.sms?.schedule) {
      const timer = setInterval(() => void tick().catch(() => undefined), 15 * 60 * 1000);
      stops.push(async () => clearInterval(timer));
    }
    const replay = async () => {
      const again = new StreamPoller(dynamodbEndpoint, tableName, onStream);
      again.start();
      await again.settled();
      await again.stop();
    };
    const sms: LocalSms = { standIn, stream, tick, replay };

    let seed: SeedResult | undefined;
    if (options.seed !== false) {
      const { createDeps } = await import('../../shared/services/repositories.ts');
      const { loadConfig } = await import('../../shared/config.ts');
      const deps = createDeps(loadConfig());
      seed = await applySeed(deps, options.now ? { now: options.now } : {});
      deps.db.destroy();
    }
    if (options.workflows?.resume !== false) await resumeWorkflows();

    // The stack's own repositories: dev tokens record memberships, the provider hashes ID numbers.
    const { createDeps } = await import('../../shared/services/repositories.ts');
    const { loadConfig } = await import('../../shared/config.ts');
    const identityDeps = createDeps(loadConfig());
    stops.push(async () => identityDeps.db.destroy());
    if (options.seed !== false) await seedAccounts(identityDeps);
    const auth = await DevAuthority.open(join(dataDir, 'dev-jwt-key.json'), {
      recordMembership: async (claims) => {
        if (claims.role === 'worker' || !claims.org) return;
        await identityDeps.memberships.grant({
          sub: claims.sub,
          orgId: claims.org,
          role: claims.role as MemberRole,
          grantedBy: 'dev-token',
          grantedAt: new Date().toISOString(),
        });
      },
    });
    const oidc: { current: LocalOidc | undefined } = { current: undefined };
    const server: Server = createGateway({
      handlers,
      auth,
      oidc,
      web: localWeb(() => ({
        kind: 'oidc',
        issuer: oidc.current?.issuer ?? '',
        clientId: oidc.current?.clientId ?? '',
        scope: 'openid profile phone',
      })),
      sms: standIn,
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolveListen());
    });
    stops.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    oidc.current = await LocalOidc.start({
      origin: `http://localhost:${actualPort}`,
      dataDir,
      accounts: demoAccounts,
      idHash: (idNumber) => identityDeps.cipher().lookupHash(normaliseIdNumber(idNumber), ID_HASH_PURPOSE),
    });
    return {
      url: `http://127.0.0.1:${actualPort}`,
      port: actualPort,
      dataDir,
      tableName,
      bucketName,
      dynamodbEndpoint,
      s3Endpoint,
      auth,
      oidc: oidc.current,
      seed,
      workflows,
      sms,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Executions live in memory: after a restart every programme's calendar starts again (from the
 * seeded ones on), skipping the transitions already recorded, and a payout run the stopped process
 * left planning or paying is started again, picking up where it was (its writes are idempotent by
 * key) — how `npm start` resumes. A run awaiting the bank needs no execution: the result import ends it.
 */
async function resumeWorkflows(): Promise<void> {
  const { createDeps } = await import('../../shared/services/repositories.ts');
  const { loadConfig } = await import('../../shared/config.ts');
  const { startCalendar } = await import('../../shared/services/calendar.ts');
  const { resumeOpenPayoutRun } = await import('../../shared/services/payouts.ts');
  const deps = createDeps(loadConfig());
  try {
    for (const programme of await deps.programmes.list()) {
      await startCalendar(deps, programme.id);
      const runId = await resumeOpenPayoutRun(deps, programme.id);
      // Said at warn level, which `npm start` prints: someone should know a run was cut off.
      if (runId) logger.warn('payout run resumed after a restart', { runId, programmeId: programme.id });
    }
  } finally {
    deps.db.destroy();
  }
}

/**
 * The demo accounts' memberships and verified phone numbers (README "Demo accounts"), each written
 * only if absent: a restart keeps what admins changed since.
 */
async function seedAccounts(deps: Deps): Promise<void> {
  const at = new Date().toISOString();
  for (const account of demoAccounts) {
    const memberships = account.memberships.map((m) => ({
      sub: account.sub,
      ...m,
      grantedBy: 'seed',
      grantedAt: at,
    }));
    for (const m of memberships) await deps.memberships.seed(m);
    if (account.phone) await recordVerifiedPhone(deps, account.sub, account.phone, memberships, account.name);
  }
}
