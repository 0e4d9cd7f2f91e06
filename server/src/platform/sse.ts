/**
 * Server-Sent Events on a Fastify reply: the headers proxies need (no buffering, no transform),
 * a reconnect delay for EventSource, a comment every 15 s so idle connections stay open, and one
 * place that stops the heartbeat when either side ends the stream.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface EventStream {
  /** One event: `event: <name>`, optional `id:`, the data as JSON. */
  send(event: string, data: unknown, id?: string): void;
  /** End the stream from the server side (e.g. on shutdown). */
  end(): void;
}

const HEARTBEAT_MS = 15_000;

/**
 * Take over the reply as an event stream. `onClose` runs once, when the client goes away or the
 * server ends the stream.
 */
export function openEventStream(request: FastifyRequest, reply: FastifyReply, opts: { headers?: Record<string, string>; onClose: () => void }): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
    ...opts.headers,
  });
  // HEAD gets the stream's head and nothing after it: never an answer left open.
  const heartbeat = request.method === 'HEAD' ? undefined : setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    opts.onClose();
  };
  request.raw.on('close', close);
  if (!heartbeat) {
    res.end();
    return { send: () => {}, end: close };
  }
  res.write('retry: 2000\n\n');
  return {
    send: (event, data, id) => res.write(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`),
    end: () => {
      close();
      res.end();
    },
  };
}
