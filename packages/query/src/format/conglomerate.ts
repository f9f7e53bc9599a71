import type { ArchivedMessage } from '@statbus/core';
import { listNames, messageActor, messageLink, messageSubtitle, messageTitle } from './message-meta.js';

/** One entry of a `grouped=true` page: messages on one topic by one actor, in the shape of fedmsg.meta.conglomerate. */
export interface Conglomerate {
  readonly subtitle: string;
  readonly link: string | null;
  readonly icon: null;
  readonly secondary_icon: null;
  /** Oldest and newest message (epoch seconds); `timestamp` is their mean, as fedmsg computes it. */
  readonly start_time: number;
  readonly end_time: number;
  readonly timestamp: number;
  /** ISO 8601 of `timestamp` (datagrepper humanises it: "3 hours ago"; an absolute time keeps answers cacheable). */
  readonly date: string;
  readonly human_time: string;
  /** Each grouped message by id, in the endpoint's shape. */
  readonly msg_ids: Readonly<Record<string, unknown>>;
  readonly topics: readonly string[];
  readonly categories: readonly string[];
  readonly usernames: readonly string[];
  readonly packages: readonly string[];
}

/**
 * datagrepper's `grouped=true` (fedmsg.meta.conglomerate): the page's messages grouped by topic and actor
 * (agent, else first user, else producer), each group in the order of its first message. A group of one
 * keeps the message's own subtitle; a larger one says how many (`adamw: 4 × bodhi update comment on kernel`).
 * `count` of the page becomes the number of groups; `total` and `pages` still count messages.
 */
export function conglomerate(messages: readonly ArchivedMessage[], shape: (message: ArchivedMessage) => unknown): Conglomerate[] {
  const groups = new Map<string, ArchivedMessage[]>();
  for (const message of messages) {
    const key = `${message.envelope.topic}\u0000${messageActor(message)}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [message]);
    else group.push(message);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as ArchivedMessage;
    const times = group.map((message) => message.envelope.time / 1000);
    const timestamp = times.reduce((sum, time) => sum + time, 0) / times.length;
    const unique = (values: Iterable<string>): string[] => [...new Set(values)];
    const packages = unique(group.flatMap((message) => message.packages));
    const date = new Date(Math.round(timestamp * 1000)).toISOString();
    const msgIds: Record<string, unknown> = {};
    for (const message of group) msgIds[message.envelope.id] = shape(message);
    return {
      subtitle:
        group.length === 1
          ? messageSubtitle(first)
          : `${messageActor(first)}: ${group.length} × ${messageTitle(first).replace(/[.\-_]+/gu, ' ')}${packages.length > 0 ? ` on ${listNames(packages)}` : ''}`,
      link: group.length === 1 ? messageLink(first) : null,
      icon: null,
      secondary_icon: null,
      start_time: Math.min(...times),
      end_time: Math.max(...times),
      timestamp,
      date,
      human_time: date,
      msg_ids: msgIds,
      topics: unique(group.map((message) => message.envelope.topic)),
      categories: unique(group.map((message) => message.category)),
      usernames: unique(group.flatMap((message) => message.users)),
      packages,
    };
  });
}
