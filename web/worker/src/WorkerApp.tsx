import { Button, NavBar } from 'antd-mobile';
import { Route, Routes } from 'react-router';
import { beginSignIn, signOut } from '../../shared/auth.ts';
import { useSession } from '../../shared/react/use-session.ts';
import { HomePage } from './pages/HomePage.tsx';

/** The worker pages (architecture.md §6): phone-first, inside WeChat's browser. */
export function WorkerApp() {
  const session = useSession();
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
  return (
    <>
      <header>
        <NavBar back={null} right={account}>
          <h1 style={{ fontSize: 17, margin: 0 }}>求学圆梦行动</h1>
        </NavBar>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<HomePage />} />
        </Routes>
      </main>
    </>
  );
}
