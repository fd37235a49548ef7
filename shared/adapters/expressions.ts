/**
 * The one builder of `UpdateExpression`s from plain data: every attribute gets a placeholder, so no
 * caller spells an expression or worries about reserved words (`status`, `name`, `type` …).
 *
 * Paths are attribute names, or `a.b` for an entry of a map attribute. The builder's placeholders
 * are `#upd…` / `:upd…`; a guard's own must be named otherwise.
 */

export interface UpdateSpec {
  /** `SET path = value`; `undefined` values are left out. */
  set?: Record<string, unknown>;
  /** `SET path = if_not_exists(path, value)`: written only where absent. */
  setIfAbsent?: Record<string, unknown>;
  /** `SET path = if_not_exists(path, 0) + n`: a counter, map entries included. */
  increment?: Record<string, number>;
  /** `ADD path n` (top-level numbers). */
  add?: Record<string, number>;
  remove?: readonly string[];
}

/** A condition and the placeholders it uses. */
export interface Guard {
  condition: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export interface UpdateExpressionParts {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * @example
 * updateExpression({ set: { status: 'returned', updatedAt: at }, remove: ['gsi2pk', 'gsi2sk'] },
 *   { condition: '#s = :from', names: { '#s': 'status' }, values: { ':from': 'in_review' } })
 * // { UpdateExpression: 'SET #upd0 = :upd1, #upd2 = :upd3 REMOVE #upd4, #upd5', ConditionExpression: '#s = :from', … }
 */
export function updateExpression(spec: UpdateSpec, guard?: Guard): UpdateExpressionParts {
  const names: Record<string, string> = { ...(guard?.names ?? {}) };
  const values: Record<string, unknown> = { ...(guard?.values ?? {}) };
  let next = 0;
  const path = (dotted: string) =>
    dotted
      .split('.')
      .map((part) => {
        const placeholder = `#upd${next++}`;
        names[placeholder] = part;
        return placeholder;
      })
      .join('.');
  const value = (v: unknown) => {
    const placeholder = `:upd${next++}`;
    values[placeholder] = v;
    return placeholder;
  };
  const sets: string[] = [];
  for (const [k, v] of Object.entries(spec.set ?? {})) {
    if (v !== undefined) sets.push(`${path(k)} = ${value(v)}`);
  }
  for (const [k, v] of Object.entries(spec.setIfAbsent ?? {})) {
    const p = path(k);
    sets.push(`${p} = if_not_exists(${p}, ${value(v)})`);
  }
  for (const [k, n] of Object.entries(spec.increment ?? {})) {
    const p = path(k);
    sets.push(`${p} = if_not_exists(${p}, ${value(0)}) + ${value(n)}`);
  }
  const adds = Object.entries(spec.add ?? {}).map(([k, n]) => `${path(k)} ${value(n)}`);
  const removes = (spec.remove ?? []).map(path);
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
  ].filter((c) => c.length > 0);
  if (clauses.length === 0) throw new Error('updateExpression: nothing to update');
  return {
    UpdateExpression: clauses.join(' '),
    ...(guard ? { ConditionExpression: guard.condition } : {}),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}
