/**
 * The host's side of the Explain view, without `vscode` (the webview tests play the host with it too): answers
 * `requestOutput` from the run, and `requestExplain` by starting the work in an engine worker (progress forwarded,
 * at most every 100 ms), `cancelExplain` by stopping it. One explanation at a time: a new one (another target
 * clicked) or a new run stops the one under way.
 */
import { outputMessage, type ExplainRun } from '../../panel/explain-view';
import type { FromWebview, ToWebview } from '../../protocol';
import { startExplain, type ExplainJob } from '../../worker/explain-client';
import { isGraph } from '../../formats/loaded-model';
import { runInput, type PanelSession } from './session';
import { phrase, verbatim } from '../../phrase';

type ExplainMessage = Extract<FromWebview, { type: 'requestOutput' | 'requestExplain' | 'cancelExplain' }>;

export const isExplainMessage = (m: FromWebview): m is ExplainMessage => m.type === 'requestOutput' || m.type === 'requestExplain' || m.type === 'cancelExplain';

/** The run a session shows, as an explanation needs it; null for an ONNX graph (explanations re-run a layer chain). */
export function explainRunOf(s: PanelSession): ExplainRun | null {
  const loaded = s.inputs.loaded;
  if (isGraph(loaded)) return null;
  return {
    model: loaded.model,
    // Every input of a model with several: the engine attributes to each (src/explain/inputs.ts).
    input: runInput(s.inputs),
    precision: s.result.trace?.precision ?? s.inputs.precision ?? 'float64',
    predictCalls: s.inputs.predictCalls ?? loaded.predictCalls ?? 1,
    layers: s.trace.map((lt) => ({ layerIndex: lt.layerIndex, direction: lt.direction })),
  };
}

export class ExplainRequests {
  private job: { id: number; job: ExplainJob } | null = null;

  constructor(
    private readonly post: (m: ToWebview) => void,
    private readonly workerPath?: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Answers one of the Explain view's messages about the run `s` shows. */
  handle(s: PanelSession, m: ExplainMessage): void {
    if (m.type === 'requestOutput') return this.post(outputMessage(s.result, m.batch, m.output, m.id));
    if (m.type === 'cancelExplain') {
      if (this.job?.id === m.request) this.stop();
      return;
    }
    this.stop();
    let last = 0;
    const id = m.id;
    const { type: _t, id: _i, ...ask } = m;
    const run = explainRunOf(s);
    if (!run) return this.post({ type: 'explainError', re: id, message: phrase('an ONNX graph is not explained in the panel (explanations re-run a Keras-style layer chain); open the PyTorch or Keras model it was exported from') });
    const job = startExplain(run, ask, {
      workerPath: this.workerPath,
      onProgress: (phase, done, total) => {
        const now = Date.now();
        if (now - last < 100 && done < total) return;
        last = now;
        this.post({ type: 'explainProgress', re: id, phase, done, total });
      },
    });
    this.job = { id, job };
    job.promise.then(
      (e) => {
        if (this.job?.job === job) this.job = null;
        this.log(`[panel] explained ${m.method} of [${[m.batch, ...m.target].join(', ')}] in ${e.ms.toFixed(0)} ms (${job.where})`);
        this.post({ ...e, re: id });
      },
      (e: unknown) => {
        if (this.job?.job === job) this.job = null;
        // By name: a test may load the worker client twice (two class identities).
        const message = e instanceof Error && e.name === 'RunCancelledError' ? phrase('the explanation was cancelled') : verbatim(e instanceof Error ? e.message : String(e));
        this.post({ type: 'explainError', re: id, message });
      },
    );
  }

  /** Stops the explanation under way (a new run, the panel closed). */
  stop(): void {
    const j = this.job;
    this.job = null;
    if (j) void j.job.cancel();
  }
}
