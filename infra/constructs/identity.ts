import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

/**
 * Who may call the API in AWS (architecture.md §5, Identity): a Cognito user pool whose ID tokens carry
 * `custom:role` and `custom:org`, read by `callerFromClaims`, and the app client the consoles sign
 * in with. Accounts are created by administrators (no self sign-up).
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly consoleClient: UserPoolClient;
  /** The `iss` of the pool's tokens, as the JWT authorizer expects it. */
  readonly issuer: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: false, mutable: true } },
      customAttributes: {
        // `worker` · `reviewer` · `admin`
        role: new StringAttribute({ minLen: 5, maxLen: 16, mutable: true }),
        // The org a reviewer or admin acts for.
        org: new StringAttribute({ minLen: 1, maxLen: 128, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: Mfa.OPTIONAL,
      // TOTP only: SMS would need an SNS role and a sender registration.
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.userPool,
      'COG2',
      'MFA is optional, not required: applicants are workers signing in from their phones once or twice a ' +
        'year; TOTP is offered to everyone, and the Plus feature plan adds adaptive (risk-based) authentication.',
    );

    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('role', 'org'),
      // Never `custom:role` or `custom:org`: a user must not be able to promote themselves.
      // Administrators set them with AdminUpdateUserAttributes.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
    });

    this.issuer = `https://${this.userPool.userPoolProviderUrl}`;
  }
}
