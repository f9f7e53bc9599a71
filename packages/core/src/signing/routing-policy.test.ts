import { describe, expect, it } from 'vitest';
import { RoutingPolicy } from './routing-policy.js';

const BODHI = 'org.statbus.prod.bodhi.update.comment';
const KOJI = 'org.statbus.prod.koji.build.complete';
const WIKI = 'org.statbus.prod.wiki.page.edit';

describe(RoutingPolicy, () => {
  const policy = new RoutingPolicy({ bodhi: ['org.statbus.prod.bodhi.#'], koji: ['org.statbus.*.koji.#'], mute: [] });

  describe('.check', () => {
    describe('when the producer is listed', () => {
      it('should allow the topics its patterns match', () => {
        expect(policy.check('bodhi', BODHI)).toEqual({ allowed: true });
        expect(policy.check('koji', KOJI)).toEqual({ allowed: true });
      });

      it('should refuse other topics, even ones nobody reserved', () => {
        expect(policy.check('bodhi', KOJI).allowed).toBe(false);
        expect(policy.check('bodhi', WIKI).allowed).toBe(false);
      });

      it('should refuse everything when its list is empty', () => {
        expect(policy.check('mute', WIKI)).toMatchObject({ allowed: false });
      });
    });

    describe('when the producer is not listed', () => {
      it('should refuse topics reserved to listed producers, naming them', () => {
        const decision = policy.check('mallory', BODHI);
        expect(decision).toMatchObject({ allowed: false });
        expect(decision.allowed ? '' : decision.reason).toContain('bodhi');
      });

      it('should allow topics no entry covers', () => {
        expect(policy.allows('wiki', WIKI)).toBe(true);
      });

      it('should refuse topics no entry covers when nitpicky', () => {
        const strict = RoutingPolicy.fromConfig({ routing_policy: { bodhi: ['org.statbus.prod.bodhi.#'] }, routing_nitpicky: true });
        expect(strict.allows('wiki', WIKI)).toBe(false);
        expect(strict.allows('bodhi', BODHI)).toBe(true);
      });
    });

    describe('when the policy is empty', () => {
      it('should allow everything', () => {
        expect(new RoutingPolicy().allows('anyone', WIKI)).toBe(true);
      });
    });

    it('should not be fooled by producer names that are object properties', () => {
      expect(policy.allows('constructor', BODHI)).toBe(false);
      expect(policy.allows('__proto__', WIKI)).toBe(true);
    });
  });
});
