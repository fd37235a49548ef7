import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../shared/api/client.ts';
import { getSession } from '../../../shared/auth.ts';

/**
 * Whether the signed-in admin acts for `orgId` or an org above it (the API's rule for programme,
 * reallocation and payout actions): buttons a caller cannot use are not shown. The API still decides.
 */
export function useGoverns(orgId: string | undefined): boolean {
  const session = getSession();
  const org = useQuery({
    queryKey: ['org', orgId],
    enabled: Boolean(orgId) && session?.role === 'admin',
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () => unwrap(api.GET('/v1/orgs/{orgId}', { params: { path: { orgId: orgId as string } } })),
  });
  return session?.role === 'admin' && Boolean(session.org && org.data?.path.includes(session.org));
}
