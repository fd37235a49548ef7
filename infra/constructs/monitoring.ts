import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type Table } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /** Addresses subscribed to the alarm topic (each confirms by e-mail). */
  alarmEmails: readonly string[];
}

/** The operations the adapters issue; a metric-math alarm may sum at most ten metrics. */
const tableOperations = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];

const period = Duration.minutes(1);

/**
 * Alarms and a dashboard. Every alarm fires on the first occurrence (> 0 in a minute) and notifies
 * one SNS topic, encrypted with a key of its own that CloudWatch may use.
 *
 * `watch…` methods are public so that later constructs (the programme calendar and payout state
 * machines, their task functions) register themselves the same way.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly topicKey: Key;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topicKey = new Key(this, 'TopicKey', {
      description: 'edu-subsidy: encryption of the alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch publishes alarm notifications into the encrypted topic.
    this.topicKey.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'edu-subsidy alarms',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    for (const email of props.alarmEmails) this.topic.addSubscription(new EmailSubscription(email));
    this.action = new SnsAction(this.topic);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
      widgets: [[new TextWidget({ markdown: '# edu-subsidy', width: 24, height: 1 })]],
    });
  }

  /** Errors > 0 and Throttles > 0 for one function, and its line on the dashboard. */
  watchFunction(name: string, fn: IFunction): void {
    this.alarmOnAny(`${name}Errors`, `${name}: invocation errors`, fn.metricErrors({ period }));
    this.alarmOnAny(`${name}Throttles`, `${name}: throttled invocations`, fn.metricThrottles({ period }));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: `${name} function`,
        width: 12,
        left: [fn.metricInvocations(), fn.metricErrors(), fn.metricThrottles()],
        right: [fn.metricDuration({ statistic: Stats.percentile(99) })],
      }),
    );
  }

  /** Throttled requests and system errors (HTTP 500 from DynamoDB) on the table. */
  watchTable(table: Table): void {
    this.alarmOnAny(
      'TableThrottles',
      'DynamoDB: throttled requests',
      table.metricThrottledRequestsForOperations({ operations: tableOperations, period }),
    );
    this.alarmOnAny(
      'TableSystemErrors',
      'DynamoDB: system errors',
      table.metricSystemErrorsForOperations({ operations: tableOperations, period }),
    );
    // One metric-math expression a graph: both expressions name their per-operation metrics alike.
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'DynamoDB consumed capacity',
        width: 8,
        left: [table.metricConsumedReadCapacityUnits(), table.metricConsumedWriteCapacityUnits()],
      }),
      new GraphWidget({
        title: 'DynamoDB throttled requests',
        width: 8,
        left: [table.metricThrottledRequestsForOperations({ operations: tableOperations })],
      }),
      new GraphWidget({
        title: 'DynamoDB system errors',
        width: 8,
        left: [table.metricSystemErrorsForOperations({ operations: tableOperations })],
      }),
    );
  }

  /** HTTP 5xx answered by the API (a handler never answers 500 to a client's input: architecture.md §5). */
  watchHttpApi(api: HttpApi): void {
    this.alarmOnAny(
      'Api5xx',
      'HTTP API: 5xx responses',
      api.metricServerError({ period, statistic: Stats.SUM }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'HTTP API',
        width: 12,
        left: [api.metricCount(), api.metricClientError(), api.metricServerError()],
        right: [api.metricLatency({ statistic: Stats.percentile(99) })],
      }),
    );
  }

  /**
   * Failed, timed-out and aborted executions of a state machine (the calendar, the payout run).
   * `abortsExpected`: the state machine is stopped on purpose in normal operation (an edited
   * programme's calendar), so aborts are graphed but raise no alarm.
   */
  watchStateMachine(
    name: string,
    stateMachine: IStateMachine,
    options: { abortsExpected?: boolean } = {},
  ): void {
    this.alarmOnAny(`${name}Failed`, `${name}: failed executions`, stateMachine.metricFailed({ period }));
    this.alarmOnAny(
      `${name}TimedOut`,
      `${name}: timed-out executions`,
      stateMachine.metricTimedOut({ period }),
    );
    if (!options.abortsExpected) {
      this.alarmOnAny(
        `${name}Aborted`,
        `${name}: aborted executions`,
        stateMachine.metricAborted({ period }),
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: `${name} state machine`,
        width: 12,
        left: [
          stateMachine.metricStarted(),
          stateMachine.metricSucceeded(),
          stateMachine.metricFailed(),
          stateMachine.metricAborted(),
        ],
      }),
    );
  }

  /** Messages in a dead-letter queue (SMS deliveries given up after their retries): any is an alarm. */
  watchDeadLetters(name: string, queue: IQueue): void {
    this.alarmOnAny(
      `${name}DeadLetters`,
      `${name}: records given up after every retry (dead-letter queue)`,
      queue.metricApproximateNumberOfMessagesVisible({ period, statistic: Stats.MAXIMUM }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: `${name} dead letters`,
        width: 12,
        left: [queue.metricApproximateNumberOfMessagesVisible()],
      }),
    );
  }

  private alarmOnAny(id: string, description: string, metric: IMetric): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
