import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Result,
  Space,
  Spin,
  Table,
  Typography,
} from 'antd';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { shanghaiToday } from '../../../shared/dates.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { OrgName } from '../components/OrgName.tsx';
import { useProgramme } from '../components/ProgrammePicker.tsx';
import { useActing } from '../lib/acting.tsx';
import { levelLabel } from '../lib/words.ts';

type Summary = Schemas['ProgrammeSummary'];

/** 项目管理: the programmes, and 新建项目 for admins. */
export function ProgrammesPage() {
  const { programmes, loading, error } = useProgramme();
  const admin = useActing()?.role === 'admin';
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>项目管理</Typography.Title>
      <Space>
        {admin && (
          <Link to="/programmes/new">
            <Button type="primary">新建项目</Button>
          </Link>
        )}
        <ExportButton<Summary>
          list="programmes"
          sheet="项目"
          fileName="项目.xlsx"
          rows={programmes}
          columns={[
            { header: '项目编号', value: (p) => p.id, width: 20 },
            { header: '项目名称', value: (p) => p.title, width: 36 },
            { header: '年度', kind: 'int', value: (p) => p.year },
            { header: '申请开始', kind: 'date', value: (p) => dateCell(p.applicationWindow.opensOn) },
            { header: '申请截止', kind: 'date', value: (p) => dateCell(p.applicationWindow.closesOn) },
            { header: '审核批次数', kind: 'int', value: (p) => p.reviewBatches.length },
          ]}
        />
      </Space>
      {error && <Alert type="error" title={error.message} showIcon />}
      <Table<Summary>
        rowKey="id"
        loading={loading}
        dataSource={programmes}
        pagination={false}
        locale={{ emptyText: '暂无项目' }}
        columns={[
          { title: '项目名称', dataIndex: 'title' },
          { title: '主办', render: (_, p) => <OrgName id={p.ownerOrgId} /> },
          { title: '年度', dataIndex: 'year' },
          {
            title: '申请时间',
            render: (_, p) => `${p.applicationWindow.opensOn} 至 ${p.applicationWindow.closesOn}`,
          },
          {
            title: '审核批次',
            render: (_, p) => p.reviewBatches.map((b) => `${b.id}：${b.opensOn} 至 ${b.closesOn}`).join('；'),
          },
          { title: '学历层次', render: (_, p) => p.levels.map((l) => levelLabel[l] ?? l).join('、') },
          ...(admin
            ? [
                {
                  title: '操作',
                  render: (_: unknown, p: Summary) => (
                    <Link to={`/programmes/${p.id}/edit`}>
                      编辑<span className="sr-only"> {p.title}</span>
                    </Link>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Space>
  );
}

/** A calendar date as a date cell (written as UTC midnight so Excel shows that same day). */
const dateCell = (d: string) => new Date(`${d}T00:00:00Z`);

interface FormValues {
  id: string;
  title: string;
  ownerOrgId: string;
  year: number;
  enrolmentYear: number;
  applicationWindow: { opensOn: string; closesOn: string };
  reviewBatches: { id: string; opensOn: string; closesOn: string }[];
  levels: string[];
  allocations: { unitOrgId: string; places: number; funderOrgId: string; amountYuan: number }[];
  contacts?: { hotline?: string };
}

/** An API field path (`allocations.0.places`) as the form's name path. */
const namePath = (path: string) => path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));

/** 新建项目 and editing a programme: the API's validation shown beside each cell; past dates read-only. */
export function ProgrammeFormPage() {
  const actingOrg = useActing()?.orgId ?? '';
  const { programmeId } = useParams();
  const editing = programmeId !== undefined;
  const navigate = useNavigate();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const today = shanghaiToday();
  const existing = useQuery({
    queryKey: ['programme', programmeId],
    enabled: editing,
    queryFn: () =>
      unwrap(
        api.GET('/v1/programmes/{programmeId}', { params: { path: { programmeId: programmeId as string } } }),
      ),
  });
  const save = useMutation({
    mutationFn: async (v: FormValues) => {
      if (editing) {
        return unwrap(
          api.PATCH('/v1/programmes/{programmeId}', {
            params: { path: { programmeId: programmeId as string } },
            body: {
              title: v.title,
              applicationWindow: v.applicationWindow,
              reviewBatches: v.reviewBatches,
              ...(v.contacts?.hotline
                ? { contacts: { hotline: v.contacts.hotline, people: existing.data?.contacts?.people ?? [] } }
                : {}),
            },
          }),
        );
      }
      return unwrap(
        api.POST('/v1/programmes', {
          body: {
            id: v.id,
            title: v.title,
            ownerOrgId: v.ownerOrgId,
            year: v.year,
            enrolmentYear: v.enrolmentYear,
            applicationWindow: v.applicationWindow,
            reviewBatches: v.reviewBatches,
            levels: v.levels as ('junior_college' | 'bachelor')[],
            allocations: v.allocations.map((a) => ({
              unitOrgId: a.unitOrgId,
              places: a.places,
              funding: [{ funderOrgId: a.funderOrgId, amountFen: Math.round(a.amountYuan * 100) }],
            })),
            ...(v.contacts?.hotline ? { contacts: { hotline: v.contacts.hotline, people: [] } } : {}),
          },
        }),
      );
    },
    onSuccess: async () => {
      message.success('已保存');
      await client.invalidateQueries({ queryKey: ['programmes'] });
      navigate('/programmes');
    },
    onError: (err) => {
      if (!(err instanceof ApiError)) return;
      form.setFields(
        err.fields.map((f) => {
          // A funding share's cell is the row's funder or amount.
          const path = f.path.replace(
            /allocations\.(\d+)\.funding\.0\.amountFen/,
            'allocations.$1.amountYuan',
          );
          return {
            name: namePath(path.replace(/allocations\.(\d+)\.funding\.0\./, 'allocations.$1.')) as never,
            errors: [f.message],
          };
        }),
      );
    },
  });

  if (editing && existing.isLoading) return <Spin tip="正在加载" />;
  if (editing && existing.error) return <Result status="warning" title={existing.error.message} />;
  const p = existing.data;
  const year = Number(today.slice(0, 4));
  const initial: Partial<FormValues> = p
    ? {
        ...p,
        allocations: p.allocations.map((a) => ({
          unitOrgId: a.unitOrgId,
          places: a.places,
          funderOrgId: a.funding[0]?.funderOrgId ?? '',
          amountYuan: (a.funding[0]?.amountFen ?? 0) / 100,
        })),
        contacts: { hotline: p.contacts?.hotline ?? '' },
      }
    : {
        ownerOrgId: actingOrg,
        year,
        enrolmentYear: year,
        levels: ['junior_college', 'bachelor'],
        applicationWindow: { opensOn: today, closesOn: `${year}-12-31` },
        reviewBatches: [{ id: 'b1', opensOn: today, closesOn: `${year}-12-31` }],
        allocations: [{ unitOrgId: '', places: 1, funderOrgId: actingOrg, amountYuan: 2000 }],
      };
  const passed = (date: string | undefined) => editing && date !== undefined && date < today;
  const dateRule = { pattern: /^\d{4}-\d{2}-\d{2}$/, message: '日期格式为 YYYY-MM-DD' };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: 960 }}>
      <Typography.Title level={2}>{editing ? `编辑项目 ${p?.title ?? ''}` : '新建项目'}</Typography.Title>
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)}>
        <Card title="基本信息">
          <Space wrap>
            <Form.Item label="项目编号" name="id" rules={[{ required: true, message: '请填写项目编号' }]}>
              <Input disabled={editing} placeholder="lc-2026" />
            </Form.Item>
            <Form.Item label="项目名称" name="title" rules={[{ required: true, message: '请填写项目名称' }]}>
              <Input style={{ minWidth: 360 }} />
            </Form.Item>
            <Form.Item
              label="主办组织"
              name="ownerOrgId"
              rules={[{ required: true, message: '请填写主办组织' }]}
            >
              <Input disabled={editing} />
            </Form.Item>
            <Form.Item label="年度" name="year" rules={[{ required: true, message: '请填写年度' }]}>
              <InputNumber disabled={editing} precision={0} />
            </Form.Item>
            <Form.Item
              label="入学年度"
              name="enrolmentYear"
              rules={[{ required: true, message: '请填写入学年度' }]}
            >
              <InputNumber disabled={editing} precision={0} />
            </Form.Item>
          </Space>
          <Form.Item label="学历层次" name="levels">
            <LevelChoice disabled={editing} />
          </Form.Item>
          <Form.Item label="咨询电话" name={['contacts', 'hotline']}>
            <Input style={{ maxWidth: 240 }} />
          </Form.Item>
        </Card>
        <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>申请时间</h3>} style={{ marginTop: 16 }}>
          <Space wrap>
            <Form.Item
              label="开始日期"
              name={['applicationWindow', 'opensOn']}
              rules={[{ required: true, message: '请填写开始日期' }, dateRule]}
            >
              <Input type="date" disabled={passed(p?.applicationWindow.opensOn)} />
            </Form.Item>
            <Form.Item
              label="截止日期"
              name={['applicationWindow', 'closesOn']}
              rules={[{ required: true, message: '请填写截止日期' }, dateRule]}
            >
              <Input type="date" disabled={passed(p?.applicationWindow.closesOn)} />
            </Form.Item>
          </Space>
        </Card>
        <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>审核批次</h3>} style={{ marginTop: 16 }}>
          <Form.List name="reviewBatches">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field, i) => {
                  const batch = p?.reviewBatches[i];
                  return (
                    <Space key={field.key} wrap align="start">
                      <Form.Item
                        label={`批次 ${i + 1} 编号`}
                        name={[field.name, 'id']}
                        rules={[{ required: true, message: '请填写批次编号' }]}
                      >
                        <Input disabled={passed(batch?.opensOn)} />
                      </Form.Item>
                      <Form.Item
                        label={`批次 ${i + 1} 开始`}
                        name={[field.name, 'opensOn']}
                        rules={[{ required: true, message: '请填写开始日期' }, dateRule]}
                      >
                        <Input type="date" disabled={passed(batch?.opensOn)} />
                      </Form.Item>
                      <Form.Item
                        label={`批次 ${i + 1} 截止`}
                        name={[field.name, 'closesOn']}
                        rules={[{ required: true, message: '请填写截止日期' }, dateRule]}
                      >
                        <Input type="date" disabled={passed(batch?.closesOn)} />
                      </Form.Item>
                      {!passed(batch?.opensOn) && fields.length > 1 && (
                        <Button onClick={() => remove(field.name)} style={{ marginTop: 30 }}>
                          删除批次 {i + 1}
                        </Button>
                      )}
                    </Space>
                  );
                })}
                <Button onClick={() => add({ id: `b${fields.length + 1}`, opensOn: today, closesOn: today })}>
                  添加审核批次
                </Button>
              </>
            )}
          </Form.List>
        </Card>
        <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>名额分配</h3>} style={{ marginTop: 16 }}>
          {editing && (
            <Alert type="info" showIcon title="发布后的名额请在“名额”页调剂" style={{ marginBottom: 12 }} />
          )}
          <Form.List name="allocations">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field, i) => (
                  <Space key={field.key} wrap align="start">
                    <Form.Item
                      label={`第 ${i + 1} 行 单位`}
                      name={[field.name, 'unitOrgId']}
                      rules={[{ required: true, message: '请填写单位' }]}
                    >
                      <Input disabled={editing} />
                    </Form.Item>
                    <Form.Item
                      label={`第 ${i + 1} 行 名额`}
                      name={[field.name, 'places']}
                      rules={[{ required: true, message: '请填写名额' }]}
                    >
                      <InputNumber disabled={editing} min={0} precision={0} />
                    </Form.Item>
                    <Form.Item
                      label={`第 ${i + 1} 行 资助方`}
                      name={[field.name, 'funderOrgId']}
                      rules={[{ required: true, message: '请填写资助方' }]}
                    >
                      <Input disabled={editing} />
                    </Form.Item>
                    <Form.Item
                      label={`第 ${i + 1} 行 每人（元）`}
                      name={[field.name, 'amountYuan']}
                      rules={[{ required: true, message: '请填写金额' }]}
                    >
                      <InputNumber disabled={editing} min={0} precision={2} />
                    </Form.Item>
                    {!editing && fields.length > 1 && (
                      <Button onClick={() => remove(field.name)} style={{ marginTop: 30 }}>
                        删除第 {i + 1} 行
                      </Button>
                    )}
                  </Space>
                ))}
                {!editing && (
                  <Button
                    onClick={() =>
                      add({
                        unitOrgId: '',
                        places: 1,
                        funderOrgId: actingOrg,
                        amountYuan: 2000,
                      })
                    }
                  >
                    添加一行
                  </Button>
                )}
              </>
            )}
          </Form.List>
        </Card>
        {save.error && (!(save.error instanceof ApiError) || save.error.fields.length === 0) && (
          <Alert type="error" showIcon role="alert" title={save.error.message} style={{ marginTop: 16 }} />
        )}
        {save.error instanceof ApiError && save.error.fields.length > 0 && (
          <Alert type="error" showIcon role="alert" title="请按提示修改后再保存" style={{ marginTop: 16 }} />
        )}
        <Space style={{ marginTop: 16 }}>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            保存
          </Button>
          <Link to="/programmes">取消</Link>
        </Space>
      </Form>
    </Space>
  );
}

/** The levels as a labelled group of checkboxes (the form's aria attributes stay off the checkboxes). */
function LevelChoice(props: { value?: string[]; onChange?: (v: string[]) => void; disabled?: boolean }) {
  return (
    <fieldset aria-label="学历层次" style={{ border: 0, margin: 0, padding: 0 }}>
      <Checkbox.Group
        value={props.value ?? []}
        onChange={(v) => props.onChange?.(v as string[])}
        disabled={props.disabled ?? false}
        options={Object.entries(levelLabel).map(([value, label]) => ({ value, label }))}
      />
    </fieldset>
  );
}
