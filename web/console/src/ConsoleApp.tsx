import { Button, Layout, Menu, Result, Spin, Typography } from 'antd';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { beginSignIn, signOut } from '../../shared/auth.ts';
import { useSession } from '../../shared/react/use-session.ts';
import { ReviewQueuePage } from './pages/ReviewQueuePage.tsx';

const pages = [{ path: '/review', label: '待审核' }];

/** The union console (architecture.md §6): sign-in gate, navigation and the pages. */
export function ConsoleApp() {
  const session = useSession();
  const location = useLocation();
  if (session === undefined) return <Spin fullscreen tip="正在加载" />;
  if (session === null)
    return (
      <main>
        <Result
          title="工会审核台"
          subTitle="求学圆梦行动：各级工会在此审核申请、调剂名额、发放补助。请先登录。"
          extra={
            <Button type="primary" size="large" onClick={() => void beginSignIn()}>
              登录
            </Button>
          }
        />
      </main>
    );

  const selected = pages.find((p) => location.pathname.startsWith(p.path))?.path ?? '/review';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, color: '#fff' }}>
        <Typography.Title level={1} style={{ color: '#fff', margin: 0, fontSize: 18, whiteSpace: 'nowrap' }}>
          工会审核台
        </Typography.Title>
        <nav aria-label="主导航" style={{ flex: 1, minWidth: 0 }}>
          <Menu
            theme="dark"
            mode="horizontal"
            selectedKeys={[selected]}
            items={pages.map((p) => ({ key: p.path, label: <Link to={p.path}>{p.label}</Link> }))}
          />
        </nav>
        <span>{session.name}</span>
        <Button
          ghost
          onClick={() => {
            signOut();
            window.location.assign('/console/');
          }}
        >
          退出登录
        </Button>
      </Layout.Header>
      <Layout.Content style={{ padding: 24 }}>
        <main>
          <Routes>
            <Route path="/" element={<Navigate to="/review" replace />} />
            <Route path="/review" element={<ReviewQueuePage />} />
            <Route path="*" element={<Result status="404" title="页面不存在" />} />
          </Routes>
        </main>
      </Layout.Content>
    </Layout>
  );
}
