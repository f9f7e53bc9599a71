import { describe, expect, it } from 'vitest';
import { DeliveryTracker } from './delivery-tracker.js';

describe(DeliveryTracker, () => {
  describe('.delivered', () => {
    it('should count deliveries per id from 1', () => {
      const tracker = new DeliveryTracker();
      expect([tracker.delivered('a', false), tracker.delivered('a', true), tracker.delivered('b', false)]).toEqual([1, 2, 1]);
    });

    describe('when a redelivered message was never seen', () => {
      it('should count it as the second delivery', () => {
        expect(new DeliveryTracker().delivered('a', true)).toBe(2);
      });
    });

    describe('when full', () => {
      it('should forget the oldest id first', () => {
        const tracker = new DeliveryTracker(2);
        tracker.delivered('a', false);
        tracker.delivered('b', false);
        tracker.delivered('c', false);
        expect(tracker.size).toBe(2);
        expect(tracker.delivered('a', false)).toBe(1);
        expect(tracker.delivered('c', false)).toBe(2);
      });
    });
  });

  describe('.forget', () => {
    it('should start the count again', () => {
      const tracker = new DeliveryTracker();
      tracker.delivered('a', false);
      tracker.forget('a');
      expect(tracker.delivered('a', false)).toBe(1);
    });
  });
});
