import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Select } from 'antd';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { api, unwrap } from '../../../shared/api/client.ts';
import { actFor, getSession } from '../../../shared/auth.ts';

type Me = Awaited<ReturnType<typeof fetchMe>>;
export type Membership = Me['memberships'][number];

const fetchMe = () => unwrap(api.GET('/v1/me'));

/** The account's memberships (`GET /v1/me`): what the console shows is what the platform says it may do. */
export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: 5 * 60_000 });
}

/**
 * The membership this tab acts for: the one chosen before (`X-Acting-Org`), else the first. An
 * account of several orgs always names one, so every request says which (architecture.md §8).
 */
export function chooseActing(memberships: readonly Membership[]): Membership | undefined {
  const chosen = getSession()?.org;
  const acting = memberships.find((m) => m.orgId === chosen) ?? memberships[0];
  if (acting && memberships.length > 1 && chosen !== acting.orgId) actFor(acting.orgId);
  return acting;
}

const ActingContext = createContext<Membership | undefined>(undefined);

/** The org and role this tab acts as; undefined outside the signed-in console. */
export function useActing(): Membership | undefined {
  return useContext(ActingContext);
}

export function ActingProvider({ acting, children }: { acting: Membership; children: ReactNode }) {
  return <ActingContext.Provider value={acting}>{children}</ActingContext.Provider>;
}

/** 代表组织: for an account of several orgs, which one this tab acts for. */
export function ActingPicker({ memberships }: { memberships: readonly Membership[] }) {
  const client = useQueryClient();
  const [, redraw] = useState(0);
  if (memberships.length < 2) return null;
  const roleLabel = (role: string) => (role === 'admin' ? '管理员' : '审核员');
  return (
    <Select
      aria-label="代表组织"
      style={{ minWidth: 200 }}
      value={getSession()?.org}
      options={memberships.map((m) => ({ value: m.orgId, label: `${m.orgName}（${roleLabel(m.role)}）` }))}
      onChange={(org: string) => {
        actFor(org);
        redraw((n) => n + 1);
        // Every answer so far was for the other org.
        void client.resetQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      }}
    />
  );
}
