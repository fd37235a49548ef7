import type { Org } from '../model/org.ts';

type ChainOrg = Pick<Org, 'id' | 'kind' | 'directToCity'>;

/**
 * R2/R12 逐级审核: the review chain of an application, derived from its employer's org path — the
 * enterprise union first (单位同意), then the township union when there is one, the unit union, and the
 * city union last. A unit marked `directToCity` (市直属单位) does not review: its enterprises go straight
 * to the city union, which also pays their workers (R7). The province never reviews.
 *
 * @example reviewChain(['sd', 'lc', 'lc-dongchangfu', 'lc-dcf-gucheng', 'e1'], orgOf)
 * // ['e1', 'lc-dcf-gucheng', 'lc-dongchangfu', 'lc']
 */
export function reviewChain(
  employerPath: readonly string[],
  orgOf: (orgId: string) => ChainOrg | undefined,
): string[] {
  const chain: string[] = [];
  for (const orgId of [...employerPath].reverse()) {
    const org = orgOf(orgId);
    if (!org) throw new Error(`org ${orgId} on the employer's path is unknown`);
    // Only a unit's flag counts: an enterprise or township marked `directToCity` still reviews (R2).
    if (org.kind === 'unit' && org.directToCity) continue;
    chain.push(orgId);
    // Every unit registers under a city (R12), so the chain ends here and never reaches the province.
    if (org.kind === 'city') break;
  }
  return chain;
}
