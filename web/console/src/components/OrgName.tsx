import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../shared/api/client.ts';

/** An org's name, read once per org (public route) and cached; its id while loading or unknown. */
export function useOrgName(orgId: string | null | undefined): string {
  const org = useQuery({
    queryKey: ['org', orgId],
    enabled: Boolean(orgId),
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () => unwrap(api.GET('/v1/orgs/{orgId}', { params: { path: { orgId: orgId as string } } })),
  });
  return org.data?.name ?? orgId ?? '';
}

export function OrgName({ id }: { id: string | null | undefined }) {
  return <>{useOrgName(id)}</>;
}
