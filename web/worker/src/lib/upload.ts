/**
 * Documents from a phone (R11, architecture.md §7): photos too large for the 10 MB upload policy, or
 * wider than 4,000 px, are re-encoded in the browser as JPEG on a canvas; the file is then posted to
 * the presigned form with XHR, which (unlike fetch) reports upload progress.
 */

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_PHOTO_EDGE = 4000;

export interface PreparedFile {
  blob: Blob;
  contentType: 'image/jpeg' | 'image/png' | 'application/pdf';
  /** The original size, when the page compressed the photo. */
  compressedFrom?: number;
}

async function imageOf(file: Blob): Promise<{ width: number; height: number; source: CanvasImageSource }> {
  if ('createImageBitmap' in window) {
    const bitmap = await createImageBitmap(file);
    return { width: bitmap.width, height: bitmap.height, source: bitmap };
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { width: img.naturalWidth, height: img.naturalHeight, source: img };
  } finally {
    URL.revokeObjectURL(url);
  }
}

function toJpeg(canvas: HTMLCanvasElement, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('压缩失败'))), 'image/jpeg', quality),
  );
}

/**
 * The file as it will be uploaded: PDFs and small photos unchanged; a photo over 10 MB or over
 * 4,000 px scaled down and re-encoded as JPEG until it fits.
 */
export async function prepareFile(file: File): Promise<PreparedFile> {
  const type = file.type === 'image/jpg' ? 'image/jpeg' : file.type;
  if (type === 'application/pdf') {
    if (file.size > MAX_UPLOAD_BYTES) throw new Error('PDF 文件不能超过 10 MB，请分页拍照上传');
    return { blob: file, contentType: 'application/pdf' };
  }
  if (type !== 'image/jpeg' && type !== 'image/png') throw new Error('请上传照片（JPG、PNG）或 PDF 文件');
  const { width, height, source } = await imageOf(file);
  const edge = Math.max(width, height);
  if (file.size <= MAX_UPLOAD_BYTES && edge <= MAX_PHOTO_EDGE) return { blob: file, contentType: type };
  let scale = Math.min(1, MAX_PHOTO_EDGE / edge);
  for (let attempt = 0; attempt < 6; attempt++) {
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('此浏览器无法压缩照片，请换一张较小的照片');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    const blob = await toJpeg(canvas, 0.85 - attempt * 0.1);
    if (blob.size <= MAX_UPLOAD_BYTES) return { blob, contentType: 'image/jpeg', compressedFrom: file.size };
    scale *= 0.75;
  }
  throw new Error('照片过大，压缩后仍超过 10 MB，请换一张照片');
}

export class UploadFailed extends Error {
  constructor(
    message: string,
    /** The form expired or the network dropped: a fresh form may succeed. */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Posts `blob` to a presigned S3 form, reporting progress from 0 to 1. */
export function postToForm(
  form: { url: string; fields: Record<string, string> },
  blob: Blob,
  contentType: string,
  onProgress: (fraction: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
    if (!('Content-Type' in form.fields)) body.append('Content-Type', contentType);
    body.append('file', blob);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else if (xhr.status === 403 || xhr.status === 400) {
        // An expired policy (or one the clock outran): a fresh form is the cure.
        reject(new UploadFailed('上传凭证已过期，正在重新获取', true));
      } else {
        reject(new UploadFailed(`上传失败（${xhr.status}），请重试`, xhr.status >= 500));
      }
    };
    xhr.onerror = () => reject(new UploadFailed('网络中断，上传未完成', true));
    xhr.ontimeout = () => reject(new UploadFailed('网络超时，上传未完成', true));
    xhr.send(body);
  });
}
