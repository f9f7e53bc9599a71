export { ZeroMqRelay } from './zeromq-relay.js';
export type { RelayCounters } from './zeromq-relay.js';
export { ZeroMqTransport } from './zeromq-transport.js';
export { zeromqTransportModule } from './zeromq-transport-module.js';
