import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Modal, Select, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { shanghaiTime } from '../../../shared/dates.ts';
import { BatchBanner } from '../components/BatchBanner.tsx';
import { ExportButton } from '../components/ExportButton.tsx';
import { OrgName } from '../components/OrgName.tsx';
import { ProgrammePicker, useProgramme } from '../components/ProgrammePicker.tsx';
import { openBatch } from '../lib/batches.ts';
import { shanghaiCell } from '../lib/excel.ts';
import { rememberOrder } from '../lib/queue-order.ts';
import { levelLabel, quotaLabel } from '../lib/words.ts';

type QueueItem = Schemas['QueueItem'];
type BulkResult = Schemas['BulkDecisionResult']['results'][number];

/** 待审核: the caller org's queue for a programme, in receipt order, with bulk approval. */
export function ReviewQueuePage() {
  const { programmeId, programme } = useProgramme();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [unit, setUnit] = useState<string>();
  const [employer, setEmployer] = useState<string>();
  const [level, setLevel] = useState<Schemas['Level']>();
  const queue = useInfiniteQuery({
    queryKey: ['review-queue', programmeId, unit, employer, level],
    enabled: programmeId !== undefined,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Schemas['ReviewQueue']) => last.cursor,
    queryFn: ({ pageParam }): Promise<Schemas['ReviewQueue']> =>
      unwrap(
        api.GET('/v1/review/queue', {
          params: {
            query: {
              programmeId: programmeId as string,
              limit: 50,
              // The API narrows the whole queue, not just the pages loaded so far.
              ...(unit ? { unitOrgId: unit } : {}),
              ...(employer ? { employerOrgId: employer } : {}),
              ...(level ? { level } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
  });
  const rows = useMemo(
    () => queue.data?.pages.flatMap((p: Schemas['ReviewQueue']) => p.items) ?? [],
    [queue.data],
  );
  // The units and employers offered: every one seen in this programme's queue, kept while a
  // filter narrows it, forgotten when another programme is picked.
  type Seen = { programmeId?: string; units: string[]; employers: string[] };
  const [seen, setSeen] = useState<Seen>({ units: [], employers: [] });
  const known: Seen = seen.programmeId === programmeId ? seen : { programmeId, units: [], employers: [] };
  const unseen = (values: string[], have: string[]) => values.filter((v) => !have.includes(v));
  const newUnits = unseen([...new Set(rows.map((a) => a.unitOrgId))], known.units);
  const newEmployers = unseen([...new Set(rows.map((a) => a.employerOrgId))], known.employers);
  if (known !== seen || newUnits.length > 0 || newEmployers.length > 0) {
    setSeen({
      programmeId,
      units: [...known.units, ...newUnits],
      employers: [...known.employers, ...newEmployers],
    });
  }
  const [selected, setSelected] = useState<string[]>([]);
  // A filter change drops the selection: what a reviewer approves is always on the screen.
  const filterWith =
    <T,>(set: (value: T | undefined) => void) =>
    (value: T | undefined) => {
      set(value);
      setSelected([]);
    };
  const [results, setResults] = useState<BulkResult[]>();
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const batchOpen = openBatch(programme?.reviewBatches) !== undefined;
  const distinct = (values: string[]) =>
    [...new Set(values)].map((v) => ({ value: v, label: <OrgName id={v} /> }));

  async function approveSelected() {
    setSending(true);
    try {
      const outcome = await unwrap(
        api.POST('/v1/review/decisions', {
          body: { items: selected.map((id) => ({ id, decision: 'approve' as const })) },
        }),
      );
      setResults(outcome.results);
      // Failures stay selected, so the reviewer can look at them and try again.
      setSelected(outcome.results.filter((r) => !r.ok).map((r) => r.id));
      const ok = outcome.results.filter((r) => r.ok).length;
      message.success(
        `已通过 ${ok} 件${ok < outcome.results.length ? `，${outcome.results.length - ok} 件未通过` : ''}`,
      );
      await client.invalidateQueries({ queryKey: ['review-queue', programmeId] });
    } catch (err) {
      message.error(err instanceof Error ? err.message : '批量通过失败');
    } finally {
      setSending(false);
      setConfirming(false);
    }
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>待审核</Typography.Title>
      <ProgrammePicker />
      <BatchBanner batches={programme?.reviewBatches} />
      <Space wrap>
        <Select
          aria-label="单位"
          placeholder="单位"
          allowClear
          style={{ minWidth: 180 }}
          value={unit}
          onChange={filterWith(setUnit)}
          options={distinct(known.units)}
        />
        <Select
          aria-label="工作单位"
          placeholder="工作单位"
          allowClear
          style={{ minWidth: 200 }}
          value={employer}
          onChange={filterWith(setEmployer)}
          options={distinct(known.employers)}
        />
        <Select
          aria-label="学历层次"
          placeholder="学历层次"
          allowClear
          style={{ minWidth: 120 }}
          value={level}
          onChange={filterWith(setLevel)}
          options={Object.entries(levelLabel).map(([value, label]) => ({ value, label }))}
        />
        {batchOpen && (
          <Button type="primary" disabled={selected.length === 0} onClick={() => setConfirming(true)}>
            批量通过
          </Button>
        )}
        <ExportButton<QueueItem>
          list="review-queue"
          programmeId={programmeId}
          sheet="待审核"
          fileName={`待审核-${programmeId}.xlsx`}
          rows={rows}
          columns={queueColumns}
        />
      </Space>
      {queue.error && <Alert type="error" title={queue.error.message} showIcon />}
      {results?.some((r) => !r.ok) && (
        <Alert
          type="warning"
          showIcon
          title="以下申请未能通过"
          description={
            <ul>
              {results
                .filter((r) => !r.ok)
                .map((r) => (
                  <li key={r.id}>
                    {rows.find((a) => a.id === r.id)?.sequence ?? r.id}：{r.error?.message}
                  </li>
                ))}
            </ul>
          }
        />
      )}
      <Table<QueueItem>
        rowKey="id"
        loading={queue.isLoading}
        dataSource={rows}
        locale={{ emptyText: '暂无待审核的申请' }}
        pagination={false}
        rowSelection={
          batchOpen
            ? {
                selectedRowKeys: selected,
                onChange: (keys) => setSelected(keys as string[]),
                getTitleCheckboxProps: () => ({ 'aria-label': '全选' }),
                getCheckboxProps: (row) => ({ 'aria-label': `选择 ${row.sequence}` }),
              }
            : undefined
        }
        columns={[
          { title: '受理号', dataIndex: 'sequence' },
          { title: '姓名', render: (_, row) => row.applicant.name },
          { title: '工作单位', render: (_, row) => <OrgName id={row.employerOrgId} /> },
          { title: '学历层次', render: (_, row) => levelLabel[row.enrolment.level] ?? row.enrolment.level },
          { title: '院校/专业', render: (_, row) => `${row.enrolment.institution} / ${row.enrolment.major}` },
          { title: '名额状态', render: (_, row) => quotaLabel(row.quota.state, row.waitlistPosition) },
          { title: '提交时间', render: (_, row) => shanghaiTime(row.submittedAt) },
          {
            title: '操作',
            render: (_, row) => (
              <Link to={`/applications/${row.id}`} onClick={() => rememberOrder(rows.map((r) => r.id))}>
                查看<span className="sr-only"> {row.sequence}</span>
              </Link>
            ),
          },
        ]}
      />
      {queue.hasNextPage && (
        <Button loading={queue.isFetchingNextPage} onClick={() => void queue.fetchNextPage()}>
          加载更多
        </Button>
      )}
      <Modal
        open={confirming}
        title="批量通过"
        okText="确定"
        cancelText="取消"
        confirmLoading={sending}
        onOk={() => void approveSelected()}
        onCancel={() => setConfirming(false)}
      >
        确定通过所选的 {selected.length} 件申请？
      </Modal>
    </Space>
  );
}

const queueColumns = [
  { header: '受理号', kind: 'int' as const, value: (r: QueueItem) => r.sequence },
  { header: '姓名', value: (r: QueueItem) => r.applicant.name },
  { header: '身份证号', value: (r: QueueItem) => r.applicant.idNumber, width: 22 },
  { header: '工作单位', value: (r: QueueItem) => r.employerOrgId, width: 28 },
  { header: '学历层次', value: (r: QueueItem) => levelLabel[r.enrolment.level] ?? r.enrolment.level },
  { header: '院校', value: (r: QueueItem) => r.enrolment.institution, width: 20 },
  { header: '专业', value: (r: QueueItem) => r.enrolment.major, width: 24 },
  { header: '名额状态', value: (r: QueueItem) => quotaLabel(r.quota.state, r.waitlistPosition) },
  {
    header: '提交时间',
    kind: 'date' as const,
    value: (r: QueueItem) => shanghaiCell(r.submittedAt),
    width: 18,
  },
];
