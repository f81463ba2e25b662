export { findResultsFiles, findSamplesFiles, isResultsFileName, type FindResultsOptions } from './find.js';
export { metricTree, readMetrics, type TreeRow, type MetricRow, type ResultsConfig, type ResultsHarness, type ResultsSummary } from './parse.js';
export { formatMetricValue, formatStderr, limitNote, METRIC_DECIMALS } from './format.js';
export { judgeOutcome, type JudgedState, type JudgeInput, type Outcome } from './judge.js';
export { findRun, indexRuns, jobSources, runId, runsCacheFile, samplesFor, type RunIndex, type RunIndexOptions, type RunInfo, type RunSource } from './runs.js';
export { normalizeSample, parseMetricFilter, SamplesFile, type Page, type Sample, type SampleFilter } from './samples.js';
export { compareRuns, METHOD_NOTES, type CompareCell, type CompareOptions, type CompareRow, type Comparison } from './compare.js';
export { bar, cellText, compareLegend, EXPORT_FORMATS, exportComparison, runLabels, textChart, type ExportFormat } from './export.js';
export { mcnemar, minDetectableDelta, normalCdf, normalQuantile, pairedBootstrap, unpaired, type DeltaStat, type Method } from './stats.js';
