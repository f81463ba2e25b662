import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { demoHarnessDir } from '../../src/core/paths.js';
import { demoEnv, listModels, locateHarness, parseModelRegistry, type ModelInfo } from '../../src/core/discovery/index.js';
import { fakeSite, FIXTURES, siteEnv } from './helpers.js';

const REGISTRY = path.join(FIXTURES, 'registry');
const lmmsSource = readFileSync(path.join(REGISTRY, 'lmms_models_init.py'), 'utf8');
const byName = (models: ModelInfo[]): Record<string, ModelInfo> => Object.fromEntries(models.map((m) => [m.name, m]));

describe('static model registry, lmms-eval format', () => {
  const models = parseModelRegistry(lmmsSource, 'lmms-eval');
  const m = byName(models);

  it('lists every id once, sorted, with its kind', () => {
    expect(models.map((x) => x.name)).toEqual(['aero', 'async_openai', 'both_kinds', 'broken_simple', 'chat_only', 'dotted', 'single_quoted', 'tuple_wrapped']);
    expect(m.both_kinds!.kind).toBe('chat+simple');
    expect(m.chat_only!.kind).toBe('chat');
    expect(m.aero!.kind).toBe('simple');
    expect(models.every((x) => x.source === 'static')).toBe(true);
  });

  it('builds class paths, keeping dotted ones as written', () => {
    expect(m.both_kinds).toMatchObject({ chat_class: 'lmms_eval.models.chat.both_kinds.BothChat', simple_class: 'lmms_eval.models.simple.both_kinds.BothSimple' });
    expect(m.dotted!.simple_class).toBe('some_plugin.models.Dotted');
    expect(m.tuple_wrapped!.simple_class).toBe('lmms_eval.models.simple.tuple_wrapped.TupleWrapped');
  });

  it('reads aliases, dropping repeats and the id itself', () => {
    expect(m.async_openai!.aliases).toEqual(['async_openai_compatible_chat', 'async_openai_compatible']);
    expect(m.chat_only!.aliases).toEqual(['chat_only_v1']);
    expect(m.aero!.aliases).toEqual(['aero_alias']);
  });
});

describe('static model registry, lm-eval format', () => {
  it('treats names sharing a class as aliases and marks chat-completions wrappers', () => {
    const m = byName(parseModelRegistry(readFileSync(path.join(REGISTRY, 'lm_models_init.py'), 'utf8'), 'lm-eval'));
    expect(m.hf).toMatchObject({ aliases: ['hf-auto', 'huggingface'], kind: 'simple', target: 'lm_eval.models.huggingface:HFLM' });
    expect(m['local-chat-completions']!.kind).toBe('chat');
    expect(m.vllm!.aliases).toEqual([]);
  });
});

// The shared corpus sits beside the repository: <repo>/../shared/corpus.
const CORPUS = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), '..', 'shared', 'corpus', 'lmms-eval-models.json');
if (!existsSync(CORPUS)) console.log(`model corpus check skipped: no ${CORPUS}`);

describe.skipIf(!existsSync(CORPUS))('agreement with the corpus model list', () => {
  it('reads back all 117 ids and their aliases from a registry file written in the real format', () => {
    const expected = JSON.parse(readFileSync(CORPUS, 'utf8')).models as Record<string, { aliases: string[]; type: string; chat_class_path?: string; simple_class_path?: string }>;
    const cls = (id: string, kind: string, p: string): string => (p === `lmms_eval.models.${kind}.${id}.${p.split('.').pop()}` ? p.split('.').pop()! : p);
    const dict = (name: string, kind: 'chat' | 'simple') =>
      `${name} = {\n${Object.entries(expected)
        .filter(([, v]) => v[`${kind}_class_path`])
        .map(([id, v]) => `    "${id}": "${cls(id, kind, v[`${kind}_class_path`]!)}",`)
        .join('\n')}\n}\n`;
    const aliases = `MODEL_ALIASES: dict[str, tuple[str, ...]] = {\n${Object.entries(expected)
      .filter(([, v]) => v.aliases.length)
      .map(([id, v]) => `    "${id}": (${v.aliases.map((a) => `"${a}"`).join(', ')},),`)
      .join('\n')}\n}\n`;
    const source = `import os\n\n${dict('AVAILABLE_SIMPLE_MODELS', 'simple')}\n${dict('AVAILABLE_CHAT_TEMPLATE_MODELS', 'chat')}\n${aliases}`;
    const ours = byName(parseModelRegistry(source, 'lmms-eval'));
    expect(Object.keys(ours).sort()).toEqual(Object.keys(expected).sort());
    for (const [id, v] of Object.entries(expected)) {
      expect({ id, aliases: ours[id]!.aliases, kind: ours[id]!.kind, chat: ours[id]!.chat_class, simple: ours[id]!.simple_class }).toEqual({
        id,
        aliases: v.aliases,
        kind: v.type,
        chat: v.chat_class_path,
        simple: v.simple_class_path,
      });
    }
  });
});

describe('listModels', () => {
  const site = fakeSite('lmms-eval', path.join(FIXTURES, 'lmms', 'tasks'), { registry: path.join(REGISTRY, 'lmms_models_init.py') });
  afterAll(() => site.cleanup());
  const classFile = (kind: string, id: string, body: string) => {
    mkdirSync(path.join(site.pkg, 'models', kind), { recursive: true });
    writeFileSync(path.join(site.pkg, 'models', kind, `${id}.py`), body);
  };
  classFile('simple', 'aero', 'class Aero:\n    pass\n');
  classFile('simple', 'both_kinds', 'class BothSimple:\n    pass\n');
  classFile('chat', 'both_kinds', 'class BothChat:\n    pass\n');
  classFile('chat', 'chat_only', 'class ChatOnly:\n    pass\n');
  classFile('chat', 'async_openai', 'class AsyncOpenAIChat:\n    pass\n');
  classFile('simple', 'single_quoted', 'class SingleQuoted:\n    pass\n');
  classFile('simple', 'tuple_wrapped', 'class TupleWrapped:\n    pass\n');
  classFile('simple', 'broken_simple', 'class SomethingElse:\n    pass\n');

  it('reads the installed registry and flags classes that do not exist', async () => {
    const location = await locateHarness({ harness: 'lmms-eval', python: 'python3', env: siteEnv(site.site), maxAgeMs: 0 });
    const m = byName(await listModels(location));
    expect(m.broken_simple!.problem).toBe('simple class NotThere not found in lmms_eval/models/simple/broken_simple.py');
    expect(Object.values(m).filter((x) => x.problem).map((x) => x.name)).toEqual(['broken_simple']);
    expect(m.plugin_model).toBeUndefined();
  });

  it('with probe, also sees models registered at import time (plugins)', async () => {
    const location = await locateHarness({ harness: 'lmms-eval', python: 'python3', env: siteEnv(site.site), maxAgeMs: 0 });
    const models = await listModels(location, { probe: true, env: siteEnv(site.site) });
    expect(byName(models).plugin_model).toMatchObject({ source: 'probe', kind: 'chat', aliases: ['plugin_alias'], chat_class: 'my_plugin.models.PluginChat' });
    expect(models.filter((x) => x.source === 'static')).toHaveLength(8);
  });

  it.skipIf(!existsSync(path.join(demoHarnessDir(), 'lm_eval')))('probes the demo lm_eval registry', async () => {
    const env = demoEnv(siteEnv(null));
    const location = await locateHarness({ harness: 'lm-eval', python: 'python3', env, maxAgeMs: 0 });
    const statics = await listModels(location);
    const probed = await listModels(location, { probe: true, env });
    expect(probed.map((x) => x.name)).toEqual(statics.map((x) => x.name));
    expect(statics.find((x) => x.name === 'hf')?.aliases.length).toBeGreaterThan(0);
  });
});
