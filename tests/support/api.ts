import { expect } from 'vitest';
import { attachmentKinds } from '../../shared/domain/documents.ts';
import type { TestStack } from '../integration/harness.ts';
import { draftBody, sampleFiles } from './fixtures.ts';

/**
 * The flows integration tests drive through HTTP, written once: a worker's application from draft
 * to submission, its approval along the whole chain, a payout run followed to its end.
 */

/** A worker's draft with all five documents uploaded and verified, then submitted (its place claimed or waitlisted). */
export async function submittedApplication(
  stack: TestStack,
  options: { n: number; programmeId: string; employerOrgId: string; enrolmentYear: number; sub?: string },
): Promise<{ id: string; token: string; submit: { status: number; body: Record<string, unknown> } }> {
  const token = await stack.token({ sub: options.sub ?? `worker-${options.n}`, role: 'worker' });
  const draft = await stack.call('POST', '/v1/applications', {
    token,
    body: draftBody(options.n, options),
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const id = draft.body.id as string;
  for (const kind of attachmentKinds) {
    const file = sampleFiles['image/png'];
    const res = await stack.call('POST', `/v1/applications/${id}/attachments`, {
      token,
      body: { kind, contentType: 'image/png', sizeBytes: file.length },
    });
    expect(res.status).toBe(201);
    const form = new FormData();
    for (const [k, v] of Object.entries(res.body.upload.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([file], { type: 'image/png' }));
    expect((await fetch(res.body.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  }
  const submit = await stack.call('POST', `/v1/applications/${id}/submit`, { token });
  expect(submit.status, JSON.stringify(submit.body)).toBe(200);
  return { id, token, submit };
}

/** R12: each union on the chain approves in turn, until the application is approved. */
export async function approveAlongChain(stack: TestStack, id: string, workerToken: string): Promise<void> {
  for (let step = 0; step < 6; step++) {
    const view = await stack.call('GET', `/v1/applications/${id}`, { token: workerToken });
    if (view.body.status === 'approved') return;
    const org = view.body.review.currentOrgId as string;
    const reviewer = await stack.token({ sub: `reviewer-${org}`, role: 'reviewer', org });
    const decided = await stack.call('POST', `/v1/applications/${id}/decisions`, {
      token: reviewer,
      body: { decision: 'approve' },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  }
  throw new Error(`application ${id} not approved along its chain`);
}

/** A submitted application approved by every union on its chain. */
export async function approvedApplication(
  stack: TestStack,
  options: Parameters<typeof submittedApplication>[1],
): Promise<{ id: string; token: string }> {
  const { id, token } = await submittedApplication(stack, options);
  await approveAlongChain(stack, id, token);
  return { id, token };
}

/** Polls a payout run until it reaches one of `statuses` (by default, its end). */
export async function runReaching(
  stack: TestStack,
  token: string,
  runId: string,
  statuses: readonly string[] = ['succeeded', 'failed'],
): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  await expect
    .poll(
      async () => {
        const res = await stack.call('GET', `/v1/payout-runs/${runId}`, { token });
        last = res.body;
        return res.body?.status;
      },
      { timeout: 30_000, interval: 100 },
    )
    .toSatisfy((status) => statuses.includes(String(status)));
  return last;
}
