import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../../../shared/errors.ts';
import { errorResult } from '../../../shared/http/handler.ts';

/**
 * API Gateway's HTTP API quota: the request line and header values together, at most 10,240 bytes.
 * Past it the local gateway answers 400 `validation_failed` in the contract's format, naming the part
 * that is too long (architecture.md §5), instead of passing the request on.
 */
export const GATEWAY_MAX_REQUEST_LINE_AND_HEADERS = 10_240;

/**
 * How much Node reads of a request's head before it gives up (`maxHeaderSize`): well above the quota
 * above, so that an over-long request reaches {@link oversizedRequest} and gets the contract's answer.
 * Only a head beyond even this is refused by Node itself, and {@link answerClientError} answers it.
 */
export const NODE_MAX_HEADER_SIZE = 256 * 1024;

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/** `validation_failed` when the request line and headers exceed the quota; `undefined` otherwise. */
export function oversizedRequest(req: IncomingMessage, url: URL): AppError | undefined {
  const values = req.rawHeaders.filter((_, i) => i % 2 === 1);
  const size =
    Buffer.byteLength(`${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}`) +
    values.reduce((n, v) => n + Buffer.byteLength(v), 0);
  if (size <= GATEWAY_MAX_REQUEST_LINE_AND_HEADERS) return undefined;

  // Name what made it too long: the longest query parameter, else the longest header, else the path.
  const longestQuery = [...url.searchParams].sort((a, b) => b[1].length - a[1].length)[0];
  const headerPairs = req.rawHeaders.flatMap((name, i) =>
    i % 2 === 0 ? [[name.toLowerCase(), req.rawHeaders[i + 1] ?? ''] as const] : [],
  );
  const longestHeader = [...headerPairs].sort((a, b) => b[1].length - a[1].length)[0];
  const queryLength = url.search.length;
  const path =
    longestQuery && queryLength >= (longestHeader?.[1].length ?? 0)
      ? SEGMENT.test(longestQuery[0])
        ? `query.${longestQuery[0]}`
        : 'query'
      : longestHeader && longestHeader[1].length > url.pathname.length
        ? SEGMENT.test(longestHeader[0])
          ? `headers.${longestHeader[0]}`
          : 'headers'
        : 'path';
  return new AppError('validation_failed', {
    message: '请求的地址或请求头过长',
    fields: [
      {
        path,
        message: `请求行与请求头合计不能超过 ${GATEWAY_MAX_REQUEST_LINE_AND_HEADERS} 字节`,
      },
    ],
  });
}

/**
 * Node's answer to a request it cannot parse (a head beyond {@link NODE_MAX_HEADER_SIZE}, a malformed
 * request line): 400 in the contract's format on the raw socket, never Node's empty 431 or 400.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLong = err.code === 'HPE_HEADER_OVERFLOW' || err.code === 'HPE_URI_TOO_LONG';
  const result = errorResult(
    new AppError('validation_failed', {
      message: tooLong ? '请求的地址或请求头过长' : '无法解析的 HTTP 请求',
      fields: [
        { path: tooLong ? 'headers' : '(body)', message: tooLong ? '请求行与请求头过长' : '请求格式错误' },
      ],
    }),
  );
  const body = Buffer.from(result.body);
  const head = [
    'HTTP/1.1 400 Bad Request',
    ...Object.entries(result.headers).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${body.length}`,
    'connection: close',
  ].join('\r\n');
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]));
}
