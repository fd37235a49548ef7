import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Dialog, List, Steps, Tag } from 'antd-mobile';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, unwrap } from '../../../shared/api/client.ts';
import { shanghaiTime } from '../../../shared/dates.ts';
import { yuan } from '../../../shared/money.ts';
import { mayChangePayoutAccount, PayoutAccountForm } from '../components/PayoutAccountForm.tsx';
import { Failed, Loading } from '../components/states.tsx';
import { type Application, useApplication, useMyApplications, useOrgNames } from '../lib/queries.ts';
import {
  levelNames,
  paymentStatusNames,
  placeWords,
  smsWords,
  statusNames,
  timelineWords,
} from '../lib/words.ts';

/** 我的申请 (architecture.md §7): each application with its status and place. */
export function MyApplicationsPage() {
  const mine = useMyApplications();
  if (mine.isLoading) return <Loading />;
  if (mine.error) return <Failed error={mine.error} retry={() => void mine.refetch()} />;
  const apps = mine.data?.applications ?? [];
  return (
    <>
      <h2 className="w-title">我的申请</h2>
      {apps.length === 0 ? (
        <p className="w-pad">
          还没有申请。<Link to="/">去首页选择项目</Link>
        </p>
      ) : (
        <List>
          {apps.map((a) => (
            <List.Item
              key={a.id}
              description={`${levelNames[a.enrolment.level] ?? ''} · ${a.enrolment.institution} · ${placeWords(a.quota)}`}
              extra={<Tag>{statusNames[a.status] ?? a.status}</Tag>}
            >
              <Link to={`/applications/${a.id}`}>
                {a.receipt ? `受理号 ${a.receipt.sequence}` : '未提交的申请'}（{a.applicant.name}）
              </Link>
            </List.Item>
          ))}
        </List>
      )}
    </>
  );
}

/**
 * One application (R14): the receipt, 审核进度 as steps, the place or waitlist position (live), the
 * timeline in plain words, 发放记录 with each funder's share, and what the worker may do next.
 */
export function ApplicationPage() {
  const { id } = useParams();
  const [search] = useSearchParams();
  const app = useApplication(id);
  const names = useOrgNames([
    ...(app.data?.review.chain.map((c) => c.orgId) ?? []),
    ...(app.data?.payments.flatMap((p) => [p.payerOrgId, ...p.funding.map((f) => f.funderOrgId)]) ?? []),
    ...(app.data?.timeline.map((t) => (typeof t.orgId === 'string' ? t.orgId : undefined)) ?? []),
    app.data?.employerOrgId,
    app.data?.unitOrgId,
  ]);
  if (app.isLoading) return <Loading />;
  if (app.error || !app.data) return <Failed error={app.error} retry={() => void app.refetch()} />;
  const a = app.data;
  return (
    <div className="w-application">
      <h2 className="w-title">我的申请</h2>
      {search.get('submitted') && a.receipt ? <Receipt app={a} /> : null}
      <Card className="w-section">
        <p>
          <strong>{a.applicant.name}</strong> · {levelNames[a.enrolment.level] ?? a.enrolment.level} ·{' '}
          {a.enrolment.institution}
        </p>
        <p>
          状态：
          <Tag color={a.status === 'returned' ? 'warning' : 'primary'}>
            {statusNames[a.status] ?? a.status}
          </Tag>
        </p>
        {a.receipt ? <p>受理号：{a.receipt.sequence}</p> : null}
        <p aria-live="polite">
          名额状态：<strong className="w-place">{placeWords(a.quota)}</strong>（{names(a.unitOrgId)}）
        </p>
      </Card>
      <Actions app={a} />
      <section aria-labelledby="progress" className="w-section">
        <h3 id="progress" className="w-subtitle">
          审核进度
        </h3>
        <Progress app={a} names={names} />
      </section>
      <section aria-labelledby="timeline" className="w-section">
        <h3 id="timeline" className="w-subtitle">
          办理记录
        </h3>
        <ol className="w-timeline">
          {[
            ...a.timeline.map((t) => ({
              key: `${t.at}-${t.type}-${t.orgId ?? ''}`,
              at: t.at,
              words: timelineWords(t, names),
            })),
            // The SMS the platform sent about this application, and whether it went out.
            ...(a.notifications ?? []).map((n) => ({
              key: n.notificationId,
              at: n.at,
              words: smsWords(n),
            })),
          ]
            .sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0))
            .map((row) => (
              <li key={row.key}>
                <time dateTime={row.at}>{shanghaiTime(row.at)}</time> {row.words}
              </li>
            ))}
        </ol>
      </section>
      <section aria-labelledby="payments" className="w-section">
        <h3 id="payments" className="w-subtitle">
          发放记录
        </h3>
        {a.payments.length === 0 ? (
          <p className="w-pad w-muted">暂无发放记录。审核通过并占得名额后，由工会统一发放。</p>
        ) : (
          a.payments.map((p) => (
            <Card key={`${p.payerOrgId}-${p.amountFen}-${p.paidAt ?? p.status}`} className="w-payment">
              <p>
                {names(p.payerOrgId)} 发放 <strong>{yuan(p.amountFen)} 元</strong>{' '}
                <Tag color={p.status === 'paid' ? 'success' : p.status === 'failed' ? 'danger' : 'warning'}>
                  {paymentStatusNames[p.status] ?? p.status}
                </Tag>
              </p>
              {p.paidAt ? <p className="w-muted">到账时间 {shanghaiTime(p.paidAt)}</p> : null}
              <ul aria-label="资金来源">
                {p.funding.map((f) => (
                  <li key={f.funderOrgId}>
                    {names(f.funderOrgId)} {yuan(f.amountFen)} 元
                  </li>
                ))}
              </ul>
            </Card>
          ))
        )}
        {mayChangePayoutAccount(a) ? <PayoutAccountForm app={a} /> : null}
      </section>
    </div>
  );
}

function Receipt({ app }: { app: Application }) {
  const r = app.receipt;
  if (!r) return null;
  return (
    <section className="w-receipt" role="status" aria-label="受理回执">
      <h3 className="w-subtitle">申请已提交</h3>
      <p className="w-big">受理号 {r.sequence}</p>
      <p>提交时间 {shanghaiTime(r.submittedAt)}</p>
      <p className="w-digest">
        回执摘要 <code>{r.digest}</code>
      </p>
      <p className="w-big">{placeWords(app.quota)}</p>
    </section>
  );
}

function Progress({ app, names }: { app: Application; names: (id: string | undefined) => string }) {
  const chain = app.review.chain;
  const current = app.review.currentOrgId ? chain.findIndex((c) => c.orgId === app.review.currentOrgId) : -1;
  const done = chain.filter((c) => c.decision === 'approve' || c.decision === 'approved').length;
  return (
    <Steps direction="vertical" current={current >= 0 ? current : done}>
      {chain.map((c, i) => {
        const status =
          c.decision === 'approve' || c.decision === 'approved'
            ? 'finish'
            : c.decision === 'reject' || c.decision === 'rejected'
              ? 'error'
              : i === current
                ? 'process'
                : 'wait';
        const words =
          status === 'finish'
            ? `已通过${c.decidedAt ? ` ${shanghaiTime(c.decidedAt)}` : ''}`
            : status === 'error'
              ? `未通过：${c.reason ?? ''}`
              : c.decision === 'return' || c.decision === 'returned'
                ? `退回修改：${c.reason ?? ''}`
                : i === current
                  ? app.status === 'returned'
                    ? '等待您修改后重新提交'
                    : '正在审核'
                  : '等待审核';
        return <Steps.Step key={c.orgId} status={status} title={names(c.orgId)} description={words} />;
      })}
    </Steps>
  );
}

function Actions({ app }: { app: Application }) {
  const queryClient = useQueryClient();
  const mine = useMyApplications();
  const [error, setError] = useState<string>();
  const live = ['in_review', 'returned', 'approved', 'draft'].includes(app.status);
  // The declarative dialog: antd-mobile's imperative Dialog.confirm cannot render under React 19.
  const [confirming, setConfirming] = useState(false);
  const withdraw = async () => {
    setConfirming(false);
    try {
      const updated = await unwrap(
        api.POST('/v1/applications/{id}/withdraw', { params: { path: { id: app.id } } }),
      );
      queryClient.setQueryData(['application', app.id], updated);
      await mine.refetch();
    } catch (e) {
      setError(e instanceof Error ? e.message : '撤回失败');
    }
  };
  return (
    <div className="w-actions w-actions-wrap">
      {app.status === 'draft' ? (
        <Link className="w-link-button" to={`/applications/${app.id}/edit`}>
          继续填写
        </Link>
      ) : null}
      {app.status === 'returned' ? (
        <Link className="w-link-button" to={`/applications/${app.id}/edit`}>
          修改后重新提交
        </Link>
      ) : null}
      <Link className="w-link-button w-link-secondary" to={`/applications/${app.id}/print`}>
        打印申请表
      </Link>
      {live && app.payments.length === 0 ? (
        <Button size="large" color="danger" fill="outline" onClick={() => setConfirming(true)}>
          撤回申请
        </Button>
      ) : null}
      <Dialog
        visible={confirming}
        title="撤回申请"
        content={
          app.quota.state === 'claimed'
            ? '撤回后您占用的名额将让给下一位候补的职工，且不能恢复。确定撤回吗？'
            : '撤回后申请不能恢复。确定撤回吗？'
        }
        onClose={() => setConfirming(false)}
        actions={[
          [
            { key: 'cancel', text: '不撤回', onClick: () => setConfirming(false) },
            { key: 'confirm', text: '确定撤回', danger: true, bold: true, onClick: () => void withdraw() },
          ],
        ]}
      />
      {error ? (
        <p role="alert" className="w-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
