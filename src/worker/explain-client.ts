/**
 * Explains one target off the calling thread as an engine-worker job (src/worker/job.ts: one worker per request),
 * the run's model and input structured-cloned in, progress posted back, the explanation's arrays transferred.
 * Without a worker bundle the work happens in-process, with the same result. No `vscode` import: node tests drive
 * this directly.
 */
import { explainForPanel, type ExplainAsk, type ExplainPhase, type ExplainRun } from '../panel/explain-view';
import type { ExplanationMessage } from '../protocol';
import { errorOfReply, startWorkerJob, type WorkerJob } from './job';
import type { ExplainWorkerReply, ExplainWorkerRequest } from './protocol';

export type ExplainJob = WorkerJob<ExplanationMessage>;

export interface ExplainJobOptions {
  workerPath?: string | undefined;
  onProgress?: ((phase: ExplainPhase, done: number, total: number) => void) | undefined;
}

export function startExplain(run: ExplainRun, ask: ExplainAsk, o: ExplainJobOptions = {}): ExplainJob {
  return startWorkerJob<ExplanationMessage, ExplainWorkerReply>({
    workerPath: o.workerPath,
    request: { explain: true, run, ask } satisfies ExplainWorkerRequest,
    what: 'the explanation',
    inProcess: () => explainForPanel(run, ask, o.onProgress),
    reply: (r) => {
      if (r.type === 'progress') return void o.onProgress?.(r.phase, r.done, r.total);
      return r.type === 'explanation' ? { value: r.message } : { error: errorOfReply(r) };
    },
  });
}
