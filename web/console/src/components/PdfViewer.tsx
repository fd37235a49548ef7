import { useEffect, useState } from 'react';

/**
 * A PDF shown inline: the presigned download is served as an attachment, so its bytes are fetched
 * and shown from a blob URL in the browser's own viewer. Loaded lazily (its own chunk).
 */
export default function PdfViewer({ url, title }: { url: string; title: string }) {
  const [blobUrl, setBlobUrl] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let revoked: string | undefined;
    fetch(url)
      .then((res) => (res.ok ? res.blob() : Promise.reject(new Error(String(res.status)))))
      .then((blob) => {
        revoked = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
        setBlobUrl(revoked);
      })
      .catch(() => setFailed(true));
    return () => {
      if (revoked) URL.revokeObjectURL(revoked);
    };
  }, [url]);
  if (failed)
    return (
      <a href={url} target="_blank" rel="noreferrer">
        下载 {title}
      </a>
    );
  if (!blobUrl) return <span>正在加载</span>;
  return (
    <iframe title={title} src={blobUrl} style={{ width: '100%', height: 480, border: '1px solid #ddd' }} />
  );
}
