export { stripAnsi } from './ansi.js';
export { isTracebackStart, LEVELS, parseLevel, parseProgress, recordMessage, type Level, type Progress } from './parse.js';
export { collapseCR, compactPartial, LogRing, type LogLine, type LogRingOptions } from './ring.js';
export { LogTailer, type LogTailerEvents, type LogTailerOptions } from './tailer.js';
export { readSince, readTail, type ReadLine, type ReadSinceResult, type ReadTailOptions } from './read.js';
export { MASK, redactSecrets, secretEnvValues } from './redact.js';
export { findErrorMarker, type ErrorMarker, type ScanOptions } from './scan.js';
