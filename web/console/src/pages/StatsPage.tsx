import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Row, Space, Spin, Statistic, Table, Typography } from 'antd';
import { lazy, Suspense, useMemo } from 'react';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { yuan } from '../../../shared/money.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { OrgName } from '../components/OrgName.tsx';
import { ProgrammePicker, useProgramme } from '../components/ProgrammePicker.tsx';
import { statusLabel } from '../lib/words.ts';

const StatusChart = lazy(() => import('../components/StatusChart.tsx'));
type UnitRow = Schemas['Dashboard']['units'][number];
const count = (u: UnitRow, s: string) => u.byStatus.find((b) => b.status === s)?.count ?? 0;
const shown = ['in_review', 'returned', 'approved', 'rejected', 'withdrawn', 'lapsed', 'revoked'] as const;

/** 统计: counts per unit and status, approvals per batch, money planned and paid per funder. */
export function StatsPage() {
  const { programmeId } = useProgramme();
  const stats = useQuery({
    queryKey: ['dashboard', programmeId],
    enabled: programmeId !== undefined,
    queryFn: () =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}/dashboard', {
          params: { path: { programmeId: programmeId as string } },
        }),
      ),
  });
  const d = stats.data;
  const series = useMemo(
    () => (d ? shown.map((s) => ({ name: statusLabel[s] ?? s, data: d.units.map((u) => count(u, s)) })) : []),
    [d],
  );
  const unitNames = useMemo(() => d?.units.map((u) => u.name) ?? [], [d]);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>统计</Typography.Title>
      <Space wrap>
        <ProgrammePicker />
        <ExportButton<UnitRow>
          list="dashboard"
          programmeId={programmeId}
          sheet="统计"
          fileName={`统计-${programmeId}.xlsx`}
          rows={d?.units ?? []}
          columns={[
            { header: '单位', value: (u) => u.name, width: 20 },
            { header: '申请', kind: 'int', value: (u) => u.applications },
            ...shown.map((s) => ({
              header: statusLabel[s] ?? s,
              kind: 'int' as const,
              value: (u: UnitRow) => count(u, s),
            })),
            { header: '名额', kind: 'int', value: (u) => u.places },
            { header: '已占名额', kind: 'int', value: (u) => u.claimed },
            { header: '候补', kind: 'int', value: (u) => u.waitlisted },
          ]}
        />
      </Space>
      {stats.isLoading && <Spin tip="正在加载" />}
      {stats.error && <Alert type="error" title={stats.error.message} showIcon />}
      {d && (
        <>
          <Row gutter={16}>
            {d.byStatus
              .filter((s) => s.status !== 'draft')
              .map((s) => (
                <Col key={s.status} xs={12} md={6} lg={3}>
                  <Statistic title={statusLabel[s.status] ?? s.status} value={s.count} />
                </Col>
              ))}
          </Row>
          <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>各单位申请</h3>}>
            <Suspense fallback={<Spin />}>
              <StatusChart units={unitNames} series={series} label="各单位各审核状态的申请数" />
            </Suspense>
            <Table<UnitRow>
              rowKey="unitOrgId"
              size="small"
              dataSource={d.units}
              pagination={false}
              locale={{ emptyText: '暂无数据' }}
              columns={[
                { title: '单位', dataIndex: 'name' },
                { title: '申请', dataIndex: 'applications' },
                ...shown.map((s) => ({
                  title: statusLabel[s],
                  render: (_: unknown, u: UnitRow) => count(u, s),
                })),
                { title: '名额', dataIndex: 'places' },
                { title: '已占名额', dataIndex: 'claimed' },
                { title: '候补', dataIndex: 'waitlisted' },
              ]}
            />
          </Card>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>各审核批次通过数</h3>}>
                <Table
                  rowKey="batchId"
                  size="small"
                  pagination={false}
                  dataSource={d.approvalsByBatch}
                  locale={{ emptyText: '暂无数据' }}
                  columns={[
                    { title: '审核批次', dataIndex: 'batchId' },
                    { title: '本组织通过', dataIndex: 'approvals' },
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} md={12}>
              <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>各资助方资金（元）</h3>}>
                <Table
                  rowKey="funderOrgId"
                  size="small"
                  pagination={false}
                  dataSource={d.money.planned}
                  locale={{ emptyText: '暂无数据' }}
                  columns={[
                    { title: '资助方', render: (_, m) => <OrgName id={m.funderOrgId} /> },
                    { title: '计划', render: (_, m) => yuan(m.totalFen) },
                    {
                      title: '已发放',
                      render: (_, m) =>
                        d.money.paid
                          ? yuan(d.money.paid.find((p) => p.funderOrgId === m.funderOrgId)?.totalFen ?? 0)
                          : '—',
                    },
                  ]}
                />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </Space>
  );
}
