import { shanghaiToday } from '../../../shared/dates.ts';

interface Batch {
  id: string;
  opensOn: string;
  closesOn: string;
}

/** The review batch open today (inclusive Shanghai dates), as the API decides it (architecture.md §2). */
export function openBatch(batches: readonly Batch[] | undefined, today = shanghaiToday()): Batch | undefined {
  return batches?.find((b) => b.opensOn <= today && today <= b.closesOn);
}

/** The next batch to open, if none is open. */
export function nextBatch(batches: readonly Batch[] | undefined, today = shanghaiToday()): Batch | undefined {
  return [...(batches ?? [])]
    .filter((b) => b.opensOn > today)
    .sort((a, b) => a.opensOn.localeCompare(b.opensOn))[0];
}
