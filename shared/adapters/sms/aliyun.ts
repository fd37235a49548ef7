import type dysmsapi from '@alicloud/dysmsapi20170525';
import type { SendSmsRequest } from '@alicloud/dysmsapi20170525';
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import {
  type Notifier,
  NotifierUnavailable,
  type SendResult,
  type SmsCredentials,
  type SmsMessage,
  type SmsSettings,
} from './notifier.ts';

/** What the adapter uses of the SDK: the client class, the request model and the client's config. */
export interface AliyunSdk {
  Dysmsapi: typeof dysmsapi.default;
  SendSmsRequest: typeof SendSmsRequest;
  Config: typeof $OpenApiUtil.Config;
}

/**
 * The SDK from its two CommonJS modules, as Node or a bundler imports them: the client class is
 * `default` of `module.exports` (Node's ESM import) or the export itself (a bundler honouring
 * `__esModule`); the named exports sit on the namespace or under `default`.
 */
function aliyunSdkOf(client: unknown, core: unknown): AliyunSdk {
  const c = client as { default?: unknown; SendSmsRequest?: unknown };
  const inner = (c.default ?? {}) as { default?: unknown; SendSmsRequest?: unknown };
  const Dysmsapi = typeof inner.default === 'function' ? inner.default : c.default;
  const Request = c.SendSmsRequest ?? inner.SendSmsRequest;
  const k = core as {
    $OpenApiUtil?: { Config?: unknown };
    default?: { $OpenApiUtil?: { Config?: unknown } };
  };
  const Config = (k.$OpenApiUtil ?? k.default?.$OpenApiUtil)?.Config;
  if (typeof Dysmsapi !== 'function' || typeof Request !== 'function' || typeof Config !== 'function') {
    throw new Error('the Alibaba Cloud SDK modules do not export what the adapter uses');
  }
  return {
    Dysmsapi: Dysmsapi as AliyunSdk['Dysmsapi'],
    SendSmsRequest: Request as AliyunSdk['SendSmsRequest'],
    Config: Config as AliyunSdk['Config'],
  };
}

/**
 * Imported when the notifier is built, not at module scope: a deployment that uses another provider
 * leaves these packages out of its bundle (`smsSdkModules` in infra/constructs/notifications.ts).
 */
export async function loadAliyunSdk(): Promise<AliyunSdk> {
  const [client, core] = await Promise.all([
    import('@alicloud/dysmsapi20170525'),
    import('@alicloud/openapi-core'),
  ]);
  return aliyunSdkOf(client, core);
}

const TRANSIENT = /^(isv\.BUSINESS_LIMIT_CONTROL|isp\.|Throttling|ServiceUnavailable|InternalError)/;

/**
 * Alibaba Cloud SMS (短信服务 `SendSms`, dysmsapi 2017-05-25) through its official SDK. Template
 * variables are named in Aliyun's templates: they go as one JSON object. `OutId` carries the
 * notification id, which the provider echoes in its delivery receipts.
 */
export class AliyunNotifier implements Notifier {
  readonly provider = 'aliyun' as const;
  private readonly client: InstanceType<AliyunSdk['Dysmsapi']>;

  constructor(
    private readonly settings: SmsSettings,
    credentials: SmsCredentials,
    private readonly sdk: AliyunSdk,
  ) {
    this.client = new sdk.Dysmsapi(
      new sdk.Config({
        accessKeyId: credentials.id,
        accessKeySecret: credentials.secret,
        regionId: settings.region,
        endpoint: settings.endpoint ?? 'dysmsapi.aliyuncs.com',
        ...(settings.endpoint ? { protocol: 'http' } : {}),
        readTimeout: 10_000,
      }),
    );
  }

  async send(message: SmsMessage): Promise<SendResult> {
    const templateCode = this.settings.templates[message.event];
    if (!templateCode) return { status: 'refused', code: 'template_not_configured', message: message.event };
    try {
      const out = await this.client.sendSms(
        new this.sdk.SendSmsRequest({
          phoneNumbers: message.to,
          signName: this.settings.signName,
          templateCode,
          templateParam: JSON.stringify(message.params),
          outId: message.notificationId.slice(0, 256),
        }),
      );
      const body = out.body;
      if (body?.code === 'OK')
        return { status: 'sent', ...(body.bizId ? { providerMessageId: body.bizId } : {}) };
      const code = body?.code ?? 'no_status';
      if (TRANSIENT.test(code)) throw new NotifierUnavailable(code, body?.message ?? '');
      return { status: 'refused', code, message: body?.message ?? '' };
    } catch (err) {
      if (err instanceof NotifierUnavailable) throw err;
      const code = (err as { code?: string }).code ?? '';
      const text = err instanceof Error ? err.message : String(err);
      if (!code || TRANSIENT.test(code))
        throw new NotifierUnavailable(code || 'network', text, { cause: err });
      return { status: 'refused', code, message: text };
    }
  }
}
