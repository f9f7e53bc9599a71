import { createHash, timingSafeEqual } from 'node:crypto';
import { QueryError, supportsMaintenance, type Logger, type MaintenanceOptions, type MessageStore } from '@statbus/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../server/http-errors.js';

/** What {@link registerAdminRoutes} needs. */
export interface AdminRoutesOptions {
  readonly store: MessageStore;
  /** The bearer token every admin request must carry. */
  readonly token: string;
  readonly logger: Logger;
  /** Called after each change, so that no cached answer still holds what was removed. */
  readonly onChange: () => void;
  /** What a delete or redaction also does (the metrics' rollups follow it). */
  readonly maintenance?: MaintenanceOptions;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The admin endpoints, each behind `Authorization: Bearer <token>` and logged (who, what, which id):
 * `DELETE /admin/messages/:id` removes a message; `POST /admin/messages/:id/redact?field=body.a.b&field=headers.x`
 * redacts fields of one (the whole body without `field`). Registered only over a store that implements
 * `ArchiveMaintenance`; returns false otherwise.
 */
export function registerAdminRoutes(app: FastifyInstance, options: AdminRoutesOptions): boolean {
  const { store, logger } = options;
  if (!supportsMaintenance(store)) {
    logger.warn('admin endpoints not served: this store cannot delete or redact messages');
    return false;
  }
  const expected = digest(options.token);
  // Compared as digests in constant time: neither the token's length nor its prefix leaks through timing.
  const authorised = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (.+)$/iu.exec(header.trim()) : null;
    if (match === null) {
      void reply.code(401).header('www-authenticate', 'Bearer realm="statbus admin"').send({ error: 'unauthorized', message: 'admin endpoints need Authorization: Bearer <token>' } satisfies ErrorBody);
      return false;
    }
    if (!timingSafeEqual(digest(match[1] ?? ''), expected)) {
      logger.warn({ url: request.url, remote: request.ip }, 'admin request refused: wrong token');
      void reply.code(403).send({ error: 'forbidden', message: 'wrong admin token' } satisfies ErrorBody);
      return false;
    }
    return true;
  };

  app.delete<{ Params: { id: string } }>('/admin/messages/:id', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const { id } = request.params;
    const deleted = await store.deleteMessages([id], options.maintenance);
    if (deleted.length === 0) return reply.code(404).send({ error: 'not_found', parameter: 'id', message: `no message ${JSON.stringify(id)}` } satisfies ErrorBody);
    options.onChange();
    logger.warn({ id, remote: request.ip }, 'message deleted by an admin request');
    return { deleted: id };
  });

  app.post<{ Params: { id: string }; Querystring: { field?: string | string[] } }>('/admin/messages/:id/redact', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const { id } = request.params;
    const raw = request.query.field;
    const fields = raw === undefined ? [] : [raw].flat();
    if (fields.some((field) => typeof field !== 'string')) throw new QueryError('field', 'must be a path such as body.a.b or headers.name');
    const redacted = await store.redactMessage(id, fields, options.maintenance);
    if (!redacted) return reply.code(404).send({ error: 'not_found', parameter: 'id', message: `no message ${JSON.stringify(id)}` } satisfies ErrorBody);
    options.onChange();
    logger.warn({ id, fields: fields.length === 0 ? ['body'] : fields, remote: request.ip }, 'message redacted by an admin request');
    return { redacted: id, fields: fields.length === 0 ? ['body'] : fields };
  });
  return true;
}
