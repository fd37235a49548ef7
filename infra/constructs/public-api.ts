import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
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
  throttle: { rateLimit: number; burstLimit: number };
}

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
 * The public HTTPS API, version 1 (design §5) on API Gateway HTTP API: every route of the route
 * table, integrated with its group's function; `auth: 'public'` routes open, the others behind the
 * Cognito JWT authorizer (role checks stay in the handlers, which read the verified claims).
 */
export class PublicApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly authorizer: HttpJwtAuthorizer;
  readonly routes: HttpRoute[] = [];
  /** Host name of the stage's execute-api endpoint (the CloudFront origin). */
  readonly endpointDomain: string;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'edu-subsidy public API v1',
      createDefaultStage: false,
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
              allowHeaders: ['authorization', 'content-type'],
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
    this.endpointDomain = `${this.httpApi.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;

    this.authorizer = new HttpJwtAuthorizer('CognitoJwt', props.identity.issuer, {
      jwtAudience: [props.identity.consoleClient.userPoolClientId],
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
            `${routeKey(route)} is public by contract (design §5 "Public (no token)"): liveness, the ` +
              'published catalogue, the quota board, the org tree or the API document; nothing personal.',
          );
        }
      }
      this.routes.push(...created);
    }
  }
}
