import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deployedPayoutRail, EduSubsidyStack } from '../../infra/stacks/edu-subsidy-stack.ts';
import { contextFlag, contextKeys, contextList, stackPropsFromContext } from '../../infra/stacks/settings.ts';
import { defaultRailName } from '../../shared/adapters/rails/index.ts';
import { cdkJsonContext, testApp } from './synth.ts';

describe('context settings', () => {
  it('reads lists from cdk.json arrays and from comma-separated -c values', () => {
    const app = new App({ context: { a: ['https://x.cn', ' https://y.cn '], b: 'CN, HK,,MO', c: '' } });
    expect(contextList(app, 'a')).toEqual(['https://x.cn', 'https://y.cn']);
    expect(contextList(app, 'b')).toEqual(['CN', 'HK', 'MO']);
    expect(contextList(app, 'c')).toEqual([]);
    expect(contextList(app, 'missing')).toEqual([]);
  });

  it('reads flags as booleans or "true"/"false", and rejects anything else', () => {
    const app = new App({ context: { yes: true, no: 'false', odd: 'maybe' } });
    expect(contextFlag(app, 'yes', false)).toBe(true);
    expect(contextFlag(app, 'no', true)).toBe(false);
    expect(contextFlag(app, 'missing', true)).toBe(true);
    expect(() => contextFlag(app, 'odd', true)).toThrow(/true or false/);
  });

  it('builds the stack settings from the defaults of cdk.json', () => {
    const props = stackPropsFromContext(new App({ context: cdkJsonContext() }));
    expect(props).toEqual({
      consoleOrigins: [],
      webDomain: undefined,
      geoAllowlist: [],
      webAclArn: undefined,
      alarmEmails: [],
      bundleAwsSdk: false,
      payoutRail: 'bank_file',
      testStage: false,
      partition: 'aws',
    });
  });

  it('pays through the bank by default and refuses the sandbox rail outside a test stage', () => {
    const sandbox = new App({ context: { [contextKeys.payoutRail]: 'sandbox' } });
    expect(() => new EduSubsidyStack(sandbox, 'Refused', stackPropsFromContext(sandbox))).toThrow(
      /only a stage with edu-subsidy:testStage=true/,
    );
    expect(() => deployedPayoutRail('cash', true)).toThrow(/must be one of/);
    expect(deployedPayoutRail('sandbox', true)).toBe('sandbox');
    expect(deployedPayoutRail('bank_file', false)).toBe('bank_file');
  });

  it('refuses the sandbox rail at run time outside the local stack and test stages', () => {
    expect(defaultRailName({ STAGE: 'aws' })).toBe('bank_file');
    expect(() => defaultRailName({ STAGE: 'aws', PAYOUT_RAIL: 'sandbox' })).toThrow(/moves no money/);
    expect(defaultRailName({ STAGE: 'aws', PAYOUT_RAIL: 'sandbox', TEST_STAGE: 'true' })).toBe('sandbox');
    expect(defaultRailName({ STAGE: 'local' })).toBe('sandbox');
  });

  it('takes a custom domain only together with its certificate', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
    const both = new App({
      context: {
        [contextKeys.webDomainNames]: 'edu.example.cn',
        [contextKeys.webCertificateArn]: certificateArn,
      },
    });
    expect(stackPropsFromContext(both).webDomain).toEqual({ names: ['edu.example.cn'], certificateArn });
    const namesOnly = new App({ context: { [contextKeys.webDomainNames]: 'edu.example.cn' } });
    expect(() => stackPropsFromContext(namesOnly)).toThrow(/go together/);
  });

  it('sets the API’s limits from -c name=rate/burst or from JSON, and refuses what API Gateway would not take', () => {
    const rush = new App({ context: { [contextKeys.throttles]: 'submit=5000/10000, default=1000/2000' } });
    expect(stackPropsFromContext(rush)).toMatchObject({
      apiThrottle: { rateLimit: 1000, burstLimit: 2000 },
      apiRouteThrottles: { submit: { rateLimit: 5000, burstLimit: 10000 } },
    });
    const json = new App({
      context: { [contextKeys.throttles]: { publicRead: { rateLimit: 400, burstLimit: 800 } } },
    });
    expect(stackPropsFromContext(json).apiRouteThrottles).toEqual({
      publicRead: { rateLimit: 400, burstLimit: 800 },
    });
    expect(stackPropsFromContext(json).apiThrottle).toBeUndefined();
    const refused = (value: unknown) => () =>
      stackPropsFromContext(new App({ context: { [contextKeys.throttles]: value } }));
    expect(refused('submit=5000')).toThrow(/not name=rate\/burst/);
    expect(refused('submits=5000/10000')).toThrow(/not one of default, publicRead, submit, write/);
    expect(refused('{"write": {"rateLimit": 0, "burstLimit": 40}}')).toThrow(
      /write.rateLimit must be a whole number/,
    );
    expect(refused({ submit: { rateLimit: 50.5, burstLimit: 100 } })).toThrow(/submit.rateLimit/);
    expect(refused({ submit: { rateLimit: 50 } })).toThrow(/submit.burstLimit/);
    expect(refused(['submit'])).toThrow(/must name limits/);
    expect(refused('{"submit": {"rateLimit": 50,}}')).toThrow(
      /context edu-subsidy:throttles is not valid JSON/,
    );
  });

  it('a rush configuration reaches the deployed stage and the submit route', () => {
    const app = testApp({ [contextKeys.throttles]: 'submit=5000/10000,default=1000/2000' });
    const stack = new EduSubsidyStack(app, 'Rush', stackPropsFromContext(app));
    const stage = Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Stage'))[0]
      ?.Properties as {
      DefaultRouteSettings: unknown;
      RouteSettings: Record<string, unknown>;
    };
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 });
    expect(stage.RouteSettings['POST /v1/applications/{id}/submit']).toEqual({
      ThrottlingRateLimit: 5000,
      ThrottlingBurstLimit: 10000,
    });
    expect(stage.RouteSettings['POST /v1/applications']).toEqual({
      ThrottlingRateLimit: 20,
      ThrottlingBurstLimit: 40,
    });
  });
});
