import type { sms } from 'tencentcloud-sdk-nodejs-sms';
import { smsTemplates } from '../../domain/notifications.ts';
import {
  type Notifier,
  NotifierUnavailable,
  type SendResult,
  type SmsCredentials,
  type SmsMessage,
  type SmsSettings,
} from './notifier.ts';

/** The SDK's `sms` namespace. */
export type TencentSdk = typeof sms;

/** The SDK from its CommonJS module as Node or a bundler imports it: named, or under `default`. */
function tencentSdkOf(loaded: unknown): TencentSdk {
  const m = loaded as { sms?: TencentSdk; default?: { sms?: TencentSdk } };
  const sdk = m.sms ?? m.default?.sms;
  if (!sdk) throw new Error('tencentcloud-sdk-nodejs-sms exports no sms namespace');
  return sdk;
}

/**
 * Imported when the notifier is built, not at module scope: a deployment that uses another provider
 * leaves this package out of its bundle (`smsSdkModules` in infra/constructs/notifications.ts).
 */
export async function loadTencentSdk(): Promise<TencentSdk> {
  return tencentSdkOf(await import('tencentcloud-sdk-nodejs-sms'));
}

/** Codes of Tencent Cloud's that mean "try again later", not "never". */
const TRANSIENT =
  /^(InternalError|RequestLimitExceeded|LimitExceeded\.DeliveryFrequencyLimit|FailedOperation\.InsufficientBalanceInSmsPackage)/;

/**
 * Tencent Cloud SMS (短信 `SendSms`, API 2021-01-11) through its official SDK, signed TC3-HMAC-SHA256.
 * Template variables are positional in Tencent's templates: they go in the order the template names
 * them (`smsTemplates[event].params`). `endpoint` points the SDK at a stand-in (local stage, tests).
 */
export class TencentNotifier implements Notifier {
  readonly provider = 'tencent' as const;
  private readonly client: InstanceType<TencentSdk['v20210111']['Client']>;

  constructor(
    private readonly settings: SmsSettings,
    credentials: SmsCredentials,
    sdk: TencentSdk,
  ) {
    this.client = new sdk.v20210111.Client({
      credential: { secretId: credentials.id, secretKey: credentials.secret },
      region: settings.region,
      profile: {
        httpProfile: {
          reqTimeout: 10,
          ...(settings.endpoint
            ? {
                endpoint: settings.endpoint,
                protocol:
                  settings.endpoint.startsWith('127.') || settings.endpoint.startsWith('localhost')
                    ? 'http://'
                    : 'https://',
              }
            : { endpoint: 'sms.tencentcloudapi.com' }),
        },
      },
    });
  }

  async send(message: SmsMessage): Promise<SendResult> {
    const templateId = this.settings.templates[message.event];
    if (!templateId) return { status: 'refused', code: 'template_not_configured', message: message.event };
    let out: Awaited<ReturnType<typeof this.client.SendSms>>;
    try {
      out = await this.client.SendSms({
        PhoneNumberSet: [`+86${message.to}`],
        SmsSdkAppId: this.settings.appId ?? '',
        TemplateId: templateId,
        SignName: this.settings.signName,
        TemplateParamSet: smsTemplates[message.event].params.map((p) => message.params[p] ?? ''),
        SessionContext: message.notificationId,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      const text = err instanceof Error ? err.message : String(err);
      // No code: the request never got an answer (network, timeout, HTTP error) — try again.
      if (!code || TRANSIENT.test(code))
        throw new NotifierUnavailable(code || 'network', text, { cause: err });
      return { status: 'refused', code, message: text };
    }
    const status = out.SendStatusSet?.[0];
    if (status?.Code === 'Ok')
      return { status: 'sent', ...(status.SerialNo ? { providerMessageId: status.SerialNo } : {}) };
    const code = status?.Code ?? 'no_status';
    if (TRANSIENT.test(code)) throw new NotifierUnavailable(code, status?.Message ?? '');
    return { status: 'refused', code, message: status?.Message ?? '' };
  }
}
