// First: sets the log level before the Logger is built.
import './quiet-logs.ts';
import { resolve } from 'node:path';
import { JavaMissingError } from './dynamodb.ts';
import { startLocalStack } from './stack.ts';

/**
 * `npm start`: the whole product on one machine. PORT (default 3000) and DATA_DIR (default .data/)
 * configure it; Ctrl-C stops every child process it started.
 */
async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');

  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({ dataDir, port, persist: true, seed: true, sms: { schedule: true } });
  } catch (err) {
    if (err instanceof JavaMissingError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, stopping the local stack…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const health = await fetch(`${stack.url}/v1/health`);
  if (!health.ok) throw new Error(`health check answered ${health.status}`);

  const seeded = stack.seed;
  console.log(
    [
      'edu-subsidy is running.',
      `  API          ${stack.url}/v1   (health: ${stack.url}/v1/health)`,
      `  OpenAPI      ${stack.url}/openapi.json`,
      `  Quota board  ${stack.url}/`,
      `  Console      ${stack.url}/console/   (union reviewers and admins)`,
      `  Worker pages ${stack.url}/m/`,
      `  Sign-in      ${stack.oidc.issuer}   (OIDC issuer; demo accounts and passwords in the README)`,
      `  Dev tokens   POST ${stack.url}/v1/dev/token  {"sub":"u1","role":"admin","org":"lc"}`,
      `  SMS sent     ${stack.url}/v1/dev/sms   (Tencent SMS stand-in at ${stack.sms.standIn.endpoint})`,
      `  DynamoDB     ${stack.dynamodbEndpoint}  (table ${stack.tableName})`,
      `  S3 emulator  ${stack.s3Endpoint}  (bucket ${stack.bucketName})`,
      `  Data         ${stack.dataDir}`,
      seeded && (seeded.orgsCreated > 0 || seeded.programmesCreated.length > 0)
        ? `  Seeded       ${seeded.orgsCreated} orgs, programmes: ${seeded.programmesCreated.join(', ') || 'none new'}`
        : '  Seed         already present, nothing added',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
