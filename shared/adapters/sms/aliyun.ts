import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  callProvider,
  type Notifier,
  NotifierUnavailable,
  type SendResult,
  type SmsCredentials,
  type SmsMessage,
  type SmsSettings,
} from './notifier.ts';

const TRANSIENT = /^(isv\.BUSINESS_LIMIT_CONTROL|isp\.|Throttling|ServiceUnavailable|InternalError)/;

const VERSION = '2017-05-25';
const DEFAULT_HOST = 'dysmsapi.aliyuncs.com';

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** RFC 3986 percent-encoding as Alibaba Cloud's canonical query string wants it (`encodeURIComponent` plus `!'()*`). */
export const acsEncode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `a=1&b=2`, keys sorted, keys and values encoded by {@link acsEncode}: the URL's query and the signed one. */
export const acsQueryString = (query: Record<string, string>) =>
  Object.keys(query)
    .sort()
    .map((key) => `${acsEncode(key)}=${acsEncode(query[key] ?? '')}`)
    .join('&');

/**
 * The `Authorization` header of an Alibaba Cloud OpenAPI request, signed ACS3-HMAC-SHA256 (the V3
 * signature) as the official SDK (`@alicloud/openapi-core` `getAuthorization`) signs it: the canonical
 * request is the method, the path, the sorted encoded query, every `host`, `content-type` and `x-acs-*`
 * header (names lower-cased and sorted, values trimmed) and the payload's SHA-256
 * (`x-acs-content-sha256`); the signature is the HMAC-SHA256 of its hash under the AccessKey secret.
 * `tests/unit/sms-adapters.test.ts` checks it against the SDK's own signature of the same request.
 */
export function acs3Authorization(input: {
  accessKeyId: string;
  accessKeySecret: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}): string {
  const signed: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    const key = name.toLowerCase();
    if (key === 'host' || key === 'content-type' || key.startsWith('x-acs-')) signed[key] = value.trim();
  }
  const names = Object.keys(signed).sort();
  const canonicalRequest = [
    input.method,
    input.path,
    acsQueryString(input.query),
    names.map((name) => `${name}:${signed[name]}\n`).join(''),
    names.join(';'),
    signed['x-acs-content-sha256'] ?? sha256Hex(''),
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', input.accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  return `ACS3-HMAC-SHA256 Credential=${input.accessKeyId},SignedHeaders=${names.join(';')},Signature=${signature}`;
}

/** What `SendSms` answers, as far as this adapter reads it. */
interface SendSmsResponse {
  Code?: string;
  Message?: string;
  BizId?: string;
}

/**
 * Alibaba Cloud SMS (短信服务 `SendSms`, dysmsapi 2017-05-25): one POST to its OpenAPI endpoint, the
 * parameters in the query string, signed ACS3-HMAC-SHA256 ({@link acs3Authorization}). It speaks the
 * protocol directly rather than through `@alicloud/dysmsapi20170525`: the SDK and what it pulls in
 * (lodash, moment, its credential chain) were megabytes of the SMS functions' bundles for this one call.
 * Template variables are named in Aliyun's templates: they go as one JSON object. `OutId` carries the
 * notification id, which the provider echoes in its delivery receipts. `endpoint` points it at a
 * stand-in (tests), over http for a loopback address.
 */
export class AliyunNotifier implements Notifier {
  readonly provider = 'aliyun' as const;
  private readonly origin: string;
  private readonly host: string;

  constructor(
    private readonly settings: SmsSettings,
    private readonly credentials: SmsCredentials,
    private readonly now: () => number = Date.now,
  ) {
    this.host = settings.endpoint ?? DEFAULT_HOST;
    const loopback = this.host.startsWith('127.') || this.host.startsWith('localhost');
    this.origin = `${loopback ? 'http' : 'https'}://${this.host}`;
  }

  async send(message: SmsMessage): Promise<SendResult> {
    const templateCode = this.settings.templates[message.event];
    if (!templateCode) return { status: 'refused', code: 'template_not_configured', message: message.event };
    const { status, body } = await this.post('SendSms', {
      PhoneNumbers: message.to,
      SignName: this.settings.signName,
      TemplateCode: templateCode,
      TemplateParam: JSON.stringify(message.params),
      OutId: message.notificationId.slice(0, 256),
    });
    if (status < 300 && body.Code === 'OK')
      return { status: 'sent', ...(body.BizId ? { providerMessageId: body.BizId } : {}) };
    const code = body.Code ?? (status < 300 ? 'no_status' : '');
    if (!code || status >= 500 || TRANSIENT.test(code))
      throw new NotifierUnavailable(code || `http_${status}`, body.Message ?? '');
    return { status: 'refused', code, message: body.Message ?? '' };
  }

  /** One signed call; no answer or a body that is not JSON is a retry. */
  private async post(
    action: string,
    query: Record<string, string>,
  ): Promise<{ status: number; body: SendSmsResponse }> {
    const headers: Record<string, string> = {
      host: this.host,
      'x-acs-action': action,
      'x-acs-version': VERSION,
      'x-acs-date': new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'x-acs-signature-nonce': randomBytes(16).toString('hex'),
      'x-acs-content-sha256': sha256Hex(''),
      accept: 'application/json',
    };
    headers.authorization = acs3Authorization({
      accessKeyId: this.credentials.id,
      accessKeySecret: this.credentials.secret,
      method: 'POST',
      path: '/',
      query,
      headers,
    });
    const { status, text } = await callProvider(`${this.origin}/?${acsQueryString(query)}`, {
      method: 'POST',
      headers,
    });
    try {
      return { status, body: JSON.parse(text) as SendSmsResponse };
    } catch (err) {
      throw new NotifierUnavailable(`http_${status}`, text.slice(0, 200), { cause: err });
    }
  }
}
