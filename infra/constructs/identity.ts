import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

/** An OIDC issuer the deployment names instead of Cognito (architecture.md §8): China's regions have no user pools. */
export interface ExternalIssuer {
  /** The issuer URL exactly as its tokens' `iss` claim spells it. */
  issuer: string;
  /** Accepted `aud` values: the client id(s) the web pages and apps sign in with. */
  audience: readonly string[];
}

export interface IdentityProps {
  /** Trust this issuer; without it the stack creates its own Cognito user pool. */
  external?: ExternalIssuer | undefined;
  /** Where the pool's hosted sign-in may send the code back (the consoles' and worker pages' URLs). */
  callbackUrls?: readonly string[];
}

/**
 * Who may call the API in AWS (architecture.md §8): the one OIDC issuer the HTTP API's JWT authorizer
 * trusts. Tokens prove identity only; roles and orgs are membership items in the table. By default a
 * Cognito user pool (accounts created by administrators, code + PKCE for the web pages); with an
 * external issuer — required in the China partition — no pool at all.
 */
export class Identity extends Construct {
  readonly userPool: UserPool | undefined;
  readonly consoleClient: UserPoolClient | undefined;
  /** The `iss` of the trusted tokens, as the JWT authorizer expects it. */
  readonly issuer: string;
  /** The `aud` values the JWT authorizer accepts. */
  readonly audience: string[];
  /** The client id the web pages sign in with (`runtime-config.json`). */
  readonly clientId: string;

  constructor(scope: Construct, id: string, props: IdentityProps = {}) {
    super(scope, id);
    if (props.external) {
      if (props.external.audience.length === 0) throw new Error('an external OIDC issuer needs an audience');
      this.userPool = undefined;
      this.consoleClient = undefined;
      this.issuer = props.external.issuer;
      this.audience = [...props.external.audience];
      this.clientId = props.external.audience[0] as string;
      return;
    }
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: false, mutable: true } },
      // Kept in the schema only because a user pool's attributes cannot be removed once deployed:
      // nothing reads them any more (issue 12) — roles and orgs are membership items in the table.
      customAttributes: {
        role: new StringAttribute({ minLen: 5, maxLen: 16, mutable: true }),
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

    const callbackUrls = [...(props.callbackUrls ?? [])];
    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      // The web pages sign in with the authorization code and PKCE, as against any other issuer.
      ...(callbackUrls.length > 0
        ? {
            oAuth: {
              flows: { authorizationCodeGrant: true },
              scopes: [OAuthScope.OPENID, OAuthScope.PROFILE, OAuthScope.EMAIL, OAuthScope.PHONE],
              callbackUrls,
              logoutUrls: callbackUrls,
            },
          }
        : { disableOAuth: true }),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      // Identity only: no custom attribute is read or written by a client.
      readAttributes: new ClientAttributes().withStandardAttributes({
        email: true,
        emailVerified: true,
        fullname: true,
        phoneNumber: true,
        phoneNumberVerified: true,
      }),
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
    });

    this.issuer = `https://${this.userPool.userPoolProviderUrl}`;
    this.audience = [this.consoleClient.userPoolClientId];
    this.clientId = this.consoleClient.userPoolClientId;
  }
}
