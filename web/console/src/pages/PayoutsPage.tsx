import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Modal,
  Progress,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { ApiError, api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { shanghaiTime } from '../../../shared/dates.ts';
import { yuan } from '../../../shared/money.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { OrgName } from '../components/OrgName.tsx';
import { ProgrammePicker, useProgramme } from '../components/ProgrammePicker.tsx';
import { shanghaiCell } from '../lib/excel.ts';
import { useGoverns } from '../lib/governs.ts';
import { runStatusLabel } from '../lib/words.ts';

type Run = Schemas['PayoutRun'];
const live = (r: Run) => r.status === 'running' || r.status === 'paying';

/** 补助发放: the programme's runs, live progress, failures, bank files and bank results. */
export function PayoutsPage() {
  const { programmeId, programme } = useProgramme();
  const mayPay = useGoverns(programme?.ownerOrgId);
  const runs = useQuery({
    queryKey: ['payout-runs', programmeId],
    enabled: programmeId !== undefined && mayPay,
    refetchInterval: (q) => (q.state.data?.items.some(live) ? 1_000 : false),
    queryFn: () =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}/payout-runs', {
          params: { path: { programmeId: programmeId as string } },
        }),
      ),
  });
  const items = runs.data?.items ?? [];
  const [collapsed, setCollapsed] = useState<string[]>([]);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>补助发放</Typography.Title>
      <Space wrap>
        <ProgrammePicker />
        {mayPay && programmeId && <StartRun programmeId={programmeId} />}
        {mayPay && (
          <ExportButton<Run>
            list="payout-runs"
            programmeId={programmeId}
            sheet="发放批次"
            fileName={`发放批次-${programmeId}.xlsx`}
            rows={items}
            columns={[
              { header: '发放批次', value: (r) => r.runId, width: 28 },
              { header: '状态', value: (r) => runStatusLabel[r.status] ?? r.status },
              { header: '计划笔数', kind: 'int', value: (r) => r.counts.planned },
              { header: '成功笔数', kind: 'int', value: (r) => r.counts.paid },
              { header: '失败笔数', kind: 'int', value: (r) => r.counts.failed },
              {
                header: '发放金额（元）',
                kind: 'money',
                value: (r) => r.totals.reduce((n, t) => n + t.totalFen, 0),
              },
              { header: '发起时间', kind: 'date', value: (r) => shanghaiCell(r.createdAt), width: 18 },
            ]}
          />
        )}
      </Space>
      {!mayPay && <Alert type="info" showIcon title="只有主办组织（市总工会）或上级的管理员可以发放补助" />}
      {runs.error && <Alert type="error" title={runs.error.message} showIcon />}
      {mayPay && (
        <Table<Run>
          rowKey="runId"
          loading={runs.isLoading}
          dataSource={items}
          pagination={false}
          locale={{ emptyText: '暂无发放批次' }}
          expandable={{
            expandedRowRender: (r) => <RunDetail run={r} />,
            // Every run open unless the admin closed it: a new run's files appear without a click.
            expandedRowKeys: items.map((r) => r.runId).filter((id) => !collapsed.includes(id)),
            onExpand: (open, r) =>
              setCollapsed((c) => (open ? c.filter((id) => id !== r.runId) : [...c, r.runId])),
          }}
          columns={[
            { title: '发放批次', dataIndex: 'runId' },
            {
              title: '状态',
              render: (_, r) => (
                <Tag color={r.status === 'succeeded' ? 'green' : r.status === 'failed' ? 'red' : 'blue'}>
                  {runStatusLabel[r.status] ?? r.status}
                </Tag>
              ),
            },
            {
              title: '进度',
              render: (_, r) => (
                <Progress
                  size="small"
                  aria-label={`${r.runId} 进度`}
                  percent={
                    r.counts.planned
                      ? Math.round(((r.counts.paid + r.counts.failed) / r.counts.planned) * 100)
                      : 0
                  }
                />
              ),
            },
            {
              title: '计划/成功/失败',
              render: (_, r) => `${r.counts.planned} / ${r.counts.paid} / ${r.counts.failed}`,
            },
            {
              title: '各资助方发放金额（元）',
              render: (_, r) =>
                r.totals.map((t) => (
                  <div key={t.funderOrgId}>
                    <OrgName id={t.funderOrgId} />：{yuan(t.totalFen)}
                  </div>
                )),
            },
            { title: '发起时间', render: (_, r) => shanghaiTime(r.createdAt) },
          ]}
        />
      )}
    </Space>
  );
}

/** 发起发放, after a preview of what the run will pay (approved applications holding a place). */
function StartRun({ programmeId }: { programmeId: string }) {
  const client = useQueryClient();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const preview = useQuery({
    queryKey: ['payout-preview', programmeId],
    enabled: open,
    queryFn: async () => {
      const [board, approved] = await Promise.all([
        unwrap(api.GET('/v1/programmes/{programmeId}/quotas', { params: { path: { programmeId } } })),
        allApproved(programmeId),
      ]);
      const perFunder = new Map<string, number>();
      for (const app of approved) {
        const unit = board.units.find((u) => u.unitOrgId === app.unitOrgId);
        for (const f of unit?.funding ?? [])
          perFunder.set(f.funderOrgId, (perFunder.get(f.funderOrgId) ?? 0) + f.amountFen);
      }
      return { count: approved.length, perFunder: [...perFunder] };
    },
  });
  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/programmes/{programmeId}/payout-runs', { params: { path: { programmeId } }, body: {} }),
      ),
    onSuccess: async (r) => {
      message.success(`已发起发放 ${r.runId}`);
      setOpen(false);
      await client.invalidateQueries({ queryKey: ['payout-runs', programmeId] });
    },
  });
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        发起发放
      </Button>
      <Modal
        open={open}
        title="发起发放"
        okText="确定"
        cancelText="取消"
        confirmLoading={start.isPending}
        onOk={() => start.mutate()}
        onCancel={() => setOpen(false)}
      >
        {preview.isLoading && <p>正在计算</p>}
        {preview.error && <Alert type="error" title={preview.error.message} />}
        {preview.data && (
          <Descriptions column={1} size="small">
            <Descriptions.Item label="已通过且占名额的申请">
              {preview.data.count} 件（已发放的不会重复发放）
            </Descriptions.Item>
            {preview.data.perFunder.map(([funder, fen]) => (
              <Descriptions.Item key={funder} label={<OrgName id={funder} />}>
                至多 {yuan(fen)} 元
              </Descriptions.Item>
            ))}
          </Descriptions>
        )}
        {start.error && <Alert type="error" role="alert" showIcon title={start.error.message} />}
      </Modal>
    </>
  );
}

async function allApproved(programmeId: string) {
  const items: Schemas['ApplicationListItem'][] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      api.GET('/v1/programmes/{programmeId}/applications', {
        params: {
          path: { programmeId },
          query: { status: 'approved', quotaState: 'claimed', limit: 100, ...(cursor ? { cursor } : {}) },
        },
      }),
    );
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** A run's failures, its bank files (下载银行文件) and the import of the bank's results (导入银行回单). */
function RunDetail({ run }: { run: Run }) {
  const { message } = App.useApp();
  const client = useQueryClient();
  const [importError, setImportError] = useState<string>();
  async function download(payerOrgId: string) {
    try {
      const file = await unwrap(
        api.GET('/v1/payout-runs/{runId}/bank-files/{payerOrgId}', {
          params: { path: { runId: run.runId, payerOrgId } },
        }),
      );
      const a = document.createElement('a');
      a.href = file.url;
      a.download = `${run.runId}-${payerOrgId}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      message.error(err instanceof Error ? err.message : '下载失败');
    }
  }
  async function importResults(payerOrgId: string, file: File) {
    setImportError(undefined);
    try {
      const lines = parseBankResults(await file.text());
      const report = await unwrap(
        api.POST('/v1/payout-runs/{runId}/bank-results', {
          params: { path: { runId: run.runId } },
          body: { payerOrgId, lines },
        }),
      );
      message.success(
        `已导入：成功 ${report.counts.paid} 笔，失败 ${report.counts.failed} 笔，未变 ${report.counts.unchanged} 笔`,
      );
      await client.invalidateQueries({ queryKey: ['payout-runs', run.programmeId] });
    } catch (err) {
      setImportError(
        err instanceof ApiError && err.fields.length
          ? `${err.message}：${err.fields.map((f) => `${f.path} ${f.message}`).join('；')}`
          : err instanceof Error
            ? err.message
            : '导入失败',
      );
    }
  }
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {run.failures && run.failures.length > 0 && (
        <Card size="small" title="失败的发放">
          <Table
            size="small"
            rowKey={(f) => `${f.payerOrgId}-${f.applicationId ?? f.kind}-${f.reason}`}
            dataSource={run.failures}
            pagination={false}
            columns={[
              { title: '类型', render: (_, f) => (f.kind === 'transfer' ? '工会间划拨' : '职工补助') },
              { title: '付款组织', render: (_, f) => <OrgName id={f.payerOrgId} /> },
              { title: '申请', dataIndex: 'applicationId' },
              { title: '失败原因', dataIndex: 'reason' },
            ]}
          />
        </Card>
      )}
      {run.problems && run.problems.length > 0 && <Alert type="warning" title={run.problems.join('；')} />}
      {run.bankFiles && run.bankFiles.length > 0 && (
        <Card size="small" title="银行文件">
          {importError && (
            <Alert type="error" role="alert" showIcon title={importError} style={{ marginBottom: 8 }} />
          )}
          <Table
            size="small"
            rowKey="payerOrgId"
            dataSource={run.bankFiles}
            pagination={false}
            columns={[
              { title: '付款组织', render: (_, f) => <OrgName id={f.payerOrgId} /> },
              { title: '笔数', dataIndex: 'lines' },
              { title: '金额（元）', render: (_, f) => yuan(f.totalFen) },
              {
                title: '操作',
                render: (_, f) => (
                  <Space>
                    <Button size="small" onClick={() => void download(f.payerOrgId)}>
                      下载银行文件<span className="sr-only"> {f.payerOrgId}</span>
                    </Button>
                    {run.status === 'awaiting_bank' && (
                      <Upload
                        accept=".csv,text/csv"
                        showUploadList={false}
                        beforeUpload={(file) => {
                          void importResults(f.payerOrgId, file);
                          return false;
                        }}
                      >
                        <Button size="small">
                          导入银行回单<span className="sr-only"> {f.payerOrgId}</span>
                        </Button>
                      </Upload>
                    )}
                  </Space>
                ),
              },
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            银行回单为 CSV：每行 业务编号,结果（成功/失败）,银行流水号,失败原因；首行可为表头。
          </Typography.Paragraph>
        </Card>
      )}
    </Space>
  );
}

/** The bank's result file: `业务编号,结果,银行流水号,失败原因` per line (UTF-8, a header line allowed). */
export function parseBankResults(text: string) {
  const lines: { key: string; status: 'paid' | 'failed'; reference?: string; reason?: string }[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const [key = '', result = '', reference = '', reason = ''] = raw
      .split(',')
      .map((c) => c.trim().replace(/^"|"$/g, ''));
    if (!/^[0-9a-f]{40}$/.test(key)) continue;
    const status = /^(成功|paid|success|1)$/i.test(result) ? 'paid' : 'failed';
    lines.push({
      key,
      status,
      ...(reference ? { reference } : {}),
      ...(status === 'failed' ? { reason: reason || '银行退回' } : {}),
    });
  }
  return lines;
}
