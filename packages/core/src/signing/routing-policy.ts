import type { SigningConfig } from '../config/signing-config.js';
import { compilePatterns, type TopicMatcher } from '../topic/topic-pattern.js';

/** What {@link RoutingPolicy.check} decided. */
export type RoutingDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * Which producer may publish which topics: fedmsg's `routing_policy` and `routing_nitpicky`, keyed by
 * producer name. A producer listed in the policy may publish only topics its patterns match. A topic that
 * some producer's patterns match is reserved to the producers listing it. A topic no pattern matches is
 * allowed, unless the policy is nitpicky.
 */
export class RoutingPolicy {
  readonly nitpicky: boolean;
  readonly #byProducer = new Map<string, TopicMatcher>();

  /** @throws {TopicError} when a pattern is malformed. */
  constructor(policy: Readonly<Record<string, readonly string[]>> = {}, options: { nitpicky?: boolean } = {}) {
    this.nitpicky = options.nitpicky ?? false;
    for (const [producer, patterns] of Object.entries(policy)) {
      // An empty list means "may publish nothing", which no matcher expresses: a matcher of no pattern.
      this.#byProducer.set(producer, patterns.length === 0 ? { pattern: '', test: () => false } : compilePatterns(patterns));
    }
  }

  /** The policy of a validated `[signing]` section. */
  static fromConfig(signing: Pick<SigningConfig, 'routing_policy' | 'routing_nitpicky'>): RoutingPolicy {
    return new RoutingPolicy(signing.routing_policy, { nitpicky: signing.routing_nitpicky });
  }

  /** Whether `producer` may publish on `topic`, and why not. */
  check(producer: string, topic: string): RoutingDecision {
    const own = this.#byProducer.get(producer);
    if (own !== undefined) {
      return own.test(topic) ? { allowed: true } : { allowed: false, reason: `routing policy does not let ${producer} publish ${topic}` };
    }
    const owners = [...this.#byProducer].filter(([, matcher]) => matcher.test(topic)).map(([name]) => name);
    if (owners.length > 0) return { allowed: false, reason: `${topic} is reserved by the routing policy to ${owners.join(', ')}` };
    if (this.nitpicky) return { allowed: false, reason: `no routing policy entry covers ${topic} (routing_nitpicky)` };
    return { allowed: true };
  }

  /** True when {@link check} allows it. */
  allows(producer: string, topic: string): boolean {
    return this.check(producer, topic).allowed;
  }
}
