/**
 * The compat submit routes take an Idempotency-Key too: a client of lmms-eval's server mode or of
 * lm-eval-server that retries after a connection reset gets the job its first request made, not a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compatEnv, newHomeDir, removeHome, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
let home: string;

beforeAll(async () => {
  home = newHomeDir();
  compatEnv(home);
  s = await startTestServer(home, { concurrency: 1 });
});
afterAll(async () => {
  // Let the queued jobs end before their directory goes.
  for (const j of s?.server.scheduler.list() ?? []) await s.server.scheduler.waitFor(j.id);
  await s?.close();
  removeHome(home);
});

describe('Idempotency-Key on the compat submit routes', () => {
  it('POST /evaluate (lmms-eval server mode): a repeat returns the same job_id; another request with the key is refused', async () => {
    const before = s.server.scheduler.list().length;
    const body = { model: 'demo', tasks: ['demo_mme'], limit: 2 };
    const a = await s.call('POST', '/evaluate', body, { 'idempotency-key': 'sm-1' });
    const b = await s.call('POST', '/evaluate', body, { 'idempotency-key': 'sm-1' });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.json.job_id).toBe(a.json.job_id);
    expect(s.server.scheduler.list().length).toBe(before + 1);
    const other = await s.call('POST', '/evaluate', { ...body, limit: 3 }, { 'idempotency-key': 'sm-1' });
    expect(other.status).toBe(409);
    expect(other.json.detail).toMatch(/different spec/);
    const c = await s.call('POST', '/evaluate', body, { 'idempotency-key': 'sm-2' });
    expect(c.json.job_id).not.toBe(a.json.job_id);
  });

  it('POST /job (lm-eval-server): a repeat returns the same integer job_id', async () => {
    const before = s.server.scheduler.list().length;
    const body = { model: 'hf', model_args: 'pretrained=gpt2', tasks: 'demo_mme', limit: 1 };
    const a = await s.call('POST', '/job', body, { 'idempotency-key': 'les-1' });
    const b = await s.call('POST', '/job', body, { 'idempotency-key': 'les-1' });
    expect(a.status).toBe(200);
    expect(b.json).toEqual(a.json);
    expect(s.server.scheduler.list().length).toBe(before + 1);
    const bad = await s.call('POST', '/job', body, { 'idempotency-key': 'has spaces' });
    expect(bad.status).toBe(400);
  });
});
