import { Construct } from 'constructs';
import { type FunctionGroup, functionGroups } from '../../shared/http/route.ts';
import { AppFunction } from './app-function.ts';
import type { DataStore } from './data-store.ts';
import { functionEntry } from './paths.ts';

export interface RouteFunctionsProps {
  data: DataStore;
  bundleAwsSdk: boolean;
}

/**
 * Groups whose routes only read the catalogue (programmes, quotas, the org tree): table reads,
 * no documents, no personal-data key. Every other group — including groups added later — reads
 * and writes the table and the documents and may use the field key.
 */
const readOnlyGroups: ReadonlySet<FunctionGroup> = new Set<FunctionGroup>(['public']);

const constructId = (group: string) => `${group.charAt(0).toUpperCase()}${group.slice(1)}Function`;

/**
 * One Lambda function per route group of `functionGroups` (design §6), entry `functions/<group>.ts`.
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
      });
      if (readOnlyGroups.has(group)) {
        data.grantTableRead(fn.function);
      } else {
        data.grantTableReadWrite(fn.function);
        data.grantAttachmentsReadWrite(fn.function);
        data.grantFieldEncryption(fn.function);
      }
      // Admins download their org's bank batch files through presigned GETs this function signs.
      if (group === 'admin') data.grantPayoutFilesReadWrite(fn.function);
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
