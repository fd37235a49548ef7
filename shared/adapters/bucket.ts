/**
 * The attachments bucket (R11 documents), one definition for CDK and the local S3 emulator.
 * Uploads go straight from the worker's phone to S3 with a presigned POST, so the bucket's CORS
 * rules must admit the web origins.
 */
export const attachmentsBucket = {
  /** Object-key prefix of uploaded application documents. */
  applicationPrefix: 'applications/',
  /** Object-key prefix of the bank batch files of payout runs. */
  payoutPrefix: 'payouts/',
  /** Largest document accepted (R11): 10 MB. */
  maxObjectBytes: 10 * 1024 * 1024,
  cors: {
    allowedMethods: ['GET', 'POST', 'PUT', 'HEAD'] as const,
    allowedHeaders: ['*'],
    exposedHeaders: ['ETag'],
    maxAgeSeconds: 3000,
  },
  /** Days before a superseded object version is removed. */
  noncurrentVersionDays: 365,
  /** Days before an incomplete multipart upload is cleaned up. */
  abortIncompleteUploadDays: 1,
};
