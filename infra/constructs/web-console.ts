import { Aws, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  GeoRestriction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ensureWebBuilt } from '../web-build.ts';
import type { Identity } from './identity.ts';
import { acknowledge, attRef } from './nag.ts';
import { webBuildDir, webSiteDir } from './paths.ts';
import type { PublicApi } from './public-api.ts';

/** A custom domain for the consoles: the names and an ACM certificate in us-east-1 covering them. */
export interface WebDomain {
  names: readonly string[];
  certificateArn: string;
}

export interface WebConsoleProps {
  api: PublicApi;
  identity: Identity;
  accessLogBucket: IBucket;
  domain?: WebDomain | undefined;
  /** ISO 3166 country codes allowed to reach the distribution; empty allows every country. */
  geoAllowlist: readonly string[];
  /** A WAF web ACL (scope CLOUDFRONT, in us-east-1) to attach to the distribution. */
  webAclArn?: string | undefined;
}

/** Where the sign-in module talks to the issuer (discovery, token endpoint). */
function issuerHosts(identity: Identity): string {
  if (identity.userPool) {
    return `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX} https://*.auth.${Aws.REGION}.amazoncognito.com`;
  }
  return new URL(identity.issuer).origin;
}

/** Paths the distribution forwards to the HTTP API, so that console and API share one origin. */
export const apiPathPatterns = ['/v1/*', '/openapi.json'] as const;

/** What the consoles read at start-up to find the issuer they sign in with; written next to `index.html`. */
export const runtimeConfigKey = 'runtime-config.json';

/** The built single-page apps and the path each is served under (architecture.md §6). */
export const webApps = ['/console/', '/m/'] as const;

/**
 * A viewer-request function for the static behaviour: a client-side route of an app (`/console/review`,
 * a path without a file extension) gets the app's `index.html`, which routes itself; `/console` gets
 * a redirect to `/console/`. Custom error responses cannot do it: they would apply to the API too.
 */
const appRoutesCode = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var apps = ${JSON.stringify(webApps)};
  for (var i = 0; i < apps.length; i++) {
    var app = apps[i];
    if (uri === app.slice(0, -1)) {
      return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: app } } };
    }
    if (uri.indexOf(app) === 0 && uri.slice(uri.lastIndexOf('/')).indexOf('.') === -1) {
      request.uri = app + 'index.html';
      return request;
    }
  }
  return request;
}`;

/**
 * The reviewer/admin console and the applicant pages (architecture.md §6): the `web/` directory in a private
 * bucket behind CloudFront with Origin Access Control. The same distribution forwards the API paths
 * to the HTTP API, so the browser talks to one origin and needs no CORS for its own API calls.
 */
export class WebConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly deployment: BucketDeployment;
  /** The `https://` origins the consoles are served from. */
  readonly origins: string[];

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'web/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const s3Hosts = `https://*.s3.${Aws.REGION}.${Aws.URL_SUFFIX} https://*.s3.${Aws.URL_SUFFIX}`;
    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'edu-subsidy consoles and API: security headers',
      securityHeadersBehavior: {
        // Documents are uploaded to and viewed from S3 with presigned URLs; sign-in talks to Cognito.
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            `img-src 'self' data: blob: ${s3Hosts}`,
            `connect-src 'self' ${s3Hosts} ${issuerHosts(props.identity)}`,
            `frame-src 'self' ${s3Hosts}`,
            `form-action 'self' ${s3Hosts}`,
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
          ].join('; '),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });

    const apiOrigin = new HttpOrigin(props.api.endpointDomain, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });
    // HTTPS only, no redirect: a redirect would already have sent the bearer token in clear text.
    const apiBehavior: BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // API Gateway routes by its own Host header; everything else (Authorization included) goes through.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: securityHeaders,
    };

    const appRoutes = new EdgeFunction(this, 'AppRoutes', {
      comment: 'edu-subsidy: client-side routes of the console and the worker pages',
      code: FunctionCode.fromInline(appRoutesCode),
      runtime: FunctionRuntime.JS_2_0,
    });

    const domain = props.domain;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'edu-subsidy consoles and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        // Static pages carry no token: plain HTTP is redirected, then HSTS keeps the browser on HTTPS.
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
        functionAssociations: [{ function: appRoutes, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns.map((pattern) => [pattern, apiBehavior])),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: props.accessLogBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.geoAllowlist.length > 0
        ? { geoRestriction: GeoRestriction.allowlist(...props.geoAllowlist) }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      ...(domain
        ? {
            domainNames: [...domain.names],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    // Deliberately no custom error responses: CloudFront applies them to every behaviour, and they
    // would replace the API's JSON errors (403, 404) with an HTML page.

    if (props.geoAllowlist.length === 0) {
      acknowledge(
        this.distribution,
        'CFR1',
        'No geo restriction by default: union members may apply while working abroad. Set the ' +
          '`edu-subsidy:geoAllowlist` context (e.g. ["CN","HK","MO"]) to restrict.',
      );
    }
    if (!props.webAclArn) {
      acknowledge(
        this.distribution,
        'CFR2',
        'No WAF web ACL yet: a CloudFront web ACL must live in us-east-1 (a separate stack). Abuse is ' +
          'limited by the API stage throttle and Cognito threat protection; pass `edu-subsidy:webAclArn` to attach one.',
      );
    }
    if (!domain) {
      acknowledge(
        this.distribution,
        'CFR4',
        'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose security ' +
          'policy cannot be chosen. With `edu-subsidy:webDomainNames` and `edu-subsidy:webCertificateArn` ' +
          'the minimum protocol is TLSv1.2_2021.',
      );
    }

    this.origins = [
      `https://${this.distribution.distributionDomainName}`,
      ...(domain?.names ?? []).map((name) => `https://${name}`),
    ];

    this.deployment = this.deployWeb(props);
  }

  /**
   * Copies the public site, the built apps (`dist/web`: `console/`, `m/`) and the runtime configuration
   * into the bucket and invalidates the distribution.
   */
  private deployWeb(props: WebConsoleProps): BucketDeployment {
    ensureWebBuilt();
    const logGroup = new LogGroup(this, 'DeployLogs', {
      retention: RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(this, 'DeployRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the web consoles into the web bucket (CDK BucketDeployment)',
    });
    logGroup.grantWrite(role);

    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(webSiteDir),
        Source.asset(webBuildDir),
        Source.jsonData(runtimeConfigKey, {
          apiBasePath: '/v1',
          // What the sign-in module (oidc-client-ts, code + PKCE) needs: the one trusted issuer,
          // Cognito's or the deployment's own (architecture.md §8).
          auth: {
            kind: 'oidc',
            issuer: props.identity.issuer,
            clientId: props.identity.clientId,
            scope: 'openid profile phone',
          },
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      role,
      logGroup,
    });

    const stack = Stack.of(this);
    const deployedObjects = `Resource::${attRef(this.bucket)}/*`;
    const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const assetObjects = `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`;
    acknowledge(
      role,
      'IAM5',
      'Policy written by the CDK BucketDeployment construct: it reads the staged asset from the ' +
        'bootstrap bucket and replaces every object of the web bucket (names unknown in advance), then ' +
        'invalidates the distribution.',
      [
        'Action::s3:GetBucket*',
        'Action::s3:GetObject*',
        'Action::s3:List*',
        'Action::s3:Abort*',
        'Action::s3:DeleteObject*',
        deployedObjects,
        assetObjects,
      ],
    );
    acknowledge(
      role,
      'IAM5',
      'CloudFront invalidations have no resource-level permissions: CreateInvalidation and ' +
        'GetInvalidation are granted on "*" by the CDK BucketDeployment construct.',
      ['Resource::*'],
    );

    // The copying function is a CDK-internal singleton at the stack's root, not below this construct.
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      const handler = child.node.tryFindChild('Resource');
      if (handler instanceof CfnFunction) {
        acknowledge(
          handler,
          'L1',
          'CDK-internal BucketDeployment handler: aws-cdk-lib pins its Python runtime; it runs only during deployment.',
        );
      }
    }
    return deployment;
  }
}
