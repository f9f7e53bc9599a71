export { benchFlags } from './bench-flags.js';
export { DEFAULT_BENCH_OPTIONS, QUICK_BENCH_OPTIONS } from './bench-options.js';
export type { BenchMode, BenchOptions } from './bench-options.js';
export type {
  BenchReport,
  FailureRow,
  LatencyFigures,
  LatencyRow,
  LossFigures,
  MachineInfo,
  MeasurementProfile,
  PipelineRateRow,
  PipelineRow,
  ResourceFigures,
  SkippedRow,
  ThroughputRow,
} from './report/bench-report.js';
export type { SelfTime, ThreadProfile } from './report/cpu-profile.js';
export type { BenchSection } from './docs/bench-section.js';
export { recordBenchSection, writeBenchmarksDoc } from './docs/benchmarks-doc.js';
export { formatReport } from './report/format-table.js';
export { renderHtml } from './report/render-html.js';
export { StatusLine } from './report/status-line.js';
export type { StatusStream } from './report/status-line.js';
export { runBench } from './run/run-bench.js';
export type { BenchHooks } from './run/run-bench.js';
export type { MeasuredProcess } from './run/run-measurement.js';
export { median } from './stats.js';
export type { LatencySummary } from './stats.js';
export { STATBUS_CANDIDATES, TRANSPORT_CANDIDATES } from './transport/candidates.js';
