import { AppError } from '../../../shared/errors.ts';
import type { RouteDef } from '../../../shared/http/route.ts';

interface CompiledRoute {
  route: RouteDef;
  pattern: RegExp;
  names: string[];
}

function compile(route: RouteDef): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/** What a request's method and path name: a route with its path parameters, or why none. */
export type RouteMatch =
  | { route: RouteDef; pathParameters: Record<string, string> }
  /**
   * No route has the path (`not_found`), or none with that method (`method_not_allowed`, with the
   * methods the path has in `allowed`, for the 405's `Allow`).
   */
  | { route?: undefined; error: AppError; pathKnown: boolean; allowed?: string[] };

/**
 * API Gateway's routing of an HTTP API, over the route table: `{name}` matches one path segment,
 * which reaches the handler percent-decoded in `pathParameters`.
 */
export function routeMatcher(routes: readonly RouteDef[]) {
  const compiled = routes.map(compile);
  return (method: string, path: string): RouteMatch => {
    const matches = compiled
      .map((c) => ({ c, m: c.pattern.exec(path) }))
      .filter((x): x is { c: CompiledRoute; m: RegExpExecArray } => x.m !== null);
    // HEAD is answered wherever GET is, without the body (architecture.md §5).
    const wanted = method === 'HEAD' ? 'GET' : method;
    const match = matches.find((x) => x.c.route.method === wanted);
    if (!match) {
      const pathKnown = matches.length > 0;
      if (!pathKnown) return { error: new AppError('not_found'), pathKnown };
      const methods = matches.map((x) => x.c.route.method as string);
      const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
      return { error: new AppError('method_not_allowed'), pathKnown, allowed };
    }
    const pathParameters: Record<string, string> = {};
    try {
      match.c.names.forEach((name, i) => {
        pathParameters[name] = decodeURIComponent(match.m[i + 1] ?? '');
      });
    } catch {
      // A malformed escape (`%zz`) names nothing.
      return { error: new AppError('not_found'), pathKnown: true };
    }
    return { route: match.c.route, pathParameters };
  };
}
