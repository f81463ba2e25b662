export { findResultsFiles, findSamplesFiles, isResultsFileName, type FindResultsOptions } from './find.js';
export { metricTree, readMetrics, type TreeRow, type MetricRow, type ResultsConfig, type ResultsHarness, type ResultsSummary } from './parse.js';
export { formatMetricValue, formatStderr, limitNote, METRIC_DECIMALS } from './format.js';
export { judgeOutcome, type JudgedState, type JudgeInput, type Outcome } from './judge.js';
