import {
  HEADER_PACKAGES,
  HEADER_SCHEMA,
  HEADER_SEVERITY,
  HEADER_USERNAMES,
  archiveMessage,
  checkEnvelope,
  isBuiltEnvelope,
  selectExtractor,
  type ArchivedMessage,
  type Envelope,
  type ExtractorSelector,
  type MessageExtractor,
} from '@statbus/core';
import { defaultExtractors } from '@statbus/meta';

/**
 * Header names under which an imported record keeps datanommer's `source_name` / `source_version` (the
 * library that sent it), so `/raw` reports them as they were.
 */
export const HEADER_SOURCE_NAME = 'source_name';
export const HEADER_SOURCE_VERSION = 'source_version';

/** Options of {@link importRecord}. */
export interface ImportRecordOptions {
  /** The configured topic prefix (for the category). */
  readonly prefix?: string;
  /**
   * Find users and packages in records that do not give them; default `@statbus/meta`'s
   * `defaultExtractors()`, as the archiver does.
   */
  readonly extractors?: readonly MessageExtractor[];
}

/** The shapes `statbus db import` reads. */
export type RecordShape = 'statbus-archive' | 'statbus-envelope' | 'datagrepper-v1' | 'fedora-messaging';

/** What one input record became: an archived message, or the reason it was refused. */
export type ImportedRecord =
  | { readonly ok: true; readonly shape: RecordShape; readonly message: ArchivedMessage }
  | { readonly ok: false; readonly reason: string };

type Record_ = Record<string, unknown>;

const isObject = (value: unknown): value is Record_ => typeof value === 'object' && value !== null && !Array.isArray(value);

/** fedora-messaging's numeric severities (Python logging levels). */
const SEVERITY_NAMES: Readonly<Record<number, string>> = { 10: 'debug', 20: 'info', 30: 'warning', 40: 'error' };

/** Which shape a record has, by the fields only that shape has. */
export function detectShape(record: Record_): RecordShape | undefined {
  if (isObject(record['envelope'])) return 'statbus-archive';
  if ('producer' in record && 'seq' in record) return 'statbus-envelope';
  if ('msg_id' in record && 'msg' in record) return 'datagrepper-v1';
  if ('id' in record && 'body' in record && isObject(record['headers'])) return 'fedora-messaging';
  return undefined;
}

function stringHeaders(headers: unknown): Record<string, string> {
  if (!isObject(headers)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === null || value === undefined) continue;
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

function importedProducer(name: unknown, source: string): Envelope['producer'] {
  return { name: typeof name === 'string' && name !== '' ? name : source, host: 'imported', pid: 0, instance: source };
}

interface Derivation {
  readonly prefix: string | undefined;
  readonly extractor: ExtractorSelector;
}

let defaultSelector: ExtractorSelector | undefined;
/** Each list of extractors compiled once: an import passes the same list with every record. */
const selectors = new WeakMap<readonly MessageExtractor[], ExtractorSelector>();

function selectorOf(extractors: readonly MessageExtractor[]): ExtractorSelector {
  let selector = selectors.get(extractors);
  if (selector === undefined) {
    selector = selectExtractor(extractors);
    selectors.set(extractors, selector);
  }
  return selector;
}

function derivation(options: ImportRecordOptions): Derivation {
  const extractor = options.extractors === undefined ? (defaultSelector ??= selectExtractor(defaultExtractors())) : selectorOf(options.extractors);
  return { prefix: options.prefix, extractor };
}

/** The envelope `candidate` is, by the cheap check when it passes (it accepts only what the schema accepts as it is), else by the schema, which words the refusal. */
function envelopeOf(candidate: Record_): { ok: true; envelope: Envelope } | { ok: false; reason: string } {
  if (isBuiltEnvelope(candidate)) return { ok: true, envelope: candidate };
  const check = checkEnvelope(candidate);
  return check.ok ? check : { ok: false, reason: check.error.message };
}

function finish(shape: RecordShape, candidate: Record_, how: Derivation, index?: Partial<ArchivedMessage>): ImportedRecord {
  const check = envelopeOf(candidate);
  if (!check.ok) return { ok: false, reason: check.reason };
  const derived = archiveMessage(check.envelope, { ...(how.prefix === undefined ? {} : { prefix: how.prefix }), extractor: how.extractor });
  return {
    ok: true,
    shape,
    message: {
      ...derived,
      ...(index?.users === undefined ? {} : { users: index.users }),
      ...(index?.packages === undefined ? {} : { packages: index.packages }),
      ...(index?.agent === undefined ? {} : { agent: index.agent }),
    },
  };
}

/** A list the record gives (an array, possibly empty), else undefined: given lists win over derived ones. */
function givenList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? stringList(value) : undefined;
}

/**
 * datagrepper's `/raw` (v1) record: `msg_id, i, topic, timestamp (s), msg, headers?, username, users?,
 * packages?, source_name?, source_version?` (users and packages also under `meta.usernames` /
 * `meta.packages` when it was asked for `meta=`). Users and packages it gives are kept as given.
 */
function fromDatagrepperV1(record: Record_, how: Derivation): ImportedRecord {
  const timestamp = record['timestamp'];
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return { ok: false, reason: 'timestamp: must be a number of seconds' };
  const headers = stringHeaders(record['headers']);
  const meta = isObject(record['meta']) ? record['meta'] : {};
  const users = givenList(record['users']) ?? givenList(meta['usernames']);
  const packages = givenList(record['packages']) ?? givenList(meta['packages']);
  for (const [header, field] of [[HEADER_SOURCE_NAME, 'source_name'], [HEADER_SOURCE_VERSION, 'source_version']] as const) {
    const value = record[field];
    if (typeof value === 'string' && value !== '') headers[header] ??= value;
  }
  // Carried as headers too, so a replayed or re-exported envelope still says who and what it concerns.
  if (users !== undefined && users.length > 0) headers[HEADER_USERNAMES] ??= users.join(',');
  if (packages !== undefined && packages.length > 0) headers[HEADER_PACKAGES] ??= packages.join(',');
  const sequence = record['i'];
  return finish(
    'datagrepper-v1',
    {
      id: record['msg_id'],
      topic: record['topic'],
      time: Math.round(timestamp * 1000),
      producer: importedProducer(record['username'], 'datagrepper-v1'),
      seq: typeof sequence === 'number' && Number.isSafeInteger(sequence) && sequence >= 1 ? sequence : 1,
      headers,
      body: isObject(record['msg']) ? (record['msg']) : { msg: record['msg'] ?? null },
    },
    how,
    { ...(users === undefined ? {} : { users }), ...(packages === undefined ? {} : { packages }) },
  );
}

/** fedora-messaging's record (datanommer-dump, datagrepper `/v2/`): `id, topic, headers{sent-at, …}, body`. */
function fromFedoraMessaging(record: Record_, how: Derivation): ImportedRecord {
  const raw = record['headers'] as Record_;
  const sentAt = raw['sent-at'];
  const time = typeof sentAt === 'string' ? Date.parse(sentAt) : Number.NaN;
  if (!Number.isFinite(time)) return { ok: false, reason: 'headers.sent-at: must be an ISO 8601 time' };
  const headers = stringHeaders(raw);
  const users = Object.keys(raw).filter((key) => key.startsWith('fedora_messaging_user_')).map((key) => key.slice('fedora_messaging_user_'.length));
  const packages = Object.keys(raw).filter((key) => key.startsWith('fedora_messaging_rpm_')).map((key) => key.slice('fedora_messaging_rpm_'.length));
  if (users.length > 0) headers[HEADER_USERNAMES] ??= users.join(',');
  if (packages.length > 0) headers[HEADER_PACKAGES] ??= packages.join(',');
  const severity = raw['fedora_messaging_severity'];
  if (typeof severity === 'number' && SEVERITY_NAMES[severity] !== undefined) headers[HEADER_SEVERITY] ??= SEVERITY_NAMES[severity];
  const schema = raw['fedora_messaging_schema'];
  if (typeof schema === 'string') headers[HEADER_SCHEMA] ??= schema;
  return finish(
    'fedora-messaging',
    {
      id: record['id'],
      topic: record['topic'],
      time: Math.round(time),
      producer: importedProducer(raw['fedora_messaging_schema'], 'fedora-messaging'),
      seq: 1,
      headers,
      body: isObject(record['body']) ? (record['body']) : { body: record['body'] ?? null },
    },
    how,
  );
}

/**
 * Turns one record of an export — statbus's own (`statbus dump` records or bare envelopes), datagrepper's
 * v1 or fedora-messaging's — into an archived message, keeping the original id and time. A record that
 * cannot be one is refused with the reason; nothing is half-imported.
 */
export function importRecord(record: unknown, options: ImportRecordOptions = {}): ImportedRecord {
  if (!isObject(record)) return { ok: false, reason: 'a record must be a JSON object' };
  const shape = detectShape(record);
  const how = derivation(options);
  switch (shape) {
    case 'statbus-archive': {
      const users = stringList(record['users']);
      const packages = stringList(record['packages']);
      const agent = record['agent'];
      return finish('statbus-archive', record['envelope'] as Record_, how, {
        users,
        packages,
        ...(typeof agent === 'string' && agent !== '' ? { agent } : {}),
      });
    }
    case 'statbus-envelope':
      return finish('statbus-envelope', record, how);
    case 'datagrepper-v1':
      return fromDatagrepperV1(record, how);
    case 'fedora-messaging':
      return fromFedoraMessaging(record, how);
    default:
      return { ok: false, reason: 'unknown shape: expected a statbus envelope or dump record, a datagrepper v1 message (msg_id, msg) or a fedora-messaging message (id, headers, body)' };
  }
}

/** The record `statbus dump` writes for a message: its envelope and what the archive indexed it by. */
export function exportRecord(message: ArchivedMessage): Record_ {
  return {
    envelope: message.envelope,
    category: message.category,
    users: message.users,
    packages: message.packages,
    ...(message.agent === undefined ? {} : { agent: message.agent }),
  };
}

