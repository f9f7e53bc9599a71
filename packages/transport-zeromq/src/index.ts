export { ZeroMqRelay } from './zeromq-relay.js';
export type { RelayCounters } from './zeromq-relay.js';
export { ZeroMqTransport } from './zeromq-transport.js';
export type { RecoveryCounters } from './replay-endpoint.js';
export { ZeroMqDelivery } from './zeromq-delivery.js';
export { zeromqTransportModule } from './zeromq-transport-module.js';
