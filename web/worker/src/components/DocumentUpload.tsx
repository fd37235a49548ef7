import { useQueryClient } from '@tanstack/react-query';
import { Button, ProgressBar, Tag } from 'antd-mobile';
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, unwrap } from '../../../shared/api/client.ts';
import type { Application } from '../lib/queries.ts';
import { type PreparedFile, postToForm, prepareFile, UploadFailed } from '../lib/upload.ts';
import type { DocumentKind } from '../lib/words.ts';

/** How many fresh upload forms one file gets before the worker is asked to retry by hand. */
const AUTO_ATTEMPTS = 3;

type Phase =
  | { kind: 'idle' }
  | { kind: 'preparing' }
  | { kind: 'uploading'; fraction: number; note?: string }
  | { kind: 'uploaded' }
  | { kind: 'failed'; message: string };

/**
 * One R11 document (architecture.md §7): camera or album, a thumbnail, compression of large photos,
 * a progress bar, a fresh upload form on every retry (an expired form or a dropped network), and the
 * server's verdict once it has checked the file.
 */
export function DocumentUpload({
  application,
  kind,
  name,
}: {
  application: Application;
  kind: DocumentKind;
  name: string;
}) {
  const queryClient = useQueryClient();
  const id = useId();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [prepared, setPrepared] = useState<PreparedFile>();
  const [thumb, setThumb] = useState<string>();
  const cameraInput = useRef<HTMLInputElement>(null);
  const albumInput = useRef<HTMLInputElement>(null);

  useEffect(() => () => (thumb ? URL.revokeObjectURL(thumb) : undefined), [thumb]);

  const latest = application.attachments
    .filter((a) => a.kind === kind)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .at(-1);

  async function upload(file: PreparedFile) {
    let lastError = '上传失败';
    for (let attempt = 1; attempt <= AUTO_ATTEMPTS; attempt++) {
      setPhase({
        kind: 'uploading',
        fraction: 0,
        ...(attempt > 1 ? { note: `${lastError}，正在第 ${attempt} 次尝试` } : {}),
      });
      try {
        // A fresh form every attempt: the last one may have expired or been half used.
        const form = await unwrap(
          api.POST('/v1/applications/{id}/attachments', {
            params: { path: { id: application.id } },
            body: { kind, contentType: file.contentType, sizeBytes: file.blob.size },
          }),
        );
        await postToForm(form.upload, file.blob, file.contentType, (fraction) =>
          setPhase({ kind: 'uploading', fraction }),
        );
        setPhase({ kind: 'uploaded' });
        await queryClient.invalidateQueries({ queryKey: ['application', application.id] });
        return;
      } catch (e) {
        if (e instanceof ApiError && e.status > 0 && e.status < 500) {
          setPhase({ kind: 'failed', message: e.message });
          return;
        }
        lastError = e instanceof Error ? e.message : '上传失败';
        if (e instanceof UploadFailed && !e.retryable) break;
      }
    }
    setPhase({ kind: 'failed', message: `${lastError}，请检查网络后点“重新上传”` });
  }

  async function chosen(files: FileList | null) {
    const file = files?.[0];
    if (!file) return;
    setPhase({ kind: 'preparing' });
    try {
      const ready = await prepareFile(file);
      setPrepared(ready);
      setThumb(ready.contentType === 'application/pdf' ? undefined : URL.createObjectURL(ready.blob));
      await upload(ready);
    } catch (e) {
      setPhase({ kind: 'failed', message: e instanceof Error ? e.message : '无法读取文件' });
    } finally {
      if (cameraInput.current) cameraInput.current.value = '';
      if (albumInput.current) albumInput.current.value = '';
    }
  }

  const busy = phase.kind === 'preparing' || phase.kind === 'uploading';
  const verdict =
    phase.kind === 'uploading' || phase.kind === 'preparing' ? undefined : latest ? latest.status : undefined;
  return (
    <section className="w-doc" aria-labelledby={`${id}-name`} data-kind={kind}>
      <div className="w-doc-head">
        <div className="w-thumb" aria-hidden="true">
          {thumb ? <img src={thumb} alt="" /> : prepared?.contentType === 'application/pdf' ? 'PDF' : '📄'}
        </div>
        <div className="w-doc-body">
          <h3 id={`${id}-name`} className="w-doc-name">
            {name}
          </h3>
          {verdict === 'verified' ? (
            <Tag color="success">已核验</Tag>
          ) : verdict === 'rejected' ? (
            <Tag color="danger">未通过：{latest?.reason ?? '文件不符合要求'}</Tag>
          ) : verdict === 'pending' ? (
            <Tag color="warning">正在核验</Tag>
          ) : !busy ? (
            <Tag>未上传</Tag>
          ) : null}
        </div>
      </div>
      {phase.kind === 'preparing' ? (
        <p role="status" className="w-muted">
          正在处理照片…
        </p>
      ) : null}
      {phase.kind === 'uploading' ? (
        <div role="status">
          {phase.note ? <p className="w-warn">{phase.note}</p> : null}
          <div
            role="progressbar"
            aria-label={`${name}上传进度`}
            aria-valuenow={Math.round(phase.fraction * 100)}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <ProgressBar percent={Math.round(phase.fraction * 100)} text />
          </div>
        </div>
      ) : null}
      {prepared?.compressedFrom ? (
        <p className="w-muted">
          照片已压缩：{(prepared.compressedFrom / 1048576).toFixed(1)} MB →{' '}
          {(prepared.blob.size / 1048576).toFixed(1)} MB
        </p>
      ) : null}
      {phase.kind === 'failed' ? (
        <p role="alert" className="w-error">
          {phase.message}
        </p>
      ) : null}
      <div className="w-doc-actions">
        <label className={`w-file-button${busy ? ' w-disabled' : ''}`}>
          拍照
          <input
            ref={cameraInput}
            type="file"
            accept="image/*"
            capture="environment"
            disabled={busy}
            aria-label={`${name}：拍照`}
            onChange={(e) => void chosen(e.target.files)}
          />
        </label>
        <label className={`w-file-button${busy ? ' w-disabled' : ''}`}>
          从相册或文件选择
          <input
            ref={albumInput}
            type="file"
            accept="image/jpeg,image/png,application/pdf"
            disabled={busy}
            aria-label={`${name}：从相册或文件选择`}
            onChange={(e) => void chosen(e.target.files)}
          />
        </label>
        {phase.kind === 'failed' && prepared ? (
          <Button size="small" color="primary" onClick={() => void upload(prepared)}>
            重新上传
          </Button>
        ) : null}
      </div>
    </section>
  );
}
