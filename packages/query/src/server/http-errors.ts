import { QueryError, StoreError, type Logger } from '@statbus/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PARAMETER_OF_FIELD } from '../params/query-parameters.js';

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: 'bad_request' | 'not_found' | 'method_not_allowed' | 'store_unavailable' | 'too_many_streams' | 'internal_error' | 'unauthorized' | 'forbidden';
  /** The parameter at fault, for 400 and 404 answers. */
  readonly parameter?: string;
  readonly message: string;
}

/** A 404 for something asked by name. */
export class NotFoundError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP parameter a {@link QueryError} is about (the store names {@link MessageQuery} fields). */
export function parameterOf(error: QueryError): string {
  const field = error.field.split('.')[0] ?? error.field;
  // Own keys only: a parameter named `constructor` or `toString` must not find Object's prototype.
  return (Object.hasOwn(PARAMETER_OF_FIELD, field) ? PARAMETER_OF_FIELD[field] : undefined) ?? field;
}

/**
 * Answers any error as JSON, never with a stack trace: a {@link QueryError} is 400 naming the parameter,
 * a {@link NotFoundError} 404, a {@link StoreError} 503, Fastify's own client errors keep their status,
 * anything else is 500 (logged).
 */
export function errorHandler(logger: Logger) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (error instanceof QueryError) {
      const parameter = parameterOf(error);
      const message = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
      return reply.code(400).send({ error: 'bad_request', parameter, message: `${parameter}: ${message}` } satisfies ErrorBody);
    }
    if (error instanceof NotFoundError) return reply.code(404).send({ error: 'not_found', parameter: error.parameter, message: error.message } satisfies ErrorBody);
    if (error instanceof StoreError) {
      logger.warn({ err: error, url: request.url }, 'store unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'store_unavailable', message: 'the message store is unavailable; try again later' } satisfies ErrorBody);
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'bad_request', message: error.message } satisfies ErrorBody);
    }
    logger.error({ err: error, url: request.url }, 'request failed');
    return reply.code(500).send({ error: 'internal_error', message: 'internal error' } satisfies ErrorBody);
  };
}
