import { useQueryClient } from '@tanstack/react-query';
import { Button, NoticeBar, Steps } from 'antd-mobile';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { shanghaiDate } from '../../../../shared/domain/dates.ts';
import { ApiError, api, unwrap } from '../../../shared/api/client.ts';
import { DocumentUpload } from '../components/DocumentUpload.tsx';
import { EmployerPicker } from '../components/EmployerPicker.tsx';
import { Field } from '../components/Field.tsx';
import { OfferingPicker } from '../components/OfferingPicker.tsx';
import { PayoutKindChoice } from '../components/PayoutKindChoice.tsx';
import { Failed, Loading } from '../components/states.tsx';
import {
  bankCardProblem,
  dateProblem,
  earliestChsiValidUntil,
  eligibilityProblems,
  idNumberProblem,
  mobileProblem,
  required,
  walletIdProblem,
} from '../lib/checks.ts';
import {
  type ApplicationForm,
  emptyForm,
  formOf,
  formOfSaved,
  payoutBody,
  type Section,
  sectionBody,
  sectionOfField,
  sectionsOfStep,
  stepOfPath,
} from '../lib/form.ts';
import {
  type Application,
  type SavedForm,
  useApplication,
  useMyApplications,
  useProgramme,
  useQuotas,
  useSavedForm,
} from '../lib/queries.ts';
import { documentKinds, levelNames, positionLevelNames } from '../lib/words.ts';

export const stepTitles = ['基本信息', '工作单位', '报读信息', '收款账户', '上传材料', '确认提交'] as const;

/** `/apply/:programmeId`: a new application, or the worker's open draft of that programme resumed. */
export function NewApplicationPage() {
  const { programmeId } = useParams();
  const mine = useMyApplications();
  // Fetched alongside the worker's applications rather than after them: one round trip fewer.
  useProgramme(programmeId);
  useQuotas(programmeId);
  const savedForm = useSavedForm(programmeId);
  if (mine.isLoading || savedForm.isLoading) return <Loading />;
  if (mine.error) return <Failed error={mine.error} retry={() => void mine.refetch()} />;
  const draft = mine.data?.applications.find((a) => a.programmeId === programmeId && a.status === 'draft');
  if (draft) return <ApplicationWizard programmeId={draft.programmeId} saved={draft} />;
  const live = mine.data?.applications.find(
    (a) => a.programmeId === programmeId && ['in_review', 'returned', 'approved'].includes(a.status),
  );
  if (live)
    return (
      <div className="w-pad">
        <p>您已提交过本项目的申请。</p>
        <Link className="w-link-button" to={`/applications/${live.id}`}>
          查看我的申请
        </Link>
      </div>
    );
  if (savedForm.error) return <Failed error={savedForm.error} retry={() => void savedForm.refetch()} />;
  return <ApplicationWizard programmeId={programmeId ?? ''} savedForm={savedForm.data ?? undefined} />;
}

/** `/applications/:id/edit`: a draft resumed, or a returned application corrected (修改后重新提交). */
export function EditApplicationPage() {
  const { id } = useParams();
  const app = useApplication(id, false);
  if (app.isLoading) return <Loading />;
  if (app.error || !app.data) return <Failed error={app.error} retry={() => void app.refetch()} />;
  return <ApplicationWizard programmeId={app.data.programmeId} saved={app.data} />;
}

type Errors = Partial<Record<string, string>>;

/** Where each form field's message shows: the API's path for it. */
const pathOfField: Partial<Record<keyof ApplicationForm, string>> = {
  name: 'applicant.name',
  idNumber: 'applicant.idNumber',
  phone: 'applicant.phone',
  positionLevel: 'applicant.positionLevel',
  jobTitle: 'jobTitle',
  employerOrgId: 'employerOrgId',
  offeringId: 'enrolment.offeringId',
  institution: 'enrolment.institution',
  major: 'enrolment.major',
  level: 'enrolment.level',
  enrolledOn: 'enrolment.enrolledOn',
  verificationCode: 'chsiReport.verificationCode',
  validUntil: 'chsiReport.validUntil',
  relevance: 'relevance',
  bankName: 'payoutAccount.bankName',
  accountName: 'payoutAccount.accountName',
  accountNumber: 'payoutAccount.accountNumber',
  walletId: 'payoutAccount.walletId',
};

/**
 * 我要申请 (architecture.md §7): 基本信息 · 工作单位 · 报读信息 · 收款账户 · 上传材料 · 确认提交.
 * Fields are checked as they are typed with the server's own rules. Each step is saved on the server
 * as the worker moves on: 基本信息 to 报读信息 as the account's form for the programme, which 收款账户
 * turns into the draft; later steps save what changed on the draft. A worker who closes WeChat
 * resumes from 我的申请 or 我要申请 at the step they reached.
 */
function ApplicationWizard({
  programmeId,
  saved,
  savedForm,
}: {
  programmeId: string;
  saved?: Application;
  savedForm?: SavedForm | undefined;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const programme = useProgramme(programmeId);
  const quotas = useQuotas(programmeId);
  const live = useApplication(saved?.id);
  const app = live.data ?? saved;
  const returned = app?.status === 'returned';
  const [form, setForm] = useState<ApplicationForm>(() =>
    saved ? formOf(saved) : savedForm ? formOfSaved(savedForm) : emptyForm,
  );
  // The ID number kept on the server (masked): asked for again only if 基本信息 changes.
  const keptIdNumber = app?.applicant.idNumber ?? savedForm?.applicant?.idNumber;
  const [dirty, setDirty] = useState<Set<Section>>(() => new Set());
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const [step, setStep] = useState(() => {
    if (!saved) return savedForm?.step ?? 0;
    if (saved.status === 'returned') return 0;
    const verified = new Set(saved.attachments.filter((a) => a.status === 'verified').map((a) => a.kind));
    return documentKinds.every((d) => verified.has(d.kind)) ? 5 : 4;
  });
  const [busy, setBusy] = useState(false);
  const [stepError, setStepError] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);

  // Each new step moves focus to its heading, so a screen reader announces where the worker is.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the step is the trigger, not an input
  useEffect(() => {
    heading.current?.focus();
  }, [step]);

  const units = useMemo(
    () =>
      (programme.data?.allocations ?? []).map((a) => ({
        unitOrgId: a.unitOrgId,
        name: quotas.data?.units.find((u) => u.unitOrgId === a.unitOrgId)?.name ?? a.unitOrgId,
      })),
    [programme.data, quotas.data],
  );

  if (programme.isLoading) return <Loading />;
  if (programme.error || !programme.data)
    return <Failed error={programme.error} retry={() => void programme.refetch()} />;
  const terms = programme.data;
  const today = shanghaiDate(new Date());

  const set = <K extends keyof ApplicationForm>(key: K, value: ApplicationForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setDirty((d) => new Set(d).add(sectionOfField[key]));
    setTouched((t) => new Set(t).add(key));
    const path = pathOfField[key];
    if (path && serverErrors[path]) setServerErrors((e) => ({ ...e, [path]: undefined }));
  };

  /** The page's own check of one field; a saved draft's masked numbers are asked for only when changed. */
  const localProblem = (key: keyof ApplicationForm): string | undefined => {
    const f = form;
    switch (key) {
      case 'name':
        return required(f.name, '姓名');
      case 'idNumber':
        return keptIdNumber && !dirty.has('applicant') ? undefined : idNumberProblem(f.idNumber);
      case 'phone':
        return keptIdNumber && !dirty.has('applicant') ? undefined : mobileProblem(f.phone);
      case 'jobTitle':
        return required(f.jobTitle, '岗位');
      case 'employerOrgId':
        return f.employerOrgId ? undefined : '请选择工作单位';
      case 'offeringId':
        return f.declared || f.offeringId ? undefined : '请从目录中选择报读专业';
      case 'institution':
        return f.declared ? required(f.institution, '院校') : undefined;
      case 'major':
        return f.declared ? required(f.major, '专业') : undefined;
      case 'enrolledOn':
        return dateProblem(f.enrolledOn, '入学日期');
      case 'verificationCode':
        return /^[A-Za-z0-9]{8,32}$/.test(f.verificationCode.trim())
          ? undefined
          : '在线验证码应为 8–32 位字母或数字';
      case 'validUntil':
        return dateProblem(f.validUntil, '报告有效期至');
      case 'relevance':
        return required(f.relevance, '专业与岗位关系说明');
      case 'bankName':
        return f.payoutKind === 'bank' ? required(f.bankName, '开户行') : undefined;
      case 'accountName':
        return f.payoutKind === 'bank' ? required(f.accountName, '户名') : undefined;
      case 'accountNumber':
        return f.payoutKind !== 'bank' || (app && !dirty.has('payoutAccount'))
          ? undefined
          : bankCardProblem(f.accountNumber);
      case 'walletId':
        return f.payoutKind !== 'wallet' || (app && !dirty.has('payoutAccount'))
          ? undefined
          : walletIdProblem(f.walletId);
      default:
        return undefined;
    }
  };
  const errorOf = (key: keyof ApplicationForm) => {
    const path = pathOfField[key];
    const server = path ? serverErrors[path] : undefined;
    if (server) return server;
    return touched.has(key) ? localProblem(key) : undefined;
  };
  const fieldsOfStep = (s: number) =>
    (Object.keys(sectionOfField) as (keyof ApplicationForm)[]).filter((k) =>
      sectionsOfStep[s]?.includes(sectionOfField[k]),
    );

  const eligibility = eligibilityProblems(
    {
      positionLevel: form.positionLevel,
      level: form.level,
      enrolledOn: form.enrolledOn,
      chsiValidUntil: form.validUntil,
    },
    { levels: terms.levels, enrolmentYear: terms.enrolmentYear },
    today,
  );

  function showServerError(e: unknown) {
    if (e instanceof ApiError && e.fields.length > 0) {
      setServerErrors(Object.fromEntries(e.fields.map((f) => [f.path, f.message])));
      setStep(Math.min(...e.fields.map((f) => stepOfPath(f.path))));
      setStepError(e.message);
    } else {
      setStepError(e instanceof Error ? e.message : '保存失败，请重试');
    }
  }

  async function next() {
    setStepError(undefined);
    const keys = fieldsOfStep(step);
    setTouched((t) => new Set([...t, ...keys]));
    if (keys.some((k) => localProblem(k))) {
      setStepError('请先改正标红的内容');
      return;
    }
    setBusy(true);
    try {
      if (!app && step < 3) {
        // 基本信息 to 报读信息: the sections of this step that changed join the account's saved form.
        const changed = (sectionsOfStep[step] ?? []).filter((s) => dirty.has(s));
        const body = Object.assign({ step: step + 1 }, ...changed.map((s) => sectionBody(form, s)));
        const stored = await unwrap(
          api.PATCH('/v1/me/application-forms/{programmeId}', { params: { path: { programmeId } }, body }),
        );
        queryClient.setQueryData(['application-form', programmeId], stored);
        setDirty((d) => new Set([...d].filter((s) => !changed.includes(s))));
        setStep(step + 1);
        return;
      }
      if (!app && step === 3) {
        // Anything changed on an earlier step since it was saved goes first, then 收款账户 makes the draft.
        const pending = [...dirty].filter((s) => s !== 'payoutAccount');
        if (pending.length > 0) {
          await unwrap(
            api.PATCH('/v1/me/application-forms/{programmeId}', {
              params: { path: { programmeId } },
              body: Object.assign({ step: 3 }, ...pending.map((s) => sectionBody(form, s))),
            }),
          );
        }
        const created = await unwrap(
          api.POST('/v1/me/application-forms/{programmeId}/application', {
            params: { path: { programmeId } },
            body: { channel: 'wechat', payoutAccount: payoutBody(form) },
          }),
        );
        queryClient.removeQueries({ queryKey: ['application-form', programmeId] });
        queryClient.setQueryData(['application', created.id], created);
        await queryClient.invalidateQueries({ queryKey: ['my-applications'] });
        setDirty(new Set());
        navigate(`/applications/${created.id}/edit`, { replace: true });
        setStep(4);
        return;
      }
      if (app) {
        const changed = (sectionsOfStep[step] ?? []).filter((s) => dirty.has(s));
        if (changed.length > 0) {
          const body = Object.assign({}, ...changed.map((s) => sectionBody(form, s)));
          const updated = await unwrap(
            api.PATCH('/v1/applications/{id}', { params: { path: { id: app.id } }, body }),
          );
          queryClient.setQueryData(['application', app.id], updated);
          setDirty((d) => new Set([...d].filter((s) => !changed.includes(s))));
        }
      }
      setStep(step + 1);
    } catch (e) {
      showServerError(e);
    } finally {
      setBusy(false);
    }
  }

  async function submit() {
    if (!app) return;
    setBusy(true);
    setStepError(undefined);
    try {
      await unwrap(api.POST('/v1/applications/{id}/submit', { params: { path: { id: app.id } } }));
      await queryClient.invalidateQueries({ queryKey: ['application', app.id] });
      await queryClient.invalidateQueries({ queryKey: ['my-applications'] });
      navigate(`/applications/${app.id}?submitted=1`);
    } catch (e) {
      showServerError(e);
    } finally {
      setBusy(false);
    }
  }

  const input = (
    key: keyof ApplicationForm,
    label: string,
    extra: {
      hint?: string;
      type?: string;
      inputMode?: 'numeric' | 'tel' | 'text';
      disabled?: boolean;
      autoComplete?: string;
      placeholder?: string;
    } = {},
  ) => (
    <Field label={label} error={errorOf(key)} hint={extra.hint}>
      {(props) => (
        <input
          {...props}
          className="w-input"
          type={extra.type ?? 'text'}
          inputMode={extra.inputMode}
          autoComplete={extra.autoComplete ?? 'off'}
          placeholder={extra.placeholder}
          disabled={extra.disabled}
          value={String(form[key])}
          onChange={(e) => set(key, e.target.value as never)}
          onBlur={() => setTouched((t) => new Set(t).add(key))}
        />
      )}
    </Field>
  );

  const checkbox = (key: 'migrantWorker' | 'declared', label: string) => (
    <div className="w-field w-check">
      <input
        id={`check-${key}`}
        type="checkbox"
        checked={form[key]}
        onChange={(e) => set(key, e.target.checked)}
      />
      <label htmlFor={`check-${key}`}>{label}</label>
    </div>
  );

  const verified = new Set(app?.attachments.filter((a) => a.status === 'verified').map((a) => a.kind) ?? []);
  const missingDocs = documentKinds.filter((d) => !verified.has(d.kind));
  const returnReason =
    app?.review.chain.find((c) => c.decision === 'return')?.reason ??
    [...(app?.timeline ?? [])].reverse().find((t) => t.type === 'returned')?.reason;

  return (
    <div className="w-apply">
      <h2 className="w-title">{returned ? '修改后重新提交' : '我要申请'}</h2>
      {returned ? (
        <div role="note" className="w-returned">
          <strong>退回理由：</strong>
          {returnReason ?? '请按审核意见修改'}
          <p className="w-muted">
            修改后重新提交，受理号和名额保持不变。工作单位、身份证号和学历层次不能更改。
          </p>
        </div>
      ) : null}
      <nav aria-label="申请步骤" className="w-steps">
        <Steps current={step} direction="horizontal">
          {stepTitles.map((t, i) => (
            <Steps.Step
              key={t}
              title={
                <button
                  type="button"
                  className="w-step-link"
                  aria-current={i === step ? 'step' : undefined}
                  disabled={busy || (!app && i > 3) || i > Math.max(step, app ? 5 : 3)}
                  onClick={() => setStep(i)}
                >
                  {t}
                </button>
              }
            />
          ))}
        </Steps>
      </nav>
      <section aria-labelledby="step-title" className="w-step">
        <h3 id="step-title" ref={heading} tabIndex={-1} className="w-subtitle">
          第 {step + 1} 步：{stepTitles[step]}
        </h3>
        {step === 0 ? (
          <>
            {input('name', '姓名', { autoComplete: 'name' })}
            {input('idNumber', '身份证号', {
              hint: keptIdNumber
                ? `已保存 ${keptIdNumber}；修改本页时请重新填写完整身份证号`
                : '18位，最后一位可以是X',
              placeholder: keptIdNumber ?? '',
            })}
            {input('phone', '手机号', {
              type: 'tel',
              inputMode: 'tel',
              autoComplete: 'tel',
              // A saved form answers the number masked: shown, and typed again only with 基本信息.
              placeholder: savedForm?.applicant?.phone ?? '',
            })}
            <Field
              label="职务层级"
              error={errorOf('positionLevel')}
              hint="仅限车间(工段、科室)主任(含)或科级(含)以下的一线职工"
            >
              {(props) => (
                <select
                  {...props}
                  className="w-input"
                  value={form.positionLevel}
                  onChange={(e) => set('positionLevel', e.target.value)}
                >
                  {Object.entries(positionLevelNames).map(([v, n]) => (
                    <option key={v} value={v}>
                      {n}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {checkbox('migrantWorker', '我是农民工')}
            {input('jobTitle', '岗位')}
          </>
        ) : null}
        {step === 1 ? (
          <>
            <EmployerPicker
              programmeId={programmeId}
              units={units}
              value={form.employerOrgId || undefined}
              valueName={form.employerName || undefined}
              disabled={returned}
              onChange={(o) => {
                setForm((f) => ({ ...f, employerOrgId: o.id, employerName: o.name, unitOrgId: o.unitOrgId }));
                setDirty((d) => new Set(d).add('employerOrgId'));
                setServerErrors((e) => ({ ...e, employerOrgId: undefined }));
              }}
            />
            {errorOf('employerOrgId') ? <p className="w-error w-pad">{errorOf('employerOrgId')}</p> : null}
          </>
        ) : null}
        {step === 2 ? (
          <>
            <Field label="学历层次" error={errorOf('level')}>
              {(props) => (
                <select
                  {...props}
                  className="w-input"
                  value={form.level}
                  disabled={returned}
                  onChange={(e) => {
                    set('level', e.target.value);
                    // An offering is of one level: another level means choosing again.
                    setForm((f) => ({ ...f, level: e.target.value, offeringId: '', offeringName: '' }));
                  }}
                >
                  {terms.levels.map((l) => (
                    <option key={l} value={l}>
                      {levelNames[l] ?? l}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {form.declared ? (
              <>
                {input('institution', '院校')}
                {input('major', '专业')}
                <p className="w-hint w-pad">非合作院校：审核时各级工会将看到您所报院校不在合作院校目录中。</p>
              </>
            ) : (
              <>
                <OfferingPicker
                  programmeId={programmeId}
                  unitOrgId={form.unitOrgId || undefined}
                  level={form.level}
                  value={form.offeringId || undefined}
                  chosen={form.offeringName}
                  allowOther={!terms.catalogueRequired}
                  onChange={(o) => {
                    set('offeringId', o.offeringId);
                    setForm((f) => ({
                      ...f,
                      offeringId: o.offeringId,
                      offeringName: `${o.institution.name} ${o.major}`,
                      level: o.level,
                    }));
                    setServerErrors((e) => ({ ...e, 'enrolment.offeringId': undefined }));
                  }}
                />
                {errorOf('offeringId') ? <p className="w-error w-pad">{errorOf('offeringId')}</p> : null}
              </>
            )}
            {terms.catalogueRequired ? null : checkbox('declared', '我报读的院校不在目录中（非合作院校）')}
            {input('enrolledOn', '入学日期', { type: 'date', hint: `须为 ${terms.enrolmentYear} 年新入学` })}
            {input('verificationCode', '学信网在线验证码')}
            {input('validUntil', '验证报告有效期至', {
              type: 'date',
              hint: `须不早于 ${earliestChsiValidUntil(today)}（提交之日起6个月以上）`,
            })}
            <Field label="专业与岗位关系说明" error={errorOf('relevance')}>
              {(props) => (
                <textarea
                  {...props}
                  className="w-input"
                  rows={3}
                  value={form.relevance}
                  onChange={(e) => set('relevance', e.target.value)}
                  onBlur={() => setTouched((t) => new Set(t).add('relevance'))}
                />
              )}
            </Field>
            <Eligibility problems={eligibility} ready={Boolean(form.enrolledOn && form.validUntil)} />
          </>
        ) : null}
        {step === 3 ? (
          <>
            <PayoutKindChoice
              name="payoutKind"
              kind={form.payoutKind}
              onChange={(k) => set('payoutKind', k)}
            />
            {form.payoutKind === 'bank' ? (
              <>
                {input('bankName', '开户行')}
                {input('accountName', '户名', { hint: '须与申请人姓名一致' })}
                {input('accountNumber', '银行卡号', {
                  inputMode: 'numeric',
                  hint:
                    app?.payoutAccount.kind === 'bank'
                      ? `已保存 ${app.payoutAccount.accountNumber}；修改本页时请重新填写完整卡号`
                      : undefined,
                })}
              </>
            ) : (
              input('walletId', '钱包账号')
            )}
          </>
        ) : null}
        {step === 4 && app ? (
          <>
            <p className="w-pad w-muted">
              先<Link to={`/applications/${app.id}/print`}>打印申请表</Link>
              ，请单位工会盖章签字后拍照上传。照片超过 10 MB 会自动压缩。
            </p>
            {documentKinds.map((d) => (
              <DocumentUpload key={d.kind} application={app} kind={d.kind} name={d.name} />
            ))}
          </>
        ) : null}
        {step === 5 && app ? <Review app={app} eligibility={eligibility} /> : null}
      </section>
      {stepError ? (
        <div role="alert">
          <NoticeBar color="error" content={stepError} wrap />
        </div>
      ) : null}
      <div className="w-actions">
        {step > 0 ? (
          <Button size="large" disabled={busy} onClick={() => setStep(step - 1)}>
            上一步
          </Button>
        ) : null}
        {step < 4 ? (
          <Button size="large" color="primary" loading={busy} onClick={() => void next()}>
            {!app && step === 3 ? '保存并上传材料' : '保存，下一步'}
          </Button>
        ) : null}
        {step === 4 ? (
          <Button
            size="large"
            color="primary"
            disabled={busy || missingDocs.length > 0}
            onClick={() => setStep(5)}
          >
            下一步
          </Button>
        ) : null}
        {step === 5 ? (
          <Button size="large" color="primary" loading={busy} onClick={() => void submit()}>
            {returned ? '修改后重新提交' : '提交申请'}
          </Button>
        ) : null}
      </div>
      {step === 4 && missingDocs.length > 0 ? (
        <p className="w-pad w-muted">还需上传并核验：{missingDocs.map((d) => d.name).join('、')}</p>
      ) : null}
    </div>
  );
}

function Eligibility({ problems, ready }: { problems: { rule: string; message: string }[]; ready: boolean }) {
  if (!ready) return null;
  return (
    <div className={problems.length ? 'w-eligibility w-eligibility-no' : 'w-eligibility'} aria-live="polite">
      <h4>资格检查</h4>
      {problems.length === 0 ? (
        <p>符合申请条件（职务层级、新入学年度、学籍验证报告有效期）</p>
      ) : (
        <ul>
          {problems.map((p) => (
            <li key={p.rule}>不符合：{p.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Review({
  app,
  eligibility,
}: {
  app: Application;
  eligibility: { rule: string; message: string }[];
}) {
  const rows: [string, string][] = [
    ['姓名', app.applicant.name],
    ['身份证号', app.applicant.idNumber],
    ['手机号', app.applicant.phone],
    ['职务层级', positionLevelNames[app.applicant.positionLevel] ?? app.applicant.positionLevel],
    ['岗位', app.jobTitle],
    ['院校', app.enrolment.institution],
    ['专业', app.enrolment.major],
    ['学历层次', levelNames[app.enrolment.level] ?? app.enrolment.level],
    ['入学日期', app.enrolment.enrolledOn],
    ['验证报告有效期至', app.chsiReport.validUntil],
    [
      '收款账户',
      app.payoutAccount.kind === 'bank'
        ? `${app.payoutAccount.bankName} ${app.payoutAccount.accountNumber}`
        : `钱包 ${app.payoutAccount.walletId}`,
    ],
    [
      '材料',
      `已上传 ${new Set(app.attachments.filter((a) => a.status === 'verified').map((a) => a.kind)).size} / 5 项`,
    ],
  ];
  return (
    <>
      <dl className="w-dl">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <Eligibility problems={eligibility} ready />
      <p className="w-pad w-muted">提交后按提交先后顺序占用名额；名额已满的进入候补。</p>
    </>
  );
}
