import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  type CfnStage,
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionGroup, type RouteDef, routeKey } from '../../shared/http/route.ts';
import type { Identity } from './identity.ts';
import { acknowledge } from './nag.ts';
import type { RouteFunctions } from './route-functions.ts';

export interface PublicApiProps {
  /** The API's contract: one HTTP API route for each entry. */
  routes: readonly RouteDef[];
  functions: RouteFunctions;
  identity: Identity;
  /** Browser origins other than the console's own (which reaches the API through CloudFront). */
  corsOrigins: readonly string[];
  /** Every route without a limit of its own: the authenticated reads. */
  throttle: Throttle;
  /** Limits of their own, per route (HTTP API route settings): see {@link throttleClassOf}. */
  routeThrottles?: Partial<Record<RouteThrottleClass, Throttle>>;
  /**
   * A custom domain for the API, CloudFront's origin instead of the execute-api host name. Only
   * with one is the default execute-api endpoint disabled (see {@link PublicApi}).
   */
  apiDomain?: ApiDomain | undefined;
}

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

/** A regional custom domain of the API and its ACM certificate (in the stack's region). */
export interface ApiDomain {
  name: string;
  certificateArn: string;
}

/**
 * Routes with limits of their own, apart from the stage's default (the authenticated reads):
 * `publicRead` — anonymous GETs (catalogue, quota board, org tree, health, API document), which
 * anyone can call in a loop; `submit` — `POST /v1/applications/{id}/submit`, the rush of opening
 * day (R9 first come, first served), which must not be starved by anything else; `write` — every
 * other write.
 */
export const routeThrottleClasses = ['publicRead', 'submit', 'write'] as const;
export type RouteThrottleClass = (typeof routeThrottleClasses)[number];

/** Which limit a route gets; `undefined`: the stage's default. */
export function throttleClassOf(
  route: Pick<RouteDef, 'method' | 'path' | 'auth'>,
): RouteThrottleClass | undefined {
  if (route.method === 'POST' && route.path === '/v1/applications/{id}/submit') return 'submit';
  if (route.method !== 'GET') return 'write';
  return route.auth === 'public' ? 'publicRead' : undefined;
}

/**
 * Default route limits (requests a second, steady and burst). HTTP API route limits are each
 * route's own, so a flood of anonymous reads uses up its own routes' buckets, never the submit's.
 */
export const defaultRouteThrottles: Record<RouteThrottleClass, Throttle> = {
  publicRead: { rateLimit: 50, burstLimit: 100 },
  submit: { rateLimit: 100, burstLimit: 200 },
  write: { rateLimit: 20, burstLimit: 40 },
};

/** Paths served only by the local gateway (`POST /v1/dev/token`, the dev JWKS): never deployed. */
export const isLocalOnlyPath = (path: string) => path === '/v1/dev' || path.startsWith('/v1/dev/');

/** One access-log line a request: what answered, how and how fast; no headers, no bodies, no tokens. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * The public HTTPS API, version 1 (architecture.md §5) on API Gateway HTTP API: every route of the route
 * table, integrated with its group's function; `auth: 'public'` routes open, the others behind the
 * JWT authorizer of the one trusted OIDC issuer (Cognito, or the deployment's own; architecture.md §8).
 * Role checks stay in the handlers, which read the account's memberships.
 *
 * The default execute-api endpoint: CloudFront forwards `/v1/*` to the API, and an HTTP API whose
 * default endpoint is disabled answers only through a custom domain — CloudFront pointed at the
 * execute-api host name would get 403 for every request. So the endpoint is disabled exactly when
 * `apiDomain` is given: the API is then mapped to that domain and CloudFront uses it as its origin.
 * Without a custom domain the endpoint stays on (it is CloudFront's origin); it carries the same
 * JWT authorizer, route throttles and handler checks, and only bypasses CloudFront's geo
 * restriction and WAF — deployments that need those enforced configure `apiDomain`.
 */
export class PublicApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly authorizer: HttpJwtAuthorizer;
  readonly routes: HttpRoute[] = [];
  /**
   * Host name CloudFront forwards the API to: the custom API domain when there is one (the
   * execute-api endpoint is then disabled), else the stage's execute-api endpoint.
   */
  readonly endpointDomain: string;
  readonly domainName: DomainName | undefined;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'edu-subsidy public API v1',
      createDefaultStage: false,
      disableExecuteApiEndpoint: props.apiDomain !== undefined,
      ...(props.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.PATCH,
                CorsHttpMethod.DELETE,
                CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: ['authorization', 'content-type', 'x-acting-org'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat,
      },
    });
    if (props.apiDomain) {
      this.domainName = new DomainName(this, 'DomainName', {
        domainName: props.apiDomain.name,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.apiDomain.certificateArn),
      });
      new ApiMapping(this, 'DomainMapping', {
        api: this.httpApi,
        domainName: this.domainName,
        stage: this.stage,
      });
      this.endpointDomain = props.apiDomain.name;
    } else {
      this.domainName = undefined;
      this.endpointDomain = `${this.httpApi.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    }

    // The construct id stays: renaming it would replace the authorizer of every deployed route.
    this.authorizer = new HttpJwtAuthorizer('CognitoJwt', props.identity.issuer, {
      jwtAudience: props.identity.audience,
      identitySource: ['$request.header.Authorization'],
    });

    const integrations = new Map<FunctionGroup, HttpLambdaIntegration>();
    const integrationOf = (group: FunctionGroup) => {
      let integration = integrations.get(group);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${group}-integration`, props.functions.of(group).function);
        integrations.set(group, integration);
      }
      return integration;
    };

    for (const route of props.routes) {
      if (isLocalOnlyPath(route.path)) {
        throw new Error(`${routeKey(route)} is served by the local gateway only and must not be deployed`);
      }
      const isPublic = route.auth === 'public';
      const created = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.group),
        authorizer: isPublic ? new HttpNoneAuthorizer() : this.authorizer,
      });
      if (isPublic) {
        for (const httpRoute of created) {
          acknowledge(
            httpRoute,
            'APIG4',
            `${routeKey(route)} is public by contract (architecture.md §5 "Public (no token)"): liveness, the ` +
              'published catalogue, the quota board, the org tree or the API document; nothing personal.',
          );
        }
      }
      this.routes.push(...created);
    }

    // Route limits of their own (HTTP API route settings, keyed by route key); the stage's default
    // throttle covers the rest. Route settings of a route that does not exist fail the deployment,
    // so they are made from the same route table as the routes.
    const limits = { ...defaultRouteThrottles, ...props.routeThrottles };
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of props.routes) {
      const throttleClass = throttleClassOf(route);
      if (!throttleClass) continue;
      routeSettings[routeKey(route)] = {
        ThrottlingRateLimit: limits[throttleClass].rateLimit,
        ThrottlingBurstLimit: limits[throttleClass].burstLimit,
      };
    }
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = routeSettings;
    // The settings name routes by key: create the routes first.
    for (const route of this.routes) this.stage.node.addDependency(route);
  }
}
