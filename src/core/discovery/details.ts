/** The picker's detail fields, read from a winning entry's merged config. */
import path from 'node:path';
import type { Harness } from '../spec.js';
import { isMapping, type Config } from './configs.js';
import type { Draft } from './rules.js';
import type { TaskEntry, TaskSplits, TaskType } from './types.js';
import { FunctionRef } from './yaml-scalars.js';

function sortedUnique(list: string[]): string[] {
  return [...new Set(list)].sort();
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Names a group's `task:` list refers to: plain names, or the `task`/`group` of inline entries. */
function groupMembers(list: unknown): string[] {
  const items = typeof list === 'string' ? [list] : Array.isArray(list) ? list : [];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push(item);
    else if (isMapping(item)) {
      const name = str(item.task) ?? str(item.group);
      if (name) out.push(name);
    }
  }
  return out;
}

function declaredTags(cfg: Config, harness: Harness): string[] {
  const out: string[] = [];
  const keys = harness === 'lmms-eval' ? ['tag', 'group'] : ['tag'];
  for (const key of keys) {
    const v = cfg[key];
    for (const t of typeof v === 'string' ? [v] : Array.isArray(v) ? v : []) if (typeof t === 'string') out.push(t);
  }
  return out;
}

function metricNames(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const item of list) {
    if (!isMapping(item)) continue;
    const m = item.metric;
    if (typeof m === 'string') out.push(m);
    else if (m instanceof FunctionRef) out.push(m.toString());
  }
  return out;
}

function splits(cfg: Config): TaskSplits | undefined {
  const s: TaskSplits = {};
  const test = str(cfg.test_split);
  const validation = str(cfg.validation_split);
  const train = str(cfg.training_split);
  const fewshot = str(cfg.fewshot_split);
  if (test) s.test = test;
  if (validation) s.validation = validation;
  if (train) s.train = train;
  if (fewshot) s.fewshot = fewshot;
  return Object.keys(s).length > 0 ? s : undefined;
}

function displayPath(root: string, abs: string): string {
  const rel = path.relative(root, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}

/** What a config shows in the detail pane; computed when a file registers, so the config can be dropped. */
export type Details = Omit<TaskEntry, 'name' | 'type' | 'yaml_path' | 'root' | 'also_defined_in'>;

export function configDetails(cfg: Config, type: TaskType, harness: Harness): Details {
  const e: Details = {};
  if (type === 'group') e.members = groupMembers(cfg.task);
  else {
    const tags = declaredTags(cfg, harness);
    if (tags.length > 0) e.tags = tags;
  }
  const output = str(cfg.output_type);
  if (output) e.output_type = output;
  const dp = str(cfg.dataset_path);
  if (dp) e.dataset_path = dp;
  const dn = str(cfg.dataset_name);
  if (dn) e.dataset_name = dn;
  const sp = splits(cfg);
  if (sp) e.splits = sp;
  const metrics = metricNames(type === 'group' ? cfg.aggregate_metric_list : cfg.metric_list);
  if (metrics.length > 0) e.metrics = metrics;
  if (typeof cfg.num_fewshot === 'number' && Number.isInteger(cfg.num_fewshot)) e.num_fewshot = cfg.num_fewshot;
  const description = str(cfg.description);
  if (description) e.description = description;
  return e;
}

/** Turns a winning draft into the public entry (fields absent when the config has nothing for them). */
export function toEntry(d: Draft): TaskEntry {
  const e: TaskEntry = { name: d.name, type: d.type, yaml_path: d.rel, root: d.root, ...d.details };
  if (d.type === 'tag') e.members = sortedUnique(d.members ?? []);
  const own = d.rel === null ? null : (d.root.endsWith(path.sep) ? d.root : d.root + path.sep) + d.rel;
  const also = [...new Set(d.also)].filter((f) => f !== own);
  if (also.length > 0) e.also_defined_in = also.map((f) => displayPath(d.root, f));
  return e;
}
