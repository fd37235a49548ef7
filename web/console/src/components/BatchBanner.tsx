import { Alert } from 'antd';
import { nextBatch, openBatch } from '../lib/batches.ts';

/** Whether a review batch is open and until when: decisions are offered only inside one. */
export function BatchBanner({
  batches,
}: {
  batches: { id: string; opensOn: string; closesOn: string }[] | undefined;
}) {
  if (!batches) return null;
  const open = openBatch(batches);
  if (open)
    return (
      <Alert
        type="success"
        showIcon
        title={`审核批次 ${open.id} 进行中，截至 ${open.closesOn}（含当日）`}
        role="status"
      />
    );
  const next = nextBatch(batches);
  return (
    <Alert
      type="warning"
      showIcon
      role="status"
      title={`当前不在审核批次内，暂不能审核${next ? `；下一批次 ${next.id} 于 ${next.opensOn} 开始` : ''}`}
    />
  );
}
