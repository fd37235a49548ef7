import { Duration } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_ITEM_TYPE } from '../../shared/adapters/notification-items.ts';
import type { SmsProviderName } from '../../shared/adapters/sms/notifier.ts';
import type { NotificationEventName } from '../../shared/model/notification.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../function-timeouts.ts';
import { AppFunction } from './app-function.ts';
import type { DataStore } from './data-store.ts';
import { acknowledge, attRef } from './nag.ts';
import { functionEntry } from './paths.ts';

/**
 * SMS deployment configuration (CDK context `edu-subsidy:sms`, architecture.md §9): the provider, its
 * template ids per event, the sign name, and the Secrets Manager secret with its credentials.
 */
export interface SmsDeployment {
  provider: SmsProviderName;
  templates: Partial<Record<NotificationEventName, string>>;
  signName: string;
  /** Tencent: SmsSdkAppId. AWS: the origination identity (phone number or pool ARN). */
  appId?: string;
  /** The provider's region (Tencent `ap-guangzhou`, Aliyun `cn-hangzhou`); AWS: the stack's. */
  region?: string;
  /** ARN of the secret `{"id", "secret"}` (Tencent, Aliyun; AWS uses the function's role). */
  secretArn?: string;
}

export interface NotificationsProps {
  data: DataStore;
  bundleAwsSdk: boolean;
  sms: SmsDeployment;
  /** The consoles' domain, for links to the worker pages `/m/`. */
  webDomain?: string | undefined;
}

/** Retries of a failed stream record before it goes to the dead-letter queue. */
export const DELIVERY_RETRY_ATTEMPTS = 5;

/**
 * Delivers the SMS outbox (architecture.md §9): the table's stream → the delivery function
 * (`functions/notify.ts`), filtered to new outbox items, with partial batch failures, bounded
 * retries, bisection, and an SQS dead-letter queue (alarmed by the stack's monitoring); and the
 * SMS schedule (`functions/notify-schedule.ts`), every 15 minutes, re-driving what quiet hours or
 * the daily cap deferred and queueing the reviewers' daily counts. Each function may read the
 * provider's secret and nothing else of Secrets Manager.
 */
export class Notifications extends Construct {
  readonly delivery: AppFunction;
  readonly schedule: AppFunction;
  readonly deadLetters: Queue;
  readonly secret: ISecret | undefined;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const { data, sms } = props;
    if ((sms.provider === 'tencent' || sms.provider === 'aliyun') && !sms.secretArn) {
      throw new Error(`edu-subsidy:sms: provider ${sms.provider} needs secretArn (its credentials)`);
    }
    this.secret = sms.secretArn
      ? Secret.fromSecretCompleteArn(this, 'ProviderSecret', sms.secretArn)
      : undefined;
    const environment = {
      ...data.functionEnvironment(),
      SMS_PROVIDER: sms.provider,
      SMS_TEMPLATES: JSON.stringify(sms.templates),
      SMS_SIGN_NAME: sms.signName,
      ...(sms.appId ? { SMS_APP_ID: sms.appId } : {}),
      ...(sms.region ? { SMS_REGION: sms.region } : {}),
      ...(sms.secretArn ? { SMS_SECRET_ARN: sms.secretArn } : {}),
      ...(props.webDomain ? { WEB_DOMAIN: props.webDomain } : {}),
    };

    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetters,
      'SQS3',
      'This queue is the dead-letter queue of the SMS delivery; an alarm watches it.',
    );

    this.delivery = new AppFunction(this, 'DeliveryFunction', {
      entry: functionEntry('notify'),
      description: 'edu-subsidy: deliver the SMS outbox from the table stream',
      bundleAwsSdk: props.bundleAwsSdk,
      environment,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.notify),
      memorySize: 512,
    });
    this.schedule = new AppFunction(this, 'ScheduleFunction', {
      entry: functionEntry('notify-schedule'),
      description:
        'edu-subsidy: re-drive deferred SMS, queue reviewers daily counts, repair unsettled waitlist joins',
      bundleAwsSdk: props.bundleAwsSdk,
      environment,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['notify-schedule']),
      memorySize: 512,
    });

    for (const fn of [this.delivery, this.schedule]) {
      data.grantTableReadWrite(fn.function);
      // Phones are stored encrypted: decrypt to send, hash for the per-phone daily count.
      data.grantFieldEncryption(fn.function, ['decrypt', 'hash']);
      this.secret?.grantRead(fn.function);
      if (sms.provider === 'aws') this.grantSendText(fn, sms);
    }

    this.delivery.function.addEventSource(
      new DynamoEventSource(data.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: DELIVERY_RETRY_ATTEMPTS,
        maxRecordAge: Duration.hours(24),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetters),
        // Only new outbox items invoke the function; every other write of the table is not its business.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { type: { S: FilterRule.isEqual(OUTBOX_ITEM_TYPE) } } },
          }),
        ],
      }),
    );

    // Stream reads are granted by the event source; ListStreams has no resource-level permissions.
    acknowledge(
      this.delivery.role,
      'IAM5',
      'dynamodb:ListStreams, which the stream event source needs, cannot be limited to a resource.',
      ['Resource::*'],
    );

    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invokes the SMS schedule function',
    });
    new Schedule(this, 'Every15Minutes', {
      description:
        'edu-subsidy: SMS re-drive after quiet hours and the daily cap; reviewers daily counts; waitlist join repair',
      schedule: ScheduleExpression.rate(Duration.minutes(15)),
      target: new LambdaInvoke(this.schedule.function, { retryAttempts: 2, role: scheduleRole }),
    });
    acknowledge(
      scheduleRole,
      'IAM5',
      'The scheduler may invoke the SMS schedule function and its versions (aws-cdk-lib grants both), nothing else.',
      [`Resource::${attRef(this.schedule.function)}:*`],
    );
  }

  /** AWS End User Messaging: send text from the configured origination identity only, where one is named. */
  private grantSendText(fn: AppFunction, sms: SmsDeployment): void {
    const identity = sms.appId?.startsWith('arn:') ? sms.appId : undefined;
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources: [identity ?? '*'] }),
    );
    if (!identity) {
      acknowledge(
        fn.role,
        'IAM5',
        'Without an origination identity ARN, SendTextMessage is granted on every identity of the account (it sends from the default pool).',
        ['Resource::*'],
      );
    }
  }
}
