import { useQueries, useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';

/**
 * The reads the worker pages share, cached by TanStack Query: programmes, the live quota board,
 * org names, and the worker's own applications (architecture.md §7).
 */

export type Application = Schemas['Application'];
export type SavedForm = Schemas['ApplicationForm'];
export type Programme = Schemas['Programme'];

export function useProgrammes() {
  return useQuery({ queryKey: ['programmes'], queryFn: () => unwrap(api.GET('/v1/programmes')) });
}

/**
 * A page mounts several readers of the programme and its board as it loads; each read younger than its
 * `staleTime` is shared instead of fetched again (a second round of the same reads delayed the
 * application page's form: LCP 2.6 → 2.3 s in Lighthouse's slow 4G). The board still refreshes every 15 s.
 */
const PROGRAMME_FRESH_MS = 60_000;
const QUOTAS_FRESH_MS = 10_000;

function programmeQuery(programmeId: string | undefined) {
  return {
    queryKey: ['programme', programmeId],
    enabled: Boolean(programmeId),
    staleTime: PROGRAMME_FRESH_MS,
    queryFn: () =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}', { params: { path: { programmeId: programmeId ?? '' } } }),
      ),
  };
}

/** The live board: refreshed every 15 s while the page is open (places go fast). */
function quotasQuery(programmeId: string | undefined) {
  return {
    queryKey: ['quotas', programmeId],
    enabled: Boolean(programmeId),
    staleTime: QUOTAS_FRESH_MS,
    refetchInterval: 15_000,
    queryFn: () =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}/quotas', {
          params: { path: { programmeId: programmeId ?? '' } },
        }),
      ),
  };
}

export function useProgramme(programmeId: string | undefined) {
  return useQuery(programmeQuery(programmeId));
}

export function useQuotas(programmeId: string | undefined) {
  return useQuery(quotasQuery(programmeId));
}

/**
 * Whether the terms and the board of every programme named are still loading: a page that lays them
 * out one under another paints them together, so nothing below a card moves when the card arrives.
 */
export function useProgrammesLoading(programmeIds: readonly string[]): boolean {
  const results = useQueries({
    queries: programmeIds.flatMap((id) => [programmeQuery(id), quotasQuery(id)]),
  });
  return results.some((r) => r.isLoading);
}

export function useMyApplications(enabled = true) {
  return useQuery({
    queryKey: ['my-applications'],
    enabled,
    queryFn: () => unwrap(api.GET('/v1/me/applications', { params: { query: {} } })),
  });
}

/**
 * The form of 我要申请 the worker saved step by step for a programme before its draft existed, or
 * `null` when there is none (a 404 is the ordinary answer for a worker starting afresh).
 */
export function useSavedForm(programmeId: string | undefined, enabled = true) {
  return useQuery({
    queryKey: ['application-form', programmeId],
    enabled: Boolean(programmeId) && enabled,
    queryFn: async (): Promise<SavedForm | null> => {
      const call = api.GET('/v1/me/application-forms/{programmeId}', {
        params: { path: { programmeId: programmeId ?? '' } },
      });
      const answer = await call.catch(() => undefined);
      if (answer?.response.status === 404) return null;
      return unwrap(call);
    },
  });
}

/** One of the worker's applications; its place and waitlist position are live (polled). */
export function useApplication(id: string | undefined, poll = true) {
  return useQuery({
    queryKey: ['application', id],
    enabled: Boolean(id),
    // A document being checked answers within seconds; a waitlisted worker watches the position
    // move; otherwise a slower beat is enough.
    refetchInterval: (q) =>
      q.state.data?.attachments.some((a) => a.status === 'pending')
        ? 1_500
        : !poll
          ? false
          : q.state.data?.quota.state === 'waitlisted'
            ? 4_000
            : 20_000,
    queryFn: () => unwrap(api.GET('/v1/applications/{id}', { params: { path: { id: id ?? '' } } })),
  });
}

/** Names of orgs by id (review chain, funders, payers), each fetched once and cached. */
export function useOrgNames(ids: readonly (string | null | undefined)[]): (id: string | undefined) => string {
  const unique = [...new Set(ids.filter((i): i is string => Boolean(i)))];
  const results = useQueries({
    queries: unique.map((orgId) => ({
      queryKey: ['org', orgId],
      staleTime: Number.POSITIVE_INFINITY,
      queryFn: () => unwrap(api.GET('/v1/orgs/{orgId}', { params: { path: { orgId } } })),
    })),
  });
  const names = new Map<string, string>();
  results.forEach((r, i) => {
    const id = unique[i];
    if (id && r.data) names.set(id, r.data.name);
  });
  return (id) => (id ? (names.get(id) ?? id) : '');
}
