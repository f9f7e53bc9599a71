import { Writable } from 'node:stream';

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '\u001b[90m' },
  20: { name: 'DEBUG', color: '\u001b[36m' },
  30: { name: 'INFO ', color: '\u001b[32m' },
  40: { name: 'WARN ', color: '\u001b[33m' },
  50: { name: 'ERROR', color: '\u001b[31m' },
  60: { name: 'FATAL', color: '\u001b[35m' },
};
const RESET = '\u001b[0m';
const DIM = '\u001b[2m';
/** Fields every record has, shown by position rather than as key=value. */
const FRAME = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/u.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/**
 * One pino JSON record as a line a person reads: `14:03:07.512 WARN  message key=value …`; an error's
 * stack (under `err`) follows on its own lines. A line that is not a JSON record passes through unchanged.
 */
export function formatLogRecord(line: string, color: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${line}\n`;
  }
  const level = LEVELS[record['level'] as number] ?? { name: String(record['level']).padEnd(5), color: '' };
  const time = typeof record['time'] === 'number' ? new Date(record['time']).toISOString().slice(11, 23) : '';
  const paint = (code: string, text: string): string => (color ? `${code}${text}${RESET}` : text);
  let stack = '';
  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (FRAME.has(key)) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const error = value as { message?: unknown; stack?: unknown };
      fields.push(`err=${fieldValue(error.message)}`);
      if (typeof error.stack === 'string') stack = `\n${paint(DIM, error.stack.split('\n').slice(1).join('\n'))}`;
      continue;
    }
    fields.push(`${key}=${fieldValue(value)}`);
  }
  const rest = fields.length === 0 ? '' : ` ${paint(DIM, fields.join(' '))}`;
  return `${paint(DIM, time)} ${paint(level.color, level.name)} ${typeof record['msg'] === 'string' ? record['msg'] : JSON.stringify(record['msg'] ?? '')}${rest}${stack}\n`;
}

/**
 * A stream for pino to write to that turns its JSON lines into {@link formatLogRecord} lines on `out`,
 * in colour when `color` is set. In-process and synchronous: nothing is loaded or spawned at run time.
 */
export function prettyLogStream(out: NodeJS.WritableStream, color: boolean): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      const formatted = lines.filter((line) => line !== '').map((line) => formatLogRecord(line, color));
      if (formatted.length > 0) out.write(formatted.join(''));
      done();
    },
  });
}
