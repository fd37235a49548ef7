import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { smsTemplates } from '../../shared/domain/notifications.ts';
import type { NotificationEventName } from '../../shared/model/notification.ts';

/** What the stand-in received: one line of `GET /v1/dev/sms`. */
export interface ReceivedSms {
  to: string;
  template: string;
  params: Record<string, string>;
  status: 'sent';
  at: string;
  /** The `SessionContext` the SDK passed: the notification id. */
  sessionContext?: string;
}

export interface SmsStandIn {
  /** `host:port`, for the SDK's `httpProfile.endpoint`. */
  endpoint: string;
  secretId: string;
  secretKey: string;
  appId: string;
  signName: string;
  /** Template id per event, as a deployment configures them. */
  templates: Record<NotificationEventName, string>;
  messages(): ReceivedSms[];
  /** Requests refused since start (wrong signature, unknown key). */
  refusals(): { code: string; at: string }[];
  /** The next `n` requests answer `InternalError` (a provider fault: the delivery retries). */
  failNext(n: number, code?: string): void;
  stop(): Promise<void>;
}

/** Five minutes: Tencent refuses a request signed further from its clock. */
const MAX_SKEW_S = 300;

/**
 * A local stand-in for Tencent Cloud SMS: enough of the `SendSms` JSON API (2021-01-11) for the
 * official SDK pointed at it by `httpProfile.endpoint`. It verifies each request's TC3-HMAC-SHA256
 * signature with the configured secret — a request signed with another key is refused with
 * `AuthFailure.SignatureFailure`, as Tencent does — and keeps what it accepted for `GET /v1/dev/sms`.
 */
export async function startSmsStandIn(
  options: { secretId?: string; secretKey?: string; port?: number } = {},
): Promise<SmsStandIn> {
  const secretId = options.secretId ?? 'AKIDlocalstandin';
  const secretKey = options.secretKey ?? 'local-standin-secret';
  const appId = '1400000000';
  const signName = '求学圆梦';
  const templates = Object.fromEntries(
    Object.keys(smsTemplates).map((event, i) => [event, String(2_000_001 + i)]),
  ) as Record<NotificationEventName, string>;
  const eventOf = new Map(
    Object.entries(templates).map(([event, id]) => [id, event as NotificationEventName]),
  );
  const received: ReceivedSms[] = [];
  const refused: { code: string; at: string }[] = [];
  let failures: { left: number; code: string } = { left: 0, code: 'InternalError' };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = (response: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Response: { ...response, RequestId: randomUUID() } }));
      };
      const error = (code: string, message: string) => {
        refused.push({ code, at: new Date().toISOString() });
        answer({ Error: { Code: code, Message: message } });
      };
      // An injected provider fault answers before anything is checked, as an outage would.
      if (failures.left > 0) {
        failures = { ...failures, left: failures.left - 1 };
        return answer({ Error: { Code: failures.code, Message: 'injected provider fault' } });
      }
      const check = verifySignature(req, body, secretId, secretKey);
      if (check) return error(check.code, check.message);
      if (req.headers['x-tc-action'] !== 'SendSms')
        return error('InvalidAction', 'only SendSms is stood in for');
      let request: {
        PhoneNumberSet?: string[];
        SmsSdkAppId?: string;
        TemplateId?: string;
        SignName?: string;
        TemplateParamSet?: string[];
        SessionContext?: string;
      };
      try {
        request = JSON.parse(body.toString('utf8'));
      } catch {
        return error('InvalidParameter', 'body is not JSON');
      }
      const event = eventOf.get(request.TemplateId ?? '');
      if (request.SmsSdkAppId !== appId)
        return error('InvalidParameterValue.SdkAppIdNotExist', 'SmsSdkAppId');
      if (!event) return error('FailedOperation.TemplateIdNotExist', 'TemplateId');
      if (request.SignName !== signName)
        return error('FailedOperation.SignatureIncorrectOrUnapproved', 'SignName');
      const names = smsTemplates[event].params;
      const values = request.TemplateParamSet ?? [];
      if (values.length !== names.length)
        return error('InvalidParameterValue.TemplateParameterFormatError', 'TemplateParamSet');
      const statuses = (request.PhoneNumberSet ?? []).map((phone) => {
        const to = phone.replace(/^\+86/, '');
        if (!/^1\d{10}$/.test(to)) {
          return {
            PhoneNumber: phone,
            Code: 'InvalidParameterValue.IncorrectPhoneNumber',
            Message: 'invalid number',
          };
        }
        received.push({
          to,
          template: event,
          params: Object.fromEntries(names.map((n, i) => [n, values[i] ?? ''])),
          status: 'sent',
          at: new Date().toISOString(),
          ...(request.SessionContext ? { sessionContext: request.SessionContext } : {}),
        });
        return {
          SerialNo: randomUUID(),
          PhoneNumber: phone,
          Fee: 1,
          SessionContext: request.SessionContext ?? '',
          Code: 'Ok',
          Message: 'send success',
          IsoCode: 'CN',
        };
      });
      answer({ SendStatusSet: statuses });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    secretId,
    secretKey,
    appId,
    signName,
    templates,
    messages: () => [...received],
    refusals: () => [...refused],
    failNext: (n, code = 'InternalError') => {
      failures = { left: n, code };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * Checks a request's TC3-HMAC-SHA256 `Authorization` the way Tencent Cloud's API gateway does: the
 * canonical request (method, path, query, the signed headers, the payload's SHA-256), the string to
 * sign with the timestamp and credential scope, and the key derived from the secret by date, service
 * and `tc3_request`. Undefined when it holds.
 */
function verifySignature(
  req: IncomingMessage,
  body: Buffer,
  secretId: string,
  secretKey: string,
): { code: string; message: string } | undefined {
  const auth = req.headers.authorization ?? '';
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { code: 'AuthFailure.SignatureFailure', message: 'malformed Authorization' };
  const [, id, date, service, signedHeaders, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (id !== secretId) return { code: 'AuthFailure.SecretIdNotFound', message: 'unknown SecretId' };
  const timestamp = Number(req.headers['x-tc-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > MAX_SKEW_S)
    return { code: 'AuthFailure.SignatureExpire', message: 'timestamp out of range' };
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
    return { code: 'AuthFailure.SignatureFailure', message: 'credential date' };
  const url = new URL(req.url ?? '/', 'http://standin');
  const headerLines = signedHeaders
    .split(';')
    .map((name) => {
      const raw = req.headers[name];
      const value = name === 'host' ? String(raw ?? '').replace(/:\d+$/, '') : String(raw ?? '');
      return `${name}:${value.trim()}\n`;
    })
    .join('');
  const canonical = [
    req.method ?? 'POST',
    url.pathname,
    url.search.slice(1),
    headerLines,
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(timestamp),
    `${date}/${service}/tc3_request`,
    sha256Hex(canonical),
  ].join('\n');
  const kSigning = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { code: 'AuthFailure.SignatureFailure', message: 'signature does not match' };
  return undefined;
}
