import { Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { EduSubsidyStack } from '../../infra/stacks/edu-subsidy-stack.ts';
import { synthStack, testApp } from './synth.ts';

interface Finding {
  rule: string;
  severity: string;
  path: string;
}

/** AwsSolutions findings of a construct tree; `ignoreAcknowledgements` lists what the code accepted too. */
function findings(scope: IConstruct, options: { ignoreAcknowledgements?: boolean } = {}): Finding[] {
  const pack = new AwsSolutionsChecks();
  if (options.ignoreAcknowledgements) {
    // cdk-nag keeps the lookup private; shadowing it on this one instance reports every finding.
    Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  }
  const { violations } = pack.validateScope(scope);
  return violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      severity: v.severity ?? 'error',
      path: r.constructPath ?? '',
    })),
  );
}

interface Acknowledgement {
  id: string;
  reason: string;
  path: string;
}

/** Every AwsSolutions acknowledgement recorded in the tree (`Validations.of(x).acknowledge`). */
function acknowledgements(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason, path: construct.node.path }))
      .filter((ack) => ack.id.startsWith('AwsSolutions-')),
  );
}

const defaults = synthStack();
const configured = synthStack({
  webDomain: {
    names: ['edu.example.cn'],
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
  },
  geoAllowlist: ['CN'],
  webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edu/00000000-0000-0000-0000-000000000000',
  // Issue 17: SMS through Tencent Cloud, its credentials in a secret.
  sms: {
    provider: 'tencent',
    templates: { submitted: '2000001' },
    signName: '求学圆梦',
    appId: '1400000000',
    secretArn: 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:edu-subsidy/sms-AbCdEf',
  },
});
/** SMS through AWS End User Messaging from the default pool (no identity ARN, no secret). */
const awsSms = synthStack({ sms: { provider: 'aws', templates: {}, signName: '' } });

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['default settings', defaults],
    ['custom domain, geo restriction, WAF and Tencent SMS', configured],
    ['AWS End User Messaging SMS', awsSms],
  ])('leaves no unacknowledged error or warning (%s)', (_name, { app }) => {
    expect(findings(app)).toEqual([]);
  });

  it('acknowledges nothing that is not found: every acknowledgement covers a real finding', () => {
    for (const { app } of [defaults, configured, awsSms]) {
      const all = findings(app, { ignoreAcknowledgements: true });
      const stale = acknowledgements(app).filter(
        (ack) =>
          !all.some((f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))),
      );
      expect(stale).toEqual([]);
    }
  });

  it('gives every acknowledgement a specific reason', () => {
    const acks = acknowledgements(defaults.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect(ack.reason.length, `${ack.id} on ${ack.path}`).toBeGreaterThanOrEqual(40);
  });

  it('needs the CloudFront exceptions only while the setting that fixes them is absent', () => {
    const ids = (app: IConstruct) => acknowledgements(app).map((ack) => ack.id);
    expect(ids(defaults.app)).toEqual(
      expect.arrayContaining(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4']),
    );
    expect(ids(configured.app).filter((id) => /CFR[124]$/.test(id))).toEqual([]);
  });

  it('still catches a new non-compliant resource', () => {
    const app = testApp();
    const stack = new EduSubsidyStack(app, 'EduSubsidy');
    new Topic(stack, 'PlainTopic');
    expect(findings(app).map((f) => f.rule)).toContain('AwsSolutions-SNS3');
  });

  it('fails the synth as a validation plugin, the way `cdk synth` runs it, and passes the real stack', () => {
    const failing = testApp();
    new Topic(new Stack(failing, 'Other'), 'PlainTopic');
    Validations.of(failing).addPlugins(new AwsSolutionsChecks(failing));
    expect(() => failing.synth()).toThrow();

    const app = testApp();
    new EduSubsidyStack(app, 'EduSubsidy');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
