import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Spin,
  Table,
  Tree,
  Typography,
} from 'antd';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { useActing } from '../lib/acting.tsx';
import { orgKindLabel } from '../lib/words.ts';

type Org = Schemas['Org'];
interface Node {
  key: string;
  title: string;
  isLeaf?: boolean;
  children?: Node[];
}

type Member = Schemas['Member'];
const roleLabel: Record<string, string> = { reviewer: '审核员', admin: '管理员' };

/**
 * 组织: the org tree below the caller, read a level at a time from the public children route, and an
 * org's people (reviewers and admins) for the admins who govern it: added by verified mobile number,
 * removed, each change audited by the API.
 */
export function OrgsPage() {
  const acting = useActing();
  const orgId = acting?.orgId;
  const root = useQuery({
    queryKey: ['org', orgId],
    enabled: Boolean(orgId),
    queryFn: () => unwrap(api.GET('/v1/orgs/{orgId}', { params: { path: { orgId: orgId as string } } })),
  });
  const [loaded, setLoaded] = useState<Record<string, Org[]>>({});
  const [selected, setSelected] = useState<Org>();
  const all = [root.data, ...Object.values(loaded).flat()].filter((o): o is Org => Boolean(o));
  const byParent = loaded;
  const toNode = (org: Org): Node => ({
    key: org.id,
    title: `${org.name}（${orgKindLabel[org.kind] ?? org.kind}）`,
    isLeaf: org.kind === 'enterprise',
    ...(byParent[org.id] ? { children: byParent[org.id]?.map(toNode) } : {}),
  });
  async function loadChildren(id: string) {
    if (loaded[id]) return;
    const answer = await unwrap(api.GET('/v1/orgs/{orgId}/children', { params: { path: { orgId: id } } }));
    setLoaded((l) => ({ ...l, [id]: answer.children }));
  }
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>组织</Typography.Title>
      <ExportButton<Org>
        list="orgs"
        sheet="组织"
        fileName="组织.xlsx"
        rows={all}
        columns={[
          { header: '组织编号', value: (o) => o.id, width: 28 },
          { header: '名称', value: (o) => o.name, width: 28 },
          { header: '层级', value: (o) => orgKindLabel[o.kind] ?? o.kind, width: 20 },
          { header: '上级组织', value: (o) => o.parentId ?? '', width: 20 },
        ]}
      />
      {root.isLoading && <Spin />}
      {root.error && <Alert type="error" title={root.error.message} showIcon />}
      <div style={{ display: 'flex', gap: 24, flexWrap: 'wrap' }}>
        {root.data && (
          <Tree<Node>
            aria-label="组织树"
            style={{ minWidth: 320 }}
            treeData={[toNode(root.data)]}
            loadData={(node) => loadChildren(String(node.key))}
            onSelect={(keys) => setSelected(all.find((o) => o.id === keys[0]))}
          />
        )}
        {selected && (
          <Card title={selected.name} style={{ minWidth: 280 }}>
            <p>编号：{selected.id}</p>
            <p>层级：{orgKindLabel[selected.kind] ?? selected.kind}</p>
            {acting?.role === 'admin' ? (
              <People orgId={selected.id} />
            ) : (
              <p>人员名单由本级及上级工会管理员查看和维护。</p>
            )}
          </Card>
        )}
      </div>
    </Space>
  );
}

/** An org's reviewers and admins (`GET /v1/orgs/{orgId}/members`), with 添加人员 and 移除. */
function People({ orgId }: { orgId: string }) {
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ phone: string; role: 'reviewer' | 'admin' }>();
  const members = useQuery({
    queryKey: ['members', orgId],
    queryFn: () => unwrap(api.GET('/v1/orgs/{orgId}/members', { params: { path: { orgId } } })),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['members', orgId] });
  const add = useMutation({
    mutationFn: (body: { phone: string; role: 'reviewer' | 'admin' }) =>
      unwrap(api.POST('/v1/orgs/{orgId}/members', { params: { path: { orgId } }, body })),
    onSuccess: async () => {
      message.success('已添加');
      form.resetFields();
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (sub: string) =>
      unwrap(api.DELETE('/v1/orgs/{orgId}/members/{sub}', { params: { path: { orgId, sub } } })),
    onSuccess: async () => {
      message.success('已移除');
      await refresh();
    },
    onError: (err) => message.error(err.message),
  });
  return (
    <section aria-label="人员">
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        人员
      </Typography.Title>
      {members.error && <Alert type="error" title={members.error.message} showIcon />}
      <Table<Member>
        size="small"
        rowKey="sub"
        loading={members.isLoading}
        pagination={false}
        dataSource={members.data?.items ?? []}
        locale={{ emptyText: '暂无人员' }}
        columns={[
          { title: '账号', dataIndex: 'sub' },
          { title: '角色', dataIndex: 'role', render: (r: string) => roleLabel[r] ?? r },
          { title: '授权人', dataIndex: 'grantedBy' },
          {
            title: '操作',
            key: 'remove',
            render: (_: unknown, m: Member) => (
              <Popconfirm
                title={`移除 ${m.sub}？`}
                okText="确定"
                cancelText="取消"
                onConfirm={() => remove.mutate(m.sub)}
              >
                <Button size="small" danger>
                  移除
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Form
        form={form}
        layout="inline"
        style={{ marginTop: 12 }}
        initialValues={{ role: 'reviewer' }}
        onFinish={(v) => add.mutate(v)}
      >
        <Form.Item
          name="phone"
          label="手机号"
          rules={[{ required: true, pattern: /^1\d{10}$/, message: '请输入已实名登录过的 11 位手机号' }]}
          validateStatus={add.error ? 'error' : undefined}
          help={add.error?.message}
        >
          <Input inputMode="numeric" maxLength={11} style={{ width: 150 }} />
        </Form.Item>
        <Form.Item name="role" label="角色">
          <Select
            style={{ width: 100 }}
            options={[
              { value: 'reviewer', label: '审核员' },
              { value: 'admin', label: '管理员' },
            ]}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={add.isPending}>
          添加人员
        </Button>
      </Form>
    </section>
  );
}
