// The dashboard page: reads the controls, loads every panel for the chosen window, follows the tail.
/* global document, window, location, history, AbortController, URLSearchParams, setInterval, clearInterval */
import {
  ApiError, DEFAULT_INTERVALS, FilterError, MAX_CHART_POINTS, MAX_STATS_POINTS, RANGES, chooseInterval, formatCount, formatMs,
  getJson, parseFilter, series, statsRows, windowOf,
} from './api.js';
import { TimeChart } from './charts.js';
import { healthEntry, renderTop, showNote, sumByKey } from './panels.js';
import { LiveTail } from './tail.js';

/** Categories stacked by name in the rate chart; the others are summed as "other". */
const STACKED_CATEGORIES = 8;
const TOP_ROWS = 10;
/** How often the panels reload: the last hour often, longer ranges less. */
const REFRESH_MS = { '1h': 15_000, default: 60_000 };

const $ = (id) => document.getElementById(id);

const state = { range: '24h', filterText: '', filter: new URLSearchParams(), plugins: new Map(), generation: 0, abort: undefined, timer: undefined };

/** What tests (and curious people, from the console) can read: the charts and how many loads finished. */
const view = { charts: {}, loads: 0, state, tail: undefined };
window.statbusDashboard = view;

const charts = {
  rate: new TimeChart($('rate-chart'), { yLabel: 'messages', stacked: true }),
  series: new TimeChart($('series-chart'), { yLabel: 'messages' }),
  delay: new TimeChart($('delay-chart'), { yLabel: 'delay (ms)', valueFormat: formatMs }),
};

const describe = (error) => (error instanceof ApiError && error.status === 404 ? 'not served by this server (metrics are off)' : `could not load: ${error.message}`);

/** Reads `#range=…&filter=…` so that a view can be bookmarked and shared. */
function readHash() {
  const hash = new URLSearchParams(location.hash.replace(/^#/u, ''));
  const range = hash.get('range');
  if (RANGES.some((candidate) => candidate.id === range)) state.range = range;
  const filter = hash.get('filter') ?? '';
  try {
    state.filter = parseFilter(filter);
    state.filterText = filter;
  } catch {
    state.filter = new URLSearchParams();
    state.filterText = '';
  }
  $('filter').value = state.filterText;
  for (const input of document.querySelectorAll('input[name="range"]')) input.checked = input.value === state.range;
}

function writeHash() {
  const hash = new URLSearchParams({ range: state.range });
  if (state.filterText !== '') hash.set('filter', state.filterText);
  history.replaceState(null, '', `#${hash}`);
}

/** The plugins the server keeps (`/stats/`); none when metrics are off, which a banner says. */
async function discover() {
  try {
    const body = await getJson('/stats/');
    state.plugins = new Map((body.plugins ?? []).map((plugin) => [plugin.name, plugin]));
    $('banner').hidden = true;
  } catch (error) {
    state.plugins = new Map();
    $('banner').textContent = `Metrics: ${describe(error)}. The live tail still works.`;
    $('banner').hidden = false;
  }
}

function intervalsOf(name) {
  return state.plugins.get(name)?.intervals ?? state.plugins.get('volume')?.intervals ?? DEFAULT_INTERVALS;
}

function setEmpty(id, empty) {
  $(`${id}-empty`).hidden = !empty;
  $(`${id}-chart`).hidden = empty;
}

function fail(id, error) {
  if (!(id in charts)) return;
  charts[id].clear();
  $(`${id}-empty`).textContent = describe(error);
  $(`${id}-empty`).hidden = false;
}

function ok(id) {
  $(`${id}-empty`).textContent = 'No data yet.';
}

/** Message rate stacked by category: the top categories of the window, each its own `/series`, and the rest. */
async function loadRate(context) {
  const { interval, span, signal, current, rangeLabel } = context;
  const [top, total] = await Promise.all([
    getJson('/stats/volume-by-category/top', new URLSearchParams({ start: String(span.start), end: String(span.end), limit: String(STACKED_CATEGORIES) }), signal),
    series(new URLSearchParams(), interval.text, span, signal),
  ]);
  const categories = (top.rows ?? []).filter((row) => row.count > 0).map((row) => row.key);
  const each = await Promise.all(categories.map((category) => series(new URLSearchParams({ category }), interval.text, span, signal)));
  if (!current()) return;
  ok('rate');
  const sum = total.counts.reduce((a, b) => a + b, 0);
  $('rate-summary').textContent = `${formatCount(sum)} messages in the ${rangeLabel}, per ${interval.text}${categories.length > 0 ? `; most from ${categories.slice(0, 3).join(', ')}` : ''}.`;
  if (sum === 0) {
    charts.rate.clear();
    setEmpty('rate', true);
    return;
  }
  setEmpty('rate', false);
  const columns = each.map((one) => one.counts);
  const other = total.counts.map((count, index) => Math.max(0, count - columns.reduce((acc, column) => acc + (column[index] ?? 0), 0)));
  const labels = [...categories];
  if (other.some((count) => count > 0)) {
    labels.push('other');
    columns.push(other);
  }
  charts.rate.draw(total.times, labels, columns, `messages / ${interval.text}`);
}

/** The filter's own rate (`/series?<filter>`): from the rollups when they cover it, otherwise the archive. */
async function loadSeries({ interval, span, signal, current, rangeLabel }) {
  const result = await series(state.filter, interval.text, span, signal);
  if (!current()) return;
  ok('series');
  const sum = result.counts.reduce((a, b) => a + b, 0);
  $('series-filter').textContent = state.filterText === '' ? '(no filter: all)' : state.filterText;
  $('series-summary').textContent = `${formatCount(sum)} matching messages in the ${rangeLabel}, per ${interval.text} (counted from the ${result.source === 'archive' ? 'archive' : 'rollups'}).`;
  setEmpty('series', sum === 0);
  if (sum === 0) charts.series.clear();
  else charts.series.draw(result.times, [state.filterText === '' ? 'all messages' : state.filterText], [result.counts], `messages / ${interval.text}`);
}

/** Adds `key=value` to the filter (a click on a top list's name). */
function pick(key, value) {
  const next = [...state.filter, [key, value]];
  applyFilter(next.map(([name, given]) => `${name}=${encodeURIComponent(given)}`).join('&'));
}

async function loadTops({ span, signal, current }) {
  const params = new URLSearchParams({ start: String(span.start), end: String(span.end), limit: String(TOP_ROWS) });
  const lists = [
    ['volume-by-topic', 'top-topics', 'topic'],
    ['volume-by-user', 'top-users', 'user'],
    ['volume-by-package', 'top-packages', 'package'],
  ];
  await Promise.all(lists.map(async ([plugin, id, key]) => {
    try {
      const body = await getJson(`/stats/${plugin}/top`, params, signal);
      if (current()) renderTop($(id), (body.rows ?? []).filter((row) => row.count > 0), { caption: 'Click a name to filter by it.', onPick: (value) => pick(key, value), dotted: key === 'topic' });
    } catch (error) {
      if (current() && error.name !== 'AbortError') showNote($(id), describe(error), 'failed');
    }
  }));
}

/** Publish→archive delay (p50/p99 per bucket) and the totals of gaps, losses, dead letters and refusals. */
async function loadHealth({ span, signal, current, rangeLabel }) {
  const interval = chooseInterval(intervalsOf('archive-delay'), span.end - span.start, MAX_STATS_POINTS);
  const start = Math.floor(span.start / interval.seconds) * interval.seconds;
  const params = new URLSearchParams({ interval: interval.text, start: String(start), end: String(span.end) });
  const settled = await Promise.allSettled(['archive-delay', 'gaps', 'dead-letters', 'refusals'].map((plugin) => statsRows(plugin, params, signal)));
  if (!current()) return;
  const [delay, gaps, dead, refused] = settled;
  if (delay.status === 'fulfilled') {
    ok('delay');
    const rows = delay.value.rows.filter((row) => Number(row.count) > 0);
    const archived = rows.reduce((acc, row) => acc + Number(row.count), 0);
    const worst = rows.reduce((acc, row) => Math.max(acc, Number(row.p99_ms) || 0), 0);
    $('delay-summary').textContent = rows.length === 0 ? `Nothing archived in the ${rangeLabel}.` : `${formatCount(archived)} messages archived; worst p99 ${formatMs(worst)} (per ${interval.text}).`;
    setEmpty('delay', rows.length === 0);
    if (rows.length === 0) charts.delay.clear();
    else charts.delay.draw(rows.map((row) => row.time), ['p50', 'p99'], [rows.map((row) => row.p50_ms), rows.map((row) => row.p99_ms)]);
  } else if (delay.reason?.name !== 'AbortError') {
    fail('delay', delay.reason);
  }
  const list = $('health-counts');
  list.replaceChildren();
  const entry = (term, result, field) => {
    if (result.status === 'rejected') return healthEntry(list, { term, total: 0, unavailable: describe(result.reason) });
    const detail = sumByKey(result.value.rows, field);
    return healthEntry(list, { term, total: detail.reduce((acc, one) => acc + one.value, 0), detail });
  };
  entry('Gaps seen', gaps, 'gaps');
  entry('Messages lost', gaps, 'lost');
  entry('Dead-lettered', dead, 'count');
  entry('Refused', refused, 'count');
}

/** Reloads every panel for the current range and filter; an older load still running is abandoned. */
async function load() {
  state.abort?.abort();
  const abort = new AbortController();
  state.abort = abort;
  const generation = (state.generation += 1);
  const current = () => generation === state.generation;
  const range = RANGES.find((candidate) => candidate.id === state.range) ?? RANGES[2];
  const interval = chooseInterval(intervalsOf('volume'), range.seconds, MAX_CHART_POINTS);
  const span = windowOf(range.seconds, interval.seconds, Date.now() / 1000);
  const context = { interval, span, signal: abort.signal, current, rangeLabel: range.label };
  $('updated').textContent = 'Loading…';
  const guard = async (id, loading) => {
    try {
      await loading;
    } catch (error) {
      if (!current() || error?.name === 'AbortError') return;
      fail(id, error);
      if (id === 'series' && error instanceof ApiError && error.status === 400) $('filter-error').textContent = `The server refused the filter: ${error.message}`;
    }
  };
  await Promise.all([guard('rate', loadRate(context)), guard('series', loadSeries(context)), guard('tops', loadTops(context)), guard('delay', loadHealth(context))]);
  if (!current()) return;
  view.loads += 1;
  view.interval = interval.text;
  view.window = span;
  $('updated').textContent = `Updated ${new Date().toLocaleTimeString('en-GB')} · ${range.label}, per ${interval.text}`;
}

function schedule() {
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (!document.hidden) void load();
  }, REFRESH_MS[state.range] ?? REFRESH_MS.default);
}

function applyFilter(text) {
  try {
    state.filter = parseFilter(text);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    $('filter-error').textContent = error.message;
    return;
  }
  $('filter-error').textContent = '';
  state.filterText = text.trim().replace(/^\?/u, '');
  $('filter').value = state.filterText;
  writeHash();
  view.tail.open(state.filter);
  void load();
}

async function start() {
  readHash();
  view.charts = charts;
  view.tail = new LiveTail({ list: $('tail'), status: $('tail-status'), counter: $('tail-count'), empty: $('tail-empty'), pause: $('tail-pause') });
  $('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilter($('filter').value);
  });
  $('filter-clear').addEventListener('click', () => applyFilter(''));
  $('refresh').addEventListener('click', () => void load());
  for (const input of document.querySelectorAll('input[name="range"]')) {
    input.addEventListener('change', () => {
      state.range = input.value;
      writeHash();
      schedule();
      void load();
    });
  }
  view.tail.open(state.filter);
  await discover();
  await load();
  schedule();
}

void start();
