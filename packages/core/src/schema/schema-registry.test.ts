import { describe, expect, it } from 'vitest';
import { TopicError } from '../errors/topic-error.js';
import { SchemaDefinitionError } from './schema-definition-error.js';
import { SchemaRegistry } from './schema-registry.js';
import { SchemaValidationError } from './schema-validation-error.js';

const TOPIC = 'org.statbus.dev.fas.user.create';

describe(SchemaRegistry, () => {
  describe('.register', () => {
    describe('when the schema cannot be compiled', () => {
      it.each([
        ['an unknown keyword', { type: 'object', colour: 'blue' }],
        ['an unknown format', { type: 'string', format: 'shoe-size' }],
        ['a wrong type', { type: 'thing' }],
        ['an unresolved $ref', { $ref: '#/definitions/missing' }],
        ['an asynchronous schema', { $async: true, type: 'object' }],
      ])('should refuse %s with a SchemaDefinitionError', (_what, schema) => {
        expect(() => new SchemaRegistry().register('#', schema, { name: 'bad' })).toThrow(SchemaDefinitionError);
      });
    });

    it('should refuse a malformed pattern', () => {
      expect(() => new SchemaRegistry().register('a.b*.c', {}, { name: 'x' })).toThrow(TopicError);
    });

    it('should refuse a schema without a name', () => {
      expect(() => new SchemaRegistry().register('#', {}, { name: '' })).toThrow(SchemaDefinitionError);
    });
  });

  describe('.validate', () => {
    const registry = new SchemaRegistry()
      .register('org.statbus.dev.fas.user.*', { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } }, { name: 'fas.user.v1' })
      .register('org.statbus.dev.fas.#', { type: 'object', maxProperties: 0 }, { name: 'fas.other.v1' });

    it('should apply the first registered schema whose pattern matches', () => {
      expect(registry.validate(TOPIC, { email: 'alice@example.org' })?.name).toBe('fas.user.v1');
      expect(registry.validate('org.statbus.dev.fas.group.create', {})?.name).toBe('fas.other.v1');
    });

    it('should check formats', () => {
      expect(() => registry.validate(TOPIC, { email: 'not an address' })).toThrow(SchemaValidationError);
    });

    it('should return undefined for a topic no schema covers', () => {
      expect(registry.validate('org.statbus.dev.koji.build.complete', { anything: 1 })).toBeUndefined();
    });

    it('should never change the body', () => {
      const withDefaults = new SchemaRegistry().register('#', { type: 'object', properties: { n: { type: 'number', default: 1 } } }, { name: 'd' });
      const body = { n: 2 };
      withDefaults.validate(TOPIC, body);
      expect(body).toEqual({ n: 2 });
    });
  });

  describe('.check', () => {
    it('should report failures without throwing', () => {
      const registry = new SchemaRegistry().register('#', { type: 'object', required: ['a'] }, { name: 'needs-a' });
      const result = registry.check(TOPIC, {});
      expect(result.ok).toBe(false);
      expect(result.ok ? undefined : result.error.issues).toEqual([expect.objectContaining({ keyword: 'required', instancePath: '' })]);
      expect(registry.schemas).toEqual([{ pattern: '#', name: 'needs-a' }]);
    });
  });
});
