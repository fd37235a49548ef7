import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Space, Spin, Tree, Typography } from 'antd';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../../shared/api/client.ts';
import { getSession } from '../../../shared/auth.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { orgKindLabel } from '../lib/words.ts';

type Org = Schemas['Org'];
interface Node {
  key: string;
  title: string;
  isLeaf?: boolean;
  children?: Node[];
}

/**
 * 组织: the org tree below the caller, read a level at a time from the public children route.
 * People are shown read-only once the identity issue adds membership routes.
 */
export function OrgsPage() {
  const orgId = getSession()?.org;
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
            <p>人员：暂无可查看的人员名单（由身份与组织管理功能提供）</p>
          </Card>
        )}
      </div>
    </Space>
  );
}
