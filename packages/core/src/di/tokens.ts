import type { ServiceIdentifier } from 'inversify';
import type { BusEventRecorder } from '../contracts/bus-event.js';
import type { MessageStore } from '../contracts/message-store.js';
import type { Transport } from '../contracts/transport.js';
import type { StatbusConfig } from '../config/config-schema.js';
import type { Logger } from '../log/logger.js';

/** The validated {@link StatbusConfig}; bound once by the composition root. */
export const CONFIG: ServiceIdentifier<StatbusConfig> = Symbol.for('@statbus/core/Config');
/** The {@link Transport} the config names. */
export const TRANSPORT: ServiceIdentifier<Transport> = Symbol.for('@statbus/core/Transport');
/** The {@link MessageStore} the config names. */
export const MESSAGE_STORE: ServiceIdentifier<MessageStore> = Symbol.for('@statbus/core/MessageStore');
/** The root {@link Logger}. */
export const LOGGER: ServiceIdentifier<Logger> = Symbol.for('@statbus/core/Logger');
/** Where bus events not in the archive go (gaps, dead letters, refusals, archive delay); optional: bound when metrics run. */
export const BUS_EVENT_RECORDER: ServiceIdentifier<BusEventRecorder> = Symbol.for('@statbus/core/BusEventRecorder');
