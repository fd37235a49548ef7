import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../adapters/aws.ts';
import { OrgRepository } from '../adapters/orgs-repo.ts';
import { ProgrammeRepository } from '../adapters/programmes-repo.ts';
import type { Config } from '../config.ts';

/** What the services need, built once per cold start at module scope and passed in. */
export interface Deps {
  config: Config;
  db: DynamoDBDocumentClient;
  orgs: OrgRepository;
  programmes: ProgrammeRepository;
}

export function createDeps(config: Config): Deps {
  const db = createDocumentClient(config);
  return {
    config,
    db,
    orgs: new OrgRepository(db, config.tableName),
    programmes: new ProgrammeRepository(db, config.tableName),
  };
}
