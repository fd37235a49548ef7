import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { deployedPayoutRail, EduSubsidyStack } from '../../infra/stacks/edu-subsidy-stack.ts';
import { contextFlag, contextKeys, contextList, stackPropsFromContext } from '../../infra/stacks/settings.ts';
import { defaultRailName } from '../../shared/adapters/rails/index.ts';
import { cdkJsonContext } from './synth.ts';

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
});
