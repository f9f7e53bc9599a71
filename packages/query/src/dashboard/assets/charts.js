// Time charts over uPlot (served by this server as /dashboard/uplot.js, the global `uPlot`).
/* global uPlot, ResizeObserver */
import { formatCompact, formatCount } from './api.js';

/** Okabe–Ito: told apart with every common colour-vision deficiency. */
export const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000', '#999999'];

const HEIGHT = 240;

/**
 * Sums each column onto the ones before it (bottom first), so that filled series stack; `bands` fill each
 * series down to the one below it instead of to zero.
 */
export function stack(columns) {
  const sums = [];
  let running = columns[0]?.map(() => 0) ?? [];
  for (const column of columns) {
    running = column.map((value, index) => (running[index] ?? 0) + (value ?? 0));
    sums.push(running);
  }
  const bands = columns.slice(1).map((_, index) => ({ series: [index + 2, index + 1] }));
  return { sums, bands };
}

/**
 * One uPlot chart in `container`, redrawn by {@link TimeChart.draw}; rebuilt when its series change.
 * `stacked` stacks the series as filled areas (legend values stay each series' own).
 */
export class TimeChart {
  constructor(container, { yLabel, stacked = false, valueFormat = formatCount }) {
    this.container = container;
    this.yLabel = yLabel;
    this.stacked = stacked;
    this.valueFormat = valueFormat;
    this.plot = undefined;
    this.labels = [];
    this.raw = [];
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(container);
  }

  size() {
    return { width: Math.max(200, this.container.clientWidth), height: HEIGHT };
  }

  /** Draws `columns` (one array per label) over `times` (epoch seconds). */
  draw(times, labels, columns, yLabel = this.yLabel) {
    this.raw = columns;
    const { sums, bands } = this.stacked ? stack(columns) : { sums: columns, bands: [] };
    const data = [times, ...sums];
    const same = this.plot !== undefined && yLabel === this.yLabel && labels.length === this.labels.length && labels.every((label, index) => label === this.labels[index]);
    if (same) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.labels = labels;
    this.yLabel = yLabel;
    this.plot = new uPlot(this.options(labels, bands), data, this.container);
  }

  options(labels, bands) {
    const own = (seriesIndex, dataIndex) => this.raw[seriesIndex - 1]?.[dataIndex];
    return {
      ...this.size(),
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max, min)] } },
      axes: [{}, { label: this.yLabel, size: 64, values: (_u, ticks) => ticks.map(formatCompact) }],
      series: [
        {},
        ...labels.map((label, index) => {
          const color = PALETTE[index % PALETTE.length];
          return {
            label,
            stroke: color,
            width: 1.5,
            ...(this.stacked ? { fill: `${color}b3` } : {}),
            value: (_u, _value, seriesIndex, dataIndex) => {
              const value = dataIndex === null || dataIndex === undefined ? null : own(seriesIndex, dataIndex);
              return value === null || value === undefined ? '–' : this.valueFormat(value);
            },
          };
        }),
      ],
      bands,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
  }

  /** Removes the chart (nothing to draw). */
  clear() {
    this.plot?.destroy();
    this.plot = undefined;
    this.labels = [];
  }
}
