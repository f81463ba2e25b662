export { findResultsFiles, findSamplesFiles, isResultsFileName, type FindResultsOptions } from './find.js';
export { readMetrics, type MetricRow, type ResultsConfig, type ResultsHarness, type ResultsSummary } from './parse.js';
export { judgeOutcome, type JudgedState, type JudgeInput, type Outcome } from './judge.js';
