import type { Schemas } from '../../../shared/api/client.ts';
import type { Application, SavedForm } from './queries.ts';

/**
 * The application as the worker fills it in, step by step (architecture.md §7), and how it becomes
 * the API's request sections. Personal numbers live only in this memory, never in browser storage.
 */
export interface ApplicationForm {
  name: string;
  idNumber: string;
  phone: string;
  positionLevel: string;
  migrantWorker: boolean;
  jobTitle: string;
  employerOrgId: string;
  employerName: string;
  /** The unit the employer counts in: the catalogue offered depends on it. */
  unitOrgId: string;
  /** An offering of the programme's catalogue (选学), or empty when another institution is declared. */
  offeringId: string;
  /** The chosen offering as the worker reads it. */
  offeringName: string;
  /** 非合作院校: the worker names an institution not in the catalogue, where the programme allows it. */
  declared: boolean;
  institution: string;
  major: string;
  level: string;
  enrolledOn: string;
  verificationCode: string;
  validUntil: string;
  relevance: string;
  payoutKind: 'bank' | 'wallet';
  bankName: string;
  accountName: string;
  accountNumber: string;
  walletId: string;
}

export const emptyForm: ApplicationForm = {
  name: '',
  idNumber: '',
  phone: '',
  positionLevel: 'frontline',
  migrantWorker: false,
  jobTitle: '',
  employerOrgId: '',
  employerName: '',
  unitOrgId: '',
  offeringId: '',
  offeringName: '',
  declared: false,
  institution: '',
  major: '',
  level: 'junior_college',
  enrolledOn: '',
  verificationCode: '',
  validUntil: '',
  relevance: '',
  payoutKind: 'bank',
  bankName: '',
  accountName: '',
  accountNumber: '',
  walletId: '',
};

/** The sections the API replaces whole (PATCH), and the step each belongs to. */
export type Section =
  | 'applicant'
  | 'jobTitle'
  | 'employerOrgId'
  | 'enrolment'
  | 'chsiReport'
  | 'relevance'
  | 'payoutAccount';

export const sectionOfField: Record<keyof ApplicationForm, Section> = {
  name: 'applicant',
  idNumber: 'applicant',
  phone: 'applicant',
  positionLevel: 'applicant',
  migrantWorker: 'applicant',
  jobTitle: 'jobTitle',
  employerOrgId: 'employerOrgId',
  employerName: 'employerOrgId',
  unitOrgId: 'employerOrgId',
  offeringId: 'enrolment',
  offeringName: 'enrolment',
  declared: 'enrolment',
  institution: 'enrolment',
  major: 'enrolment',
  level: 'enrolment',
  enrolledOn: 'enrolment',
  verificationCode: 'chsiReport',
  validUntil: 'chsiReport',
  relevance: 'relevance',
  payoutKind: 'payoutAccount',
  bankName: 'payoutAccount',
  accountName: 'payoutAccount',
  accountNumber: 'payoutAccount',
  walletId: 'payoutAccount',
};

/** Steps 0–3 hold these sections; 4 is 上传材料, 5 确认提交. */
export const sectionsOfStep: Section[][] = [
  ['applicant', 'jobTitle'],
  ['employerOrgId'],
  ['enrolment', 'chsiReport', 'relevance'],
  ['payoutAccount'],
];

/** The step an API field path (`applicant.idNumber`) is edited on. */
export function stepOfPath(path: string): number {
  const head = path.split('.')[0] ?? '';
  const i = sectionsOfStep.findIndex((s) => s.includes(head as Section));
  return i < 0 ? 5 : i;
}

type Update = Schemas['UpdateApplication'];

export function sectionBody(form: ApplicationForm, section: Section): Update {
  switch (section) {
    case 'applicant':
      return {
        applicant: {
          name: form.name.trim(),
          idNumber: form.idNumber.trim(),
          phone: form.phone.trim(),
          positionLevel: form.positionLevel as 'frontline',
          migrantWorker: form.migrantWorker,
        },
      };
    case 'jobTitle':
      return { jobTitle: form.jobTitle.trim() };
    case 'employerOrgId':
      return { employerOrgId: form.employerOrgId };
    case 'enrolment':
      return {
        enrolment: form.declared
          ? {
              institution: form.institution.trim(),
              major: form.major.trim(),
              level: form.level as 'bachelor',
              enrolledOn: form.enrolledOn,
            }
          : { offeringId: form.offeringId, level: form.level as 'bachelor', enrolledOn: form.enrolledOn },
      };
    case 'chsiReport':
      return { chsiReport: { verificationCode: form.verificationCode.trim(), validUntil: form.validUntil } };
    case 'relevance':
      return { relevance: form.relevance.trim() };
    case 'payoutAccount':
      return {
        payoutAccount:
          form.payoutKind === 'bank'
            ? {
                kind: 'bank',
                bankName: form.bankName.trim(),
                accountName: form.accountName.trim(),
                accountNumber: form.accountNumber.replace(/\s/g, ''),
              }
            : { kind: 'wallet', walletId: form.walletId.trim() },
      };
  }
}

/** 收款账户 as the API takes it. */
export function payoutBody(form: ApplicationForm): Schemas['ApplicationFromForm']['payoutAccount'] {
  const { payoutAccount } = sectionBody(form, 'payoutAccount');
  if (!payoutAccount) throw new Error('payoutAccount section without an account');
  return payoutAccount;
}

/**
 * A saved draft as the form shows it again. The API masks the ID and card numbers, so those stay
 * empty: the worker types them again only if they change that section.
 */
export function formOf(app: Application): ApplicationForm {
  const p = app.payoutAccount;
  return {
    name: app.applicant.name,
    idNumber: '',
    phone: app.applicant.phone.includes('*') ? '' : app.applicant.phone,
    positionLevel: app.applicant.positionLevel,
    migrantWorker: app.applicant.migrantWorker,
    jobTitle: app.jobTitle,
    employerOrgId: app.employerOrgId,
    employerName: '',
    unitOrgId: app.unitOrgId,
    offeringId: app.enrolment.offeringId ?? '',
    offeringName: app.enrolment.offeringId ? `${app.enrolment.institution} ${app.enrolment.major}` : '',
    declared: app.enrolment.nonPartner,
    institution: app.enrolment.nonPartner ? app.enrolment.institution : '',
    major: app.enrolment.nonPartner ? app.enrolment.major : '',
    level: app.enrolment.level ?? 'junior_college',
    enrolledOn: app.enrolment.enrolledOn,
    verificationCode: app.chsiReport.verificationCode,
    validUntil: app.chsiReport.validUntil,
    relevance: app.relevance,
    payoutKind: p.kind,
    bankName: p.kind === 'bank' ? p.bankName : '',
    accountName: p.kind === 'bank' ? p.accountName : '',
    accountNumber: '',
    walletId: '',
  };
}

/**
 * A form saved step by step as the page shows it again. Its ID number and phone come back masked, so
 * they stay empty: the worker types them again only if they change 基本信息.
 */
export function formOfSaved(saved: SavedForm): ApplicationForm {
  const a = saved.applicant;
  const e = saved.enrolment;
  return {
    ...emptyForm,
    ...(a ? { name: a.name, positionLevel: a.positionLevel, migrantWorker: a.migrantWorker } : {}),
    jobTitle: saved.jobTitle ?? '',
    employerOrgId: saved.employerOrgId ?? '',
    unitOrgId: saved.unitOrgId ?? '',
    offeringId: e?.offeringId ?? '',
    offeringName: e?.offeringId ? `${e.institution ?? ''} ${e.major ?? ''}`.trim() : '',
    declared: Boolean(e && !e.offeringId),
    institution: e && !e.offeringId ? (e.institution ?? '') : '',
    major: e && !e.offeringId ? (e.major ?? '') : '',
    level: e?.level ?? emptyForm.level,
    enrolledOn: e?.enrolledOn ?? '',
    verificationCode: saved.chsiReport?.verificationCode ?? '',
    validUntil: saved.chsiReport?.validUntil ?? '',
    relevance: saved.relevance ?? '',
  };
}
