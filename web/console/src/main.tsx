import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import '../../shared/dates.ts';
import { ApiError } from '../../shared/api/client.ts';
import { ConsoleApp } from './ConsoleApp.tsx';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refused request (403, 404, a validation error) will not change by asking again.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status > 0 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ConfigProvider
        locale={zhCN}
        // Darker secondary texts and links than antd's defaults: WCAG AA contrast (axe, architecture.md §7).
        theme={{
          token: {
            colorPrimary: '#b71c1c',
            colorLink: '#0a4fb3',
            colorError: '#c0392b',
            colorErrorHover: '#a93226',
            colorErrorActive: '#922b21',
            colorTextDescription: 'rgba(0, 0, 0, 0.65)',
            colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
            colorTextQuaternary: 'rgba(0, 0, 0, 0.6)',
            colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
            colorTextDisabled: 'rgba(0, 0, 0, 0.6)',
          },
        }}
        // The words of architecture.md §7 exactly: antd would otherwise show "登录" as "登 录".
        button={{ autoInsertSpace: false }}
      >
        <AntApp>
          <QueryClientProvider client={queryClient}>
            <BrowserRouter basename="/console">
              <ConsoleApp />
            </BrowserRouter>
          </QueryClientProvider>
        </AntApp>
      </ConfigProvider>
    </StrictMode>,
  );
}
