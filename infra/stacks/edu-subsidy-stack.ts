import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type RailName, railNames } from '../../shared/adapters/rails/rail.ts';
import { routeList } from '../../shared/http/routes.ts';
import { DataStore } from '../constructs/data-store.ts';
import { DocumentEvents } from '../constructs/document-events.ts';
import { type ExternalIssuer, Identity } from '../constructs/identity.ts';
import { LogBucket } from '../constructs/log-bucket.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import { Notifications, type SmsDeployment } from '../constructs/notifications.ts';
import {
  type ApiDomain,
  PublicApi,
  type RouteThrottleClass,
  type Throttle,
} from '../constructs/public-api.ts';
import { RouteFunctions } from '../constructs/route-functions.ts';
import { WebConsole, type WebDomain } from '../constructs/web-console.ts';
import { Workflows } from '../constructs/workflows.ts';

export interface EduSubsidyStackProps extends StackProps {
  /**
   * Browser origins besides the CloudFront domain (and the custom domain) that may call the API
   * and upload documents, e.g. a console served from elsewhere during a migration.
   */
  consoleOrigins?: readonly string[];
  /** A custom domain for the consoles. */
  webDomain?: WebDomain | undefined;
  /** ISO 3166 country codes allowed by CloudFront; empty or absent allows every country. */
  geoAllowlist?: readonly string[];
  /** A CloudFront-scope WAF web ACL ARN (us-east-1) to attach. */
  webAclArn?: string | undefined;
  /** E-mail addresses subscribed to the alarm topic. */
  alarmEmails?: readonly string[];
  /** Bundle the AWS SDK into the functions instead of using the runtime's (see `functionBundling`). */
  bundleAwsSdk?: boolean;
  /**
   * The rail payout runs pay with (architecture.md §4): `bank_file` by default. `sandbox` marks payments paid
   * without moving money and is accepted only with `testStage`.
   */
  payoutRail?: RailName;
  /** A stage explicitly marked for tests: the only kind that may pay with the `sandbox` rail. */
  testStage?: boolean;
  /** Steady-state requests a second and burst for every route without a limit of its own. */
  apiThrottle?: Throttle;
  /** Limits of their own for public reads, submit and the other writes (`defaultRouteThrottles`). */
  apiRouteThrottles?: Partial<Record<RouteThrottleClass, Throttle>>;
  /**
   * A custom domain for the API, CloudFront's origin for `/v1/*`; with it the default execute-api
   * endpoint is disabled (`PublicApi`). Its DNS name must point at the `ApiDomainTarget` output.
   */
  apiDomain?: ApiDomain | undefined;
  /**
   * The OIDC issuer the API trusts instead of the stack's own Cognito user pool (architecture.md §8):
   * `edu-subsidy:oidcIssuer` and `edu-subsidy:oidcAudience`. Required in the China partition.
   */
  oidc?: ExternalIssuer | undefined;
  /** SMS provider, templates, sign name and credentials' secret (architecture.md §9); absent: no SMS sent. */
  sms?: SmsDeployment | undefined;
  /**
   * `aws-cn` for AWS's China regions (cn-north-1, cn-northwest-1): an external issuer is required
   * (no Cognito user pools there) and CloudFront is off unless asked for (README, "China regions").
   */
  partition?: 'aws' | 'aws-cn';
  /**
   * Serve the consoles and the API through CloudFront (default: on in `aws`, off in `aws-cn`, where
   * a distribution needs an ICP-filed custom domain). Without it the API is reached at its own
   * endpoint and the web pages are hosted elsewhere.
   */
  cloudFront?: boolean;
}

/** What a partition allows, checked at synth time rather than found out at deployment. */
export function checkPartition(props: EduSubsidyStackProps): {
  partition: 'aws' | 'aws-cn';
  cloudFront: boolean;
} {
  const partition = props.partition ?? 'aws';
  const cloudFront = props.cloudFront ?? partition === 'aws';
  if (partition === 'aws-cn') {
    if (!props.oidc) {
      throw new Error(
        'edu-subsidy:partition=aws-cn needs edu-subsidy:oidcIssuer and edu-subsidy:oidcAudience: Cognito user pools are not offered in the China regions',
      );
    }
    if (cloudFront && !props.webDomain) {
      throw new Error(
        'CloudFront in the China regions cannot serve its default *.cloudfront.cn domain: give edu-subsidy:webDomainNames (ICP-filed) and edu-subsidy:webCertificateArn, or leave edu-subsidy:cloudFront off',
      );
    }
  }
  return { partition, cloudFront };
}

/**
 * The rail a deployed stack pays with. The sandbox rail moves no money, so a stage that is not
 * explicitly a test stage refuses it at synth time rather than pay workers with nothing.
 */
export function deployedPayoutRail(rail: string, testStage: boolean): RailName {
  if (!(railNames as readonly string[]).includes(rail)) {
    throw new Error(`edu-subsidy:payoutRail must be one of ${railNames.join(', ')}, not ${rail}`);
  }
  if (rail === 'sandbox' && !testStage) {
    throw new Error(
      'edu-subsidy:payoutRail=sandbox marks payments paid without moving money: only a stage with edu-subsidy:testStage=true may use it',
    );
  }
  return rail as RailName;
}

/** Days the S3 and CloudFront access logs are kept: a year, beyond the legal six months. */
const accessLogDays = 365;

/**
 * Everything edu-subsidy runs on in AWS (architecture.md §6). The parts are public so that later stacks
 * and constructs — the programme calendar and payout-run state machines and their scheduler —
 * can be granted access to the same table, bucket, key and alarm topic:
 *
 * ```ts
 * const sm = new StateMachine(stack, 'PayoutRun', { ... });
 * stack.data.grantTableReadWrite(sm);
 * stack.monitoring.watchStateMachine('PayoutRun', sm);
 * ```
 */
export class EduSubsidyStack extends Stack {
  readonly accessLogs: LogBucket;
  readonly data: DataStore;
  readonly functions: RouteFunctions;
  readonly documentEvents: DocumentEvents;
  readonly workflows: Workflows;
  readonly identity: Identity;
  readonly api: PublicApi;
  /** The consoles on S3 + CloudFront; absent when `cloudFront` is off (China without an ICP-filed domain). */
  readonly web: WebConsole | undefined;
  readonly monitoring: Monitoring;
  readonly notifications: Notifications | undefined;

  constructor(scope: Construct, id: string, props: EduSubsidyStackProps = {}) {
    super(scope, id, {
      description: 'edu-subsidy: applications, union review, places and payouts of the subsidy programme',
      ...props,
    });

    this.accessLogs = new LogBucket(this, 'AccessLogs', { retentionDays: accessLogDays });
    this.data = new DataStore(this, 'Data', {
      accessLogBucket: this.accessLogs.bucket,
      payoutRail: deployedPayoutRail(props.payoutRail ?? 'bank_file', props.testStage ?? false),
      testStage: props.testStage ?? false,
    });
    this.functions = new RouteFunctions(this, 'Functions', {
      data: this.data,
      bundleAwsSdk: props.bundleAwsSdk ?? false,
    });
    this.documentEvents = new DocumentEvents(this, 'Documents', {
      data: this.data,
      bundleAwsSdk: props.bundleAwsSdk ?? false,
    });
    this.workflows = new Workflows(this, 'Workflows', {
      data: this.data,
      bundleAwsSdk: props.bundleAwsSdk ?? false,
    });
    // Admins publish and edit programmes: each starts or restarts its calendar (start, stop, and the
    // status of the running one). The payments function starts payout runs, nothing else.
    this.workflows.grantExecutions(
      this.functions.of('admin'),
      ['calendar'],
      ['states:StartExecution', 'states:StopExecution', 'states:DescribeExecution'],
    );
    this.workflows.grantExecutions(this.functions.of('payments'), ['payout-run'], ['states:StartExecution']);
    const { cloudFront } = checkPartition(props);
    const extraOrigins = [
      ...(props.consoleOrigins ?? []),
      ...(props.webDomain?.names ?? []).map((name) => `https://${name}`),
    ];
    // Known page URLs the sign-in may return to; the CloudFront default domain is added after the
    // first deployment (README), since the client cannot depend on the distribution that fronts the API.
    this.identity = new Identity(this, 'Identity', {
      external: props.oidc,
      callbackUrls: extraOrigins.flatMap((origin) => [`${origin}/console/`, `${origin}/m/`]),
    });
    this.api = new PublicApi(this, 'Api', {
      routes: routeList,
      functions: this.functions,
      identity: this.identity,
      // The CloudFront domain itself is not listed: the console reaches the API through the same
      // distribution (same origin), and listing it here would make the API depend on the
      // distribution that already depends on the API.
      corsOrigins: extraOrigins,
      throttle: props.apiThrottle ?? { rateLimit: 100, burstLimit: 200 },
      ...(props.apiRouteThrottles ? { routeThrottles: props.apiRouteThrottles } : {}),
      apiDomain: props.apiDomain,
    });
    if (this.api.domainName) {
      new CfnOutput(this, 'ApiDomainTarget', {
        description: `DNS target (CNAME or alias) of ${this.api.domainName.name}, the API's custom domain`,
        value: this.api.domainName.regionalDomainName,
      });
    }

    this.web = cloudFront
      ? new WebConsole(this, 'Web', {
          api: this.api,
          identity: this.identity,
          accessLogBucket: this.accessLogs.bucket,
          domain: props.webDomain,
          geoAllowlist: props.geoAllowlist ?? [],
          webAclArn: props.webAclArn,
        })
      : undefined;
    this.data.allowBrowserOrigins([...new Set([...(this.web?.origins ?? []), ...extraOrigins])]);

    this.notifications = props.sms
      ? new Notifications(this, 'Notifications', {
          data: this.data,
          bundleAwsSdk: props.bundleAwsSdk ?? false,
          sms: props.sms,
          webDomain: props.webDomain?.names[0],
        })
      : undefined;

    this.monitoring = new Monitoring(this, 'Monitoring', { alarmEmails: props.alarmEmails ?? [] });
    if (this.notifications) {
      this.monitoring.watchFunction('smsDelivery', this.notifications.delivery.function);
      this.monitoring.watchFunction('smsSchedule', this.notifications.schedule.function);
      this.monitoring.watchDeadLetters('smsDelivery', this.notifications.deadLetters);
    }
    for (const [group, fn] of this.functions.entries()) this.monitoring.watchFunction(group, fn.function);
    this.monitoring.watchFunction('documentEvents', this.documentEvents.fn.function);
    for (const [fn, task] of this.workflows.taskFunctions())
      this.monitoring.watchFunction(`${fn}Tasks`, task.function);
    for (const workflow of this.workflows.names()) {
      const machine = this.workflows.stateMachine(workflow);
      // An edited programme's calendar is stopped on purpose: aborts of the calendar are no alarm.
      if (machine)
        this.monitoring.watchStateMachine(workflow, machine, { abortsExpected: workflow === 'calendar' });
    }
    this.monitoring.watchTable(this.data.table);
    this.monitoring.watchHttpApi(this.api.httpApi);

    if (this.web) new CfnOutput(this, 'WebUrl', { value: this.web.origins[0] ?? '' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url });
    new CfnOutput(this, 'OidcIssuer', { value: this.identity.issuer });
    new CfnOutput(this, 'OidcClientId', { value: this.identity.clientId });
    if (this.identity.userPool)
      new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'AttachmentsBucketName', { value: this.data.attachments.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    for (const workflow of this.workflows.names()) {
      const machine = this.workflows.stateMachine(workflow);
      if (machine)
        new CfnOutput(
          this,
          `${workflow.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}StateMachineArn`,
          { value: machine.stateMachineArn },
        );
    }
  }
}
