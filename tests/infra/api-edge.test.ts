import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { defaultRouteThrottles, throttleClassOf } from '../../infra/constructs/public-api.ts';
import { apiPathPatterns } from '../../infra/constructs/web-console.ts';
import { contextKeys, stackPropsFromContext } from '../../infra/stacks/settings.ts';
import { routeKey } from '../../shared/http/route.ts';
import { routeList } from '../../shared/http/routes.ts';
import { type CfnResource, logicalId, resourceOf, resourcesOfType, synthStack, webOf } from './synth.ts';

/**
 * Issue 10, point 14: public reads, submit and the other writes each have limits of their own
 * beside the stage's default, and the execute-api endpoint is disabled whenever CloudFront reaches
 * the API through a custom domain (and kept, as CloudFront's origin, when there is none).
 */

const plain = synthStack();
const certificateArn = 'arn:aws:acm:cn-north-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
const withDomain = synthStack({
  apiDomain: { name: 'api.edu.example.cn', certificateArn },
  apiRouteThrottles: { submit: { rateLimit: 500, burstLimit: 1000 } },
});

const routeSettingsOf = (s: typeof plain) =>
  resourceOf(s.template, s.stack.api.stage).Properties.RouteSettings as Record<
    string,
    { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
  >;
const limit = (t: { rateLimit: number; burstLimit: number }) => ({
  ThrottlingRateLimit: t.rateLimit,
  ThrottlingBurstLimit: t.burstLimit,
});
const apiOriginOf = (s: typeof plain) => {
  const config = resourceOf(s.template, webOf(s.stack).distribution).Properties.DistributionConfig as {
    Origins: { Id: string; DomainName: unknown }[];
    CacheBehaviors: { PathPattern: string; TargetOriginId: string }[];
  };
  const targets = new Set(
    config.CacheBehaviors.filter((b) => (apiPathPatterns as readonly string[]).includes(b.PathPattern)).map(
      (b) => b.TargetOriginId,
    ),
  );
  expect(targets.size).toBe(1);
  return config.Origins.find((o) => targets.has(o.Id))?.DomainName;
};

describe('route throttles', () => {
  const settings = routeSettingsOf(plain);

  it('give submit, every other write and every public read a limit of their own', () => {
    const submit = routeList.find((r) => r.operationId === 'submitApplication');
    if (!submit) throw new Error('no submit route');
    expect(settings[routeKey(submit)]).toEqual(limit(defaultRouteThrottles.submit));
    for (const route of routeList.filter((r) => r.method !== 'GET' && r !== submit))
      expect(settings[routeKey(route)], routeKey(route)).toEqual(limit(defaultRouteThrottles.write));
    const publicReads = routeList.filter((r) => r.method === 'GET' && r.auth === 'public');
    expect(publicReads.map(routeKey)).toEqual(
      expect.arrayContaining(['GET /v1/programmes/{programmeId}/quotas']),
    );
    for (const route of publicReads)
      expect(settings[routeKey(route)], routeKey(route)).toEqual(limit(defaultRouteThrottles.publicRead));
  });

  it('leave authenticated reads to the stage default, and name only routes the API has', () => {
    const authenticatedReads = routeList.filter((r) => r.method === 'GET' && r.auth !== 'public');
    expect(authenticatedReads.length).toBeGreaterThan(0);
    for (const route of authenticatedReads)
      expect(settings[routeKey(route)], routeKey(route)).toBeUndefined();
    const deployed = Object.values(resourcesOfType(plain.template, 'AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey,
    );
    expect(Object.keys(settings).sort()).toEqual(
      routeList
        .filter((r) => throttleClassOf(r) !== undefined)
        .map(routeKey)
        .sort(),
    );
    for (const key of Object.keys(settings)) expect(deployed).toContain(key);
    expect(resourceOf(plain.template, plain.stack.api.stage).Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
    // The stage is created after the routes its settings name.
    const stage = resourceOf(plain.template, plain.stack.api.stage) as CfnResource;
    for (const route of plain.stack.api.routes) expect(stage.DependsOn).toContain(logicalId(route));
  });

  it('are configurable per class', () => {
    const submit = routeList.find((r) => r.operationId === 'submitApplication');
    if (!submit) throw new Error('no submit route');
    expect(routeSettingsOf(withDomain)[routeKey(submit)]).toEqual(
      limit({ rateLimit: 500, burstLimit: 1000 }),
    );
  });
});

describe('execute-api endpoint', () => {
  it('stays on without a custom API domain: it is the origin CloudFront forwards /v1 to', () => {
    const api = resourceOf(plain.template, plain.stack.api.httpApi).Properties;
    expect(api.DisableExecuteApiEndpoint).toBe(false);
    expect(JSON.stringify(apiOriginOf(plain))).toContain('execute-api');
    expect(Object.keys(resourcesOfType(plain.template, 'AWS::ApiGatewayV2::DomainName'))).toEqual([]);
  });

  it('is disabled with a custom API domain, which CloudFront then uses as its origin', () => {
    const api = resourceOf(withDomain.template, withDomain.stack.api.httpApi).Properties;
    expect(api.DisableExecuteApiEndpoint).toBe(true);
    expect(apiOriginOf(withDomain)).toBe('api.edu.example.cn');
    withDomain.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.edu.example.cn',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: certificateArn })],
    });
    withDomain.template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: logicalId(withDomain.stack.api.httpApi) },
      DomainName: {
        Ref: logicalId(
          withDomain.stack.api.domainName as NonNullable<typeof withDomain.stack.api.domainName>,
        ),
      },
      Stage: '$default',
    });
    expect(Object.keys(withDomain.template.toJSON().Outputs)).toContain('ApiDomainTarget');
  });

  it('reads the API domain from context, only together with its certificate', () => {
    const both = new App({
      context: {
        [contextKeys.apiDomainName]: 'api.edu.example.cn',
        [contextKeys.apiCertificateArn]: certificateArn,
      },
    });
    expect(stackPropsFromContext(both).apiDomain).toEqual({ name: 'api.edu.example.cn', certificateArn });
    expect(stackPropsFromContext(new App()).apiDomain).toBeUndefined();
    const nameOnly = new App({ context: { [contextKeys.apiDomainName]: 'api.edu.example.cn' } });
    expect(() => stackPropsFromContext(nameOnly)).toThrow(/go together/);
  });
});
