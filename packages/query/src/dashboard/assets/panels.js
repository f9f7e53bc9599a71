// The dashboard's non-chart panels: top lists and bus-health counts. Text only goes in through
// textContent: topics and user names come from the bus and are never markup.
/* global document */
import { formatCount } from './api.js';

function element(tag, attributes = {}, text = undefined) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Shows a line of text in place of a panel's content (`No data yet.`, or why it failed). */
export function showNote(container, text, kind = 'empty') {
  container.replaceChildren(element('p', { class: kind }, text));
}

/** The dotted words every key starts with (`org.fedoraproject.prod.`), when there are several keys. */
export function commonPrefix(keys) {
  if (keys.length < 2) return '';
  const words = keys.map((key) => key.split('.'));
  const shortest = Math.min(...words.map((parts) => parts.length)) - 1;
  let length = 0;
  while (length < shortest && words.every((parts) => parts[length] === words[0][length])) length += 1;
  return length === 0 ? '' : `${words[0].slice(0, length).join('.')}.`;
}

/**
 * A ranked table of `rows` (`{key, count}`) with proportional bars. Each key is a button that calls
 * `onPick(key)` (the dashboard adds it to the filter). With `dotted`, the words all keys share are said
 * once in the caption instead of on every line.
 */
export function renderTop(container, rows, { caption, onPick, dotted = false }) {
  if (rows.length === 0) {
    showNote(container, 'No data yet.');
    return;
  }
  const max = Math.max(...rows.map((row) => row.count), 1);
  const prefix = dotted ? commonPrefix(rows.map((row) => row.key)) : '';
  const table = element('table');
  table.append(element('caption', { class: 'help' }, prefix === '' ? caption : `Under ${prefix.slice(0, -1)}. ${caption}`));
  const head = element('tr');
  head.append(element('th', { scope: 'col' }, 'Name'), element('th', { scope: 'col', class: 'count' }, 'Messages'), element('th', { scope: 'col' }, 'Share'));
  const thead = element('thead', { class: 'visually-hidden' });
  thead.append(head);
  const body = element('tbody');
  for (const row of rows) {
    const line = element('tr');
    const name = element('th', { scope: 'row' });
    const pick = element('button', { type: 'button', class: 'key', title: `Filter by ${row.key}` }, row.key === '' ? '(none)' : row.key.slice(prefix.length));
    pick.addEventListener('click', () => onPick(row.key));
    name.append(pick);
    const bar = element('span', { class: 'bar' });
    bar.style.width = `${(100 * row.count) / max}%`;
    const share = element('td');
    share.append(bar);
    line.append(name, element('td', { class: 'count' }, formatCount(row.count)), share);
    body.append(line);
  }
  table.append(body);
  container.replaceChildren(table);
}

/** Sums `field` of `rows` per key, largest first. */
export function sumByKey(rows, field) {
  const sums = new Map();
  for (const row of rows) sums.set(row.key ?? '', (sums.get(row.key ?? '') ?? 0) + (Number(row[field]) || 0));
  return [...sums].map(([key, value]) => ({ key, value })).filter((entry) => entry.value > 0).sort((a, b) => b.value - a.value);
}

/**
 * One line of the bus-health list: a name, a total coloured by whether it is a problem, and the keys
 * (producer, reason) that make it up.
 */
export function healthEntry(list, { term, total, detail = [], unavailable = undefined, problem = total > 0 }) {
  const dt = element('dt', {}, term);
  const dd = element('dd');
  if (unavailable !== undefined) {
    dd.append(element('span', { class: 'failed' }, unavailable));
  } else {
    dd.append(element('span', { class: problem ? 'bad' : 'ok' }, total === 0 ? 'none' : formatCount(total)));
    if (detail.length > 0) dd.append(element('span', { class: 'detail' }, detail.slice(0, 5).map((entry) => `${entry.key || '(unknown)'}: ${formatCount(entry.value)}`).join(' · ')));
  }
  list.append(dt, dd);
}
