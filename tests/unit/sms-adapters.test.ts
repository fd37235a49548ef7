import { Agent, createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type dysmsapi from '@alicloud/dysmsapi20170525';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AliyunNotifier, acs3Authorization } from '../../shared/adapters/sms/aliyun.ts';
import { AwsEndUserMessagingNotifier } from '../../shared/adapters/sms/aws.ts';
import {
  NotifierUnavailable,
  type SmsMessage,
  smsSettingsFromEnv,
} from '../../shared/adapters/sms/notifier.ts';
import { TencentNotifier, tc3Authorization } from '../../shared/adapters/sms/tencent.ts';

/**
 * The SMS adapters against a local server that answers as the provider's API does (it checks what was
 * asked, not the signature: the Tencent stand-in of the integration tests does that). The Aliyun and
 * AWS adapters go through their official SDKs; the Tencent adapter speaks the protocol itself, and its
 * request is compared byte for byte with the one Tencent's official SDK sends for the same message.
 * What each answer becomes: sent, refused with the provider's code, or a retry (NotifierUnavailable).
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
  const credentials = { id: 'LTAIlocal', secret: 'local-secret' };
  const notifier = () =>
    new AliyunNotifier(
      {
        provider: 'aliyun',
        templates: { returned: 'SMS_123' },
        signName: '求学圆梦',
        region: 'cn-hangzhou',
        endpoint,
      },
      credentials,
    );
  const ok = { status: 200, body: { Code: 'OK', Message: 'OK', BizId: 'biz-1', RequestId: 'r1' } };

  it('sends the request Alibaba Cloud’s official SDK sends for the message, signed as the SDK signs it', async () => {
    // The oracle: the SDK (a development dependency only) sends SendSms for the same message; the
    // reason carries the characters RFC 3986 encodes and encodeURIComponent does not.
    const sdk = await officialAliyunSdk();
    const sent = { ...message, params: { ...message.params, reason: "材料不全(身份证)! 'x' *" } };
    const client = new sdk.Dysmsapi(
      new sdk.Config({
        accessKeyId: credentials.id,
        accessKeySecret: credentials.secret,
        regionId: 'cn-hangzhou',
        endpoint,
        protocol: 'http',
        readTimeout: 10_000,
      }),
    );
    seen.length = 0;
    reply = () => ok;
    await client.sendSms(
      new sdk.SendSmsRequest({
        phoneNumbers: sent.to,
        signName: '求学圆梦',
        templateCode: 'SMS_123',
        templateParam: JSON.stringify(sent.params),
        outId: sent.notificationId,
      }),
    );
    const bySdk = seen[0];
    if (!bySdk) throw new Error('the SDK sent nothing');
    expect(bySdk.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAIlocal,/);
    const headersOf = (s: Seen) =>
      Object.fromEntries(
        Object.entries(s.headers)
          .filter(([name]) => name !== 'authorization')
          .map(([name, value]) => [name, String(value)]),
      );
    const queryOf = (s: Seen) => Object.fromEntries(new URL(s.url, 'http://x').searchParams);
    expect(
      acs3Authorization({
        accessKeyId: credentials.id,
        accessKeySecret: credentials.secret,
        method: 'POST',
        path: '/',
        query: queryOf(bySdk),
        headers: headersOf(bySdk),
      }),
    ).toBe(bySdk.headers.authorization);

    seen.length = 0;
    expect(await notifier().send(sent)).toEqual({ status: 'sent', providerMessageId: 'biz-1' });
    const ours = seen[0];
    if (!ours) throw new Error('the adapter sent nothing');
    // The same parameters (the SDK leaves `()!*` unencoded on the wire; both decode alike).
    expect(queryOf(ours)).toEqual(queryOf(bySdk));
    expect(ours.body).toBe(bySdk.body);
    for (const header of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-content-sha256', 'accept']) {
      expect([header, ours.headers[header]]).toEqual([header, bySdk.headers[header]]);
    }
    expect(ours.headers['x-acs-date']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ours.headers.authorization).toBe(
      acs3Authorization({
        accessKeyId: credentials.id,
        accessKeySecret: credentials.secret,
        method: 'POST',
        path: '/',
        query: queryOf(ours),
        headers: headersOf(ours),
      }),
    );
    const asked = new URL(ours.url, 'http://x').searchParams;
    expect(asked.get('PhoneNumbers')).toBe('13800001234');
    expect(asked.get('TemplateCode')).toBe('SMS_123');
    expect(asked.get('SignName')).toBe('求学圆梦');
    expect(JSON.parse(asked.get('TemplateParam') ?? '{}')).toEqual(sent.params);
    expect(asked.get('OutId')).toBe('a1.returned.T');
  });

  it('an HTTP refusal keeps its code; a server error and no answer are retried', async () => {
    reply = () => ({ status: 400, body: { Code: 'SignatureDoesNotMatch', Message: 'bad signature' } });
    expect(await notifier().send(message)).toEqual({
      status: 'refused',
      code: 'SignatureDoesNotMatch',
      message: 'bad signature',
    });
    reply = () => ({ status: 503, body: { Code: 'ServiceUnavailable', Message: 'later' } });
    await expect(notifier().send(message)).rejects.toBeInstanceOf(NotifierUnavailable);
    reply = () => ({ status: 502, body: 'not json' });
    await expect(notifier().send(message)).rejects.toBeInstanceOf(NotifierUnavailable);
    const unreachable = new AliyunNotifier(
      {
        provider: 'aliyun',
        templates: { returned: 'SMS_123' },
        signName: '求学圆梦',
        region: 'cn-hangzhou',
        endpoint: '127.0.0.1:1',
      },
      credentials,
    );
    await expect(unreachable.send(message)).rejects.toMatchObject({ code: 'network' });
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

describe('Tencent Cloud SMS adapter', () => {
  const settings = {
    provider: 'tencent' as const,
    templates: { returned: '2000123' },
    signName: '求学圆梦',
    appId: '1400000000',
    region: 'ap-guangzhou',
  };
  const credentials = { id: 'AKIDlocal', secret: 'local-secret' };
  const notifier = (now?: () => number) => new TencentNotifier({ ...settings, endpoint }, credentials, now);
  const ok = {
    status: 200,
    body: {
      Response: {
        SendStatusSet: [{ SerialNo: 'serial-1', Code: 'Ok', Message: 'send success' }],
        RequestId: 'r1',
      },
    },
  };

  it('sends the request Tencent’s official SDK sends for the message, signed as the SDK signs it', async () => {
    // The oracle: the SDK (a development dependency only) sends SendSms for the same message, to
    // Tencent's host name (it takes the signed service from the endpoint's first label), through an
    // agent that connects to the local server instead.
    const { sms } = await import('tencentcloud-sdk-nodejs-sms');
    const port = Number(endpoint.split(':')[1]);
    const agent = new Agent();
    agent.createConnection = () => connect(port, '127.0.0.1');
    const client = new sms.v20210111.Client({
      credential: { secretId: credentials.id, secretKey: credentials.secret },
      region: settings.region,
      profile: {
        httpProfile: { endpoint: 'sms.tencentcloudapi.com', protocol: 'http://', reqTimeout: 10, agent },
      },
    });
    seen.length = 0;
    reply = () => ok;
    await client.SendSms({
      PhoneNumberSet: ['+8613800001234'],
      SmsSdkAppId: settings.appId,
      TemplateId: '2000123',
      SignName: settings.signName,
      TemplateParamSet: ['12', '材料不全', '2026-06-10', 'https://x/m/'],
      SessionContext: message.notificationId,
    });
    agent.destroy();
    const bySdk = seen[0];
    if (!bySdk) throw new Error('the SDK sent nothing');
    expect(bySdk.headers.host).toBe('sms.tencentcloudapi.com');
    const timestamp = Number(bySdk.headers['x-tc-timestamp']);
    const signed = {
      secretId: credentials.id,
      secretKey: credentials.secret,
      service: 'sms',
      contentType: 'application/json',
      timestamp,
    };
    expect(tc3Authorization({ ...signed, hostname: 'sms.tencentcloudapi.com', body: bySdk.body })).toBe(
      bySdk.headers.authorization,
    );

    seen.length = 0;
    expect(await notifier(() => timestamp * 1000).send(message)).toEqual({
      status: 'sent',
      providerMessageId: 'serial-1',
    });
    const ours = seen[0];
    expect(ours?.body).toBe(bySdk.body);
    expect(ours?.url).toBe(bySdk.url);
    for (const header of ['content-type', 'x-tc-action', 'x-tc-version', 'x-tc-region', 'x-tc-timestamp']) {
      expect([header, ours?.headers[header]]).toEqual([header, bySdk.headers[header]]);
    }
    expect(ours?.headers.authorization).toBe(
      tc3Authorization({ ...signed, hostname: '127.0.0.1', body: bySdk.body }),
    );
  });

  it('signs with the secret, the UTC date of the timestamp and the body: change one, the signature changes', () => {
    const input = {
      secretId: 'AKIDlocal',
      secretKey: 'local-secret',
      service: 'sms',
      hostname: 'sms.tencentcloudapi.com',
      contentType: 'application/json',
      body: '{"a":1}',
      timestamp: 1_764_547_199, // 2025-11-30T23:59:59Z: Beijing is already on 12-01, the scope is not
    };
    const signed = tc3Authorization(input);
    expect(signed).toMatch(
      /^TC3-HMAC-SHA256 Credential=AKIDlocal\/2025-11-30\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/,
    );
    for (const change of [
      { secretKey: 'other' },
      { body: '{"a":2}' },
      { hostname: 'sms.ap-guangzhou.tencentcloudapi.com' },
      { timestamp: input.timestamp + 1 },
    ]) {
      expect(tc3Authorization({ ...input, ...change })).not.toBe(signed);
    }
  });

  it('a refusal keeps the provider’s code; its internal errors, HTTP errors and no answer are retried', async () => {
    reply = () => ({
      status: 200,
      body: {
        Response: {
          SendStatusSet: [{ Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'invalid number' }],
        },
      },
    });
    expect(await notifier().send(message)).toEqual({
      status: 'refused',
      code: 'InvalidParameterValue.IncorrectPhoneNumber',
      message: 'invalid number',
    });
    reply = () => ({
      status: 200,
      body: { Response: { Error: { Code: 'FailedOperation.TemplateIdNotExist', Message: 'TemplateId' } } },
    });
    expect(await notifier().send(message)).toMatchObject({
      status: 'refused',
      code: 'FailedOperation.TemplateIdNotExist',
    });
    for (const answer of [
      { status: 200, body: { Response: { Error: { Code: 'InternalError', Message: 'busy' } } } },
      { status: 200, body: { Response: { Error: { Code: 'RequestLimitExceeded', Message: 'slow' } } } },
      { status: 502, body: { message: 'bad gateway' } },
    ]) {
      reply = () => answer;
      await expect(notifier().send(message)).rejects.toBeInstanceOf(NotifierUnavailable);
    }
    const unreachable = new TencentNotifier({ ...settings, endpoint: '127.0.0.1:1' }, credentials);
    await expect(unreachable.send(message)).rejects.toMatchObject({ code: 'network' });
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

/** The official Alibaba Cloud SDK, the oracle of the adapter's requests (a development dependency). */
async function officialAliyunSdk() {
  const [client, core] = await Promise.all([
    import('@alicloud/dysmsapi20170525'),
    import('@alicloud/openapi-core'),
  ]);
  // CommonJS: the client class is `default` of `module.exports` or the export itself, depending on
  // whether the importer honours `__esModule`.
  const c = client as unknown as { default: unknown };
  const inner = c.default as { default?: unknown };
  const Dysmsapi = (
    typeof inner.default === 'function' ? inner.default : c.default
  ) as typeof dysmsapi.default;
  const k = core as unknown as { $OpenApiUtil?: typeof core.$OpenApiUtil; default?: typeof core };
  const util = k.$OpenApiUtil ?? k.default?.$OpenApiUtil;
  const Request =
    client.SendSmsRequest ?? (inner as { SendSmsRequest?: typeof client.SendSmsRequest }).SendSmsRequest;
  if (!util || typeof Dysmsapi !== 'function' || typeof Request !== 'function')
    throw new Error('the Alibaba Cloud SDK modules do not export what the test uses');
  return { Dysmsapi, SendSmsRequest: Request, Config: util.Config };
}
