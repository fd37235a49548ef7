import { useQuery } from '@tanstack/react-query';
import { ErrorBlock, List, SpinLoading } from 'antd-mobile';
import { api, unwrap } from '../../../shared/api/client.ts';

/** Home: the programmes and their application windows. */
export function HomePage() {
  const programmes = useQuery({
    queryKey: ['programmes'],
    queryFn: () => unwrap(api.GET('/v1/programmes')),
  });
  if (programmes.isLoading)
    return (
      <div role="status" style={{ display: 'flex', justifyContent: 'center', padding: 32 }}>
        <SpinLoading aria-label="正在加载" />
      </div>
    );
  if (programmes.error)
    return <ErrorBlock status="default" title="加载失败" description={programmes.error.message} />;
  const items = programmes.data?.programmes ?? [];
  if (items.length === 0) return <ErrorBlock status="empty" title="暂无补助项目" description="" />;
  return (
    <List header="补助项目">
      {items.map((p) => (
        <List.Item
          key={p.id}
          description={`申请时间 ${p.applicationWindow.opensOn} 至 ${p.applicationWindow.closesOn}`}
        >
          {p.title}
        </List.Item>
      ))}
    </List>
  );
}
