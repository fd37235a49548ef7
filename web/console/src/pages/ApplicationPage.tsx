import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Image,
  Modal,
  Result,
  Select,
  Space,
  Spin,
  Steps,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { shanghaiTime } from '../../../shared/dates.ts';
import { OrgName } from '../components/OrgName.tsx';
import { PaymentsCard } from '../components/PaymentsCard.tsx';
import { useProgramme } from '../components/ProgrammePicker.tsx';
import { ReasonField } from '../components/ReasonField.tsx';
import { useActing } from '../lib/acting.tsx';
import { openBatch } from '../lib/batches.ts';
import { neighbours } from '../lib/queue-order.ts';
import { levelLabel, quotaLabel, smsEventLabel, smsStatusLabel, statusLabel } from '../lib/words.ts';

const PdfViewer = lazy(() => import('../components/PdfViewer.tsx'));

type Application = Schemas['Application'];
type Attachment = Application['attachments'][number];
type Decision = 'approve' | 'return' | 'reject';

const kindLabel: Record<string, string> = {
  application_form: '申请表',
  chsi_report: '学信网学籍验证报告',
  id_card_front: '身份证人像面',
  id_card_back: '身份证国徽面',
  payout_proof: '收款账户证明',
};
const decisionLabel: Record<string, string> = { approve: '通过', return: '退回修改', reject: '不通过' };
const commonReasons: Record<'return' | 'reject', string[]> = {
  return: ['材料不清晰，请重新上传', '学信网验证报告已过期', '所学专业与岗位相关性说明不足'],
  reject: ['不符合申请条件', '非本单位职工', '已享受过同类补助'],
};
/** Every timeline event the API records, in the console's words. */
const eventLabel: Record<string, string> = {
  created: '创建草稿',
  submitted: '提交申请',
  promoted: '候补转为占名额',
  approved_step: '审核通过',
  approved: '审核通过（终审）',
  returned: '退回修改',
  resubmitted: '修改后重新提交',
  rejected: '不通过',
  withdrawn: '撤回申请',
  lapsed: '审核期结束，申请失效',
  document_downloaded: '查看材料',
  payment_pending: '补助已安排发放',
  payment_paid: '补助已到账',
  payment_failed: '补助发放未成功',
  payout_account_changed: '职工修改收款账户',
  revoked: '撤销申请',
};

/** The application page: the applicant, documents inline, the review chain, the timeline, the decisions. */
export function ApplicationPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { programmes } = useProgramme();
  const acting = useActing();
  const app = useQuery({
    queryKey: ['application', id],
    queryFn: () => unwrap(api.GET('/v1/applications/{id}', { params: { path: { id } } })),
  });
  const { previous, next } = neighbours(id);

  // Keyboard: ← / → (or k / j) for the previous and next application of the list it came from.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      if (document.querySelector('.ant-modal-wrap')) return;
      if ((e.key === 'ArrowRight' || e.key === 'j') && next) navigate(`/applications/${next}`);
      if ((e.key === 'ArrowLeft' || e.key === 'k') && previous) navigate(`/applications/${previous}`);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, next, previous]);

  if (app.isLoading) return <Spin tip="正在加载" />;
  if (app.error)
    return <Result status="warning" title={app.error.message} extra={<Link to="/review">返回待审核</Link>} />;
  const a = app.data as Application;
  const programme = programmes.find((p) => p.id === a.programmeId);
  const mayDecide =
    a.status === 'in_review' &&
    a.review.currentOrgId === acting?.orgId &&
    openBatch(programme?.reviewBatches) !== undefined;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          申请 {a.receipt?.sequence ?? ''} · {a.applicant.name}
        </Typography.Title>
        <Space>
          <Button disabled={!previous} onClick={() => previous && navigate(`/applications/${previous}`)}>
            上一件（←）
          </Button>
          <Button disabled={!next} onClick={() => next && navigate(`/applications/${next}`)}>
            下一件（→）
          </Button>
        </Space>
      </Space>
      <Space wrap>
        <Tag color="blue">{statusLabel[a.status] ?? a.status}</Tag>
        <Tag>{quotaLabel(a.quota.state, a.quota.waitlistPosition)}</Tag>
      </Space>
      {mayDecide && <DecisionBar id={a.id} next={next} />}
      <Card title="申请人">
        <Descriptions column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label="受理号">{a.receipt?.sequence}</Descriptions.Item>
          <Descriptions.Item label="姓名">{a.applicant.name}</Descriptions.Item>
          <Descriptions.Item label="身份证号">{a.applicant.idNumber}</Descriptions.Item>
          <Descriptions.Item label="手机号">{a.applicant.phone}</Descriptions.Item>
          <Descriptions.Item label="工作单位">
            <OrgName id={a.employerOrgId} />
          </Descriptions.Item>
          <Descriptions.Item label="岗位">{a.jobTitle}</Descriptions.Item>
          <Descriptions.Item label="农民工">{a.applicant.migrantWorker ? '是' : '否'}</Descriptions.Item>
          <Descriptions.Item label="提交时间">
            {a.receipt ? shanghaiTime(a.receipt.submittedAt) : ''}
          </Descriptions.Item>
          <Descriptions.Item label="与岗位的相关性" span={2}>
            {a.relevance}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title="报读信息">
        <Descriptions column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label="院校">
            {a.enrolment.institution}
            {a.enrolment.nonPartner && (
              <Tag style={{ color: '#873800', background: '#fff7e6', borderColor: '#ffd591' }}>
                非合作院校
              </Tag>
            )}
          </Descriptions.Item>
          <Descriptions.Item label="专业">{a.enrolment.major}</Descriptions.Item>
          <Descriptions.Item label="学历层次">
            {levelLabel[a.enrolment.level] ?? a.enrolment.level}
          </Descriptions.Item>
          <Descriptions.Item label="入学时间">{a.enrolment.enrolledOn}</Descriptions.Item>
          <Descriptions.Item label="学信网验证码">{a.chsiReport.verificationCode}</Descriptions.Item>
          <Descriptions.Item label="验证报告有效期至">{a.chsiReport.validUntil}</Descriptions.Item>
          <Descriptions.Item label="收款账户">
            {a.payoutAccount.kind === 'bank'
              ? `${a.payoutAccount.bankName} ${a.payoutAccount.accountNumber}`
              : a.payoutAccount.walletId}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title="申请材料">
        <Space wrap align="start" size="large">
          {a.attachments
            .filter((att) => att.status === 'verified')
            .map((att) => (
              <Document key={att.attachmentId} applicationId={a.id} attachment={att} />
            ))}
          {a.attachments.length === 0 && <span>暂无材料</span>}
        </Space>
      </Card>
      <Card title="审核进度">
        <Steps
          orientation="vertical"
          current={Math.max(
            0,
            a.review.chain.findIndex((s) => s.orgId === a.review.currentOrgId),
          )}
          items={a.review.chain.map((step) => ({
            title: <OrgName id={step.orgId} />,
            status:
              step.decision === 'approve'
                ? 'finish'
                : step.decision === 'reject'
                  ? 'error'
                  : step.orgId === a.review.currentOrgId
                    ? 'process'
                    : 'wait',
            content: step.decision
              ? `${decisionLabel[step.decision] ?? step.decision}${step.decidedAt ? ` · ${shanghaiTime(step.decidedAt)}` : ''}${step.reason ? ` · 理由：${step.reason}` : ''}`
              : step.orgId === a.review.currentOrgId
                ? '待审核'
                : '',
          }))}
        />
      </Card>
      <PaymentsCard app={a} />
      <Card title="时间线">
        <Timeline
          items={[
            ...a.timeline.map((e) => ({
              at: e.at,
              content: (
                <span>
                  {shanghaiTime(e.at)} {eventLabel[e.type] ?? e.type}
                  {e.orgId ? (
                    <>
                      {' · '}
                      <OrgName id={e.orgId} />
                    </>
                  ) : null}
                  {e.reason ? ` · 理由：${e.reason}` : ''}
                </span>
              ),
            })),
            // The worker's SMS and their delivery (architecture.md §9), among the events they tell of.
            ...(a.notifications ?? []).map((n) => ({
              at: n.at,
              color: n.status === 'failed' ? 'red' : 'gray',
              content: (
                <span>
                  {shanghaiTime(n.at)} 短信：{smsEventLabel[n.event] ?? n.event} ·{' '}
                  {smsStatusLabel[n.status] ?? n.status}
                  {n.code ? `（${n.code}）` : ''}
                  {n.to ? ` · ${n.to}` : ''}
                </span>
              ),
            })),
          ]
            .sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0))
            .map(({ at: _at, ...item }) => item)}
        />
      </Card>
    </Space>
  );
}

/** One document, fetched through the audited download route and shown inline. */
function Document({ applicationId, attachment }: { applicationId: string; attachment: Attachment }) {
  const link = useQuery({
    queryKey: ['attachment', applicationId, attachment.attachmentId],
    staleTime: 4 * 60_000,
    queryFn: () =>
      unwrap(
        api.GET('/v1/applications/{id}/attachments/{attachmentId}', {
          params: { path: { id: applicationId, attachmentId: attachment.attachmentId } },
        }),
      ),
  });
  const title = kindLabel[attachment.kind] ?? attachment.kind;
  return (
    <figure style={{ margin: 0, width: attachment.contentType === 'application/pdf' ? 420 : 200 }}>
      {link.isLoading && <Spin />}
      {link.error && <Alert type="error" title={link.error.message} />}
      {link.data &&
        (attachment.contentType === 'application/pdf' ? (
          <Suspense fallback={<Spin />}>
            <PdfViewer url={link.data.url} title={title} />
          </Suspense>
        ) : (
          <Image width={200} src={link.data.url} alt={title} />
        ))}
      <figcaption>{title}</figcaption>
    </figure>
  );
}

/** 通过 / 退回修改 / 不通过, with 理由 required for the last two. */
function DecisionBar({ id, next }: { id: string; next: string | undefined }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [asking, setAsking] = useState<Decision>();
  const [form] = Form.useForm<{ reason?: string }>();
  const decide = useMutation({
    mutationFn: (body: Schemas['DecisionRequest']) =>
      unwrap(api.POST('/v1/applications/{id}/decisions', { params: { path: { id } }, body })),
    onSuccess: async (_r, body) => {
      message.success(`已${decisionLabel[body.decision]}`);
      setAsking(undefined);
      form.resetFields();
      await client.invalidateQueries({ queryKey: ['application', id] });
      await client.invalidateQueries({ queryKey: ['review-queue'] });
      if (next) navigate(`/applications/${next}`);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.fieldMessage('reason'))
        form.setFields([{ name: 'reason', errors: [err.fieldMessage('reason') as string] }]);
      else message.error(err.message);
    },
  });
  return (
    <Space>
      <Button type="primary" loading={decide.isPending && !asking} onClick={() => setAsking('approve')}>
        通过
      </Button>
      <Button onClick={() => setAsking('return')}>退回修改</Button>
      <Button danger onClick={() => setAsking('reject')}>
        不通过
      </Button>
      <Modal
        open={asking !== undefined}
        title={asking ? decisionLabel[asking] : ''}
        okText="确定"
        cancelText="取消"
        confirmLoading={decide.isPending}
        onCancel={() => setAsking(undefined)}
        onOk={() => {
          if (!asking) return;
          void form
            .validateFields()
            .then((v) =>
              decide.mutate(
                asking === 'approve'
                  ? { decision: 'approve', ...(v.reason ? { reason: v.reason } : {}) }
                  : { decision: asking, reason: v.reason ?? '' },
              ),
            );
        }}
      >
        <Form form={form} layout="vertical">
          {asking === 'approve' ? (
            <p>确定通过该申请？</p>
          ) : (
            <>
              <Form.Item label="常用理由">
                <Select
                  aria-label="常用理由"
                  placeholder="选择常用理由"
                  options={(asking ? commonReasons[asking] : []).map((r) => ({ value: r, label: r }))}
                  onChange={(r: string) => form.setFieldValue('reason', r)}
                />
              </Form.Item>
              <ReasonField />
            </>
          )}
        </Form>
      </Modal>
    </Space>
  );
}
