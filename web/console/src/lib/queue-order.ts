/**
 * The order of the list the reviewer opened an application from, kept in memory for this tab only
 * (never in storage), so the application page can move to the next or previous one by keyboard.
 */
let order: string[] = [];

export function rememberOrder(ids: string[]): void {
  order = ids;
}

export function neighbours(id: string): { previous?: string; next?: string } {
  const i = order.indexOf(id);
  if (i < 0) return {};
  return {
    ...(i > 0 ? { previous: order[i - 1] } : {}),
    ...(i + 1 < order.length ? { next: order[i + 1] } : {}),
  };
}
