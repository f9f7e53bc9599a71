import { StoreError, redactUrl } from '@statbus/core';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { InputRecord } from './read-records.js';

/** Options of {@link readDatanommer}. */
export interface DatanommerReadOptions {
  /** Rows fetched from the server at a time (the cursor's batch). */
  readonly batchSize?: number;
  /** Only messages at or after this time (ms since the epoch). */
  readonly start?: number;
  /** Only messages before this time (ms since the epoch). */
  readonly end?: number;
  /** Called once, before the first row, with the planner's estimate of the rows to read (`undefined` when unknown). */
  readonly onEstimate?: (rows: number | undefined) => void;
}

/** Default {@link DatanommerReadOptions.batchSize}. */
export const DEFAULT_DATANOMMER_BATCH = 1000;

/** The columns of datanommer's `messages` a record cannot be made without. */
const REQUIRED = ['id', 'msg_id', 'topic', 'timestamp', 'msg'] as const;
/** Columns later datanommer versions added; read when the table has them. */
const OPTIONAL = ['i', 'certificate', 'signature', 'username', 'crypto', 'source_name', 'source_version', 'headers'] as const;

interface Layout {
  readonly columns: ReadonlySet<string>;
  /** Whether the association tables carry `msg_timestamp` (datanommer ≥ 1.0 partitions by time). */
  readonly timestamped: boolean;
  readonly users: boolean;
  readonly packages: boolean;
}

async function layoutOf(client: pg.Client, where: string): Promise<Layout> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name IN ('messages', 'users', 'packages', 'users_messages', 'packages_messages')`,
  );
  const of = (table: string): Set<string> => new Set(rows.filter((row) => row.table_name === table).map((row) => row.column_name));
  const columns = of('messages');
  if (columns.size === 0) throw new StoreError(`${where} is not a datanommer database: it has no table "messages" in its current schema`, { retryable: false });
  const missing = REQUIRED.filter((column) => !columns.has(column));
  if (missing.length > 0) throw new StoreError(`${where} is not a datanommer database: table "messages" lacks ${missing.join(', ')}`, { retryable: false });
  return {
    columns,
    timestamped: of('users_messages').has('msg_timestamp') && of('packages_messages').has('msg_timestamp'),
    users: of('users').has('name') && of('users_messages').has('user_id'),
    packages: of('packages').has('name') && of('packages_messages').has('package_id'),
  };
}

function namesOf(layout: Layout, kind: 'users' | 'packages'): string {
  const [table, key] = kind === 'users' ? ['users_messages', 'user_id'] : ['packages_messages', 'package_id'];
  if (!layout[kind]) return `'{}'::text[]`;
  const time = layout.timestamped ? ` AND a.msg_timestamp = m.timestamp` : '';
  return `COALESCE((SELECT array_agg(n.name ORDER BY n.name) FROM ${table} a JOIN ${kind} n ON n.id = a.${key} WHERE a.msg_id = m.id${time}), '{}'::text[])`;
}

/** The statement that reads every message with its users and packages, oldest first. */
function selectStatement(layout: Layout, options: DatanommerReadOptions): { text: string; values: unknown[] } {
  const optional = OPTIONAL.filter((column) => layout.columns.has(column)).map((column) => `m.${column}`);
  const values: unknown[] = [];
  const conditions: string[] = [];
  // datanommer stores naive UTC times: compare and read them as UTC, whatever the session's time zone.
  if (options.start !== undefined) {
    values.push(new Date(options.start).toISOString());
    conditions.push(`m.timestamp >= ($${values.length}::timestamptz AT TIME ZONE 'UTC')`);
  }
  if (options.end !== undefined) {
    values.push(new Date(options.end).toISOString());
    conditions.push(`m.timestamp < ($${values.length}::timestamptz AT TIME ZONE 'UTC')`);
  }
  const text = `SELECT m.id, m.msg_id, m.topic, extract(epoch FROM m.timestamp)::float8 AS epoch, m.msg,
      ${[...optional, `${namesOf(layout, 'users')} AS users`, `${namesOf(layout, 'packages')} AS packages`].join(', ')}
    FROM messages m${conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`}
    ORDER BY m.timestamp, m.id`;
  return { text, values };
}

type Row = Record<string, unknown> & { id: number; msg_id: string | null; topic: string; epoch: number; msg: unknown };

/** A datanommer row as the datagrepper v1 record {@link importRecord} reads (datanommer's own `as_dict`). */
function recordOf(row: Row): InputRecord {
  const where = `messages.id ${row.id}`;
  let msg: unknown = row.msg;
  if (typeof msg === 'string') {
    try {
      msg = JSON.parse(msg) as unknown;
    } catch (error) {
      return { where, error: `msg: not valid JSON (${(error as Error).message})` };
    }
  }
  const { id: _id, epoch, msg: _msg, ...rest } = row;
  const record: Record<string, unknown> = { ...rest, timestamp: epoch, msg };
  for (const [key, value] of Object.entries(record)) if (value === null) delete record[key];
  return { where, value: record };
}

/**
 * Reads a datanommer database (PostgreSQL: tables `messages`, `users`, `packages`, `users_messages`,
 * `packages_messages`, as datanommer.models defines them) through a server-side cursor, `batchSize` rows
 * at a time, oldest first, each message with its users and packages, as records `importRecords` stores.
 * Older layouts (no `headers`, no `msg_timestamp` in the association tables) are read too.
 *
 * @throws {StoreError} naming the database (password hidden) when it cannot be reached or is not a
 *   datanommer database.
 */
export async function* readDatanommer(url: string, options: DatanommerReadOptions = {}): AsyncGenerator<InputRecord> {
  const where = redactUrl(url);
  const client = new pg.Client({ connectionString: url, application_name: 'statbus db import' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new StoreError(`Cannot read the datanommer database at ${where}: ${(error as Error).message}`, { retryable: true, cause: error });
  }
  try {
    const layout = await layoutOf(client, where);
    const { rows: estimate } = await client.query<{ rows: number }>(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('messages')`);
    const guess = estimate[0]?.rows;
    options.onEstimate?.(guess === undefined || guess < 0 ? undefined : Math.round(guess));
    const { text, values } = selectStatement(layout, options);
    // BEGIN: a cursor lives in a transaction, and one snapshot gives a consistent read of a live archive.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const cursor = client.query(new Cursor<Row>(text, values));
    try {
      for (;;) {
        const rows = await cursor.read(options.batchSize ?? DEFAULT_DATANOMMER_BATCH);
        if (rows.length === 0) break;
        for (const row of rows) yield recordOf(row);
      }
    } finally {
      await cursor.close().catch(() => undefined);
      await client.query('ROLLBACK').catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Reading the datanommer database at ${where} failed: ${(error as Error).message}`, { retryable: false, cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}
