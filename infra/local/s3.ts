import type { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';
import { freePort } from './ports.ts';

export interface S3Emulator {
  endpoint: string;
  /** Emits `event` with S3 event-notification records (ObjectCreated:Post, …). */
  events: EventEmitter;
  stop(): Promise<void>;
}

/**
 * Starts the S3 emulator (s3rver) on loopback, storing objects under `directory`. It checks neither
 * signatures nor POST policies: the project verifies uploaded objects itself (R11).
 */
export async function startS3Emulator(options: { directory: string; port?: number }): Promise<S3Emulator> {
  mkdirSync(options.directory, { recursive: true });
  const port = options.port ?? (await freePort());
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: options.directory,
    vhostBuckets: false,
    allowMismatchedSignatures: true,
  });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events: server as unknown as EventEmitter,
    stop: async () => {
      await server.close();
    },
  };
}
