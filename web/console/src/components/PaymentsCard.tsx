import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Form, List, Modal, Tag } from 'antd';
import { useState } from 'react';
import { ApiError, api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { shanghaiTime } from '../../../shared/dates.ts';
import { yuan } from '../../../shared/money.ts';
import { useGoverns } from '../lib/governs.ts';
import { OrgName } from './OrgName.tsx';
import { ReasonField } from './ReasonField.tsx';

type Application = Schemas['Application'];
type Part = { funderOrgId: string; amountFen: number };

const paymentStatusLabel: Record<string, string> = { pending: '发放中', paid: '已到账', failed: '发放失败' };

/** Money per funder, as one line each. */
function Parts({ parts, label }: { parts: readonly Part[]; label: string }) {
  return (
    <ul aria-label={label} style={{ margin: 0, paddingLeft: 20 }}>
      {parts.map((p) => (
        <li key={p.funderOrgId}>
          <OrgName id={p.funderOrgId} /> {yuan(p.amountFen)} 元
        </li>
      ))}
    </ul>
  );
}

/**
 * 补助发放 on the application page: each payer's payment to the worker and where it stands, and for an
 * admin governing the application's unit, 撤销补助 once the place was paid for (the API decides: paid,
 * or the city's transfer carried the funders' shares to the unit and the worker's payment failed).
 * A revoked application shows what was recorded: the reason, the money owed back by the worker, and
 * the funders' shares the unit holds for the place.
 */
export function PaymentsCard({ app }: { app: Application }) {
  const mayRevoke = useGoverns(app.unitOrgId);
  const offerRevoke =
    mayRevoke &&
    app.status === 'approved' &&
    app.payments.length > 0 &&
    !app.payments.some((p) => p.status === 'pending');
  if (app.payments.length === 0 && !app.revocation) return null;
  return (
    <Card title="补助发放" extra={offerRevoke ? <RevokeButton id={app.id} /> : null}>
      <List
        aria-label="发放记录"
        dataSource={app.payments}
        locale={{ emptyText: '暂无发放记录' }}
        renderItem={(p) => (
          <List.Item>
            <List.Item.Meta
              title={
                <span>
                  <OrgName id={p.payerOrgId} /> 发放 {yuan(p.amountFen)} 元{' '}
                  <Tag
                    color={p.status === 'paid' ? 'success' : p.status === 'failed' ? 'error' : 'processing'}
                  >
                    {paymentStatusLabel[p.status] ?? p.status}
                  </Tag>
                </span>
              }
              description={
                <>
                  {p.paidAt ? <div>到账时间 {shanghaiTime(p.paidAt)}</div> : null}
                  <Parts parts={p.funding} label="资金来源" />
                </>
              }
            />
          </List.Item>
        )}
      />
      {app.revocation ? (
        <Descriptions title="撤销记录" column={1} bordered size="small">
          <Descriptions.Item label="撤销时间">{shanghaiTime(app.revocation.revokedAt)}</Descriptions.Item>
          <Descriptions.Item label="撤销理由">{app.revocation.reason}</Descriptions.Item>
          <Descriptions.Item label="应追回职工已领补助">
            {app.revocation.clawbackFen > 0 ? (
              <>
                {yuan(app.revocation.clawbackFen)} 元
                <Parts parts={app.revocation.clawback} label="应追回（按出资方）" />
              </>
            ) : (
              '无（职工未领到补助）'
            )}
          </Descriptions.Item>
          {app.revocation.heldByUnit?.length ? (
            <Descriptions.Item label="县级工会代收应退回">
              <Parts parts={app.revocation.heldByUnit} label="县级工会代收应退回（按出资方）" />
            </Descriptions.Item>
          ) : null}
        </Descriptions>
      ) : null}
    </Card>
  );
}

/** 撤销补助: the reason is required; the place stays with the application and nobody is promoted. */
function RevokeButton({ id }: { id: string }) {
  const client = useQueryClient();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const revoke = useMutation({
    mutationFn: (reason: string) =>
      unwrap(api.POST('/v1/applications/{id}/revoke', { params: { path: { id } }, body: { reason } })),
    onSuccess: async () => {
      message.success('已撤销');
      setOpen(false);
      form.resetFields();
      await client.invalidateQueries({ queryKey: ['application', id] });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.fieldMessage('reason'))
        form.setFields([{ name: 'reason', errors: [err.fieldMessage('reason') as string] }]);
      else message.error(err.message);
    },
  });
  return (
    <>
      <Button danger onClick={() => setOpen(true)}>
        撤销补助
      </Button>
      <Modal
        open={open}
        title="撤销补助"
        okText="确定"
        okButtonProps={{ danger: true }}
        cancelText="取消"
        confirmLoading={revoke.isPending}
        onCancel={() => setOpen(false)}
        onOk={() => void form.validateFields().then((v) => revoke.mutate(v.reason))}
      >
        <p>撤销后名额仍由该申请占用，不递补候补人员；已发放的补助记为应追回。</p>
        <Form form={form} layout="vertical">
          <ReasonField />
        </Form>
      </Modal>
    </>
  );
}
