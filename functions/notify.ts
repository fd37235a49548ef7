import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createNotifier } from '../shared/adapters/sms/index.ts';
import { smsSettingsFromEnv } from '../shared/adapters/sms/notifier.ts';
import { loadConfig } from '../shared/config.ts';
import { lambdaObservability } from '../shared/metrics.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import { deliverNotification, queuedOutboxKey } from '../shared/services/notifications.ts';
import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  applications: repositories.applications,
  orgs: repositories.orgs,
  outbox: repositories.outbox,
  waitlist: repositories.waitlist,
});
const settings = smsSettingsFromEnv();
if (!settings) throw new Error('SMS_PROVIDER must be set for the delivery function');
const notifier = await createNotifier(settings);

/**
 * One record of the table's stream (architecture.md §9): a new outbox item is delivered; every other
 * change of the table is not this function's business. A delivery that throws fails only its record
 * (partial batch response): Lambda retries it, and after the last retry the on-failure destination
 * (a dead-letter queue) gets it. The conditional `queued → sending` makes a retry send at most once.
 */
async function onRecord(record: DynamoDBRecord): Promise<string> {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return 'ignored';
  const image = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
  const key = queuedOutboxKey(image);
  if (!key) return 'ignored';
  return deliverNotification(deps, notifier, key, { webDomain: settings?.webDomain });
}

async function onStream(event: DynamoDBStreamEvent, context: Context) {
  // One processor per invocation: it keeps the batch's state in the invocation's own store (several
  // invocations share a process locally, as on Lambda Managed Instances).
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return processPartialResponse(event, onRecord, processor, { context });
}

export const handler = middy(onStream).use(lambdaObservability());
