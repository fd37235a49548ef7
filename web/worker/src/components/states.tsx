import { Button, ErrorBlock, SpinLoading } from 'antd-mobile';

/** The loading state every request shows (architecture.md §7). */
export function Loading({ label = '正在加载' }: { label?: string }) {
  return (
    <div role="status" aria-live="polite" className="w-center">
      <SpinLoading aria-label={label} />
      <span className="w-muted">{label}…</span>
    </div>
  );
}

/** A failed request: the API's Chinese message and a retry. */
export function Failed({ error, retry }: { error: Error | null; retry?: () => void }) {
  return (
    <div role="alert">
      <ErrorBlock status="default" title="加载失败" description={error?.message ?? '请稍后重试'} />
      {retry ? (
        <div className="w-center">
          <Button color="primary" fill="outline" onClick={retry}>
            重试
          </Button>
        </div>
      ) : null}
    </div>
  );
}
