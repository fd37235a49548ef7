import dysmsapi, { SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';

// A CommonJS module whose class is its `default` export: Node's ESM import (and esbuild's, for Node)
// gives `module.exports`, whose `default` is the class; bundlers honouring `__esModule` give the class.
const loaded = dysmsapi as unknown as { default?: unknown };
const Dysmsapi = (
  typeof loaded.default === 'function' ? loaded.default : dysmsapi
) as typeof dysmsapi.default;

import {
  type Notifier,
  NotifierUnavailable,
  type SendResult,
  type SmsCredentials,
  type SmsMessage,
  type SmsSettings,
} from './notifier.ts';

const TRANSIENT = /^(isv\.BUSINESS_LIMIT_CONTROL|isp\.|Throttling|ServiceUnavailable|InternalError)/;

/**
 * Alibaba Cloud SMS (短信服务 `SendSms`, dysmsapi 2017-05-25) through its official SDK. Template
 * variables are named in Aliyun's templates: they go as one JSON object. `OutId` carries the
 * notification id, which the provider echoes in its delivery receipts.
 */
export class AliyunNotifier implements Notifier {
  readonly provider = 'aliyun' as const;
  private readonly client: InstanceType<typeof Dysmsapi>;

  constructor(
    private readonly settings: SmsSettings,
    credentials: SmsCredentials,
  ) {
    this.client = new Dysmsapi(
      new $OpenApiUtil.Config({
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
        new SendSmsRequest({
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
