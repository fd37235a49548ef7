/**
 * Issue 12: the one OIDC issuer the API trusts, and the China partition. Both variants are
 * synthesized: the default (Cognito, CloudFront) and `aws-cn` (an external issuer, no Cognito, no
 * CloudFront unless asked for, every ARN from the partition).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EduSubsidyStack } from '../../infra/stacks/edu-subsidy-stack.ts';
import { contextKeys, stackPropsFromContext } from '../../infra/stacks/settings.ts';
import { type CfnResource, cdkJsonContext, resourcesOfType, synthStack } from './synth.ts';

const ISSUER = 'https://id.qlgh.example.cn/oidc';
const AUDIENCE = 'edu-subsidy-web';

/** A stack from context, as `npx cdk synth -c …` builds it (without bundling). */
function synthFromContext(context: Record<string, unknown>) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new EduSubsidyStack(app, 'EduSubsidy', stackPropsFromContext(app));
  return { stack, template: Template.fromStack(stack) };
}

const authorizerOf = (template: Template) => {
  const authorizers = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer'));
  expect(authorizers).toHaveLength(1);
  return (authorizers[0] as CfnResource).Properties;
};

describe('the default variant (global regions)', () => {
  const { template } = synthStack();

  it('creates its Cognito user pool and trusts it', () => {
    expect(Object.keys(resourcesOfType(template, 'AWS::Cognito::UserPool'))).toHaveLength(1);
    expect(authorizerOf(template)).toMatchObject({ AuthorizerType: 'JWT' });
    expect(Object.keys(resourcesOfType(template, 'AWS::CloudFront::Distribution'))).toHaveLength(1);
  });
});

describe('an external issuer (edu-subsidy:oidcIssuer / oidcAudience)', () => {
  const { template } = synthFromContext({
    [contextKeys.oidcIssuer]: ISSUER,
    [contextKeys.oidcAudience]: `${AUDIENCE},edu-subsidy-app`,
  });

  it('trusts exactly that issuer and audience, and creates no user pool', () => {
    expect(authorizerOf(template)).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER, Audience: [AUDIENCE, 'edu-subsidy-app'] },
    });
    expect(resourcesOfType(template, 'AWS::Cognito::UserPool')).toEqual({});
    expect(resourcesOfType(template, 'AWS::Cognito::UserPoolClient')).toEqual({});
  });

  it('refuses an issuer without an audience, or one that is not https', () => {
    expect(() => synthFromContext({ [contextKeys.oidcIssuer]: ISSUER })).toThrow(/go together/);
    expect(() =>
      synthFromContext({
        [contextKeys.oidcIssuer]: 'http://id.example.cn',
        [contextKeys.oidcAudience]: AUDIENCE,
      }),
    ).toThrow(/https/);
  });
});

describe('the China partition (edu-subsidy:partition=aws-cn)', () => {
  const china = synthFromContext({
    [contextKeys.partition]: 'aws-cn',
    [contextKeys.oidcIssuer]: ISSUER,
    [contextKeys.oidcAudience]: AUDIENCE,
  });
  const json = JSON.stringify(china.template.toJSON());

  it('has no Cognito (no user pools in cn-north-1 / cn-northwest-1) and trusts the named issuer', () => {
    expect(json.includes('AWS::Cognito::')).toBe(false);
    expect(json.includes('cognito-idp')).toBe(false);
    expect(authorizerOf(china.template)).toMatchObject({
      JwtConfiguration: { Issuer: ISSUER, Audience: [AUDIENCE] },
    });
  });

  it('builds every ARN from the partition: no literal arn:aws: anywhere', () => {
    // Checked as booleans: a failure would otherwise print the whole template.
    expect(json.includes('arn:aws:')).toBe(false);
    // ARNs the stack spells itself go through the AWS::Partition pseudo parameter.
    expect(json.includes('"Ref":"AWS::Partition"')).toBe(true);
  });

  it('runs without CloudFront by default: the API is reached at its own endpoint', () => {
    expect(resourcesOfType(china.template, 'AWS::CloudFront::Distribution')).toEqual({});
    expect(china.stack.web).toBeUndefined();
    expect(china.template.findOutputs('ApiUrl')).not.toEqual({});
    expect(china.template.findOutputs('OidcIssuer')).toMatchObject({ OidcIssuer: { Value: ISSUER } });
  });

  it('uses only what the China regions offer: no X-Ray tracing, no Lambda function URLs, no Step Functions HTTP tasks', () => {
    for (const fn of Object.values(resourcesOfType(china.template, 'AWS::Lambda::Function'))) {
      expect((fn.Properties.TracingConfig as { Mode?: string } | undefined)?.Mode ?? 'PassThrough').toBe(
        'PassThrough',
      );
    }
    expect(resourcesOfType(china.template, 'AWS::Lambda::Url')).toEqual({});
    expect(json.includes('states:::http:invoke')).toBe(false);
    expect(resourcesOfType(china.template, 'AWS::ApiGateway::Authorizer')).toEqual({});
  });

  it('passes cdk-nag AwsSolutions as the default variant does', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(china.stack);
    expect(violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('refuses to synthesize without an external issuer, or with CloudFront but no ICP-filed domain', () => {
    expect(() => synthFromContext({ [contextKeys.partition]: 'aws-cn' })).toThrow(
      /Cognito user pools are not offered/,
    );
    expect(() =>
      synthFromContext({
        [contextKeys.partition]: 'aws-cn',
        [contextKeys.oidcIssuer]: ISSUER,
        [contextKeys.oidcAudience]: AUDIENCE,
        [contextKeys.cloudFront]: true,
      }),
    ).toThrow(/ICP-filed/);
    expect(() => synthFromContext({ [contextKeys.partition]: 'aws-china' })).toThrow(/aws or aws-cn/);
  });
});
