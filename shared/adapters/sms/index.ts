import type { Notifier, SmsCredentials, SmsSettings } from './notifier.ts';

/**
 * Builds the deployment's notifier. Only the SMS functions import this module: the adapters (and the
 * AWS client the `aws` one loads) never reach the API functions' bundles.
 */
export async function createNotifier(settings: SmsSettings): Promise<Notifier> {
  switch (settings.provider) {
    case 'tencent': {
      const { TencentNotifier } = await import('./tencent.ts');
      return new TencentNotifier(settings, await credentialsOf(settings));
    }
    case 'aliyun': {
      const { AliyunNotifier } = await import('./aliyun.ts');
      return new AliyunNotifier(settings, await credentialsOf(settings));
    }
    case 'aws': {
      const { AwsEndUserMessagingNotifier } = await import('./aws.ts');
      return new AwsEndUserMessagingNotifier(settings);
    }
  }
}

/**
 * The provider's credentials: given directly on the local stage (the stand-in), else read once from
 * the Secrets Manager secret the deployment names (`{"id": …, "secret": …}`).
 */
async function credentialsOf(settings: SmsSettings): Promise<SmsCredentials> {
  if (settings.credentials) return settings.credentials;
  if (!settings.secretArn) throw new Error(`SMS provider ${settings.provider} needs SMS_SECRET_ARN`);
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: settings.secretArn }));
    const value = JSON.parse(out.SecretString ?? '{}') as Partial<SmsCredentials>;
    if (!value.id || !value.secret) throw new Error('the SMS secret must hold {"id", "secret"}');
    return { id: value.id, secret: value.secret };
  } finally {
    client.destroy();
  }
}
