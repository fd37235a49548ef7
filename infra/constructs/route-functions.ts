import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { type FunctionGroup, functionGroups } from '../../shared/http/route.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../function-timeouts.ts';
import { AppFunction } from './app-function.ts';
import type { DataStore, DocumentAction, FieldKeyUse, PayoutFileAction } from './data-store.ts';
import { functionEntry } from './paths.ts';

export interface RouteFunctionsProps {
  data: DataStore;
  bundleAwsSdk: boolean;
}

/**
 * What each route group's code calls beyond logging, traced from `functions/<group>.ts` through
 * `shared/services` to the adapters — each function holds exactly that (issue 10, point 13):
 * - `public`: catalogue reads only.
 * - `admin`: writes (orgs, programmes, reallocations, unit shards, revocations); the SMS log's page
 *   cursors are signed with a key derived through the HMAC key (GenerateMac); starting, stopping and
 *   describing calendar executions is granted by the stack. It never encrypts or decrypts personal
 *   data, and touches no bucket.
 * - `payments`: payout runs and bank results write the table; presigned GETs of bank batch files
 *   (`payouts/*`); starting payout-run executions is granted by the stack. No field key either.
 * - `applications`: drafts encrypt ID and account numbers (KMS GenerateDataKey) and hash ID numbers,
 *   receipts and cursors (GenerateMac); it decrypts (Decrypt) a saved application form's ID and phone
 *   numbers into its draft, and the applicant's phone for the owner and the employer's union, who see
 *   it in full (everyone else gets the mask stored beside the ciphertext); presigned POST uploads (PutObject); submit verifies documents (HEAD,
 *   ranged GET of a version, ListBucket for a 404 on a missing key) and deletes forged ones.
 * - `review`: decisions write the table; presigned GETs of documents (GetObject); the review
 *   queue's cursors are signed with a key derived through the HMAC key (GenerateMac). Masks are
 *   stored, so nothing is decrypted, and no document is written or deleted.
 * - `catalogue` (issue 16): managing partner institutions and offerings, the Excel import and the
 *   counts write and read the table only. Its own function so that exceljs, which it alone loads,
 *   sits in no other function's bundle.
 * - `accounts` (issue 12): memberships, organisation registration and members write the table; a
 *   verified phone number is looked up by its keyed hash (GenerateMac) and kept, encrypted
 *   (GenerateDataKey), as the reviewer contact the SMS go to.
 * A group added to `functionGroups` must say here what it needs before it gets a function.
 */
const groupAccess: Record<
  FunctionGroup,
  {
    table: 'read' | 'readWrite';
    documents?: readonly DocumentAction[];
    payoutFiles?: readonly PayoutFileAction[];
    fieldKey?: readonly FieldKeyUse[];
  }
> = {
  public: { table: 'read' },
  admin: { table: 'readWrite', fieldKey: ['hash'] },
  payments: { table: 'readWrite', payoutFiles: ['s3:GetObject'] },
  applications: {
    table: 'readWrite',
    // Presigned POSTs, and verification at submit of what the upload event has not verified yet.
    documents: [
      's3:GetObject',
      's3:GetObjectVersion',
      's3:PutObject',
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:ListBucket',
    ],
    fieldKey: ['encrypt', 'decrypt', 'hash'],
  },
  // Downloads serve the pinned copy at its version, after checking it is intact.
  review: { table: 'readWrite', documents: ['s3:GetObject', 's3:GetObjectVersion'], fieldKey: ['hash'] },
  catalogue: { table: 'readWrite' },
  accounts: { table: 'readWrite', fieldKey: ['encrypt', 'hash'] },
};

/** Packages a group imports on first use only, shipped beside its bundle (`AppFunction.lazyModules`). */
const lazyModules: Partial<Record<FunctionGroup, string[]>> = {
  // Catalogue import and export read and write workbooks; nothing else of the group needs exceljs.
  catalogue: ['exceljs'],
};

const constructId = (group: string) => `${group.charAt(0).toUpperCase()}${group.slice(1)}Function`;

/**
 * One Lambda function per route group of `functionGroups` (architecture.md §6), entry `functions/<group>.ts`.
 * A group added to `functionGroups` gets its function here without touching this file.
 */
export class RouteFunctions extends Construct {
  private readonly functions = new Map<FunctionGroup, AppFunction>();

  constructor(scope: Construct, id: string, props: RouteFunctionsProps) {
    super(scope, id);
    const { data } = props;
    for (const group of functionGroups) {
      const fn = new AppFunction(this, constructId(group), {
        entry: functionEntry(group),
        description: `edu-subsidy API, ${group} routes`,
        bundleAwsSdk: props.bundleAwsSdk,
        environment: data.functionEnvironment(),
        lazyModules: lazyModules[group] ?? [],
        timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.api),
        // The public group serves GET /openapi.json from a file written at synth.
        openApiDocument: group === 'public',
      });
      const access = groupAccess[group];
      if (access.table === 'read') data.grantTableRead(fn.function);
      else data.grantTableReadWrite(fn.function);
      if (access.documents) data.grantAttachmentsReadWrite(fn.function, access.documents);
      if (access.payoutFiles) data.grantPayoutFilesReadWrite(fn.function, access.payoutFiles);
      if (access.fieldKey) data.grantFieldEncryption(fn.function, access.fieldKey);
      this.functions.set(group, fn);
    }
  }

  /** The function serving a route group. */
  of(group: FunctionGroup): AppFunction {
    const fn = this.functions.get(group);
    if (!fn) throw new Error(`no function for route group ${group}`);
    return fn;
  }

  /** Every route function with its group, in `functionGroups` order. */
  entries(): [FunctionGroup, AppFunction][] {
    return [...this.functions.entries()];
  }
}
