import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  InputNumber,
  Progress,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { ApiError, api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { yuan } from '../../../shared/money.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { OrgName } from '../components/OrgName.tsx';
import { ProgrammePicker, useProgramme } from '../components/ProgrammePicker.tsx';
import { useGoverns } from '../lib/governs.ts';

type Unit = Schemas['QuotaBoard']['units'][number];

/** 名额: the live board per unit and, for the city admin, 调剂名额. */
export function QuotasPage() {
  const { programmeId, programme } = useProgramme();
  const board = useQuery({
    queryKey: ['quotas', programmeId],
    enabled: programmeId !== undefined,
    refetchInterval: 5_000,
    queryFn: () =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}/quotas', {
          params: { path: { programmeId: programmeId as string } },
        }),
      ),
  });
  const mayReallocate = useGoverns(programme?.ownerOrgId);
  const units = board.data?.units ?? [];
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>名额</Typography.Title>
      <Space wrap>
        <ProgrammePicker />
        <ExportButton<Unit>
          list="quotas"
          programmeId={programmeId}
          sheet="名额"
          fileName={`名额-${programmeId}.xlsx`}
          rows={units}
          columns={[
            { header: '单位', value: (u) => u.name, width: 20 },
            { header: '名额', kind: 'int', value: (u) => u.places },
            { header: '已占名额', kind: 'int', value: (u) => u.claimed },
            { header: '候补', kind: 'int', value: (u) => u.waitlisted },
            {
              header: '补助总额（元）',
              kind: 'money',
              value: (u) => u.funding.reduce((n, f) => n + f.totalFen, 0),
            },
          ]}
        />
      </Space>
      {board.error && <Alert type="error" title={board.error.message} showIcon />}
      <Table<Unit>
        rowKey="unitOrgId"
        loading={board.isLoading}
        dataSource={units}
        pagination={false}
        locale={{ emptyText: '暂无名额分配' }}
        columns={[
          { title: '单位', dataIndex: 'name' },
          { title: '名额', dataIndex: 'places' },
          { title: '已占名额', dataIndex: 'claimed' },
          { title: '候补', dataIndex: 'waitlisted' },
          {
            title: '进度',
            render: (_, u) => (
              <Progress
                percent={u.places ? Math.round((u.claimed / u.places) * 100) : 0}
                size="small"
                aria-label={`${u.name} 已占 ${u.claimed}/${u.places}`}
              />
            ),
          },
          {
            title: '资助（元/人 · 合计）',
            render: (_, u) =>
              u.funding.map((f) => (
                <div key={f.funderOrgId}>
                  <OrgName id={f.funderOrgId} />：{yuan(f.amountFen)} · {yuan(f.totalFen)}
                </div>
              )),
          },
        ]}
        summary={() =>
          board.data ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>总计</Table.Summary.Cell>
              <Table.Summary.Cell index={1}>{board.data.totals.places}</Table.Summary.Cell>
              <Table.Summary.Cell index={2}>{board.data.totals.claimed}</Table.Summary.Cell>
              <Table.Summary.Cell index={3}>{board.data.totals.waitlisted}</Table.Summary.Cell>
              <Table.Summary.Cell index={4} />
              <Table.Summary.Cell index={5}>
                {board.data.totals.funding.map((f) => (
                  <div key={f.funderOrgId}>
                    <OrgName id={f.funderOrgId} />：{yuan(f.totalFen)}
                  </div>
                ))}
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
      />
      {mayReallocate && programmeId && <Reallocation programmeId={programmeId} units={units} />}
    </Space>
  );
}

interface ReallocationForm {
  fromUnitOrgId: string;
  toUnitOrgId: string;
  places: number;
}

function Reallocation({ programmeId, units }: { programmeId: string; units: Unit[] }) {
  const [form] = Form.useForm<ReallocationForm>();
  const client = useQueryClient();
  const { message } = App.useApp();
  const move = useMutation({
    mutationFn: (body: ReallocationForm) =>
      unwrap(
        api.POST('/v1/programmes/{programmeId}/reallocations', { params: { path: { programmeId } }, body }),
      ),
    onSuccess: async (r) => {
      message.success(
        `已调剂 ${r.places} 个名额${r.promotedApplications ? `，${r.promotedApplications} 人候补转正` : ''}`,
      );
      form.resetFields();
      await client.invalidateQueries({ queryKey: ['quotas', programmeId] });
    },
    onError: (err) => {
      if (err instanceof ApiError)
        form.setFields(
          err.fields
            .filter((f) => ['fromUnitOrgId', 'toUnitOrgId', 'places'].includes(f.path))
            .map((f) => ({ name: f.path as keyof ReallocationForm, errors: [f.message] })),
        );
    },
  });
  const options = units.map((u) => ({ value: u.unitOrgId, label: u.name }));
  return (
    <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>调剂名额</h3>}>
      <Form form={form} layout="inline" onFinish={(v) => move.mutate(v)}>
        <Form.Item
          label="调出单位"
          name="fromUnitOrgId"
          rules={[{ required: true, message: '请选择调出单位' }]}
        >
          <Select style={{ minWidth: 160 }} options={options} showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item
          label="调入单位"
          name="toUnitOrgId"
          rules={[{ required: true, message: '请选择调入单位' }]}
        >
          <Select style={{ minWidth: 160 }} options={options} showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item label="名额数" name="places" rules={[{ required: true, message: '请填写名额数' }]}>
          <InputNumber min={1} precision={0} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={move.isPending}>
            调剂名额
          </Button>
        </Form.Item>
      </Form>
      {move.error && move.error instanceof ApiError && move.error.fields.length === 0 && (
        <Alert style={{ marginTop: 12 }} type="error" showIcon role="alert" title={move.error.message} />
      )}
    </Card>
  );
}
