/**
 * The `notifier` port (architecture.md §9): sends one templated SMS through the deployment's provider.
 * Providers in China approve templates, not free text, so a message is a template id and its named
 * variables; the rendered `text` is for providers that take text (AWS End User Messaging).
 *
 * Only the delivery function imports an adapter (`createNotifier`); the API functions never load a
 * provider's SDK.
 */
import type { NotificationEventName } from '../../model/notification.ts';

export interface SmsMessage {
  /** The idempotency key of the delivery (the provider's session context where it takes one). */
  notificationId: string;
  /** Mainland mobile number, 11 digits (`+86` is added where a provider wants E.164). */
  to: string;
  event: NotificationEventName;
  params: Record<string, string>;
  text: string;
}

/** The provider's answer: sent, or refused for good with its code (an invalid number, a template refused). */
export type SendResult =
  | { status: 'sent'; providerMessageId?: string }
  | { status: 'refused'; code: string; message: string };

/**
 * The provider could not be reached or asked to try later (a network error, its internal error, a
 * rate limit): the delivery is retried. Anything else it says is a {@link SendResult} refusal.
 */
export class NotifierUnavailable extends Error {
  override readonly name = 'NotifierUnavailable';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How long a provider may take to answer a send before the delivery is retried. */
const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * One call of a provider's HTTP API (the Tencent and Alibaba Cloud adapters sign their own): no answer
 * — a network error, or none within ten seconds — is {@link NotifierUnavailable} (`network`), a retry;
 * what did come back, whatever its status, is the adapter's to read.
 */
export async function callProvider(
  url: string | URL,
  init: RequestInit,
): Promise<{ status: number; text: string }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (err) {
    throw new NotifierUnavailable('network', err instanceof Error ? err.message : String(err), {
      cause: err,
    });
  }
  return { status: response.status, text: await response.text().catch(() => '') };
}

export interface Notifier {
  readonly provider: SmsProviderName;
  send(message: SmsMessage): Promise<SendResult>;
}

export const smsProviderNames = ['tencent', 'aliyun', 'aws'] as const;
export type SmsProviderName = (typeof smsProviderNames)[number];

/** Deployment configuration of SMS (CDK context `edu-subsidy:sms`, environment of the delivery function). */
export interface SmsSettings {
  provider: SmsProviderName;
  /** The provider's template id (Tencent, Aliyun) or name per event; an event without one is not sent. */
  templates: Partial<Record<NotificationEventName, string>>;
  /** 短信签名 (Tencent, Aliyun); AWS: the sender id, if any. */
  signName: string;
  /** Tencent: the SmsSdkAppId. AWS: the origination identity (a phone number or pool id). */
  appId?: string;
  region: string;
  /** A provider stand-in's `host:port` (local stage and tests only). */
  endpoint?: string;
  /** The Secrets Manager secret holding the provider's credentials (Tencent, Aliyun). */
  secretArn?: string;
  /** Credentials given directly: the local stage's stand-in only. */
  credentials?: SmsCredentials;
  /** The deployment's web domain: links to the worker pages `/m/`. */
  webDomain?: string;
}

/** Tencent: `{ secretId, secretKey }`; Aliyun: `{ accessKeyId, accessKeySecret }` — one shape for both. */
export interface SmsCredentials {
  id: string;
  secret: string;
}

/** Reads the settings from the delivery function's environment; undefined when SMS is not configured. */
export function smsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SmsSettings | undefined {
  const provider = env.SMS_PROVIDER as SmsProviderName | undefined;
  if (!provider) return undefined;
  if (!smsProviderNames.includes(provider))
    throw new Error(`SMS_PROVIDER must be one of ${smsProviderNames.join(', ')}`);
  const templates = JSON.parse(env.SMS_TEMPLATES || '{}') as SmsSettings['templates'];
  return {
    provider,
    templates,
    signName: env.SMS_SIGN_NAME ?? '',
    region: env.SMS_REGION || env.AWS_REGION || 'ap-guangzhou',
    ...(env.SMS_APP_ID ? { appId: env.SMS_APP_ID } : {}),
    ...(env.SMS_ENDPOINT ? { endpoint: env.SMS_ENDPOINT } : {}),
    ...(env.SMS_SECRET_ARN ? { secretArn: env.SMS_SECRET_ARN } : {}),
    ...(env.STAGE === 'local' && env.SMS_SECRET_ID && env.SMS_SECRET_KEY
      ? { credentials: { id: env.SMS_SECRET_ID, secret: env.SMS_SECRET_KEY } }
      : {}),
    ...(env.WEB_DOMAIN ? { webDomain: env.WEB_DOMAIN } : {}),
  };
}
