import { Button, SpinLoading } from 'antd-mobile';

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
      {/* Plain text, not antd-mobile's ErrorBlock: its illustrations weigh more than the page. */}
      <div className="w-center">
        <strong>加载失败</strong>
        <span>{error?.message ?? '请稍后重试'}</span>
      </div>
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
