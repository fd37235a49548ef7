import { DownloadOutlined } from '@ant-design/icons';
import { App, Button } from 'antd';
import { useState } from 'react';
import { exportExcel } from '../lib/excel.ts';

/** 导出 Excel: every list's export button; shows the API's refusal if the export is not recorded. */
export function ExportButton<T>(props: Parameters<typeof exportExcel<T>>[0] & { disabled?: boolean }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const { disabled, ...options } = props;
  return (
    <Button
      icon={<DownloadOutlined />}
      loading={busy}
      disabled={disabled}
      onClick={async () => {
        setBusy(true);
        try {
          await exportExcel(options);
        } catch (err) {
          message.error(err instanceof Error ? err.message : '导出失败');
        } finally {
          setBusy(false);
        }
      }}
    >
      导出 Excel
    </Button>
  );
}
