import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { loadConfig } from '../shared/config.ts';
import { errorSummary, logger } from '../shared/logger.ts';
import { lambdaObservability } from '../shared/metrics.ts';
import { verifyUploadedObject } from '../shared/services/applications.ts';
import { baseDeps, wireDeps } from '../shared/services/deps.ts';
import * as repositories from '../shared/services/repositories.ts';

const deps = wireDeps(baseDeps(loadConfig()), {
  applications: repositories.applications,
});

/**
 * The attachments bucket's object-created notification (R11): verifies each uploaded document's real
 * size and magic bytes, and deletes an upload that would replace a document already decided. Locally
 * the S3 emulator's event calls this same export.
 */
async function onObjectCreated(event: S3Event): Promise<{ verified: number; rejected: number }> {
  let verified = 0;
  let rejected = 0;
  for (const record of event.Records) {
    if (!record.eventName.startsWith('ObjectCreated')) continue;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    try {
      // A versioned bucket names the version that arrived: a replacement is deleted by exactly that.
      const result = await verifyUploadedObject(deps, key, deps.clock.now(), record.s3.object.versionId);
      if (result?.status === 'verified') verified++;
      if (result?.status === 'rejected') rejected++;
    } catch (err) {
      // The submit step verifies again, so one failed notification loses nothing.
      logger.warn('attachment verification failed', errorSummary(err));
    }
  }
  logger.info('attachment events', { records: event.Records.length, verified, rejected });
  return { verified, rejected };
}

export const handler = middy(onObjectCreated).use(lambdaObservability());
