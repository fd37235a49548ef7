import { loadConfig } from '../shared/config.ts';
import { httpHandler } from '../shared/http/handler.ts';
import { createDeps } from '../shared/services/deps.ts';
import { decide, decideMany, downloadAttachment, reviewQueue } from '../shared/services/review.ts';

const deps = createDeps(loadConfig());

/** The union side (R12): review queues, decisions and audited document downloads. */
export const handler = httpHandler('review', {
  reviewQueue: async ({ caller, query }) => ({ body: await reviewQueue(deps, caller, query) }),
  decideApplication: async ({ caller, params, body, now }) => ({
    body: await decide(deps, caller, params.id, body, now),
  }),
  decideApplications: async ({ caller, body, now }) => ({
    body: await decideMany(deps, caller, body.items, now),
  }),
  downloadAttachment: async ({ caller, params, now }) => ({
    body: await downloadAttachment(deps, caller, params.id, params.attachmentId, now),
  }),
});
