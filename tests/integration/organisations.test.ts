/**
 * Issue 12 (R12 组织注册, architecture.md §8): an org registers under its parent, the parent's admins
 * approve and the registrant reviews; admins add and remove people, and every forbidden grant is
 * refused; the acting org comes from memberships and `X-Acting-Org`; an application in another
 * person's verified name is refused (R9).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoAccounts } from '../../infra/seed/accounts.ts';
import { loadConfig } from '../../shared/config.ts';
import { makeCreditCode } from '../../shared/domain/credit-code.ts';
import { shanghaiDate } from '../../shared/domain/dates.ts';
import type { Deps } from '../../shared/services/deps.ts';
import { createDeps } from '../../shared/services/repositories.ts';
import { programmeBody, publishProgramme, submittedApplication } from '../support/api.ts';
import { draftBody, withChanges } from '../support/fixtures.ts';
import { signInWithPkce } from '../support/oidc.ts';
import { type ApiResponse, startTestStack, type TestStack } from './harness.ts';

let stack: TestStack;
let deps: Deps;
const year = Number(shanghaiDate(new Date()).slice(0, 4));
const PROGRAMME = 'org-reg';

beforeAll(async () => {
  stack = await startTestStack();
  deps = createDeps(loadConfig());
  await publishProgramme(stack, programmeBody({ id: PROGRAMME, year }));
});
afterAll(async () => {
  deps?.db.destroy();
  await stack?.stop();
});

/** A person signed in through the local provider by 用户标识 and 姓名: identity only, roles from memberships. */
async function person(sub: string, name = '测试人'): Promise<string> {
  return (await signInWithPkce(stack.oidc.issuer, { sub, name })).idToken;
}
const admin = (sub: string, org: string) => stack.token({ sub, role: 'admin', org });
const reviewer = (sub: string, org: string) => stack.token({ sub, role: 'reviewer', org });

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(/\p{Script=Han}/u);
}

let codes = 0;
/** A valid, so far unused 统一社会信用代码. */
const creditCode = () => makeCreditCode(`91371502MA${String(++codes).padStart(7, '0')}`);

const registration = (overrides: Record<string, unknown> = {}) => ({
  name: '古城新材料有限公司工会',
  kind: 'enterprise',
  parentId: 'lc-dcf-gucheng',
  creditCode: creditCode(),
  contactName: '周敏',
  contactPhone: '13906351234',
  ...overrides,
});

describe('acting for an org: memberships and X-Acting-Org', () => {
  it('acts for the only membership, must name one of several, and may name only its own', async () => {
    const token = await person('acting-1');
    const lcAdmin = await admin('acting-admin-lc', 'lc');
    const queue = (headers: Record<string, string> = {}) =>
      stack.call('GET', `/v1/review/queue?programmeId=${PROGRAMME}`, {
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
    // No membership: a worker, who has no review queue.
    expectError(await queue(), 403, 'forbidden');
    await stack.call('POST', '/v1/orgs/lc-chiping/members', {
      token: lcAdmin,
      body: { sub: 'acting-1', role: 'reviewer' },
    });
    expect((await queue()).status).toBe(200);
    await stack.call('POST', '/v1/orgs/lc-linqing/members', {
      token: lcAdmin,
      body: { sub: 'acting-1', role: 'reviewer' },
    });
    const several = await queue();
    expectError(several, 403, 'forbidden');
    expect(several.body.error.message).toContain('X-Acting-Org');
    expect((await queue({ 'x-acting-org': 'lc-linqing' })).status).toBe(200);
    expectError(await queue({ 'x-acting-org': 'lc-gaotang' }), 403, 'forbidden');
    const me = await stack.call('GET', '/v1/me', { token });
    expect(me.body.memberships).toEqual(
      expect.arrayContaining([
        { orgId: 'lc-chiping', orgName: '茌平区', role: 'reviewer' },
        { orgId: 'lc-linqing', orgName: '临清市', role: 'reviewer' },
      ]),
    );
  });

  it('refuses a named org on a worker’s own routes (they read no membership)', async () => {
    const token = await person('acting-worker');
    const res = await stack.call('GET', '/v1/me/applications', {
      headers: { authorization: `Bearer ${token}`, 'x-acting-org': 'lc' },
    });
    expectError(res, 403, 'forbidden');
    expect((await stack.call('GET', '/v1/me/applications', { token })).status).toBe(200);
  });
});

describe('R12 组织注册: register → the parent’s admins approve → the registrant reviews', () => {
  it('goes from a pending registration to an org whose registrant is its admin and reviews its queue', async () => {
    const registrant = await person('registrant-1', '周敏');
    const created = await stack.call('POST', '/v1/org-registrations', {
      token: registrant,
      body: registration(),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending',
      parentId: 'lc-dcf-gucheng',
      registrantSub: 'registrant-1',
    });
    const { id, orgId } = created.body as { id: string; orgId: string };
    // Not an org yet.
    expect((await stack.call('GET', `/v1/orgs/${orgId}`)).status).toBe(404);

    // The parent's admin sees it (an admin above, of the unit, would too).
    const parentAdmin = await admin('admin-gucheng', 'lc-dcf-gucheng');
    const listed = await stack.call('GET', '/v1/org-registrations', { token: parentAdmin });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(id);
    // Someone else's contact phone is masked.
    expect(listed.body.items.find((r: { id: string }) => r.id === id).contactPhone).toBe('139****1234');
    const unitAdmin = await admin('admin-dcf', 'lc-dongchangfu');
    const fromAbove = await stack.call('GET', '/v1/org-registrations?parentId=lc-dcf-gucheng', {
      token: unitAdmin,
    });
    expect(fromAbove.body.items.map((r: { id: string }) => r.id)).toContain(id);

    const approved = await stack.call('POST', `/v1/org-registrations/${id}/decision`, {
      token: parentAdmin,
      body: { decision: 'approve' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'admin-gucheng' });
    const org = await stack.call('GET', `/v1/orgs/${orgId}`);
    expect(org.body).toMatchObject({
      id: orgId,
      kind: 'enterprise',
      path: ['sd', 'lc', 'lc-dongchangfu', 'lc-dcf-gucheng', orgId],
    });
    const me = await stack.call('GET', '/v1/me', { token: registrant });
    expect(me.body.memberships).toEqual([{ orgId, orgName: '古城新材料有限公司工会', role: 'admin' }]);
    // Decided once.
    expectError(
      await stack.call('POST', `/v1/org-registrations/${id}/decision`, {
        token: parentAdmin,
        body: { decision: 'approve' },
      }),
      409,
      'invalid_state',
    );

    // A worker of the new enterprise applies; the registrant, its admin, reviews the first step.
    const app = await submittedApplication(stack, {
      n: 91_001,
      programmeId: PROGRAMME,
      employerOrgId: orgId,
      enrolmentYear: year,
    });
    const queue = await stack.call('GET', `/v1/review/queue?programmeId=${PROGRAMME}`, { token: registrant });
    expect(queue.status, JSON.stringify(queue.body)).toBe(200);
    expect(queue.body.items.map((i: { id: string }) => i.id)).toContain(app.id);
    const decided = await stack.call('POST', `/v1/applications/${app.id}/decisions`, {
      token: registrant,
      body: { decision: 'approve' },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body).toMatchObject({ status: 'in_review', currentOrgId: 'lc-dcf-gucheng' });
    // Every change of the org's people is audited: the registration made its first admin.
    expect(await deps.memberships.audit(orgId)).toEqual([
      expect.objectContaining({
        type: 'org_registered',
        sub: 'registrant-1',
        role: 'admin',
        actor: 'admin-gucheng',
      }),
    ]);
  });

  it('refuses a duplicate credit code, frees it on rejection, and needs a reason to reject', async () => {
    const code = creditCode();
    const first = await stack.call('POST', '/v1/org-registrations', {
      token: await person('registrant-2'),
      body: registration({ creditCode: code }),
    });
    expect(first.status).toBe(201);
    const duplicate = await stack.call('POST', '/v1/org-registrations', {
      token: await person('registrant-3'),
      body: registration({ creditCode: code.toLowerCase(), name: '另一家公司工会' }),
    });
    expectError(duplicate, 409, 'already_exists');

    const parentAdmin = await admin('admin-gucheng', 'lc-dcf-gucheng');
    const noReason = await stack.call('POST', `/v1/org-registrations/${first.body.id}/decision`, {
      token: parentAdmin,
      body: { decision: 'reject' },
    });
    expectError(noReason, 400, 'validation_failed');
    const rejected = await stack.call('POST', `/v1/org-registrations/${first.body.id}/decision`, {
      token: parentAdmin,
      body: { decision: 'reject', reason: '统一社会信用代码与营业执照不符' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: '统一社会信用代码与营业执照不符' });
    const again = await stack.call('POST', '/v1/org-registrations', {
      token: await person('registrant-3'),
      body: registration({ creditCode: code }),
    });
    expect(again.status).toBe(201);
  });

  it.each([
    ['a wrong check character', { creditCode: '91350100M000100Y44' }, 'creditCode'],
    ['an enterprise without a credit code', { creditCode: undefined }, 'creditCode'],
    ['a kind that cannot sit under the parent', { kind: 'unit' }, 'kind'],
    ['an unknown parent', { parentId: 'lc-nowhere' }, 'parentId'],
    ['an invalid phone', { contactPhone: '12345' }, 'contactPhone'],
  ])('answers 400 for %s', async (_label, changes, path) => {
    const res = await stack.call('POST', '/v1/org-registrations', {
      token: await person('registrant-bad'),
      body: withChanges(registration(), changes),
    });
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
  });

  it('lets no one outside the parent’s line see or decide a registration', async () => {
    const created = await stack.call('POST', '/v1/org-registrations', {
      token: await person('registrant-4'),
      body: registration(),
    });
    const id = created.body.id as string;
    const sideways = await admin('admin-chiping', 'lc-chiping');
    expectError(
      await stack.call('GET', '/v1/org-registrations?parentId=lc-dcf-gucheng', { token: sideways }),
      404,
      'not_found',
    );
    expectError(
      await stack.call('POST', `/v1/org-registrations/${id}/decision`, {
        token: sideways,
        body: { decision: 'approve' },
      }),
      404,
      'not_found',
    );
    // A reviewer of the parent is not an admin; the registrant itself is a worker.
    const parentReviewer = await reviewer('reviewer-gucheng-2', 'lc-dcf-gucheng');
    expectError(
      await stack.call('POST', `/v1/org-registrations/${id}/decision`, {
        token: parentReviewer,
        body: { decision: 'approve' },
      }),
      403,
      'forbidden',
    );
    expectError(
      await stack.call('POST', `/v1/org-registrations/${id}/decision`, {
        token: await person('registrant-4'),
        body: { decision: 'approve' },
      }),
      403,
      'forbidden',
    );
  });
});

describe('members: admins add and remove people in their subtree; every forbidden grant refused', () => {
  it('adds a reviewer by sub and by verified phone, lists, removes, and audits each change', async () => {
    const lcAdmin = await admin('members-admin-lc', 'lc');
    const added = await stack.call('POST', '/v1/orgs/lc-chiping/members', {
      token: lcAdmin,
      body: { sub: 'member-1', role: 'reviewer' },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({
      sub: 'member-1',
      orgId: 'lc-chiping',
      role: 'reviewer',
      grantedBy: 'members-admin-lc',
    });

    const zhang = demoAccounts.find((a) => a.sub === 'worker-zhangwei');
    const byPhone = await stack.call('POST', '/v1/orgs/lc-cp-wenzhuang/members', {
      token: lcAdmin,
      body: { phone: zhang?.phone, role: 'admin' },
    });
    expect(byPhone.status, JSON.stringify(byPhone.body)).toBe(201);
    expect(byPhone.body.sub).toBe('worker-zhangwei');
    // Signed in with the verified number, the new admin becomes the org's SMS contact (§9).
    const zhangToken = await person('worker-zhangwei', zhang?.name);
    expect((await stack.call('GET', '/v1/me', { token: zhangToken })).status).toBe(200);
    const contact = await deps.outbox.contact('worker-zhangwei');
    expect(contact).toMatchObject({
      orgId: 'lc-cp-wenzhuang',
      phone: { masked: expect.stringMatching(/^1\d{2}\*{4}\d{4}$/) },
    });
    expect(await deps.cipher().decrypt(contact?.phone.cipher ?? '')).toBe(zhang?.phone);
    expectError(
      await stack.call('POST', '/v1/orgs/lc-chiping/members', {
        token: lcAdmin,
        body: { phone: '13700000000', role: 'reviewer' },
      }),
      404,
      'not_found',
    );

    const list = await stack.call('GET', '/v1/orgs/lc-chiping/members', { token: lcAdmin });
    expect(list.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ sub: 'member-1', role: 'reviewer' })]),
    );

    const member = await person('member-1');
    expect(
      (await stack.call('GET', `/v1/review/queue?programmeId=${PROGRAMME}`, { token: member })).status,
    ).toBe(200);
    const removed = await stack.call('DELETE', '/v1/orgs/lc-chiping/members/member-1', { token: lcAdmin });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toEqual({ orgId: 'lc-chiping', sub: 'member-1', role: 'reviewer' });
    // The same token, now without the membership: a worker again, from the next request on.
    expectError(
      await stack.call('GET', `/v1/review/queue?programmeId=${PROGRAMME}`, { token: member }),
      403,
      'forbidden',
    );
    expectError(
      await stack.call('DELETE', '/v1/orgs/lc-chiping/members/member-1', { token: lcAdmin }),
      404,
      'not_found',
    );

    const audit = await deps.memberships.audit('lc-chiping');
    expect(audit.filter((e) => e.sub === 'member-1').map((e) => [e.type, e.actor, e.role])).toEqual([
      ['member_added', 'members-admin-lc', 'reviewer'],
      ['member_removed', 'members-admin-lc', 'reviewer'],
    ]);
  });

  it('refuses every grant above one’s own role or outside one’s subtree', async () => {
    const countyAdmin = await admin('members-admin-chiping', 'lc-chiping');
    const townshipAdmin = await admin('members-admin-wenzhuang', 'lc-cp-wenzhuang');
    const cityReviewer = await reviewer('members-reviewer-lc', 'lc');
    const worker = await person('members-worker');
    const grant = (token: string, orgId: string, role: string) =>
      stack.call('POST', `/v1/orgs/${orgId}/members`, { token, body: { sub: 'grantee', role } });

    // Control: the county admin grants inside its subtree.
    expect((await grant(countyAdmin, 'lc-cp-wenzhuang', 'admin')).status).toBe(201);
    // Sideways, upwards, above: refused.
    expectError(await grant(countyAdmin, 'lc-dongchangfu', 'reviewer'), 403, 'forbidden');
    expectError(await grant(countyAdmin, 'lc', 'reviewer'), 403, 'forbidden');
    expectError(await grant(townshipAdmin, 'lc-chiping', 'admin'), 403, 'forbidden');
    // A reviewer grants nothing, not even a reviewer's role; a worker neither.
    expectError(await grant(cityReviewer, 'lc-chiping', 'reviewer'), 403, 'forbidden');
    expectError(await grant(cityReviewer, 'lc', 'admin'), 403, 'forbidden');
    expectError(await grant(worker, 'lc-chiping', 'reviewer'), 403, 'forbidden');
    // No role but reviewer and admin exists to grant.
    expectError(await grant(countyAdmin, 'lc-chiping', 'worker'), 400, 'validation_failed');
    expectError(await grant(countyAdmin, 'lc-chiping', 'superadmin'), 400, 'validation_failed');
    // Removing is governed the same way.
    const removeSideways = await stack.call('DELETE', '/v1/orgs/lc-cp-wenzhuang/members/grantee', {
      token: await admin('members-admin-linqing', 'lc-linqing'),
    });
    expectError(removeSideways, 403, 'forbidden');
    // None of the refused grants left a membership behind.
    const held = await deps.memberships.forAccount('grantee');
    expect(held.map((m) => [m.orgId, m.role])).toEqual([['lc-cp-wenzhuang', 'admin']]);
  });
});

describe('R9: the applicant is the account holder when the issuer vouches for a real name', () => {
  it('refuses an application in another person’s name or ID number (422 ineligible, rule R9)', async () => {
    const zhang = demoAccounts.find((a) => a.sub === 'worker-zhangwei');
    if (!zhang?.verified) throw new Error('seed lost worker-zhangwei');
    const { idToken } = await signInWithPkce(stack.oidc.issuer, { sub: zhang.sub, password: DEMO_PASSWORD });
    const base = draftBody(91_101, {
      programmeId: PROGRAMME,
      employerOrgId: 'lc-dcf-gucheng-textile',
      enrolmentYear: year,
    });
    const other = await stack.call('POST', '/v1/applications', { token: idToken, body: base });
    expectError(other, 422, 'ineligible');
    expect(other.body.error.rules).toEqual(['R9']);
    // Own name with someone else's ID number: refused too.
    const ownNameOnly = await stack.call('POST', '/v1/applications', {
      token: idToken,
      body: withChanges(base, { 'applicant.name': zhang.verified.name }),
    });
    expectError(ownNameOnly, 422, 'ineligible');
    // The control: the verified person applies.
    const own = await stack.call('POST', '/v1/applications', {
      token: idToken,
      body: withChanges(base, {
        'applicant.name': zhang.verified.name,
        'applicant.idNumber': zhang.verified.idNumber,
      }),
    });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    // Correcting the draft into someone else's name is refused as well.
    const patched = await stack.call('PATCH', `/v1/applications/${own.body.id}`, {
      token: idToken,
      body: { applicant: base.applicant },
    });
    expectError(patched, 422, 'ineligible');
  });

  it('leaves the applicant unchecked where the issuer vouches for nothing (a dev token)', async () => {
    const token = await stack.token({ sub: 'unverified-worker', role: 'worker' });
    const res = await stack.call('POST', '/v1/applications', {
      token,
      body: draftBody(91_102, {
        programmeId: PROGRAMME,
        employerOrgId: 'lc-dcf-gucheng-textile',
        enrolmentYear: year,
      }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});
