import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { contextFlag, contextKeys, contextList, stackPropsFromContext } from '../../infra/stacks/settings.ts';
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
    });
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
