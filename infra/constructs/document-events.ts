import { Duration, Stack } from 'aws-cdk-lib';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { attachmentsBucket } from '../../shared/adapters/bucket.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../function-timeouts.ts';
import { AppFunction } from './app-function.ts';
import type { DataStore } from './data-store.ts';
import { acknowledge } from './nag.ts';
import { functionEntry } from './paths.ts';

export interface DocumentEventsProps {
  data: DataStore;
  bundleAwsSdk: boolean;
}

/**
 * Verifies each uploaded document as soon as it lands (R11): the attachments bucket's
 * object-created notification invokes `functions/attachment-events.ts`, which checks the object's
 * real size and magic bytes and deletes what does not pass. Submission verifies again, so a lost
 * notification loses nothing.
 */
export class DocumentEvents extends Construct {
  readonly fn: AppFunction;

  constructor(scope: Construct, id: string, props: DocumentEventsProps) {
    super(scope, id);
    const { data } = props;
    this.fn = new AppFunction(this, 'VerifyFunction', {
      entry: functionEntry('attachment-events'),
      description: 'edu-subsidy: verify uploaded documents',
      bundleAwsSdk: props.bundleAwsSdk,
      environment: data.functionEnvironment(),
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS['attachment-events']),
    });
    data.grantTableReadWrite(this.fn.function);
    // `verifyAttachment`: reads the upload at the version it measured, writes the verified bytes to
    // their pinned copy, deletes a forged or replacing upload (as that version). No field keys.
    data.grantAttachmentsReadWrite(this.fn.function, [
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObject',
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:ListBucket',
    ]);

    data.attachments.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.fn.function), {
      prefix: attachmentsBucket.applicationPrefix,
    });

    // S3 notifications are configured by a CDK-internal singleton function at the stack's root.
    for (const child of Stack.of(this).node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      const role = child.node.tryFindChild('Role');
      if (role) {
        acknowledge(
          role,
          'IAM4',
          'CDK-internal handler that writes the bucket notification configuration during deployment; ' +
            'aws-cdk-lib gives its role the basic Lambda execution policy.',
          ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        );
      }
    }
  }
}
