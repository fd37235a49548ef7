import { Button } from 'antd-mobile';
import { lazy, Suspense } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { beginSignIn, signOut } from '../../shared/auth.ts';
import { useSession } from '../../shared/react/use-session.ts';
import { Loading } from './components/states.tsx';
import { HomePage } from './pages/HomePage.tsx';

// Pages beyond the home page load when first opened: the first load stays small on a slow network.
// A deep link's page starts loading at once, not after the session has been read.
const applyPage = () => import('./pages/ApplyPage.tsx');
const applicationPage = () => import('./pages/ApplicationPage.tsx');
if (/^\/m\/(apply\/|applications\/[^/]+\/edit)/.test(window.location.pathname)) void applyPage();
else if (window.location.pathname.startsWith('/m/applications')) void applicationPage();
const NewApplicationPage = lazy(() => applyPage().then((m) => ({ default: m.NewApplicationPage })));
const EditApplicationPage = lazy(() => applyPage().then((m) => ({ default: m.EditApplicationPage })));
const MyApplicationsPage = lazy(() => applicationPage().then((m) => ({ default: m.MyApplicationsPage })));
const ApplicationPage = lazy(() => applicationPage().then((m) => ({ default: m.ApplicationPage })));
const PrintPage = lazy(() => import('./pages/PrintPage.tsx').then((m) => ({ default: m.PrintPage })));

/** The worker pages (architecture.md §7): phone-first, inside WeChat's browser. */
export function WorkerApp() {
  const session = useSession();
  const location = useLocation();
  const account =
    session === undefined ? null : session ? (
      <Button
        size="small"
        fill="none"
        onClick={() => {
          signOut();
          window.location.assign('/m/');
        }}
      >
        退出登录
      </Button>
    ) : (
      <Button size="small" fill="none" color="primary" onClick={() => void beginSignIn()}>
        登录
      </Button>
    );
  const needsSignIn = session === null && location.pathname !== '/';
  return (
    <>
      {/* A plain bar, not antd-mobile's NavBar: its back area is a role="button" around whatever it holds (axe). */}
      <header className="w-no-print w-bar">
        <Link to="/" className="w-home-link">
          首页
        </Link>
        <h1 className="w-bar-title">求学圆梦行动</h1>
        <span className="w-nav-right">{account}</span>
      </header>
      <main>
        {session === undefined ? (
          <Loading />
        ) : needsSignIn ? (
          <div className="w-pad">
            <p>请先登录，再办理申请。</p>
            <Button block color="primary" size="large" onClick={() => void beginSignIn()}>
              登录
            </Button>
          </div>
        ) : (
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/" element={<HomePage signedIn={Boolean(session)} />} />
              <Route path="/apply/:programmeId" element={<NewApplicationPage />} />
              <Route path="/applications" element={<MyApplicationsPage />} />
              <Route path="/applications/:id" element={<ApplicationPage />} />
              <Route path="/applications/:id/edit" element={<EditApplicationPage />} />
              <Route path="/applications/:id/print" element={<PrintPage />} />
              <Route
                path="*"
                element={
                  <p className="w-pad">
                    页面不存在。<Link to="/">返回首页</Link>
                  </p>
                }
              />
            </Routes>
          </Suspense>
        )}
      </main>
    </>
  );
}
