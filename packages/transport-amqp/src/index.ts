export { amqpTransportModule } from './amqp-transport-module.js';
export { AmqpTransport } from './amqp-transport.js';
export { AmqpQueuePublisher } from './amqp-queue-publisher.js';
