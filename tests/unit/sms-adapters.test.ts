import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AliyunNotifier, type AliyunSdk, loadAliyunSdk } from '../../shared/adapters/sms/aliyun.ts';
import { AwsEndUserMessagingNotifier } from '../../shared/adapters/sms/aws.ts';
import {
  NotifierUnavailable,
  type SmsMessage,
  smsSettingsFromEnv,
} from '../../shared/adapters/sms/notifier.ts';

/**
 * The Aliyun and AWS adapters through their official SDKs, against a local server that answers as
 * the provider's API does (it checks what was asked, not the signature: the Tencent stand-in of the
 * integration tests does that). What each answer becomes: sent, refused with the provider's code, or
 * a retry (NotifierUnavailable).
 */

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let endpoint: string;
const seen: Seen[] = [];
let reply: (req: Seen) => { status: number; body: unknown } = () => ({ status: 200, body: {} });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      const { status, body } = reply(s);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const message: SmsMessage = {
  notificationId: 'a1.returned.T',
  to: '13800001234',
  event: 'returned',
  params: { receipt: '12', reason: '材料不全', lastDay: '2026-06-10', link: 'https://x/m/' },
  text: '您的补助申请（受理号12）被退回修改',
};

describe('Alibaba Cloud SMS adapter', () => {
  let sdk: AliyunSdk;
  beforeAll(async () => {
    sdk = await loadAliyunSdk();
  });
  const notifier = () =>
    new AliyunNotifier(
      {
        provider: 'aliyun',
        templates: { returned: 'SMS_123' },
        signName: '求学圆梦',
        region: 'cn-hangzhou',
        endpoint,
      },
      { id: 'LTAIlocal', secret: 'local-secret' },
      sdk,
    );

  it('sends the template code, sign name and named variables; OK is sent', async () => {
    seen.length = 0;
    reply = () => ({ status: 200, body: { Code: 'OK', Message: 'OK', BizId: 'biz-1', RequestId: 'r1' } });
    expect(await notifier().send(message)).toEqual({ status: 'sent', providerMessageId: 'biz-1' });
    const asked = new URLSearchParams(`${seen[0]?.url.split('?')[1] ?? ''}&${seen[0]?.body ?? ''}`);
    expect(seen[0]?.headers['x-acs-action']).toBe('SendSms');
    expect(seen[0]?.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAIlocal,/);
    expect(asked.get('PhoneNumbers')).toBe('13800001234');
    expect(asked.get('TemplateCode')).toBe('SMS_123');
    expect(asked.get('SignName')).toBe('求学圆梦');
    expect(JSON.parse(asked.get('TemplateParam') ?? '{}')).toEqual(message.params);
    expect(asked.get('OutId')).toBe('a1.returned.T');
  });

  it('a refusal keeps the provider’s code; flow control is retried', async () => {
    reply = () => ({
      status: 200,
      body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号', RequestId: 'r2' },
    });
    expect(await notifier().send(message)).toEqual({
      status: 'refused',
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
      message: '非法手机号',
    });
    reply = () => ({
      status: 200,
      body: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发流控', RequestId: 'r3' },
    });
    await expect(notifier().send(message)).rejects.toBeInstanceOf(NotifierUnavailable);
  });

  it('an event without a configured template is refused without a call', async () => {
    seen.length = 0;
    expect(await notifier().send({ ...message, event: 'paid' })).toMatchObject({
      status: 'refused',
      code: 'template_not_configured',
    });
    expect(seen).toHaveLength(0);
  });
});

describe('AWS End User Messaging SMS adapter', () => {
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  });
  const notifier = () =>
    new AwsEndUserMessagingNotifier({
      provider: 'aws',
      templates: {},
      signName: '',
      region: 'ap-southeast-1',
      appId: 'arn:aws:sms-voice:ap-southeast-1:123456789012:pool/pool-1',
      endpoint,
    });

  it('sends the rendered text to the +86 number from the origination identity', async () => {
    seen.length = 0;
    reply = () => ({ status: 200, body: { MessageId: 'm-1' } });
    expect(await notifier().send(message)).toEqual({ status: 'sent', providerMessageId: 'm-1' });
    expect(seen[0]?.headers['x-amz-target']).toBe('PinpointSMSVoiceV2.SendTextMessage');
    expect(JSON.parse(seen[0]?.body ?? '{}')).toMatchObject({
      DestinationPhoneNumber: '+8613800001234',
      MessageBody: message.text,
      MessageType: 'TRANSACTIONAL',
      OriginationIdentity: 'arn:aws:sms-voice:ap-southeast-1:123456789012:pool/pool-1',
      Context: { notificationId: 'a1.returned.T' },
    });
    expect(JSON.parse(seen[0]?.body ?? '{}')).not.toHaveProperty('SenderId');
  });

  it('a client error is a refusal with its name; a server error is retried', async () => {
    reply = () => ({ status: 400, body: { __type: 'ValidationException', message: 'bad number' } });
    expect(await notifier().send(message)).toMatchObject({ status: 'refused', code: 'ValidationException' });
    reply = () => ({ status: 500, body: { __type: 'InternalServerException', message: 'boom' } });
    await expect(notifier().send(message)).rejects.toBeInstanceOf(NotifierUnavailable);
  });
});

describe('SMS settings from the environment', () => {
  it('reads the provider, templates and secret; credentials only on the local stage', () => {
    const env = {
      SMS_PROVIDER: 'tencent',
      SMS_TEMPLATES: '{"paid":"7"}',
      SMS_SIGN_NAME: '签名',
      SMS_APP_ID: '1400',
      SMS_SECRET_ARN: 'arn:s',
      SMS_SECRET_ID: 'id',
      SMS_SECRET_KEY: 'key',
    };
    expect(smsSettingsFromEnv({ ...env, STAGE: 'aws' })).toEqual({
      provider: 'tencent',
      templates: { paid: '7' },
      signName: '签名',
      region: 'ap-guangzhou',
      appId: '1400',
      secretArn: 'arn:s',
    });
    expect(smsSettingsFromEnv({ ...env, STAGE: 'local' })?.credentials).toEqual({ id: 'id', secret: 'key' });
    expect(smsSettingsFromEnv({})).toBeUndefined();
    expect(() => smsSettingsFromEnv({ SMS_PROVIDER: 'pigeon' })).toThrow(/SMS_PROVIDER/);
  });
});
