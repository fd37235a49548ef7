import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorSummary, logger } from '../../shared/logger.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../function-timeouts.ts';
import { invokeLocally } from './invocation.ts';

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  /** Retries of a failed record before it goes to the dead letters (the event source's `retryAttempts`). */
  retryAttempts?: number;
  /** Records per invocation (the event source's `batchSize`). */
  batchSize?: number;
  pollMs?: number;
}

/** What the local dead-letter queue received: the event source's on-failure record, as Lambda sends it to SQS. */
export interface DeadLetter {
  at: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  attempts: number;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The local stand-in for a Lambda event source mapping on the table's stream (architecture.md §9): it
 * reads DynamoDB Local's stream with the DynamoDB Streams API and invokes the same handler export with
 * the event shape Lambda gives it. Partial batch failures are honoured as Lambda does: the batch is
 * retried from the first failed record, up to `retryAttempts` times, and then its description goes
 * to the dead letters and the shard moves on.
 */
export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly iterators = new Map<string, string | undefined>();
  private readonly done = new Set<string>();
  private streamArn: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private started = false;
  private paused = false;
  private rediscover = false;
  private cycles = 0;
  private quietCycles = 0;
  readonly deadLetters: DeadLetter[] = [];

  constructor(
    private readonly endpoint: string,
    private readonly tableName: string,
    private readonly handler: StreamHandler,
    private readonly options: StreamPollerOptions = {},
  ) {
    this.streams = new DynamoDBStreamsClient({ endpoint, region: 'local', credentials });
  }

  start(): void {
    this.started = true;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.pollOnce()
        .catch((err: unknown) => logger.warn('stream poll failed', errorSummary(err)))
        .finally(() => {
          // Idle, it looks less often (up to 4 times a second); busy, at once again.
          const idle = Math.min(250, (this.options.pollMs ?? 50) * 2 ** Math.min(this.quietCycles, 3));
          if (!this.stopped) this.timer = setTimeout(loop, this.quietCycles === 0 ? 0 : idle);
        });
    };
    loop();
  }

  /**
   * Resolves once every record written before the call has been handled: two full poll cycles after
   * it found nothing new. For tests: "the stream has caught up".
   */
  async settled(): Promise<void> {
    if (!this.started)
      throw new Error('this stack does not deliver SMS: start it with sms: { deliver: true }');
    this.rediscover = true;
    const from = this.cycles;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      if (this.cycles >= from + 2 && this.quietCycles >= 2) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    this.streams.destroy();
  }

  private async arn(): Promise<string> {
    if (this.streamArn) return this.streamArn;
    const db = new DynamoDBClient({ endpoint: this.endpoint, region: 'local', credentials });
    try {
      const out = await db.send(new DescribeTableCommand({ TableName: this.tableName }));
      const arn = out.Table?.LatestStreamArn;
      if (!arn) throw new Error(`table ${this.tableName} has no stream`);
      this.streamArn = arn;
      return arn;
    } finally {
      db.destroy();
    }
  }

  /** Stops reading the stream (the delivery function down) until {@link resume}; records wait in the stream. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  private async pollOnce(): Promise<void> {
    if (this.paused) return;
    const arn = await this.arn();
    // New shards appear when DynamoDB Local rolls one over; look for them now and then, not every cycle.
    if (this.rediscover || this.iterators.size === 0 || this.cycles % 10 === 0) {
      this.rediscover = false;
      await this.discoverShards(arn);
    }
    let seen = 0;
    for (const [shardId, iterator] of [...this.iterators]) {
      if (!iterator) {
        this.iterators.delete(shardId);
        this.done.add(shardId);
        continue;
      }
      const out = await this.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }),
      );
      const records = out.Records ?? [];
      seen += records.length;
      if (records.length > 0) await this.deliver(arn, shardId, records);
      this.iterators.set(shardId, out.NextShardIterator);
    }
    this.cycles++;
    this.quietCycles = seen === 0 ? this.quietCycles + 1 : 0;
  }

  private async discoverShards(arn: string): Promise<void> {
    const described = await this.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    for (const shard of described.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId;
      if (!id || this.iterators.has(id) || this.done.has(id)) continue;
      const it = await this.streams.send(
        new GetShardIteratorCommand({ StreamArn: arn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      this.iterators.set(id, it.ShardIterator);
    }
  }

  /** One batch, retried from its first failed record as Lambda does, then given up to the dead letters. */
  private async deliver(arn: string, shardId: string, records: StreamRecord[]): Promise<void> {
    let pending = records.map((r) => lambdaRecord(arn, r));
    const retries = this.options.retryAttempts ?? 3;
    for (let attempt = 0; pending.length > 0; attempt++) {
      let failedFrom: number;
      try {
        const response = await invokeLocally('notify', FUNCTION_TIMEOUT_SECONDS.notify, (context) =>
          this.handler({ Records: pending }, context),
        );
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        failedFrom = pending.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
      } catch (err) {
        logger.warn('stream batch failed', errorSummary(err));
        failedFrom = 0;
      }
      if (failedFrom < 0) return;
      pending = pending.slice(failedFrom);
      if (attempt >= retries) {
        this.deadLetters.push({
          at: new Date().toISOString(),
          shardId,
          startSequenceNumber: pending[0]?.dynamodb?.SequenceNumber ?? '',
          endSequenceNumber: pending.at(-1)?.dynamodb?.SequenceNumber ?? '',
          batchSize: pending.length,
          attempts: attempt + 1,
        });
        logger.warn('stream records sent to the dead letters', { shardId, records: pending.length });
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
    }
  }
}

/** A stream record as Lambda's event carries it (times in seconds, the event source's ARN). */
function lambdaRecord(arn: string, r: StreamRecord): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: r.eventID ?? '',
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? 'local',
    eventSourceARN: arn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      ...(d.Keys ? { Keys: d.Keys as never } : {}),
      ...(d.NewImage ? { NewImage: d.NewImage as never } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage as never } : {}),
      ...(d.SequenceNumber ? { SequenceNumber: d.SequenceNumber } : {}),
      ...(d.SizeBytes !== undefined ? { SizeBytes: d.SizeBytes } : {}),
      ...(d.StreamViewType ? { StreamViewType: d.StreamViewType as never } : {}),
    },
  };
}
