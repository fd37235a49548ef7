import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { routeKey } from '../../shared/http/route.ts';
import { routeList } from '../../shared/http/routes.ts';
import {
  approveAlongChain,
  programmeBody,
  publishProgramme,
  type ResponseOf,
  submittedApplication,
} from '../support/api.ts';
import { draftBody } from '../support/fixtures.ts';
import { startTestStack, type TestStack } from './harness.ts';

/**
 * Issue 11, point 6: every handler logs through Powertools' Logger with its Lambda context and a
 * correlation id, counts business figures as EMF metrics, and no line carries personal data. A real
 * submit and its approval run through the gateway while stdout and stderr are captured.
 */

// Everything the handlers can say, debug included: the Logger reads its level when it is built, at
// import, and each invocation starts again from that level.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'debug';
});

const EMPLOYER = 'lc-dcf-gucheng-textile';
const year = Number(new Date().toISOString().slice(0, 4));
let stack: TestStack;
let lines: string[] = [];

beforeAll(async () => {
  captureOutput();
  // EMF lines are printed only when asked for; locally nothing else would read them.
  stack = await startTestStack({ seed: true, metrics: true });
  await publishProgramme(stack, programmeBody({ id: 'obs', enrolmentYear: year }));
});
afterAll(async () => {
  await stack?.stop();
  vi.restoreAllMocks();
});
beforeEach(() => {
  lines = [];
});

/**
 * Captures every line written to stdout and stderr (the Logger's and the Metrics' sinks in Lambda)
 * for the whole file; each test reads what its own requests wrote.
 */
function captureOutput() {
  const sink = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(sink);
  vi.spyOn(process.stderr, 'write').mockImplementation(sink);
}

const json = () =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
  [metric: string]: unknown;
}
const emf = () => json().filter((l): l is EmfLine & Record<string, unknown> => '_aws' in l);
const counted = (name: string) =>
  emf()
    .filter((l) => l._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === name)))
    .reduce((sum, l) => sum + Number(l[name]), 0);

describe('logs and metrics of a submit and its approval', () => {
  it('log the request with its Lambda context and correlation id, and never personal data', async () => {
    const n = 4242;
    const draft = draftBody(n, { programmeId: 'obs', employerOrgId: EMPLOYER, enrolmentYear: year });
    const { id, token, submit } = await submittedApplication(stack, {
      n,
      programmeId: 'obs',
      employerOrgId: EMPLOYER,
      enrolmentYear: year,
    });
    await approveAlongChain(stack, id, token);

    const requests = json().filter((l) => l.message === 'request');
    const submitLine = requests.find((l) => l.routeKey === 'POST /v1/applications/{id}/submit');
    expect(submitLine).toMatchObject({
      level: 'INFO',
      service: 'edu-subsidy',
      status: 200,
      role: 'worker',
      function_name: 'edu-subsidy-applications',
      function_request_id: expect.any(String),
      correlation_id: expect.any(String),
      cold_start: expect.any(Boolean),
    });
    // Each line carries its own invocation's context, though the local stack runs the calendar's tasks
    // and the upload events in the same process meanwhile.
    for (const line of requests) {
      const route = routeList.find((r) => routeKey(r) === line.routeKey);
      expect(line.function_name, String(line.routeKey)).toBe(`edu-subsidy-${route?.group}`);
    }
    // The correlation id is API Gateway's request id, one per request.
    expect(new Set(requests.map((l) => l.correlation_id)).size).toBe(requests.length);
    expect(
      requests.filter((l) => l.routeKey === 'POST /v1/applications/{id}/decisions').length,
    ).toBeGreaterThan(0);
    expect((submit.body as ResponseOf<'submitApplication'>).quota.state).toBe('claimed');

    const everything = lines.join('\n');
    const secrets = {
      idNumber: draft.applicant.idNumber,
      phone: draft.applicant.phone,
      name: draft.applicant.name,
      accountNumber: draft.payoutAccount.accountNumber,
      verificationCode: draft.chsiReport.verificationCode,
    };
    for (const [what, secret] of Object.entries(secrets)) expect(everything, what).not.toContain(secret);
    // The capture did see the run: the log is not empty by accident.
    expect(requests.length).toBeGreaterThanOrEqual(8);
  });

  it('count the submit, the place it claimed and each approval as EMF metrics', async () => {
    const { id, token } = await submittedApplication(stack, {
      n: 4243,
      programmeId: 'obs',
      employerOrgId: EMPLOYER,
      enrolmentYear: year,
    });
    await approveAlongChain(stack, id, token);

    const namespaces = new Set(emf().flatMap((l) => l._aws.CloudWatchMetrics.map((m) => m.Namespace)));
    expect([...namespaces]).toEqual(['EduSubsidy']);
    expect(counted('ApplicationsSubmitted')).toBe(1);
    expect(counted('PlacesClaimed')).toBe(1);
    expect(counted('WaitlistJoined')).toBe(0);
    // One approval per union on the chain (enterprise, township, county, city), the last one final.
    expect(counted('DecisionsApproved')).toBe(4);
    expect(counted('ApplicationsApproved')).toBe(1);
    // Each line names its service, as the dimension operators filter by.
    for (const line of emf()) expect(line.service).toBe('edu-subsidy');
  });
});
