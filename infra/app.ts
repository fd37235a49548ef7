import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EduSubsidyStack } from './stacks/edu-subsidy-stack.ts';
import { contextFlag, contextKeys, stackPropsFromContext } from './stacks/settings.ts';

/**
 * The CDK app (`npx cdk synth`). Account and region come from the CLI's environment when it has
 * one; without credentials the stack synthesizes environment-agnostic.
 */
const app = new App();

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new EduSubsidyStack(app, 'EduSubsidy', {
  ...stackPropsFromContext(app),
  ...(account && region ? { env: { account, region } } : {}),
});

// cdk-nag AwsSolutions runs as a policy-validation plugin: any finding not acknowledged in the
// code (with its reason) fails the synth. `-c edu-subsidy:nag=false` turns it off for a quick look.
if (contextFlag(app, contextKeys.nag, true)) {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

app.synth();
