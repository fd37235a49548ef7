import { UnreadableCiphertext } from '../adapters/field-cipher.ts';
import type { Caller } from '../domain/caller.ts';
import { addDays, endOfShanghaiDay, shanghaiDate } from '../domain/dates.ts';
import { invalid, notFound } from '../errors.ts';
import type { ApplicationFormRecord } from '../model/application.ts';
import type { FieldError } from '../model/field-error.ts';
import type {
  ApplicationFromFormBody,
  CreateApplicationBody,
  EnrolmentInput,
  PositionLevel,
  SaveApplicationFormBody,
} from '../schemas/applications.ts';
import type { ApplicationFormView, ApplicationView } from '../schemas/views/applications.ts';
import type { Deps } from './deps.ts';
import {
  assertApplicantIsAccount,
  createDraft,
  protectApplicant,
  resolveEmployer,
  resolveEnrolment,
} from './drafts.ts';

/**
 * 我要申请 saved step by step (architecture.md §7): the draft application needs every section, so until
 * the worker reaches 收款账户 the steps filled so far are kept as a form of the account's own. Each
 * section is checked as the draft checks it (the applicant being the account, the employer inside the
 * programme's units, the enrolment offered to that unit), so a saved step is one the draft will take;
 * the last step turns the form into the draft on the server, so the ID number never travels back.
 */

/** Days a saved form is kept after it was last saved. */
export const APPLICATION_FORM_DAYS = 30;

async function loadProgramme(deps: Deps, programmeId: string) {
  const found = await deps.programmes.get(programmeId);
  if (!found) throw notFound('项目不存在');
  return found.programme;
}

async function loadForm(deps: Deps, caller: Caller, programmeId: string, now: Date) {
  const form = await deps.forms.get(caller.sub, programmeId);
  // DynamoDB's TTL deletes within days of expiry, not at the second: an expired form reads as gone.
  return form && endOfShanghaiDay(form.expiresOn) > now ? form : undefined;
}

/** `PATCH /me/application-forms/{programmeId}`: the sections given replace the saved ones. */
export async function saveApplicationForm(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  body: SaveApplicationFormBody,
  now: Date,
): Promise<ApplicationFormView> {
  const programme = await loadProgramme(deps, programmeId);
  const saved = await loadForm(deps, caller, programmeId, now);
  const { step: _step, applicant, ...plain } = body;
  const form: ApplicationFormRecord = {
    ...(saved ?? {}),
    ...plain,
    ownerSub: caller.sub,
    programmeId: programme.id,
    step: body.step,
    savedAt: now.toISOString(),
    expiresOn: addDays(shanghaiDate(now), APPLICATION_FORM_DAYS),
  };
  if (applicant) {
    const { stored, idHash } = await protectApplicant(deps, applicant);
    assertApplicantIsAccount(caller, { name: stored.name, idHash });
    form.applicant = stored as NonNullable<ApplicationFormRecord['applicant']>;
  }
  // What was shown of an earlier enrolment goes with it; the new one is shown once it is resolved.
  if (body.enrolment) delete form.enrolmentShown;
  if (form.employerOrgId !== undefined && (body.employerOrgId !== undefined || body.enrolment)) {
    const { unitOrgId } = await resolveEmployer(deps, programme, form.employerOrgId);
    form.unitOrgId = unitOrgId;
    // The catalogue offered depends on the unit, so an enrolment is checked once the employer is known.
    if (form.enrolment) {
      const e = await resolveEnrolment(deps, programme, unitOrgId, form.enrolment as EnrolmentInput);
      form.enrolmentShown = {
        institution: e.institution,
        major: e.major,
        level: e.level,
        ...(e.mode ? { mode: e.mode } : {}),
        ...(e.years !== undefined ? { years: e.years } : {}),
      };
    }
  }
  await deps.forms.put(form);
  return viewOf(form);
}

/** `GET /me/application-forms/{programmeId}`: the saved form; 404 when there is none or it expired. */
export async function getApplicationForm(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  now: Date,
): Promise<ApplicationFormView> {
  const form = await loadForm(deps, caller, programmeId, now);
  if (!form) throw notFound('没有保存的申请表');
  return viewOf(form);
}

/** `DELETE /me/application-forms/{programmeId}` (重新填写); 404 when there was none. */
export async function discardApplicationForm(deps: Deps, caller: Caller, programmeId: string) {
  if (!(await deps.forms.delete(caller.sub, programmeId))) throw notFound('没有保存的申请表');
  return { programmeId, discarded: true };
}

/** What each step must have saved before the form can become a draft, by the API's field path. */
const requiredSections: [keyof ApplicationFormRecord, string][] = [
  ['applicant', '请填写基本信息'],
  ['jobTitle', '请填写岗位'],
  ['employerOrgId', '请选择工作单位'],
  ['enrolment', '请填写报读信息'],
  ['chsiReport', '请填写学信网学籍在线验证报告'],
  ['relevance', '请填写专业与岗位关系说明'],
];

/**
 * `POST /me/application-forms/{programmeId}/application`: 收款账户 completes the saved form, which
 * becomes the draft with every check of `POST /applications`; the form goes in the draft's transaction.
 */
export async function createDraftFromForm(
  deps: Deps,
  caller: Caller,
  programmeId: string,
  body: ApplicationFromFormBody,
  now: Date,
): Promise<ApplicationView> {
  const form = await loadForm(deps, caller, programmeId, now);
  if (!form) throw notFound('没有保存的申请表');
  const missing: FieldError[] = requiredSections
    .filter(([key]) => form[key] === undefined)
    .map(([path, message]) => ({ path, message }));
  const { applicant, employerOrgId, enrolment, chsiReport, jobTitle, relevance } = form;
  if (missing.length > 0 || !applicant || !employerOrgId || !enrolment || !chsiReport) {
    throw invalid(missing, '申请表尚未填完');
  }
  let idNumber: string;
  let phone: string;
  try {
    idNumber = await deps.cipher().decrypt(applicant.idNumber.cipher);
    phone = await deps.cipher().decrypt(applicant.phone.cipher);
  } catch (err) {
    if (!(err instanceof UnreadableCiphertext)) throw err;
    throw invalid([{ path: 'applicant', message: '已保存的基本信息无法读取，请重新填写基本信息' }]);
  }
  return createDraft(
    deps,
    caller,
    {
      programmeId,
      employerOrgId,
      channel: body.channel,
      applicant: {
        name: applicant.name,
        idNumber,
        phone,
        positionLevel: applicant.positionLevel as PositionLevel,
        migrantWorker: applicant.migrantWorker,
      },
      enrolment: enrolment as CreateApplicationBody['enrolment'],
      chsiReport,
      jobTitle: jobTitle as string,
      relevance: relevance as string,
      payoutAccount: body.payoutAccount,
    },
    now,
  );
}

/** The form as its owner filled it, the ID number and phone masked as on a draft. */
function viewOf(form: ApplicationFormRecord): ApplicationFormView {
  const { applicant } = form;
  return {
    programmeId: form.programmeId,
    step: form.step,
    ...(applicant
      ? {
          applicant: {
            name: applicant.name,
            idNumber: applicant.idNumber.masked,
            phone: applicant.phone.masked,
            positionLevel: applicant.positionLevel as PositionLevel,
            migrantWorker: applicant.migrantWorker,
          },
        }
      : {}),
    ...(form.jobTitle !== undefined ? { jobTitle: form.jobTitle } : {}),
    ...(form.employerOrgId !== undefined ? { employerOrgId: form.employerOrgId } : {}),
    ...(form.unitOrgId !== undefined ? { unitOrgId: form.unitOrgId } : {}),
    ...(form.enrolment
      ? { enrolment: { ...form.enrolment, ...form.enrolmentShown } as ApplicationFormView['enrolment'] }
      : {}),
    ...(form.chsiReport ? { chsiReport: form.chsiReport } : {}),
    ...(form.relevance !== undefined ? { relevance: form.relevance } : {}),
    savedAt: form.savedAt,
    expiresOn: form.expiresOn,
  };
}
