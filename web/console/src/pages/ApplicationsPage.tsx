import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Input, Select, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { shanghaiTime } from '../../../shared/dates.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { OrgName } from '../components/OrgName.tsx';
import { ProgrammePicker, useProgramme } from '../components/ProgrammePicker.tsx';
import { shanghaiCell } from '../lib/excel.ts';
import { rememberOrder } from '../lib/queue-order.ts';
import { levelLabel, quotaLabel, statusLabel } from '../lib/words.ts';

type Item = Schemas['ApplicationListItem'];
type Status = NonNullable<Item['status']>;

/** 申请查询: every application on the caller org's chains, by status, place state or name/受理号. */
export function ApplicationsPage() {
  const { programmeId, programme } = useProgramme();
  const [status, setStatus] = useState<Exclude<Status, 'draft'>>();
  const [quotaState, setQuotaState] = useState<'claimed' | 'waitlisted' | 'released' | 'none'>();
  const [q, setQ] = useState<string>();
  const list = useInfiniteQuery({
    queryKey: ['applications', programmeId, status, quotaState, q],
    enabled: programmeId !== undefined,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Schemas['ApplicationsPage']) => last.cursor,
    queryFn: ({ pageParam }): Promise<Schemas['ApplicationsPage']> =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}/applications', {
          params: {
            path: { programmeId: programmeId as string },
            query: {
              limit: 50,
              ...(status ? { status } : {}),
              ...(quotaState ? { quotaState } : {}),
              ...(q ? { q } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
  });
  const rows = useMemo(
    () => list.data?.pages.flatMap((p: Schemas['ApplicationsPage']) => p.items) ?? [],
    [list.data],
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>申请查询</Typography.Title>
      <ProgrammePicker />
      <Space wrap>
        <Select
          aria-label="审核状态"
          placeholder="审核状态"
          allowClear
          style={{ minWidth: 140 }}
          value={status}
          onChange={setStatus}
          options={Object.entries(statusLabel)
            .filter(([s]) => s !== 'draft')
            .map(([value, label]) => ({ value: value as Exclude<Status, 'draft'>, label }))}
        />
        <Select
          aria-label="名额状态"
          placeholder="名额状态"
          allowClear
          style={{ minWidth: 140 }}
          value={quotaState}
          onChange={setQuotaState}
          options={[
            { value: 'claimed', label: '已占名额' },
            { value: 'waitlisted', label: '候补' },
            { value: 'released', label: '已释放' },
          ]}
        />
        <Input.Search
          aria-label="姓名或受理号"
          placeholder="姓名或受理号"
          allowClear
          style={{ width: 220 }}
          onSearch={(v) => setQ(v.trim() || undefined)}
        />
        <ExportButton<Item>
          list="applications"
          programmeId={programmeId}
          sheet="申请"
          fileName={`申请-${programmeId}.xlsx`}
          rows={rows}
          columns={[
            { header: '受理号', kind: 'int', value: (r) => r.sequence },
            { header: '姓名', value: (r) => r.applicant.name },
            { header: '身份证号', value: (r) => r.applicant.idNumber, width: 22 },
            { header: '工作单位', value: (r) => r.employerOrgId, width: 28 },
            { header: '学历层次', value: (r) => levelLabel[r.enrolment.level] ?? r.enrolment.level },
            { header: '院校', value: (r) => r.enrolment.institution, width: 20 },
            { header: '专业', value: (r) => r.enrolment.major, width: 24 },
            { header: '审核状态', value: (r) => statusLabel[r.status] ?? r.status },
            { header: '名额状态', value: (r) => quotaLabel(r.quota.state, r.waitlistPosition) },
            { header: '提交时间', kind: 'date', value: (r) => shanghaiCell(r.submittedAt), width: 18 },
          ]}
        />
      </Space>
      {list.error && <Alert type="error" title={list.error.message} showIcon />}
      {programme && (
        <Table<Item>
          rowKey="id"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          locale={{ emptyText: '暂无申请' }}
          columns={[
            { title: '受理号', dataIndex: 'sequence' },
            { title: '姓名', render: (_, r) => r.applicant.name },
            { title: '工作单位', render: (_, r) => <OrgName id={r.employerOrgId} /> },
            { title: '学历层次', render: (_, r) => levelLabel[r.enrolment.level] ?? r.enrolment.level },
            { title: '审核状态', render: (_, r) => statusLabel[r.status] ?? r.status },
            { title: '当前环节', render: (_, r) => (r.currentOrgId ? <OrgName id={r.currentOrgId} /> : '—') },
            { title: '名额状态', render: (_, r) => quotaLabel(r.quota.state, r.waitlistPosition) },
            { title: '提交时间', render: (_, r) => shanghaiTime(r.submittedAt) },
            {
              title: '操作',
              render: (_, r) => (
                <Link to={`/applications/${r.id}`} onClick={() => rememberOrder(rows.map((x) => x.id))}>
                  查看<span className="sr-only"> {r.sequence}</span>
                </Link>
              ),
            },
          ]}
        />
      )}
      {list.hasNextPage && (
        <Button loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          加载更多
        </Button>
      )}
    </Space>
  );
}
