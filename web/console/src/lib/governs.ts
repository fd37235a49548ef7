import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../shared/api/client.ts';
import { useActing } from './acting.tsx';

/**
 * Whether the signed-in admin acts for `orgId` or an org above it (the API's rule for programme,
 * reallocation and payout actions): buttons a caller cannot use are not shown. The API still decides.
 */
export function useGoverns(orgId: string | undefined): boolean {
  const acting = useActing();
  const admin = acting?.role === 'admin';
  const org = useQuery({
    queryKey: ['org', orgId],
    enabled: Boolean(orgId) && admin,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () => unwrap(api.GET('/v1/orgs/{orgId}', { params: { path: { orgId: orgId as string } } })),
  });
  return admin && Boolean(acting && org.data?.path.includes(acting.orgId));
}
