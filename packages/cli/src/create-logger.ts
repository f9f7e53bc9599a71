import type { Logger, StatbusConfig } from '@statbus/core';
import { pino } from 'pino';
import { prettyLogStream } from './pretty-log-stream.js';

/** Whether logs go out as readable lines: `pretty` always, `json` never, `auto` when `destination` is a terminal. */
export function wantsPrettyLogs(format: StatbusConfig['log']['format'], destination: NodeJS.WritableStream): boolean {
  if (format === 'auto') return (destination as { isTTY?: boolean }).isTTY === true;
  return format === 'pretty';
}

/**
 * The process logger: pino on stderr (stdout is for a command's output), level from config; readable
 * lines on a terminal (or with `log.format = "pretty"`), JSON lines otherwise (or with `"json"`).
 */
export function createLogger(config: StatbusConfig, destination: NodeJS.WritableStream = process.stderr): Logger {
  const pretty = wantsPrettyLogs(config.log.format, destination);
  const color = pretty && (destination as { isTTY?: boolean }).isTTY === true;
  const out = pretty ? prettyLogStream(destination, color) : destination;
  return pino({ level: config.log.level, base: { pid: process.pid } }, out as pino.DestinationStream);
}
