/**
 * Wire types of lmms-eval's server mode (`lmms_eval/entrypoints/protocol.py`), as `lmms-tui serve` speaks
 * them. Type-only, so the client can import them without pulling in the server.
 */
import type { MetricJson } from '../client/types.js';

export type SmJobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** `EvaluateRequest` with pydantic's defaults applied (what `JobInfo.request` echoes). */
export interface EvaluateRequest {
  model: string;
  tasks: string[];
  /** A dict (`{"pretrained": "…"}`), or, as an lmms-tui extension, the `k=v,…` string itself. */
  model_args: Record<string, unknown> | string | null;
  num_fewshot: number | null;
  batch_size: number | string | null;
  device: string | null;
  limit: number | null;
  gen_kwargs: string | null;
  log_samples: boolean;
  predict_only: boolean;
  num_gpus: number;
  output_dir: string | null;
}

export interface JobSubmitResponse {
  job_id: string;
  status: SmJobStatus;
  position_in_queue: number;
  message: string;
}

/** One model directory of a finished job: the original's paths, plus lmms-tui's parsed metrics. */
export interface SmModelResult {
  results: string;
  samples: string[];
  metrics: MetricJson[];
}

export interface JobInfo {
  job_id: string;
  status: SmJobStatus;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  request: EvaluateRequest;
  result: Record<string, SmModelResult> | null;
  error: string | null;
  /** 0-based place among queued jobs; null once the job has left the queue. */
  position_in_queue: number | null;
}

export interface QueueStatusResponse {
  queue_size: number;
  /** The oldest running job (the original ran one at a time). */
  running_job: string | null;
  queued_jobs: string[];
  completed_jobs: number;
  failed_jobs: number;
  /** lmms-tui extension: every running job (several when the queue runs jobs in parallel). */
  running_jobs: string[];
}

export interface HealthResponse {
  status: 'healthy';
  timestamp: string;
  queue_size: number;
}
