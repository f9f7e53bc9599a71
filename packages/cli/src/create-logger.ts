import type { Logger, StatbusConfig } from '@statbus/core';
import { pino } from 'pino';

/** The process logger: pino, JSON lines on stderr (stdout is for a command's output), level from config. */
export function createLogger(config: StatbusConfig, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level: config.log.level, base: { pid: process.pid } }, destination as pino.DestinationStream);
}
