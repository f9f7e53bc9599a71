import type { FastifyInstance, FastifyRequest } from 'fastify';

const callbacks = new WeakMap<FastifyRequest, string>();

/** Marks a request's JSON answer to be wrapped in `callback(...)` (the name already checked). */
export function useJsonp(request: FastifyRequest, callback: string | undefined): void {
  if (callback !== undefined) callbacks.set(request, callback);
}

/**
 * JSONP as datagrepper serves it: a JSON answer to a request with a (checked) `callback` becomes
 * `callback(<json>);` as `application/javascript`. `/**\/` and `nosniff` block content-sniffing attacks.
 */
export function registerJsonp(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const callback = callbacks.get(request);
    const type = String(reply.getHeader('content-type') ?? '');
    if (callback === undefined || typeof payload !== 'string' || !type.startsWith('application/json')) {
      done(null, payload);
      return;
    }
    reply.header('content-type', 'application/javascript; charset=utf-8').header('x-content-type-options', 'nosniff');
    done(null, `/**/ ${callback}(${payload});`);
  });
}
