import { createHash, createHmac } from 'node:crypto';
import { smsTemplates } from '../../domain/notifications.ts';
import {
  callProvider,
  type Notifier,
  NotifierUnavailable,
  type SendResult,
  type SmsCredentials,
  type SmsMessage,
  type SmsSettings,
} from './notifier.ts';

/** Codes of Tencent Cloud's that mean "try again later", not "never". */
const TRANSIENT =
  /^(InternalError|RequestLimitExceeded|LimitExceeded\.DeliveryFrequencyLimit|FailedOperation\.InsufficientBalanceInSmsPackage)/;

const SERVICE = 'sms';
const VERSION = '2021-01-11';
const DEFAULT_HOST = 'sms.tencentcloudapi.com';

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The `Authorization` header of a Tencent Cloud API 3.0 request, signed TC3-HMAC-SHA256 as the
 * official SDK (`tencentcloud-sdk-nodejs-common` `Sign.sign3`) signs a JSON POST: the canonical request
 * signs `content-type` and `host` (the host name without its port) and the body's SHA-256; the key is
 * derived from the secret by the UTC date of `timestamp`, the service and `tc3_request`.
 * `tests/unit/sms-adapters.test.ts` checks it against the SDK's own signature of the same request.
 */
export function tc3Authorization(input: {
  secretId: string;
  secretKey: string;
  service: string;
  hostname: string;
  contentType: string;
  body: string;
  /** Seconds since the epoch, as sent in `X-TC-Timestamp`. */
  timestamp: number;
}): string {
  const { secretId, secretKey, service, hostname, contentType, body, timestamp } = input;
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${contentType}\nhost:${hostname}\n`,
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/** What `SendSms` answers, as far as this adapter reads it. */
interface SendSmsResponse {
  Response?: {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: { Code?: string; Message?: string; SerialNo?: string }[];
  };
}

/**
 * Tencent Cloud SMS (短信 `SendSms`, API 2021-01-11): one JSON POST to its API 3.0 endpoint, signed
 * TC3-HMAC-SHA256 ({@link tc3Authorization}). It speaks the protocol directly rather than through
 * `tencentcloud-sdk-nodejs-sms`: the SDK and its common library were ~530 KB of the SMS functions'
 * bundles (and its `node-fetch` pulled in Node's deprecated `punycode`) for this one call. Template
 * variables are positional in Tencent's templates: they go in the order the template names them
 * (`smsTemplates[event].params`). `endpoint` points it at a stand-in (local stage, tests), over http
 * for a loopback address.
 */
export class TencentNotifier implements Notifier {
  readonly provider = 'tencent' as const;
  private readonly url: URL;

  constructor(
    private readonly settings: SmsSettings,
    private readonly credentials: SmsCredentials,
    private readonly now: () => number = Date.now,
  ) {
    const host = settings.endpoint ?? DEFAULT_HOST;
    const loopback = host.startsWith('127.') || host.startsWith('localhost');
    this.url = new URL(`${loopback ? 'http' : 'https'}://${host}/`);
  }

  async send(message: SmsMessage): Promise<SendResult> {
    const templateId = this.settings.templates[message.event];
    if (!templateId) return { status: 'refused', code: 'template_not_configured', message: message.event };
    const body = JSON.stringify({
      PhoneNumberSet: [`+86${message.to}`],
      SmsSdkAppId: this.settings.appId ?? '',
      TemplateId: templateId,
      SignName: this.settings.signName,
      TemplateParamSet: smsTemplates[message.event].params.map((p) => message.params[p] ?? ''),
      SessionContext: message.notificationId,
    });
    const out = await this.post('SendSms', body);
    const error = out.Response?.Error;
    if (error) {
      const code = error.Code ?? '';
      const text = error.Message ?? '';
      if (!code || TRANSIENT.test(code)) throw new NotifierUnavailable(code || 'no_code', text);
      return { status: 'refused', code, message: text };
    }
    const status = out.Response?.SendStatusSet?.[0];
    if (status?.Code === 'Ok')
      return { status: 'sent', ...(status.SerialNo ? { providerMessageId: status.SerialNo } : {}) };
    const code = status?.Code ?? 'no_status';
    if (TRANSIENT.test(code)) throw new NotifierUnavailable(code, status?.Message ?? '');
    return { status: 'refused', code, message: status?.Message ?? '' };
  }

  /** One signed call; no answer, an HTTP error or a body that is not JSON is a retry. */
  private async post(action: string, body: string): Promise<SendSmsResponse> {
    const contentType = 'application/json';
    const timestamp = Math.floor(this.now() / 1000);
    const { status, text } = await callProvider(this.url, {
      method: 'POST',
      headers: {
        'Content-Type': contentType,
        'X-TC-Action': action,
        'X-TC-Version': VERSION,
        'X-TC-Region': this.settings.region,
        'X-TC-Timestamp': String(timestamp),
        Authorization: tc3Authorization({
          secretId: this.credentials.id,
          secretKey: this.credentials.secret,
          service: SERVICE,
          hostname: this.url.hostname,
          contentType,
          body,
          timestamp,
        }),
      },
      body,
    });
    if (status !== 200) throw new NotifierUnavailable(`http_${status}`, text.slice(0, 200));
    try {
      return JSON.parse(text) as SendSmsResponse;
    } catch (err) {
      throw new NotifierUnavailable('unreadable_answer', text.slice(0, 200), { cause: err });
    }
  }
}
