import { makeResidentIdNumber } from '../../shared/domain/identity.ts';
import type { MemberRole } from '../../shared/model/membership.ts';
import { unitOrgs } from './data.ts';

/**
 * The local OIDC provider's demo accounts (README "Demo accounts"): who signs in with which password,
 * what the issuer vouches for (a verified real name and ID number for workers) and the memberships
 * the seed records for them. Local stage only; nothing here is deployed.
 */
export interface DemoAccount {
  sub: string;
  password: string;
  name: string;
  phone?: string;
  /** 实名认证: what the issuer vouches for (the ID number leaves as a keyed hash only). */
  verified?: { name: string; idNumber: string };
  memberships: { orgId: string; role: MemberRole }[];
}

/** One demo password for every seeded account: it guards nothing but a laptop's demo data. */
export const DEMO_PASSWORD = 'qiuxue-2022';

const unitReviewers: DemoAccount[] = unitOrgs.map((unit, index) => ({
  sub: `reviewer-${unit.id.replace(/^lc-/, '')}`,
  password: DEMO_PASSWORD,
  name: `${unit.name}审核员`,
  // Their units' SMS (window reminders, daily counts) go to these numbers on the local stand-in.
  phone: `1380635${String(101 + index).padStart(4, '0')}`,
  memberships: [{ orgId: unit.id, role: 'reviewer' as const }],
}));

const worker = (sub: string, name: string, sequence: number, phone: string): DemoAccount => ({
  sub,
  password: DEMO_PASSWORD,
  name,
  phone,
  verified: { name, idNumber: makeResidentIdNumber('371502', `1994-03-1${sequence % 10}`, sequence) },
  memberships: [],
});

export const demoAccounts: DemoAccount[] = [
  {
    sub: 'admin-lc',
    password: DEMO_PASSWORD,
    name: '聊城市总工会管理员',
    phone: '13806350001',
    memberships: [{ orgId: 'lc', role: 'admin' }],
  },
  ...unitReviewers,
  {
    sub: 'reviewer-gucheng',
    password: DEMO_PASSWORD,
    name: '古城镇工会审核员',
    memberships: [{ orgId: 'lc-dcf-gucheng', role: 'reviewer' }],
  },
  {
    sub: 'reviewer-gucheng-textile',
    password: DEMO_PASSWORD,
    name: '古城纺织工会审核员',
    memberships: [{ orgId: 'lc-dcf-gucheng-textile', role: 'reviewer' }],
  },
  {
    sub: 'reviewer-dcf-machinery',
    password: DEMO_PASSWORD,
    name: '东昌机械工会审核员',
    memberships: [{ orgId: 'lc-dcf-machinery', role: 'reviewer' }],
  },
  worker('worker-zhangwei', '张伟', 11, '13906350011'),
  worker('worker-wangfang', '王芳', 12, '13906350012'),
  worker('worker-lina', '李娜', 13, '13906350013'),
  worker('worker-liuyang', '刘洋', 14, '13906350014'),
];
