import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Space, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { shanghaiTime } from '../../../shared/dates.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { OrgName } from '../components/OrgName.tsx';
import { ProgrammePicker, useProgramme } from '../components/ProgrammePicker.tsx';
import { shanghaiCell } from '../lib/excel.ts';
import { smsEventLabel, smsStatusLabel } from '../lib/words.ts';

type Page = Schemas['NotificationList'];
type Item = Page['items'][number];

const statusColour: Record<string, string> = {
  queued: 'blue',
  sending: 'gold',
  sent: 'green',
  failed: 'red',
};

/** What a row is about: the application, or the reviewers' org. */
function subject(n: Item) {
  if (n.applicationId) return <Link to={`/applications/${n.applicationId}`}>查看申请</Link>;
  if (n.orgId) return <OrgName id={n.orgId} />;
  return '—';
}

/**
 * 短信记录 (admins; architecture.md §9): the programme's SMS, newest first, with delivery status —
 * queued until morning in quiet hours, sent, or failed with the provider's code.
 */
export function SmsPage() {
  const { programmeId, programme } = useProgramme();
  const list = useInfiniteQuery({
    queryKey: ['notifications', programmeId],
    enabled: programmeId !== undefined,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page) => last.cursor,
    queryFn: ({ pageParam }): Promise<Page> =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}/notifications', {
          params: {
            path: { programmeId: programmeId as string },
            query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p: Page) => p.items) ?? [], [list.data]);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>短信记录</Typography.Title>
      <ProgrammePicker />
      <ExportButton<Item>
        list="notifications"
        programmeId={programmeId}
        sheet="短信记录"
        fileName="短信记录.xlsx"
        rows={rows}
        disabled={rows.length === 0}
        columns={[
          { header: '时间', kind: 'date', value: (n) => shanghaiCell(n.at), width: 18 },
          { header: '短信', value: (n) => smsEventLabel[n.event] ?? n.event },
          { header: '接收号码', value: (n) => n.to ?? '' },
          { header: '状态', value: (n) => smsStatusLabel[n.status] ?? n.status },
          { header: '错误码', value: (n) => n.code ?? '' },
          {
            header: '发送时间',
            kind: 'date',
            value: (n) => (n.sentAt ? shanghaiCell(n.sentAt) : null),
            width: 18,
          },
          { header: '申请编号', value: (n) => n.applicationId ?? '', width: 28 },
        ]}
      />
      {list.error && <Alert type="error" title={list.error.message} showIcon />}
      {programme && (
        <Table<Item>
          rowKey="notificationId"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          locale={{ emptyText: '暂无短信' }}
          columns={[
            { title: '时间', render: (_, n) => shanghaiTime(n.at) },
            { title: '短信', render: (_, n) => smsEventLabel[n.event] ?? n.event },
            { title: '接收号码', render: (_, n) => n.to ?? '—' },
            {
              title: '状态',
              render: (_, n) => (
                <Tag color={statusColour[n.status]}>
                  {smsStatusLabel[n.status] ?? n.status}
                  {n.code ? `（${n.code}）` : ''}
                </Tag>
              ),
            },
            {
              title: '发送时间',
              render: (_, n) =>
                n.sentAt ? shanghaiTime(n.sentAt) : n.dueAt ? `预计 ${shanghaiTime(n.dueAt)}` : '—',
            },
            { title: '对象', render: (_, n) => subject(n) },
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
