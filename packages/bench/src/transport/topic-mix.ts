/** Events of the usual mix: real topics of Fedora's bus, one to three words after the category. */
const EVENTS = [
  'bodhi.update.comment',
  'buildsys.build.state.change',
  'git.receive',
  'fas.user.create',
  'copr.build.end',
  'pagure.pull-request.new',
  'buildsys.tag',
  'ansible.playbook.complete',
];

/**
 * The topics of a mix of `count` under `base` (`<base>.<event>`): Fedora's events first, then numbered
 * repeats of them. One topic alone is `single`, the candidate's historical topic.
 */
export function topicMix(base: string, count: number, single: string): string[] {
  if (count <= 1) return [single];
  return Array.from({ length: count }, (_, index) => {
    const event = EVENTS[index % EVENTS.length] as string;
    const round = Math.floor(index / EVENTS.length);
    return `${base}.${event}${round === 0 ? '' : String(round)}`;
  });
}

/**
 * Which topic of a mix message `seq` goes on: a fixed pseudo-random sequence (so consecutive messages mostly
 * differ, as on a real bus, and every run sends the same sequence).
 */
export function mixIndex(seq: number, count: number): number {
  if (count <= 1) return 0;
  let state = (seq * 0x9e3779b1) >>> 0;
  state = (state ^ (state >>> 16)) >>> 0;
  state = Math.imul(state, 0x85ebca6b) >>> 0;
  state = (state ^ (state >>> 13)) >>> 0;
  return state % count;
}
