import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  type Notifier,
  NotifierUnavailable,
  type SendResult,
  type SmsMessage,
  type SmsSettings,
} from './notifier.ts';

/**
 * AWS End User Messaging SMS (`SendTextMessage`, pinpoint-sms-voice-v2) for deployments outside
 * China: it takes text, so the message goes rendered; `appId` is the origination identity (a phone
 * number or pool), `signName` the sender id where the destination allows one. Credentials are the
 * function's role.
 */
export class AwsEndUserMessagingNotifier implements Notifier {
  readonly provider = 'aws' as const;
  private readonly client: PinpointSMSVoiceV2Client;

  constructor(private readonly settings: SmsSettings) {
    this.client = new PinpointSMSVoiceV2Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: `http://${settings.endpoint}` } : {}),
    });
  }

  async send(message: SmsMessage): Promise<SendResult> {
    try {
      const out = await this.client.send(
        new SendTextMessageCommand({
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
