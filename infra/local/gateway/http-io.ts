import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../../shared/errors.ts';
import type { HttpResult } from '../../../shared/http/handler.ts';

/** API Gateway's own payload limit; the handlers enforce their smaller one. */
export const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

/**
 * Past this much a too-large body is no longer read to its end: the connection is cut, as it would
 * have to be for an endless upload.
 */
const GATEWAY_MAX_DRAIN = 8 * GATEWAY_MAX_BODY;

/**
 * The request body, at most {@link GATEWAY_MAX_BODY}; rejects with `payload_too_large` beyond. A too
 * large body is still read to its end (and dropped) before the 413 is sent: a server that answers
 * and closes while the client is still sending makes the client see a connection reset instead of
 * the answer. Only past {@link GATEWAY_MAX_DRAIN} is the connection cut short.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_MAX_DRAIN) {
        reject(new AppError('payload_too_large'));
        req.destroy();
        return;
      }
      if (size > GATEWAY_MAX_BODY) {
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      size > GATEWAY_MAX_BODY
        ? reject(new AppError('payload_too_large'))
        : resolveBody(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, result: HttpResult) {
  res.writeHead(result.statusCode, result.headers);
  res.end(result.body);
}

/** Answers and closes the connection after the answer (it may still carry an unread body). */
export function sendAndClose(res: ServerResponse, result: HttpResult) {
  if (res.destroyed) return;
  res.writeHead(result.statusCode, { ...result.headers, connection: 'close' });
  res.end(result.body);
}
