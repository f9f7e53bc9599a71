/** Escapes text for HTML and SVG. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/gu, (char) => `&#${char.charCodeAt(0)};`);
}

/** Colours of the series, in order (colour-blind friendly). */
export const PALETTE: readonly string[] = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];

/** One bar of a {@link barChart}. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
  /** Shown after the value (e.g. `0.42× raw`). */
  readonly note?: string;
}

const format = (value: number): string => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value >= 10 ? value.toFixed(1) : value.toFixed(2));

/** Horizontal bars, one per entry, scaled to the largest value; `unit` follows each value. */
export function barChart(options: { title: string; bars: readonly Bar[]; unit: string }): string {
  const labelWidth = 330;
  const chartWidth = 420;
  const row = 26;
  const height = options.bars.length * row + 40;
  const max = Math.max(1e-9, ...options.bars.map((bar) => (Number.isFinite(bar.value) ? bar.value : 0)));
  const bars = options.bars.map((bar, index) => {
    const y = 30 + index * row;
    const width = Number.isFinite(bar.value) ? Math.max(1, (bar.value / max) * chartWidth) : 0;
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${width.toFixed(1)}" height="${row - 8}" fill="${bar.color}" rx="2"><title>${escapeXml(`${bar.label}: ${format(bar.value)} ${options.unit}`)}</title></rect>`,
      `<text x="${(labelWidth + width + 6).toFixed(1)}" y="${y + 15}">${escapeXml(`${Number.isFinite(bar.value) ? format(bar.value) : '–'} ${options.unit}${bar.note === undefined ? '' : `  ${bar.note}`}`)}</text>`,
    ].join('');
  });
  return `<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${labelWidth + chartWidth + 190} ${height}" role="img" aria-label="${escapeXml(options.title)}"><text x="0" y="16" class="title">${escapeXml(options.title)}</text>${bars.join('')}</svg>`;
}

/** One line of a {@link percentileChart}: `[percentile, ms]` points. */
export interface Curve {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

/** Percentiles on a "nines" scale: 0 → p0, 1 → p90, 2 → p99, 3 → p99.9, 4 → p99.99; p100 is drawn at 4.5. */
export function ninesOf(percentile: number): number {
  return percentile >= 100 ? 4.5 : Math.min(4.5, -Math.log10(1 - percentile / 100));
}

/**
 * Latency percentile curves: percentile on a nines scale across, milliseconds on a log scale up; one line
 * per series, with a legend.
 */
export function percentileChart(options: { title: string; curves: readonly Curve[] }): string {
  const [left, top, width, height] = [72, 30, 560, 260];
  const values = options.curves.flatMap((curve) => curve.points.map(([, ms]) => ms)).filter((ms) => ms > 0 && Number.isFinite(ms));
  const low = Math.floor(Math.log10(Math.min(...(values.length === 0 ? [0.1] : values))));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...(values.length === 0 ? [1] : values)))));
  const x = (percentile: number): number => left + (ninesOf(percentile) / 4.5) * width;
  const y = (ms: number): number => top + height - ((Math.log10(Math.max(ms, 10 ** low)) - low) / (high - low)) * height;
  const grid: string[] = [];
  for (let exponent = low; exponent <= high; exponent += 1) {
    const value = 10 ** exponent;
    grid.push(`<line x1="${left}" x2="${left + width}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" class="grid"/>`);
    grid.push(`<text x="${left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end">${value >= 1 ? value.toLocaleString('en-US') : value.toString()} ms</text>`);
  }
  for (const [percentile, label] of [[0, 'p0'], [50, 'p50'], [90, 'p90'], [99, 'p99'], [99.9, 'p99.9'], [99.99, 'p99.99'], [100, 'max']] as const) {
    grid.push(`<line x1="${x(percentile).toFixed(1)}" x2="${x(percentile).toFixed(1)}" y1="${top}" y2="${top + height}" class="grid"/>`);
    grid.push(`<text x="${x(percentile).toFixed(1)}" y="${top + height + 16}" text-anchor="middle">${label}</text>`);
  }
  const lines = options.curves.map((curve) => {
    const path = curve.points.map(([percentile, ms], index) => `${index === 0 ? 'M' : 'L'}${x(percentile).toFixed(1)},${y(ms).toFixed(1)}`).join(' ');
    const dots = curve.points.map(([percentile, ms]) => `<circle cx="${x(percentile).toFixed(1)}" cy="${y(ms).toFixed(1)}" r="2.5" fill="${curve.color}"><title>${escapeXml(`${curve.label}: p${percentile} = ${ms.toFixed(3)} ms`)}</title></circle>`).join('');
    return `<path d="${path}" fill="none" stroke="${curve.color}" stroke-width="2"/>${dots}`;
  });
  const legend = options.curves.map((curve, index) => `<rect x="${left + width + 16}" y="${top + index * 20}" width="12" height="12" fill="${curve.color}"/><text x="${left + width + 34}" y="${top + index * 20 + 10}">${escapeXml(curve.label)}</text>`);
  return `<svg class="chart curves" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${left + width + 380} ${top + height + 30}" role="img" aria-label="${escapeXml(options.title)}"><text x="0" y="16" class="title">${escapeXml(options.title)}</text>${grid.join('')}${lines.join('')}${legend.join('')}</svg>`;
}
