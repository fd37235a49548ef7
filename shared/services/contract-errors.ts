import {
  AccountHoldsApplication,
  ApplicationNotFound,
  ApplicationNotInState,
  CatalogueChanged,
  DraftChanged,
  DraftLimitReached,
  DraftNotSubmittable,
  InvalidPageToken,
  ItemAlreadyExists,
  JoinsInFlight,
  MembershipNotFound,
  PaymentsHeld,
  PayoutRunOpen,
  PersistenceError,
  PersonLevelTaken,
  PlacesInUse,
  ProgrammeChanged,
  RegistrationNotPending,
  ShardCountInvalid,
  SubmitContention,
  UnitNotAllocated,
} from '../adapters/persistence-errors.ts';
import { AppError } from '../errors.ts';

/**
 * The one place where what the repositories refuse becomes the contract's error (architecture.md §5): the
 * code, the Chinese message a worker or officer reads, and the request field it is about. Services
 * rethrow through {@link rethrowAsContract}; an error the contract has no word for passes unchanged
 * (and becomes a 500 without internals).
 */
export function contractError(err: unknown, context: 'default' | 'reallocation' = 'default'): unknown {
  if (!(err instanceof PersistenceError)) return err;
  const cause = err;
  if (err instanceof ItemAlreadyExists) {
    if (err.entity === 'institution') {
      return new AppError('already_exists', { message: `学校标识码 ${err.id} 已登记`, cause });
    }
    if (err.entity === 'offering') {
      return new AppError('already_exists', {
        message: '该院校的这一专业（同一层次和学习形式）已在目录中',
        details: { offeringId: err.id },
        cause,
      });
    }
    if (err.entity === 'credit_code') {
      return new AppError('already_exists', {
        message: `统一社会信用代码 ${err.id} 已有单位注册或正在审核`,
        fields: [{ path: 'creditCode', message: '该统一社会信用代码已注册' }],
        cause,
      });
    }
    const label = err.entity === 'programme' ? '项目编号' : '组织编号';
    return new AppError('already_exists', { message: `${label} ${err.id} 已存在`, cause });
  }
  if (err instanceof CatalogueChanged) {
    return new AppError('invalid_state', { message: '专业目录已被他人修改，请刷新后重试', cause });
  }
  if (err instanceof AccountHoldsApplication) {
    // already_applied rather than invalid_state: the refusal is about a second application, as the
    // contract's already_applied is for R8, and the worker's answer is the same — carry on with (or
    // withdraw) the application already there.
    return new AppError('already_applied', {
      message: '本账号在该项目中已有一份申请（草稿或已提交），请在“我的申请”中继续办理，或撤回后再新建',
      cause,
    });
  }
  if (err instanceof DraftLimitReached) {
    // invalid_state: the account's state (too many open drafts) refuses the action; quota_exceeded is
    // the places' code and would send a worker to the places board.
    return new AppError('invalid_state', {
      message: `每个账号最多同时保留 ${err.cap} 份未提交的申请草稿，请先提交或撤回已有草稿`,
      cause,
    });
  }
  if (err instanceof DraftChanged) {
    return new AppError('invalid_state', {
      message: '只能修改尚未提交的申请，或申请已被修改，请刷新后重试',
      cause,
    });
  }
  if (err instanceof DraftNotSubmittable) {
    return new AppError('invalid_state', { message: '申请已提交或已被修改，请刷新后重试', cause });
  }
  if (err instanceof PersonLevelTaken) return new AppError('already_applied', { cause });
  if (err instanceof UnitNotAllocated) {
    return context === 'reallocation'
      ? new AppError('validation_failed', {
          fields: [{ path: 'unitOrgId', message: `单位 ${err.unitOrgId} 不在本项目的名额分配中` }],
          cause,
        })
      : new AppError('not_found', { message: '该单位不在本项目的名额分配中', cause });
  }
  if (err instanceof ShardCountInvalid) {
    return new AppError('validation_failed', {
      fields: [{ path: 'shards', message: `该单位已有 ${err.current} 个分片，分片数只能增加，最多 16 个` }],
      cause,
    });
  }
  if (err instanceof SubmitContention) {
    return new AppError('rate_limited', { message: '提交人数过多，请稍后重试', cause });
  }
  if (err instanceof JoinsInFlight) {
    return new AppError('rate_limited', { message: '名额正在分配，请稍后重试', cause });
  }
  if (err instanceof ApplicationNotFound) return new AppError('not_found', { cause });
  if (err instanceof ApplicationNotInState) return new AppError('invalid_state', { cause });
  if (err instanceof PaymentsHeld) {
    return new AppError('invalid_state', { message: '补助已进入发放流程或已发放，名额不能释放', cause });
  }
  if (err instanceof PlacesInUse) {
    return new AppError('quota_exceeded', { message: '调出单位的名额不能少于已占用的名额', cause });
  }
  if (err instanceof ProgrammeChanged) {
    return new AppError('invalid_state', { message: '项目已被他人修改，请刷新后重试', cause });
  }
  if (err instanceof InvalidPageToken) return invalidCursor(cause);
  if (err instanceof RegistrationNotPending) {
    return new AppError('invalid_state', { message: '该组织注册申请已处理', cause });
  }
  if (err instanceof MembershipNotFound) {
    return new AppError('not_found', { message: '该账号不是本组织的成员', cause });
  }
  if (err instanceof PayoutRunOpen) {
    // One run at a time per programme: a second would plan money the first already holds.
    return new AppError('invalid_state', {
      message: `本项目已有发放批次 ${err.openRunId} 尚未结束，请等待其结束后再发起`,
      fields: [{ path: 'openRunId', message: err.openRunId }],
      cause,
    });
  }
  return err;
}

/** `promise.catch(rethrowAsContract)`: the same, as a rejection handler. */
export function rethrowAsContract(err: unknown): never {
  throw contractError(err);
}

/** A page cursor the server did not issue for this page (altered, made up, another list's). */
export function invalidCursor(cause?: unknown): AppError {
  return new AppError('validation_failed', {
    fields: [{ path: 'query.cursor', message: '分页游标无效' }],
    ...(cause === undefined ? {} : { cause }),
  });
}
