import { expect } from 'vitest';
import type { z } from 'zod/mini';
import { attachmentKinds } from '../../shared/domain/documents.ts';
import type { ResponseSchemaOf } from '../../shared/http/route.ts';
import type { RouteId, Routes } from '../../shared/http/routes.ts';
import { routes } from '../../shared/http/routes.ts';
import type { ApiResponse, TestStack } from '../integration/harness.ts';
import { draftBody, postUpload, programmeBody, sampleFiles } from './fixtures.ts';

/**
 * The typed API driver of the integration tests: routes called by their operation id with answers
 * typed from the route table, and the flows the tests drive through HTTP written once — a programme
 * open today, a worker's application from draft to submission with its documents, its approval along
 * the whole chain, a payout run followed to its end. Every answer is checked against /openapi.json
 * on its way (the integration setup wraps `fetch`, tests/support/openapi-validator.ts).
 */

/** What a route answers on success, typed from its response schema in the route table. */
export type ResponseOf<K extends RouteId> = z.output<ResponseSchemaOf<Routes[K]>>;
type InputOf<K extends RouteId, P extends 'params' | 'query' | 'body'> = z.input<NonNullable<Routes[K][P]>>;

/** The contract's error body. */
export interface ErrorAnswer {
  error: { code: string; message: string; fields?: { path: string; message: string }[] } & Record<
    string,
    unknown
  >;
}

export interface RouteCall<K extends RouteId> {
  token?: string;
  params?: InputOf<K, 'params'>;
  query?: Record<string, string>;
  /** The request body; `unknown` on purpose, so tests can send what the types would not allow. */
  body?: unknown;
}

/** A route's path with its `{name}` parameters filled in, percent-encoded. */
export function pathOf<K extends RouteId>(id: K, params: Record<string, string> = {}): string {
  return routes[id].path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${id} needs the path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** Calls a route by its operation id through the stack's gateway; the body is the route's answer or an error. */
export async function callRoute<K extends RouteId>(
  stack: TestStack,
  id: K,
  call: RouteCall<K> = {},
): Promise<{ status: number; headers: Headers; body: ResponseOf<K> & Partial<ErrorAnswer> }> {
  const route = routes[id];
  const query = call.query ? `?${new URLSearchParams(call.query)}` : '';
  const res: ApiResponse = await stack.call(
    route.method,
    `${pathOf(id, (call.params ?? {}) as Record<string, string>)}${query}`,
    {
      ...(call.token ? { token: call.token } : {}),
      ...(call.body === undefined ? {} : { body: call.body }),
    },
  );
  return res;
}

/** Calls a route and expects its documented success status; returns the typed answer. */
export async function expectOk<K extends RouteId>(
  stack: TestStack,
  id: K,
  call: RouteCall<K> = {},
): Promise<ResponseOf<K>> {
  const res = await callRoute(stack, id, call);
  expect(res.status, `${id}: ${JSON.stringify(res.body)}`).toBe(routes[id].response.status);
  return res.body;
}

export { programmeBody };

/** Worker tokens by `sub`, each issued once: `const worker = workerTokens(stack); await worker('w-1')`. */
export function workerTokens(stack: TestStack): (sub: string) => Promise<string> {
  const issued = new Map<string, Promise<string>>();
  return (sub) => {
    let token = issued.get(sub);
    if (!token) {
      token = stack.token({ sub, role: 'worker' });
      issued.set(sub, token);
    }
    return token;
  };
}

/**
 * Publishes a programme (by default as the province's admin, who may commit every share of the
 * seeded tree, R6) and expects 201.
 */
export async function publishProgramme(
  stack: TestStack,
  body: ReturnType<typeof programmeBody>,
  token?: string,
): Promise<ResponseOf<'createProgramme'>> {
  const admin = token ?? (await stack.token({ sub: 'admin-sd', role: 'admin', org: 'sd' }));
  return expectOk(stack, 'createProgramme', { token: admin, body });
}

/**
 * Uploads a document of every required kind (R11) through its presigned POST, as a phone does, all
 * at once; each a small genuine file, PNG unless `contentTypes` are given (used in turn). Returns the
 * attachment ids by kind. The object-created event verifies them (see {@link settledAttachments}).
 */
export async function uploadAllDocuments(
  stack: TestStack,
  token: string,
  applicationId: string,
  options: { kinds?: readonly string[]; contentTypes?: readonly (keyof typeof sampleFiles)[] } = {},
): Promise<Record<string, string>> {
  const kinds = options.kinds ?? attachmentKinds;
  const types = options.contentTypes ?? ['image/png'];
  const ids: Record<string, string> = {};
  await Promise.all(
    kinds.map(async (kind, i) => {
      const type = types[i % types.length] ?? 'image/png';
      const file = sampleFiles[type];
      const form = await expectOk(stack, 'createAttachment', {
        token,
        params: { id: applicationId },
        body: { kind, contentType: type, sizeBytes: file.length },
      });
      ids[kind] = form.attachmentId;
      const uploaded = await postUpload(form.upload, file, type);
      expect(uploaded.status, `upload of ${kind}`).toBeLessThan(300);
    }),
  );
  return ids;
}

type AttachmentView = ResponseOf<'getApplication'>['attachments'][number];

/**
 * The application's attachments once the object-created event has settled those named (all of
 * them by default): none of them still `pending`. Polls; the event runs in the background.
 */
export async function settledAttachments(
  stack: TestStack,
  app: { token: string; id: string },
  attachmentIds?: readonly string[],
): Promise<AttachmentView[]> {
  let attachments: AttachmentView[] = [];
  await expect
    .poll(
      async () => {
        attachments = (await expectOk(stack, 'getApplication', { token: app.token, params: { id: app.id } }))
          .attachments;
        const named = attachmentIds
          ? attachments.filter((a) => attachmentIds.includes(a.attachmentId))
          : attachments;
        return (
          named.length === (attachmentIds?.length ?? named.length) &&
          named.every((a) => a.status !== 'pending')
        );
      },
      { timeout: 5_000, interval: 50 },
    )
    .toBe(true);
  return attachments;
}

/** A worker's draft with all five documents uploaded and verified, then submitted (its place claimed or waitlisted). */
export async function submittedApplication(
  stack: TestStack,
  options: {
    n: number;
    programmeId: string;
    employerOrgId: string;
    enrolmentYear: number;
    sub?: string;
    level?: string;
  },
): Promise<{ id: string; token: string; submit: { status: number; body: ResponseOf<'submitApplication'> } }> {
  const token = await stack.token({ sub: options.sub ?? `worker-${options.n}`, role: 'worker' });
  const draft = await expectOk(stack, 'createApplication', { token, body: draftBody(options.n, options) });
  await uploadAllDocuments(stack, token, draft.id);
  const submit = await callRoute(stack, 'submitApplication', { token, params: { id: draft.id } });
  expect(submit.status, JSON.stringify(submit.body)).toBe(200);
  return { id: draft.id, token, submit };
}

/** R12: each union on the chain approves in turn, until the application is approved. */
export async function approveAlongChain(stack: TestStack, id: string, workerToken: string): Promise<void> {
  for (let step = 0; step < 6; step++) {
    const view = await expectOk(stack, 'getApplication', { token: workerToken, params: { id } });
    if (view.status === 'approved') return;
    const org = view.review.currentOrgId as string;
    const reviewer = await stack.token({ sub: `reviewer-${org}`, role: 'reviewer', org });
    await expectOk(stack, 'decideApplication', {
      token: reviewer,
      params: { id },
      body: { decision: 'approve' },
    });
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

/**
 * Polls a payout run until it reaches one of `statuses` (by default, its end); fails at once if it
 * ends in another.
 */
export async function runReaching(
  stack: TestStack,
  token: string,
  runId: string,
  statuses: readonly string[] = ['succeeded', 'failed'],
): Promise<ResponseOf<'getPayoutRun'>> {
  const ended = ['succeeded', 'failed'];
  let last: ResponseOf<'getPayoutRun'> | undefined;
  await expect
    .poll(
      async () => {
        last = await expectOk(stack, 'getPayoutRun', { token, params: { runId } });
        return last.status;
      },
      { timeout: 30_000, interval: 100 },
    )
    .toSatisfy((status) => statuses.includes(String(status)) || ended.includes(String(status)));
  // A run that ended elsewhere fails here at once, with what it reported.
  expect(statuses, `run ${runId} ended: ${JSON.stringify(last)}`).toContain(last?.status);
  return last as ResponseOf<'getPayoutRun'>;
}
