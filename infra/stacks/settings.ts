import type { Construct } from 'constructs';
import type { RailName } from '../../shared/adapters/rails/rail.ts';
import { type SmsProviderName, smsProviderNames } from '../../shared/adapters/sms/notifier.ts';
import type { SmsDeployment } from '../constructs/notifications.ts';
import { type RouteThrottleClass, routeThrottleClasses, type Throttle } from '../constructs/public-api.ts';
import type { EduSubsidyStackProps } from './edu-subsidy-stack.ts';

/** Context keys the app reads (`cdk.json` or `cdk synth -c key=value`). */
export const contextKeys = {
  consoleOrigins: 'edu-subsidy:consoleOrigins',
  webDomainNames: 'edu-subsidy:webDomainNames',
  webCertificateArn: 'edu-subsidy:webCertificateArn',
  geoAllowlist: 'edu-subsidy:geoAllowlist',
  webAclArn: 'edu-subsidy:webAclArn',
  apiDomainName: 'edu-subsidy:apiDomainName',
  apiCertificateArn: 'edu-subsidy:apiCertificateArn',
  alarmEmails: 'edu-subsidy:alarmEmails',
  bundleAwsSdk: 'edu-subsidy:bundleAwsSdk',
  nag: 'edu-subsidy:nag',
  payoutRail: 'edu-subsidy:payoutRail',
  sms: 'edu-subsidy:sms',
  testStage: 'edu-subsidy:testStage',
  oidcIssuer: 'edu-subsidy:oidcIssuer',
  oidcAudience: 'edu-subsidy:oidcAudience',
  partition: 'edu-subsidy:partition',
  cloudFront: 'edu-subsidy:cloudFront',
  throttles: 'edu-subsidy:throttles',
} as const;

/** A list from context: a JSON array in `cdk.json`, or a comma-separated string from `-c`. */
export function contextList(scope: Construct, key: string): string[] {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
}

/** A flag from context: `true`/`false` in `cdk.json`, or the strings `"true"`/`"false"` from `-c`. */
export function contextFlag(scope: Construct, key: string, fallback: boolean): boolean {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`context ${key} must be true or false, not ${JSON.stringify(value)}`);
}

/** JSON given to a context key on the command line, or an error that names the key. */
function contextJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`context ${key} is not valid JSON: ${(err as Error).message}`);
  }
}

function contextString(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The stack's deployment-specific settings, from context. */
export function stackPropsFromContext(scope: Construct): EduSubsidyStackProps {
  const domainNames = contextList(scope, contextKeys.webDomainNames);
  const certificateArn = contextString(scope, contextKeys.webCertificateArn);
  if (domainNames.length > 0 !== (certificateArn !== undefined)) {
    throw new Error(`${contextKeys.webDomainNames} and ${contextKeys.webCertificateArn} go together`);
  }
  const apiDomainName = contextString(scope, contextKeys.apiDomainName);
  const apiCertificateArn = contextString(scope, contextKeys.apiCertificateArn);
  if ((apiDomainName === undefined) !== (apiCertificateArn === undefined)) {
    throw new Error(`${contextKeys.apiDomainName} and ${contextKeys.apiCertificateArn} go together`);
  }
  const oidcIssuer = contextString(scope, contextKeys.oidcIssuer);
  const oidcAudience = contextList(scope, contextKeys.oidcAudience);
  if ((oidcIssuer === undefined) !== (oidcAudience.length === 0)) {
    throw new Error(`${contextKeys.oidcIssuer} and ${contextKeys.oidcAudience} go together`);
  }
  if (oidcIssuer !== undefined && !/^https:\/\/[^\s]+$/.test(oidcIssuer)) {
    throw new Error(
      `${contextKeys.oidcIssuer} must be an https:// URL, as API Gateway's JWT authorizer requires`,
    );
  }
  const partition = contextString(scope, contextKeys.partition) ?? 'aws';
  if (partition !== 'aws' && partition !== 'aws-cn') {
    throw new Error(`${contextKeys.partition} must be aws or aws-cn, not ${partition}`);
  }
  const cloudFront: unknown = scope.node.tryGetContext(contextKeys.cloudFront);
  const throttles = contextThrottles(scope);
  return {
    ...(throttles.default ? { apiThrottle: throttles.default } : {}),
    ...(Object.keys(throttles.routes).length > 0 ? { apiRouteThrottles: throttles.routes } : {}),
    ...(oidcIssuer ? { oidc: { issuer: oidcIssuer, audience: oidcAudience } } : {}),
    partition,
    ...(cloudFront === undefined ? {} : { cloudFront: contextFlag(scope, contextKeys.cloudFront, true) }),
    consoleOrigins: contextList(scope, contextKeys.consoleOrigins),
    apiDomain:
      apiDomainName && apiCertificateArn
        ? { name: apiDomainName, certificateArn: apiCertificateArn }
        : undefined,
    webDomain: certificateArn ? { names: domainNames, certificateArn } : undefined,
    geoAllowlist: contextList(scope, contextKeys.geoAllowlist),
    webAclArn: contextString(scope, contextKeys.webAclArn),
    alarmEmails: contextList(scope, contextKeys.alarmEmails),
    bundleAwsSdk: contextFlag(scope, contextKeys.bundleAwsSdk, false),
    payoutRail: (contextString(scope, contextKeys.payoutRail) ?? 'bank_file') as RailName,
    sms: contextSms(scope),
    testStage: contextFlag(scope, contextKeys.testStage, false),
  };
}

/**
 * SMS (architecture.md §9) from context `edu-subsidy:sms`, a JSON object (or its JSON text from `-c`):
 * `{"provider": "tencent" | "aliyun" | "aws", "templates": {"submitted": "…", …}, "signName": "…",
 * "appId"?: "…", "region"?: "…", "secretArn"?: "arn:…"}`. Absent: no SMS is delivered (the outbox
 * items stay queued).
 */
export function contextSms(scope: Construct): SmsDeployment | undefined {
  let value: unknown = scope.node.tryGetContext(contextKeys.sms);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') value = contextJson(contextKeys.sms, value);
  const sms = value as Partial<SmsDeployment>;
  if (!smsProviderNames.includes(sms.provider as SmsProviderName)) {
    throw new Error(`${contextKeys.sms}.provider must be one of ${smsProviderNames.join(', ')}`);
  }
  if (typeof sms.templates !== 'object' || sms.templates === null) {
    throw new Error(`${contextKeys.sms}.templates must name a template id per event`);
  }
  return {
    provider: sms.provider as SmsProviderName,
    templates: sms.templates,
    signName: sms.signName ?? '',
    ...(sms.appId ? { appId: sms.appId } : {}),
    ...(sms.region ? { region: sms.region } : {}),
    ...(sms.secretArn ? { secretArn: sms.secretArn } : {}),
  };
}

/** What `edu-subsidy:throttles` may set: the stage's default, and each route class's own limits. */
const throttleNames = ['default', ...routeThrottleClasses] as const;

/**
 * The API's request limits from context `edu-subsidy:throttles` (requests a second, steady and burst):
 * in `cdk.json` an object `{"submit": {"rateLimit": 5000, "burstLimit": 10000}, "default": {…}}`, from
 * `-c` the same JSON or `submit=5000/10000,default=1000/2000`. Names: `default` (the stage's, which
 * authenticated reads take) and the route classes `publicRead`, `submit`, `write`
 * (`defaultRouteThrottles`); what is not named keeps its default. A national rush raises `submit`
 * (docs/benchmarks.md, "Capacity plan").
 */
export function contextThrottles(scope: Construct): {
  default?: Throttle;
  routes: Partial<Record<RouteThrottleClass, Throttle>>;
} {
  const key = contextKeys.throttles;
  let value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return { routes: {} };
  if (typeof value === 'string') {
    const text = value.trim();
    value = text.startsWith('{')
      ? contextJson(key, text)
      : Object.fromEntries(
          text
            .split(',')
            .filter((part) => part.trim().length > 0)
            .map((part) => {
              const match = /^\s*(\w+)\s*=\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(part);
              if (!match) throw new Error(`${key}: "${part}" is not name=rate/burst, e.g. submit=5000/10000`);
              return [match[1], { rateLimit: Number(match[2]), burstLimit: Number(match[3]) }];
            }),
        );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${key} must name limits, e.g. submit=5000/10000`);
  }
  const out: { default?: Throttle; routes: Partial<Record<RouteThrottleClass, Throttle>> } = { routes: {} };
  for (const [name, limit] of Object.entries(value)) {
    if (!(throttleNames as readonly string[]).includes(name)) {
      throw new Error(`${key}: ${name} is not one of ${throttleNames.join(', ')}`);
    }
    const { rateLimit, burstLimit } = (limit ?? {}) as Partial<Throttle>;
    for (const [field, n] of [
      ['rateLimit', rateLimit],
      ['burstLimit', burstLimit],
    ] as const) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
        throw new Error(`${key}: ${name}.${field} must be a whole number of requests a second, at least 1`);
      }
    }
    const throttle = { rateLimit: rateLimit as number, burstLimit: burstLimit as number };
    if (name === 'default') out.default = throttle;
    else out.routes[name as RouteThrottleClass] = throttle;
  }
  return out;
}
