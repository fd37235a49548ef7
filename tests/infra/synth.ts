import { readFileSync } from 'node:fs';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { EduSubsidyStack, type EduSubsidyStackProps } from '../../infra/stacks/edu-subsidy-stack.ts';

/** The context of `cdk.json` (feature flags included), so tests build what `cdk synth` builds. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/**
 * An app as `infra/app.ts` builds it, but without esbuild: `aws:cdk:bundling-stacks: []` makes
 * NodejsFunction skip bundling (the synth check bundles for real).
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
}

export interface Synthesized {
  app: App;
  stack: EduSubsidyStack;
  template: Template;
}

export function synthStack(props: EduSubsidyStackProps = {}): Synthesized {
  const app = testApp();
  const stack = new EduSubsidyStack(app, 'EduSubsidy', props);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id a construct's CloudFormation resource gets in the template. */
export function logicalId(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(element).getLogicalId(element);
}

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
}

/** One resource of the template by the construct that made it. */
export function resourceOf(template: Template, construct: IConstruct): CfnResource {
  const id = logicalId(construct);
  const resource = (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  return resource;
}

/** Every resource of a type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** The stack's consoles on CloudFront (the default variant has them; China without CloudFront does not). */
export function webOf(stack: EduSubsidyStack) {
  if (!stack.web) throw new Error('this stack has no CloudFront consoles');
  return stack.web;
}

/** The stack's own Cognito user pool and client (absent with an external OIDC issuer). */
export function cognitoOf(stack: EduSubsidyStack) {
  const { userPool, consoleClient } = stack.identity;
  if (!userPool || !consoleClient) throw new Error('this stack trusts an external issuer, not Cognito');
  return { userPool, consoleClient };
}
