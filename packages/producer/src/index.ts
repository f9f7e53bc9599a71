export { Producer } from './producer.js';
export { producerModule } from './producer-module.js';
export type { PublishOptions } from './publish-options.js';
// The schema registry lives in core (the consumer validates with it too); re-exported for the producer's users.
export { SchemaDefinitionError, SchemaRegistry, SchemaValidationError } from '@statbus/core';
export type { HeaderHints, JsonSchema, SchemaOptions } from '@statbus/core';
