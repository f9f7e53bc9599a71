import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from './http-errors.js';

function rawAnswer(status: number, body: ErrorBody, extra = ''): string {
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(json)}\r\n${extra}Connection: close\r\n\r\n${json}`
  );
}

/**
 * Answers what never reaches a route — a request Node's parser refused, a header block too large, a timed-out
 * request — with the same JSON body as every other error of the API, instead of Fastify's own shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy(error);
    return;
  }
  const [status, body]: [number, ErrorBody] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, { error: 'bad_request', message: 'the request did not arrive in time' }]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, { error: 'bad_request', message: 'the request headers are too large' }]
        : [400, { error: 'bad_request', message: `malformed HTTP request (${error.code ?? error.message})` }];
  socket.end(rawAnswer(status, body));
}

/**
 * A CONNECT request (a client taking this server for a proxy) gets a 405 naming the methods served, instead
 * of Node's default of closing the connection without a word.
 */
export function answerConnect(server: Server): void {
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    const path = request.url ?? '';
    socket.end(rawAnswer(405, { error: 'method_not_allowed', message: `CONNECT ${path}: this is not a proxy; use GET` }, 'Allow: GET, HEAD, OPTIONS\r\n'));
  });
}
