import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lazyModuleCommands } from './lazy-modules.ts';
import {
  OPENAPI_FILE,
  OPENAPI_FILE_VARIABLE,
  openApiDocumentCommands,
  openApiGenerator,
} from './openapi-file.ts';
import { lockFile, repoRoot } from './paths.ts';

/**
 * ESM output still meets CommonJS dependencies that call `require` for Node built-ins; esbuild's
 * shim for that needs a real `require` in module scope.
 */
/** What the bundles import for `node:stream/web`: its `ReadableStream`, Web Streams loaded on first use. */
const webStreamsOnUse = join(import.meta.dirname, 'web-streams-on-use.ts');

/** Defined `"true"` in every deployed bundle: `if (process.env.EDU_BUNDLED_FOR_AWS !== 'true')` marks local-only code. */
export const BUNDLED_FOR_AWS_VARIABLE = 'process.env.EDU_BUNDLED_FOR_AWS';

const requireShim =
  "import{createRequire as __eduCreateRequire}from'node:module';const require=__eduCreateRequire(import.meta.url);";

/**
 * How every function is bundled: local esbuild (no Docker), ESM for Node.js 24, minified, with a
 * source map beside the bundle (not inlined, so it does not count against the bundle's size).
 *
 * `bundleAwsSdk: false` (the default) leaves `@aws-sdk/*` to the SDK v3 that the Node.js 24 Lambda
 * runtime ships: the bundles stay small (a cold start reads less) and SDK fixes arrive with the
 * runtime. `true` bundles the versions pinned in the lock file instead, for when the runtime's SDK
 * is missing something the code needs. `extras`: see {@link AppFunctionProps}.
 */
export function functionBundling(
  bundleAwsSdk: boolean,
  extras: {
    lazyModules?: readonly string[];
    openApiDocument?: boolean;
  } = {},
): BundlingOptions {
  const lazyModules = extras.lazyModules ?? [];
  const after = (outputDir: string) => [
    ...lazyModuleCommands(lazyModules, outputDir),
    ...(extras.openApiDocument ? openApiDocumentCommands(outputDir) : []),
  ];
  return {
    format: OutputFormat.ESM,
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    // Beside index.mjs, read when an error is logged (shared/source-stack.ts), not at cold start.
    sourceMap: true,
    sourcesContent: false,
    // The error messages are Chinese: UTF-8 keeps them as they are instead of \uXXXX escapes
    // (a third of the bundle). Passed as an argument: aws-cdk-lib 2.276 drops `charset` when it
    // bundles locally.
    esbuildArgs: {
      '--charset': 'utf8',
      // Web Streams loaded on first use, not at every cold start (web-streams-on-use.ts says why).
      '--alias:node:stream/web': webStreamsOnUse,
    },
    banner: requireShim,
    externalModules: [
      ...(bundleAwsSdk ? [] : ['@aws-sdk/*']),
      ...lazyModules,
      ...(extras.openApiDocument ? [openApiGenerator] : []),
    ],
    define: {
      // Code for the local stage only (fault injection) is dropped from every deployed bundle.
      [BUNDLED_FOR_AWS_VARIABLE]: JSON.stringify('true'),
      ...(extras.openApiDocument ? { [OPENAPI_FILE_VARIABLE]: JSON.stringify(OPENAPI_FILE) } : {}),
    },
    bundleAwsSDK: bundleAwsSdk,
    logLevel: LogLevel.WARNING,
    ...(lazyModules.length > 0 || extras.openApiDocument
      ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_inputDir: string, outputDir: string) => after(outputDir),
          },
        }
      : {}),
  };
}

export interface AppFunctionProps {
  /** Absolute path of the entry file; it exports `handler`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
  bundleAwsSdk: boolean;
  memorySize?: number;
  timeout?: Duration;
  /** Days the function's log group keeps its logs. */
  logRetention?: RetentionDays;
  /**
   * Packages the function loads with `import()` on first use only (exceljs for the catalogue's
   * workbooks): left out of `index.mjs`, so a cold start neither reads nor parses them, and shipped
   * beside it, each bundled into one file under `node_modules/` (`lazy-modules.ts`).
   */
  lazyModules?: readonly string[];
  /**
   * `GET /openapi.json`'s document written beside the bundle at synth (`openapi-file.ts`) and read from
   * there, instead of the route table of every group and the generator riding in the bundle.
   */
  openApiDocument?: boolean;
}

/**
 * A Lambda function of this project: Node.js 24 on arm64, bundled by esbuild, with a log group of
 * its own and a role that may write to that log group and nothing else until it is granted more.
 * (No `AWSLambdaBasicExecutionRole`: that managed policy may write to every log group.)
 *
 * Used for the route groups now and, later, for the tasks of the Step Functions state machines.
 */
export class AppFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** How its code is bundled (`functionBundling`), for the checks of what a deployment carries. */
  readonly bundling: BundlingOptions;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    // Six months: the PRC Cybersecurity Law (art. 21) requires network logs to be kept that long.
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    this.bundling = functionBundling(props.bundleAwsSdk, {
      ...(props.lazyModules ? { lazyModules: props.lazyModules } : {}),
      ...(props.openApiDocument ? { openApiDocument: true } : {}),
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      projectRoot: repoRoot,
      depsLockFilePath: lockFile,
      bundling: this.bundling,
      environment: {
        ...props.environment,
        STAGE: 'aws',
        // No `--enable-source-maps`: Node would read and parse the bundle's source map at every cold
        // start (~12 ms of init). The map ships beside `index.mjs` and the logged stacks of
        // unexpected errors are mapped through it when they happen (`shared/source-stack.ts`).
        // Powertools (shared/logger.ts, shared/metrics.ts): every function logs and counts as one
        // service, so one CloudWatch namespace holds the business figures of all of them.
        POWERTOOLS_SERVICE_NAME: 'edu-subsidy',
        POWERTOOLS_METRICS_NAMESPACE: 'EduSubsidy',
      },
    });
    // Grants land in the role's default policy later; the function must not start before them.
    this.function.node.addDependency(this.role);
  }
}
