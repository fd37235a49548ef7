import { useQuery } from '@tanstack/react-query';
import { Alert, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { shanghaiTime } from '../../../shared/dates.ts';

type QueueItem = Schemas['QueueItem'];

/** 待审核: the caller org's queue for a programme, in receipt order. */
export function ReviewQueuePage() {
  const programmes = useQuery({
    queryKey: ['programmes'],
    queryFn: () => unwrap(api.GET('/v1/programmes')),
  });
  const [programmeId, setProgrammeId] = useState<string>();
  const chosen = programmeId ?? programmes.data?.programmes[0]?.id;
  const queue = useQuery({
    queryKey: ['review-queue', chosen],
    enabled: chosen !== undefined,
    queryFn: () =>
      unwrap(api.GET('/v1/review/queue', { params: { query: { programmeId: chosen as string } } })),
  });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>待审核</Typography.Title>
      <Space>
        <span id="programme-label">项目</span>
        <Select
          aria-labelledby="programme-label"
          style={{ minWidth: 280 }}
          loading={programmes.isLoading}
          value={chosen}
          onChange={setProgrammeId}
          options={programmes.data?.programmes.map((p) => ({ value: p.id, label: p.title }))}
        />
      </Space>
      {programmes.error && <Alert type="error" message={programmes.error.message} showIcon />}
      {queue.error && <Alert type="error" message={queue.error.message} showIcon />}
      <Table<QueueItem>
        rowKey="id"
        loading={queue.isLoading}
        dataSource={queue.data?.items ?? []}
        locale={{ emptyText: '暂无待审核的申请' }}
        pagination={false}
        columns={[
          { title: '受理号', dataIndex: 'sequence' },
          { title: '姓名', render: (_, row) => row.applicant.name },
          { title: '工作单位', dataIndex: 'employerOrgId' },
          { title: '学历层次', render: (_, row) => row.enrolment.level },
          {
            title: '名额状态',
            render: (_, row) => (row.quota.state === 'claimed' ? '已占名额' : '候补'),
          },
          { title: '提交时间', render: (_, row) => shanghaiTime(row.submittedAt) },
        ]}
      />
    </Space>
  );
}
