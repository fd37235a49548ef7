import { randomBytes } from 'node:crypto';
import { type AccountIdentity, applicantMatchesAccount, ID_HASH_PURPOSE } from '../domain/account.ts';
import type { Caller } from '../domain/caller.ts';
import { levelLabels } from '../domain/catalogue.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { eligibilityFailures, ruleMessages } from '../domain/eligibility.ts';
import { maskAccountNumber, maskIdNumber, maskPhone, maskWalletId } from '../domain/identity.ts';
import { reviewChain } from '../domain/review.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import type { ApplicationBundle, ApplicationRecord, StoredPayoutAccount } from '../model/application.ts';
import type { StoredEnrolment } from '../model/catalogue.ts';
import type { Programme } from '../model/programme.ts';
import type {
  CreateApplicationBody,
  EnrolmentInput,
  UpdateApplicationBody,
} from '../schemas/applications.ts';
import type { ApplicationView } from '../schemas/views/applications.ts';
import { toView } from './application-view.ts';
import { rethrowAsContract } from './contract-errors.ts';
import type { Deps } from './deps.ts';

/**
 * A worker's draft (architecture.md §5, R1–R4, R11): created and corrected until it is submitted, with every
 * check that can run before submitting, and personal numbers stored only encrypted and masked.
 * The checks shared with submitting (eligibility, the applicant being the account) live here too.
 */

/** A new random id (applications, documents): 20 hex characters. */
export const newId = () => randomBytes(10).toString('hex');

async function loadProgramme(deps: Deps, programmeId: string): Promise<Programme> {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw programmeNotFound();
  return found.programme;
}

/** What a submit checks of the programme, at most seconds old (`ProgrammeRepository.terms`). */
export async function loadProgrammeTerms(deps: Deps, programmeId: string) {
  const found = await deps.programmes.terms(programmeId);
  if (!found) throw programmeNotFound();
  return found;
}

const programmeNotFound = () => invalid([{ path: 'programmeId', message: '项目不存在' }]);

/**
 * The employer must be an enterprise (union) inside one of the programme's allocation units; the
 * unit it belongs to is where its worker's place is claimed (R5), its path fixes the review chain (R12).
 */
export async function resolveEmployer(deps: Deps, programme: Programme, employerOrgId: string) {
  const employer = await deps.orgs.get(employerOrgId);
  const units = new Set(programme.allocations.map((a) => a.unitOrgId));
  const unitOrgId = employer?.path.find((id) => units.has(id));
  if (employer?.kind !== 'enterprise' || !unitOrgId) {
    throw invalid([
      { path: 'employerOrgId', message: '所在单位须为本项目名额分配范围内已注册的企业(单位)工会' },
    ]);
  }
  const pathOrgs = await deps.orgs.getMany(employer.path);
  return { employer, unitOrgId, chain: reviewChain(employer.path, (id) => pathOrgs.get(id)) };
}

export function assertEligible(
  programme: Pick<Programme, 'levels' | 'enrolmentYear'>,
  app: Pick<ApplicationRecord, 'applicant' | 'enrolment' | 'chsiReport'>,
  onDate: string,
) {
  const failed = eligibilityFailures(
    {
      positionLevel: app.applicant.positionLevel,
      level: app.enrolment.level,
      enrolledOn: app.enrolment.enrolledOn,
      chsiValidUntil: app.chsiReport.validUntil,
    },
    { levels: programme.levels, enrolmentYear: programme.enrolmentYear },
    onDate,
  );
  if (failed.length > 0) {
    throw new AppError('ineligible', {
      message: failed.map((r) => ruleMessages[r]).join('；'),
      details: { rules: failed },
    });
  }
}

export async function protectPayout(
  deps: Deps,
  account: CreateApplicationBody['payoutAccount'],
): Promise<StoredPayoutAccount> {
  if (account.kind === 'bank') {
    return {
      kind: 'bank',
      bankName: account.bankName,
      accountName: account.accountName,
      accountNumber: {
        cipher: await deps.cipher().encrypt(account.accountNumber),
        masked: maskAccountNumber(account.accountNumber),
      },
    };
  }
  return {
    kind: 'wallet',
    walletId: {
      cipher: await deps.cipher().encrypt(account.walletId),
      masked: maskWalletId(account.walletId),
    },
  };
}

export async function protectApplicant(deps: Deps, applicant: CreateApplicationBody['applicant']) {
  return {
    stored: {
      name: applicant.name,
      idNumber: {
        cipher: await deps.cipher().encrypt(applicant.idNumber),
        masked: maskIdNumber(applicant.idNumber),
      },
      // Issue 10 point 10: encrypted like the ID number, masked for everyone but who may call.
      phone: {
        cipher: await deps.cipher().encrypt(applicant.phone),
        masked: maskPhone(applicant.phone),
      },
      positionLevel: applicant.positionLevel,
      migrantWorker: applicant.migrantWorker,
    },
    idHash: await deps.cipher().lookupHash(applicant.idNumber, ID_HASH_PURPOSE),
  };
}

/**
 * R9 实名注册 (architecture.md §8): when the issuer vouches for a verified real name and ID number, the
 * account applies only as that person — 422 `ineligible` with rule `R9` otherwise. An issuer that
 * vouches for neither leaves the applicant unchecked (README, "What the issuer vouches for").
 */
export function assertApplicantIsAccount(caller: Caller, applicant: { name: string; idHash: string }) {
  const identity: AccountIdentity = {
    sub: caller.sub,
    ...(caller.verifiedName ? { verifiedName: caller.verifiedName } : {}),
    ...(caller.verifiedIdHash ? { verifiedIdHash: caller.verifiedIdHash } : {}),
  };
  if (!applicantMatchesAccount(identity, applicant)) {
    throw new AppError('ineligible', { message: ruleMessages.R9, details: { rules: ['R9'] } });
  }
}

/** Loads an application for its owner; anyone else gets 404 so existence never leaks. */
export async function ownBundle(
  deps: Deps,
  caller: Caller,
  applicationId: string,
): Promise<ApplicationBundle> {
  const bundle = await deps.applications.bundle(applicationId);
  if (!bundle || bundle.application.ownerSub !== caller.sub) throw notFound('申请不存在');
  return bundle;
}

/** `POST /applications`: a worker's draft, checked for everything that can be checked before submitting. */
export async function createDraft(
  deps: Deps,
  caller: Caller,
  body: CreateApplicationBody,
  now: Date,
): Promise<ApplicationView> {
  const programme = await loadProgramme(deps, body.programmeId);
  const { unitOrgId, chain } = await resolveEmployer(deps, programme, body.employerOrgId);
  // Issue 16 (R3/R4): an offering of the catalogue, or a declared institution where the programme allows it.
  const enrolment = await resolveEnrolment(deps, programme, unitOrgId, body.enrolment);
  const { stored, idHash } = await protectApplicant(deps, body.applicant);
  assertApplicantIsAccount(caller, { name: stored.name, idHash });
  const at = now.toISOString();
  const record: ApplicationRecord = {
    id: newId(),
    programmeId: programme.id,
    employerOrgId: body.employerOrgId,
    unitOrgId,
    ownerSub: caller.sub,
    channel: body.channel,
    status: 'draft',
    quotaState: 'none',
    applicant: stored,
    idHash,
    enrolment,
    chsiReport: body.chsiReport,
    jobTitle: body.jobTitle,
    relevance: body.relevance,
    payoutAccount: await protectPayout(deps, body.payoutAccount),
    chain,
    currentOrgId: null,
    decisions: [],
    createdAt: at,
    updatedAt: at,
  };
  assertEligible(programme, record, shanghaiDate(now));
  // One live application per account and programme, at most five live drafts per account (issue 10
  // point 8), enforced by the create transaction itself so that racing creates cannot both pass.
  await deps.applications.create(record).catch(rethrowAsContract);
  return toView(deps, caller, { application: record, attachments: [], timeline: [{ type: 'created', at }] });
}

/** `PATCH /applications/{id}`: a worker corrects its own draft until it submits. */
export async function updateDraft(
  deps: Deps,
  caller: Caller,
  applicationId: string,
  body: UpdateApplicationBody,
  now: Date,
): Promise<ApplicationView> {
  const bundle = await ownBundle(deps, caller, applicationId);
  const current = bundle.application;
  const editable = current.status === 'draft' || current.status === 'returned';
  if (!editable) throw new AppError('invalid_state', { message: '只能修改尚未提交或被退回的申请' });
  const programme = await loadProgramme(deps, current.programmeId);
  const fields: Partial<ApplicationRecord> = {};
  if (current.status === 'returned') {
    // A returned application keeps its place and its person-and-level claim (R8): the employer and
    // the person cannot change, only what the reviewer asked to correct.
    const problems = [];
    if (body.employerOrgId !== undefined && body.employerOrgId !== current.employerOrgId) {
      problems.push({ path: 'employerOrgId', message: '被退回的申请不能更换所在单位' });
    }
    if (
      body.applicant &&
      (await deps.cipher().lookupHash(body.applicant.idNumber, ID_HASH_PURPOSE)) !== current.idHash
    ) {
      problems.push({ path: 'applicant.idNumber', message: '被退回的申请不能更换身份证号' });
    }
    if (problems.length > 0) throw invalid(problems);
  }
  if (body.employerOrgId !== undefined && body.employerOrgId !== current.employerOrgId) {
    const { unitOrgId, chain } = await resolveEmployer(deps, programme, body.employerOrgId);
    Object.assign(fields, { employerOrgId: body.employerOrgId, unitOrgId, chain });
  }
  // Issue 16: a new enrolment, or a new unit, is checked against the catalogue offered to that unit.
  const unitOrgId = fields.unitOrgId ?? current.unitOrgId;
  if (body.enrolment || unitOrgId !== current.unitOrgId) {
    const enrolment = await resolveEnrolment(
      deps,
      programme,
      unitOrgId,
      body.enrolment ?? enrolmentInput(current.enrolment),
      current.enrolment,
    );
    if (current.status === 'returned' && enrolment.level !== current.enrolment.level) {
      throw invalid([{ path: 'enrolment.level', message: '被退回的申请不能更换学历层次' }]);
    }
    fields.enrolment = enrolment;
  }
  if (body.applicant) {
    const { stored, idHash } = await protectApplicant(deps, body.applicant);
    assertApplicantIsAccount(caller, { name: stored.name, idHash });
    Object.assign(fields, { applicant: stored, idHash });
  }
  if (body.payoutAccount) fields.payoutAccount = await protectPayout(deps, body.payoutAccount);
  for (const key of ['channel', 'chsiReport', 'jobTitle', 'relevance'] as const) {
    if (body[key] !== undefined) Object.assign(fields, { [key]: body[key] });
  }
  const next = { ...current, ...fields, updatedAt: now.toISOString() };
  assertEligible(programme, next, shanghaiDate(now));
  await deps.applications
    .updateDraft(
      applicationId,
      current.updatedAt,
      { ...fields, updatedAt: next.updatedAt },
      current.status === 'returned' ? 'returned' : 'draft',
    )
    .catch(rethrowAsContract);
  return toView(deps, caller, { ...bundle, application: next });
}

/** A stored enrolment as the request that would choose it again (re-checked when the unit changes). */
function enrolmentInput(e: StoredEnrolment): EnrolmentInput {
  return e.offeringId
    ? { offeringId: e.offeringId, enrolledOn: e.enrolledOn }
    : {
        institution: e.institution,
        major: e.major,
        level: e.level as 'junior_college' | 'bachelor',
        enrolledOn: e.enrolledOn,
        ...(e.institutionCode ? { institutionCode: e.institutionCode } : {}),
      };
}

/**
 * An application's enrolment from what the worker sent (R3, R4): an offering of the programme's
 * catalogue, offered to the worker's unit (a retired one only if the draft already named it), its
 * level the level R4 checks — or, where the programme allows it, a declared institution (非合作院校).
 */
export async function resolveEnrolment(
  deps: Deps,
  programme: Programme,
  unitOrgId: string,
  input: EnrolmentInput,
  current?: Pick<StoredEnrolment, 'offeringId'>,
): Promise<StoredEnrolment> {
  if (input.offeringId === undefined) {
    if (programme.catalogueRequired) {
      throw invalid([{ path: 'enrolment.offeringId', message: '本项目须从合作院校专业目录中选择报读专业' }]);
    }
    return {
      institution: input.institution as string,
      major: input.major as string,
      level: input.level as string,
      enrolledOn: input.enrolledOn,
      ...(input.institutionCode ? { institutionCode: input.institutionCode } : {}),
    };
  }
  const offering = await deps.catalogue.getOffering(programme.id, input.offeringId);
  const chosenBefore = current?.offeringId === input.offeringId;
  if (!offering || (offering.unitOrgId !== undefined && offering.unitOrgId !== unitOrgId)) {
    throw invalid([
      { path: 'enrolment.offeringId', message: '所选专业不在本项目面向您所在单位的专业目录中' },
    ]);
  }
  if (offering.status === 'retired' && !chosenBefore) {
    throw invalid([{ path: 'enrolment.offeringId', message: '该专业已停止招生，请选择其他专业' }]);
  }
  if (input.level !== undefined && input.level !== offering.level) {
    throw invalid([
      {
        path: 'enrolment.level',
        message: `所选专业的学历层次为${levelLabels[offering.level as keyof typeof levelLabels]}，与填写的不一致`,
      },
    ]);
  }
  return {
    institution: offering.institutionName,
    major: offering.major,
    level: offering.level,
    enrolledOn: input.enrolledOn,
    offeringId: offering.offeringId,
    institutionId: offering.institutionId,
    institutionCode: offering.institutionCode,
    mode: offering.mode,
    years: offering.years,
    tuitionFen: offering.tuitionFen,
    tags: offering.tags,
  };
}
