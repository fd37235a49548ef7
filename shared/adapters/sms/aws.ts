import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  type Notifier,
  NotifierUnavailable,
  type SendResult,
  type SmsMessage,
  type SmsSettings,
} from './notifier.ts';

/**
 * The runtime's pinpoint-sms-voice-v2 client, loaded on the first message: the SMS functions import
 * every adapter, and a deployment on Tencent Cloud or Alibaba Cloud should not load this SDK at each
 * cold start (~20 ms of init) for a provider it never calls.
 */
const endUserMessagingSdk = () => import('@aws-sdk/client-pinpoint-sms-voice-v2');

/**
 * AWS End User Messaging SMS (`SendTextMessage`, pinpoint-sms-voice-v2) for deployments outside
 * China: it takes text, so the message goes rendered; `appId` is the origination identity (a phone
 * number or pool), `signName` the sender id where the destination allows one. Credentials are the
 * function's role.
 */
export class AwsEndUserMessagingNotifier implements Notifier {
  readonly provider = 'aws' as const;
  private client: PinpointSMSVoiceV2Client | undefined;

  constructor(private readonly settings: SmsSettings) {}

  async send(message: SmsMessage): Promise<SendResult> {
    const sdk = await endUserMessagingSdk();
    this.client ??= new sdk.PinpointSMSVoiceV2Client({
      region: this.settings.region,
      ...(this.settings.endpoint ? { endpoint: `http://${this.settings.endpoint}` } : {}),
    });
    try {
      const out = await this.client.send(
        new sdk.SendTextMessageCommand({
          DestinationPhoneNumber: `+86${message.to}`,
          MessageBody: message.text,
          MessageType: 'TRANSACTIONAL',
          ...(this.settings.appId ? { OriginationIdentity: this.settings.appId } : {}),
          ...(this.settings.signName ? { SenderId: this.settings.signName } : {}),
          Context: { notificationId: message.notificationId },
        }),
      );
      return { status: 'sent', ...(out.MessageId ? { providerMessageId: out.MessageId } : {}) };
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      const text = err instanceof Error ? err.message : String(err);
      const fault = (err as { $fault?: string }).$fault;
      if (fault === 'server' || name === 'ThrottlingException' || !('$metadata' in (err as object)))
        throw new NotifierUnavailable(name, text, { cause: err });
      return { status: 'refused', code: name, message: text };
    }
  }
}
