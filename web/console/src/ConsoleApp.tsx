import { Button, Layout, Menu, Result, Spin, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { beginSignIn, signOut } from '../../shared/auth.ts';
import { useSession } from '../../shared/react/use-session.ts';
import { ProgrammeProvider } from './components/ProgrammePicker.tsx';
import { ActingPicker, ActingProvider, chooseActing, useMe } from './lib/acting.tsx';
import { ReviewQueuePage } from './pages/ReviewQueuePage.tsx';

// Every page but the first one people see is its own chunk, loaded when opened (the first load's
// budget, architecture.md §7).
const ApplicationPage = lazy(() =>
  import('./pages/ApplicationPage.tsx').then((m) => ({ default: m.ApplicationPage })),
);
const ApplicationsPage = lazy(() =>
  import('./pages/ApplicationsPage.tsx').then((m) => ({ default: m.ApplicationsPage })),
);
const OrgsPage = lazy(() => import('./pages/OrgsPage.tsx').then((m) => ({ default: m.OrgsPage })));
const PayoutsPage = lazy(() => import('./pages/PayoutsPage.tsx').then((m) => ({ default: m.PayoutsPage })));
const ProgrammesPage = lazy(() =>
  import('./pages/ProgrammesPage.tsx').then((m) => ({ default: m.ProgrammesPage })),
);
const ProgrammeFormPage = lazy(() =>
  import('./pages/ProgrammesPage.tsx').then((m) => ({ default: m.ProgrammeFormPage })),
);
const QuotasPage = lazy(() => import('./pages/QuotasPage.tsx').then((m) => ({ default: m.QuotasPage })));
const SmsPage = lazy(() => import('./pages/SmsPage.tsx').then((m) => ({ default: m.SmsPage })));
const StatsPage = lazy(() => import('./pages/StatsPage.tsx').then((m) => ({ default: m.StatsPage })));

/** The pages and who sees them in the menu (the API decides what each may do). */
const pages = [
  { path: '/review', label: '待审核', roles: ['reviewer', 'admin'] },
  { path: '/applications', label: '申请查询', roles: ['reviewer', 'admin'] },
  { path: '/quotas', label: '名额', roles: ['reviewer', 'admin'] },
  { path: '/programmes', label: '项目管理', roles: ['reviewer', 'admin'] },
  { path: '/payouts', label: '补助发放', roles: ['admin'] },
  { path: '/orgs', label: '组织', roles: ['reviewer', 'admin'] },
  { path: '/sms', label: '短信记录', roles: ['admin'] },
  { path: '/stats', label: '统计', roles: ['reviewer', 'admin'] },
];

/** The union console (architecture.md §7): sign-in gate, navigation and the pages. */
export function ConsoleApp() {
  const session = useSession();
  if (session === undefined) return <Spin fullscreen tip="正在加载" />;
  if (session === null)
    return (
      <main>
        <Result
          title={<h1 style={{ fontSize: 24, margin: 0 }}>工会审核台</h1>}
          subTitle="求学圆梦行动：各级工会在此审核申请、调剂名额、发放补助。请先登录。"
          extra={
            <Button type="primary" size="large" onClick={() => void beginSignIn()}>
              登录
            </Button>
          }
        />
      </main>
    );

  return <SignedIn name={session.name} />;
}

/** The console for a signed-in account: its memberships decide the menu and the org it acts for. */
function SignedIn({ name }: { name: string }) {
  const location = useLocation();
  const me = useMe();
  if (me.isPending) return <Spin fullscreen tip="正在加载" />;
  if (me.isError)
    return (
      <main>
        <Result status="error" title="无法读取您的账号" subTitle={me.error.message} />
      </main>
    );
  const acting = chooseActing(me.data.memberships);
  const visible = pages.filter((p) => acting && p.roles.includes(acting.role));
  const selected = pages.find((p) => location.pathname.startsWith(p.path))?.path ?? '/review';
  return (
    <ProgrammeProvider>
      <Layout style={{ minHeight: '100vh' }}>
        <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, color: '#fff' }}>
          <Typography.Title
            level={1}
            style={{ color: '#fff', margin: 0, fontSize: 18, whiteSpace: 'nowrap' }}
          >
            工会审核台
          </Typography.Title>
          <nav aria-label="主导航" style={{ flex: 1, minWidth: 0 }}>
            <Menu
              theme="dark"
              mode="horizontal"
              selectedKeys={[selected]}
              items={visible.map((p) => ({ key: p.path, label: <Link to={p.path}>{p.label}</Link> }))}
            />
          </nav>
          <ActingPicker memberships={me.data.memberships} />
          <span>{me.data.name || name}</span>
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
          {/* Layout.Content is the page's <main>. */}

          {!acting ? (
            <Result status="403" title="工会审核台仅供各级工会的审核员和管理员使用" />
          ) : (
            <ActingProvider acting={acting}>
              <Suspense fallback={<Spin tip="正在加载" />}>
                <Routes>
                  <Route path="/" element={<Navigate to="/review" replace />} />
                  <Route path="/review" element={<ReviewQueuePage />} />
                  <Route path="/applications" element={<ApplicationsPage />} />
                  <Route path="/applications/:id" element={<ApplicationPage />} />
                  <Route path="/quotas" element={<QuotasPage />} />
                  <Route path="/programmes" element={<ProgrammesPage />} />
                  <Route path="/programmes/new" element={<ProgrammeFormPage />} />
                  <Route path="/programmes/:programmeId/edit" element={<ProgrammeFormPage />} />
                  <Route path="/payouts" element={<PayoutsPage />} />
                  <Route path="/orgs" element={<OrgsPage />} />
                  <Route path="/sms" element={<SmsPage />} />
                  <Route path="/stats" element={<StatsPage />} />
                  <Route path="*" element={<Result status="404" title="页面不存在" />} />
                </Routes>
              </Suspense>
            </ActingProvider>
          )}
        </Layout.Content>
      </Layout>
    </ProgrammeProvider>
  );
}
