import middy from '@middy/core';
import { createNotifier } from '../shared/adapters/sms/index.ts';
import { smsSettingsFromEnv } from '../shared/adapters/sms/notifier.ts';
import { loadConfig } from '../shared/config.ts';
import { QUIET_FROM_HOUR } from '../shared/domain/notifications.ts';
import { logger } from '../shared/logger.ts';
import { lambdaObservability } from '../shared/metrics.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import { queueDailyCounts, redriveDue } from '../shared/services/notifications.ts';
import { repairJoinDraws } from '../shared/services/places-repair.ts';

import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  applications: repositories.applications,
  ledger: repositories.ledger,
  orgs: repositories.orgs,
  outbox: repositories.outbox,
  programmes: repositories.programmes,
  waitlist: repositories.waitlist,
});
const settings = smsSettingsFromEnv();
if (!settings) throw new Error('SMS_PROVIDER must be set for the SMS schedule');
const notifier = await createNotifier(settings);

/** First hour (Shanghai) the reviewers' daily counts go out: after the quiet hours, before work. */
const DAILY_COUNT_HOUR = 9;

/**
 * The schedule's tick (EventBridge Scheduler, every 15 minutes; locally a timer): delivers the
 * notifications whose deferral (quiet hours, the daily cap) is over, from 09:00 to 21:00 Shanghai queues
 * the reviewers' daily counts of the day — once per org and day, so later ticks add nothing — and runs
 * the repair pass of the places' waitlist joins (`repairJoinDraws`).
 */
async function onTick() {
  const now = deps.clock.now();
  const hour = (now.getUTCHours() + 8) % 24;
  const queued = hour >= DAILY_COUNT_HOUR && hour < QUIET_FROM_HOUR ? await queueDailyCounts(deps, now) : 0;
  const redriven = await redriveDue(deps, notifier, { webDomain: settings?.webDomain });
  const joinsVoided = await repairJoinDraws(deps, now);
  logger.info('schedule', { queued, ...redriven, joinsVoided });
  return { queued, ...redriven, joinsVoided };
}

export const handler = middy(onTick).use(lambdaObservability());
