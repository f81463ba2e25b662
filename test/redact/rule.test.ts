import { describe, expect, it } from 'vitest';
import {
  isSecretName,
  MASK,
  redactEnvLine,
  redactJob,
  redactScript,
  redactSecrets,
  redactSpec,
  specHasSecrets,
  specSecrets,
} from '../../src/core/redact.js';
import { buildCommand } from '../../src/core/command/build.js';
import type { EvalSpec } from '../../src/core/spec.js';

describe('isSecretName', () => {
  it.each([
    'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'WANDB_API_KEY', 'OPENAI_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'MY_PASSWORD',
    'DB_PASS', 'PGPASSWORD', 'GITHUB_TOKEN', 'token', 'api_key', 'apiKey', 'APIKey', 'access_token', 'accessToken',
    'client_secret', 'secret', 'password', 'passwd', 'HF_AUTH', 'Authorization', 'GOOGLE_CREDENTIALS', 'credentials',
    'private_key', 'secret_key', 'KEY', 'x-api-key', 'auth_token', 'use_auth_token', 'id_token', 'bot_token',
    'HFTOKEN', 'SESSION_COOKIE', 'ssh_passphrase', 'hub.token',
  ])('%s is secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'max_new_tokens', 'max_tokens', 'eos_token', 'pad_token', 'bos_token', 'image_token', 'eosToken', 'sort_key', 'doc_key',
    'PASSES', 'NUM_PASSES', 'AUTHOR', 'AUTHORS', 'TOKENIZERS_PARALLELISM', 'tokenizer', 'PWD', 'OLDPWD', 'SSH_AUTH_SOCK',
    'KEYBOARD', 'MONKEY', 'HF_HOME', 'PATH', 'PASSTHROUGH', 'BYPASS', 'COMPASS', 'num_tokens', 'TOKEN_COUNT', 'pretrained',
    'cache_key', 'answer_key', 'SECRET_SANTA_LIST', '',
  ])('%s is ordinary', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

const HF = 'hf_AbCdEfGhIjKlMnOpQrStUvWx12';

describe('redactSecrets: must mask', () => {
  it.each([
    [`export HF_TOKEN=${HF}`, `export HF_TOKEN=${MASK}`],
    ['export MY_PASSWORD=hunter2', `export MY_PASSWORD=${MASK}`],
    ["export MY_PASSWORD='two words'", `export MY_PASSWORD='${MASK}'`],
    ['pretrained=gpt2,api_key=abc123,max_new_tokens=5', `pretrained=gpt2,api_key=${MASK},max_new_tokens=5`],
    ["--model_args 'model=gpt-4o,base_url=http://x/v1,api_key=abc123'", `--model_args 'model=gpt-4o,base_url=http://x/v1,api_key=${MASK}'`],
    ['curl -H "Authorization: Bearer abc.def"', `curl -H "Authorization: Bearer ${MASK}"`],
    ['Authorization: Basic dXNlcjpwYXNz', `Authorization: Basic ${MASK}`],
    ['authorization=abcdef', `authorization=${MASK}`],
    ['pip install --index-url https://me:s3cr3t@pypi.example/simple x', `pip install --index-url https://me:${MASK}@pypi.example/simple x`],
    ['huggingface-cli login --token abcdef123', `huggingface-cli login --token ${MASK}`],
    ['curl http://h/x?token=abc123&page=2', `curl http://h/x?token=${MASK}&page=2`],
    ['url=http://h/x?token=abc123', `url=http://h/x?token=${MASK}`],
    ['hub_log_args=token=abc123,x=1', `hub_log_args=token=${MASK},x=1`],
    ['x-api-key: abc123', `x-api-key: ${MASK}`],
    ['{"apiKey": "abc123"}', `{"apiKey": "${MASK}"}`],
    ['DB_PASS=pw123456; run', `DB_PASS=${MASK}; run`],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked', `${MASK} leaked`],
  ])('%s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });
});

describe('redactSecrets: must not mask', () => {
  it.each([
    'pretrained=gpt2,max_new_tokens=256,eos_token=</s>,pad_token=<pad>,bos_token=<s>',
    '{"sort_key": "name", "doc_key": "id"}',
    'PASSES=3 AUTHOR=me TOKENIZERS_PARALLELISM=false',
    'export HF_TOKEN=${HF_TOKEN}',
    'export HF_TOKEN=$HF_TOKEN',
    'use_auth_token=True',
    'token: None, api_key=\'\'',
    'https://huggingface.co/datasets/lmms-lab/MME',
    'Authorization: Bearer',
    '--max_new_tokens 5 --token',
    '2026-11-22 10:06:37 | INFO | lmms_eval.__main__:cli_evaluate:625 - done',
  ])('%s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('structured helpers', () => {
  const spec: EvalSpec = {
    harness: 'lmms-eval',
    model: 'openai_compatible',
    model_args: 'model_version=gpt-4o,api_key=sk-test-abcdef,max_new_tokens=16',
    tasks: ['mme'],
    env: ['HF_TOKEN=hf_demo_secret_value', 'export WANDB_API_KEY="wb-key-123456"', 'HF_HOME=/data/hf', 'REF=${HF_TOKEN}'],
    setup: 'source /opt/venv/bin/activate && export MY_PASSWORD=pa55word-xyz',
    gen_kwargs: 'temperature=0,max_new_tokens=8',
    hf_hub_log_args: 'hub_results_org=me,token=tok-abcdef123',
    extra_args: ['--api_key', 'extra-secret-1'],
  };
  const clear = ['hf_demo_secret_value', 'wb-key-123456', 'pa55word-xyz', 'sk-test-abcdef', 'tok-abcdef123', 'extra-secret-1'];

  it('specSecrets collects the literal values of env lines, set-up exports and secret k=v keys', () => {
    expect(specSecrets(spec).sort()).toEqual(['hf_demo_secret_value', 'pa55word-xyz', 'sk-test-abcdef', 'tok-abcdef123', 'wb-key-123456']);
    expect(specSecrets(spec, { OPENAI_API_KEY: 'env-secret-99', HOME: '/root' })).toContain('env-secret-99');
  });

  it('redactSpec masks every field that holds one and keeps the rest', () => {
    const r = redactSpec(spec);
    const text = JSON.stringify(r);
    for (const s of clear) expect(text).not.toContain(s);
    expect(r.env).toEqual([`HF_TOKEN=${MASK}`, `export WANDB_API_KEY=${MASK}`, 'HF_HOME=/data/hf', 'REF=${HF_TOKEN}']);
    expect(r.setup).toBe(`source /opt/venv/bin/activate && export MY_PASSWORD=${MASK}`);
    expect(r.model_args).toBe(`model_version=gpt-4o,api_key=${MASK},max_new_tokens=16`);
    expect(r.gen_kwargs).toBe(spec.gen_kwargs);
    expect(r.tasks).toEqual(['mme']);
    expect(spec.env![0]).toBe('HF_TOKEN=hf_demo_secret_value'); // the original is untouched
    expect(specHasSecrets(spec)).toBe(true);
    expect(specHasSecrets({ harness: 'lmms-eval', model: 'x', tasks: ['mme'], env: ['HF_HOME=/x'] })).toBe(false);
  });

  it('redactScript masks the job script built from the spec, everywhere a value reappears', () => {
    const script = buildCommand(spec, { cwd: '/tmp' }).script;
    for (const s of clear.slice(0, 5)) expect(script).toContain(s);
    const masked = redactScript(script, specSecrets(spec));
    for (const s of clear) expect(masked).not.toContain(s);
    expect(masked).toContain(`export HF_TOKEN=${MASK}\n`);
    expect(masked).toContain('export HF_HOME=/data/hf\n');
  });

  it('redactJob masks spec, script, error, log tail and the secret-named values of the captured env', () => {
    const job = {
      spec,
      script: buildCommand(spec, { cwd: '/tmp' }).script,
      env: { OPENAI_API_KEY: 'env-secret-99', HOME: '/root' },
      error: 'failed: 401 for key env-secret-99',
      error_tail: ['token hf_demo_secret_value rejected'],
      id: 'abc',
    };
    const r = redactJob(job);
    const text = JSON.stringify(r);
    for (const s of [...clear, 'env-secret-99']) expect(text).not.toContain(s);
    expect(r.env).toEqual({ OPENAI_API_KEY: MASK, HOME: '/root' });
    expect(r.id).toBe('abc');
  });

  it('redactEnvLine keeps references and comments', () => {
    expect(redactEnvLine('HF_TOKEN=${HF_TOKEN}')).toBe('HF_TOKEN=${HF_TOKEN}');
    expect(redactEnvLine('# old HF_TOKEN=abcdef123')).toBe(`# old HF_TOKEN=${MASK}`);
    expect(redactEnvLine('# cache dir')).toBe('# cache dir');
    expect(redactEnvLine('HF_TOKEN=')).toBe('HF_TOKEN=');
  });
});

describe('redactSpec on JSON-like requests (compat echoes)', () => {
  it('masks strings under secret-named keys at any depth and k=v text everywhere', () => {
    const req = { model: 'openai', model_args: { pretrained: 'x', api_key: 'nested-secret-1' }, env_vars: { HF_TOKEN: 'nested-secret-2', FOO: 'bar' }, tasks: ['mme'], limit: 3, gen_kwargs: 'token=abc123def' };
    const r = redactSpec(req);
    expect(r).toEqual({ model: 'openai', model_args: { pretrained: 'x', api_key: MASK }, env_vars: { HF_TOKEN: MASK, FOO: 'bar' }, tasks: ['mme'], limit: 3, gen_kwargs: `token=${MASK}` });
  });
});
