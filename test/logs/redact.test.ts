import { describe, expect, it } from 'vitest';
import { MASK, redactSecrets, secretEnvValues } from '../../src/core/logs/redact.js';

const HF = 'hf_AbCdEfGhIjKlMnOpQrStUvWx12';

describe('redactSecrets', () => {
  it("masks the hub token lmms-eval logs in clear text (harness-facts §7.4)", () => {
    const line = `2026-11-22 10:06:37 | INFO     | lmms_eval.__main__:cli_evaluate:625 - Evaluation tracker args: {'output_path': './out', 'token': '${HF}'}`;
    const out = redactSecrets(line);
    expect(out).not.toContain(HF);
    expect(out).toContain(`'token': '${MASK}'`);
    expect(out).toContain("'output_path': './out'");
  });

  it.each([
    [`export HF_TOKEN=${HF}`, `export HF_TOKEN=${MASK}`],
    ['OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz', `OPENAI_API_KEY=${MASK}`],
    [`hub_log_args=token=${HF},hub_repo_name=x`, `hub_log_args=token=${MASK},hub_repo_name=x`],
    ['{"api_key": "s3cr3t-value", "model": "gpt-4o"}', `{"api_key": "${MASK}", "model": "gpt-4o"}`],
    ["OpenAI(api_key='s3cr3t-value')", `OpenAI(api_key='${MASK}')`],
    ['password: hunter2hunter2', `password: ${MASK}`],
    ['AWS_SECRET_ACCESS_KEY: "abc/def+ghi"', `AWS_SECRET_ACCESS_KEY: "${MASK}"`],
    ['Authorization: Bearer abcdefghijklmnopqrstuvwx', `Authorization: Bearer ${MASK}`],
    [`a bare ${HF} in text`, `a bare ${MASK} in text`],
    ['key sk-ant-abcdefghijklmnopqrstuvwxyz0123 here', `key ${MASK} here`],
  ])('%s', (line, expected) => {
    expect(redactSecrets(line)).toBe(expected);
  });

  it('leaves ordinary settings that merely mention tokens or keys alone', () => {
    for (const line of [
      'pretrained=gpt2,max_new_tokens=256,eos_token=</s>,pad_token=<pad>',
      '{"sort_key": "name", "doc_key": "id"}',
      'Token Usage - Input: 100 | Output: 20 | Total: 120',
      "token: None, api_key=''",
      '|hellaswag    |      1|none  |     0|acc   |↑  |0.2891|±  |0.0045|',
    ]) {
      expect(redactSecrets(line)).toBe(line);
    }
  });

  it('masks literal secret values wherever they appear, longest first', () => {
    const out = redactSecrets('using abc123secret and abc123secretEXTRA; short x', ['abc123secret', 'abc123secretEXTRA', 'x']);
    expect(out).toBe(`using ${MASK} and ${MASK}; short x`);
  });
});

describe('secretEnvValues', () => {
  it('collects values of secret-looking variables and skips flags and short values', () => {
    expect(
      secretEnvValues({ HF_TOKEN: HF, OPENAI_API_KEY: 'sk-12345678', DB_PASSWORD: 'pw-long-enough', USE_KEY: 'true', TOKEN_COUNT: '42', PATH: '/usr/bin', EMPTY_SECRET: '' }),
    ).toEqual([HF, 'sk-12345678', 'pw-long-enough']);
  });
});
