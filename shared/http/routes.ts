import { accountRoutes } from './routes/accounts.ts';
import { adminRoutes } from './routes/admin.ts';
import { applicationRoutes } from './routes/applications.ts';
import { catalogueRoutes } from './routes/catalogue.ts';
import { paymentRoutes } from './routes/payments.ts';
import { publicRoutes } from './routes/public.ts';
import { reviewRoutes } from './routes/review.ts';

/**
 * The route table of the public API, version 1 (architecture.md §5): every group's routes together. One source
 * for the local gateway's routing, the CDK HTTP API routes and `/openapi.json`. A function imports its
 * own group's file under `./routes/` instead, so its cold start builds only the request schemas it
 * validates (zod builds a schema when its module is evaluated, and a bundler cannot drop `z.object(…)`
 * calls); the answers are named (`view('…')`) and built by the document alone.
 */
export const routes = {
  ...publicRoutes,
  ...adminRoutes,
  ...paymentRoutes,
  ...applicationRoutes,
  ...reviewRoutes,
  ...catalogueRoutes,
  ...accountRoutes,
} as const;

export type Routes = typeof routes;
export type RouteId = keyof Routes;
export const routeList = Object.values(routes);
