import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Accepts cdk-nag AwsSolutions findings on a construct and everything below it, with the reason.
 *
 * cdk-nag 3 reports through CDK's policy validation and reads acknowledgements from construct
 * metadata (`Validations.of(x).acknowledge`). A rule that reports several findings on one resource
 * (IAM4, IAM5) is acknowledged finding by finding — `AwsSolutions-IAM5[Action::s3:GetObject*]` —
 * so that a new wildcard added later still fails the check instead of hiding behind an old reason.
 *
 * @example
 * acknowledge(role, 'IAM5', 'object keys are generated per application', [`Resource::${attRef(bucket)}/applications/*`]);
 */
export function acknowledge(
  scope: IConstruct,
  rule: string,
  reason: string,
  findings?: readonly string[],
): void {
  const ids = findings
    ? findings.map((finding) => `AwsSolutions-${rule}[${finding}]`)
    : [`AwsSolutions-${rule}`];
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/**
 * How cdk-nag prints `Fn::GetAtt` of a resource inside a finding, e.g. `<DataTableA1B2C3D4.Arn>`:
 * computed from the construct, so an acknowledgement follows the resource if its logical id changes.
 */
export function attRef(construct: IConstruct, attribute = 'Arn'): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource to reference`);
  }
  return `<${Stack.of(element).getLogicalId(element)}.${attribute}>`;
}
