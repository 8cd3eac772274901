/**
 * The Explain views' data in the webview: the model output the target is picked from, the explanation under way
 * (its request id and progress) and the last one that came. Pure (no DOM): the views read it, the message handlers
 * feed it. Only the answer to the newest request counts; an older one (another target clicked since) is dropped.
 */
import type { ExplainProgressMessage, ExplanationMessage, FromWebview, OutputMessage } from '../protocol';
import type { ExplainAsk } from './explain-view';
import { Requests } from './requests';
import type { Phrase } from '../phrase';

export class ExplainSource {
  output: OutputMessage | null = null;
  result: ExplanationMessage | null = null;
  /** The explanation under way: its request id and where it is. */
  running: { id: number; ask: ExplainAsk; progress: ExplainProgressMessage | null } | null = null;
  /** Why the last explanation did not come (the engine's message, or "cancelled"). */
  /** Why the last explanation failed (worded for the page), or 'cancelled' when the user stopped it. */
  error: Phrase | 'cancelled' | null = null;
  private readonly requests: Requests;

  constructor(private readonly post: (m: FromWebview) => void) {
    this.requests = new Requests(post);
  }

  /** Asks for one batch item of output `output` unless it is here or on its way. */
  askOutput(batch: number, output: number): void {
    if (this.output && this.output.batch === batch && this.output.output === output) return;
    this.requests.ask(`out/${batch}/${output}`, { type: 'requestOutput', batch, output });
  }

  /** Starts an explanation (stopping the one under way). */
  explain(ask: ExplainAsk): void {
    if (this.running) this.post({ type: 'cancelExplain', request: this.running.id });
    const id = this.requests.ask(null, { type: 'requestExplain', ...ask });
    this.running = { id, ask, progress: null };
    this.error = null;
  }

  cancel(): void {
    if (!this.running) return;
    this.post({ type: 'cancelExplain', request: this.running.id });
    this.running = null;
    this.error = 'cancelled';
  }

  /** The result of `ask` is shown (or on its way): nothing to request. */
  has(ask: ExplainAsk): boolean {
    const a = this.running?.ask ?? this.resultAsk;
    return !!a && JSON.stringify(a) === JSON.stringify(ask);
  }
  private resultAsk: ExplainAsk | null = null;

  onOutput(m: OutputMessage): boolean {
    if (!this.requests.settle(m.re) && m.re !== 0) return false;
    this.output = m;
    return true;
  }

  onProgress(m: ExplainProgressMessage): boolean {
    if (this.running?.id !== m.re) return false;
    this.running.progress = m;
    return true;
  }

  onExplanation(m: ExplanationMessage): boolean {
    this.requests.settle(m.re);
    if (this.running?.id !== m.re) return false;
    this.resultAsk = this.running.ask;
    this.running = null;
    this.result = m;
    return true;
  }

  onError(m: { re: number; message: Phrase }): boolean {
    this.requests.settle(m.re);
    if (this.running?.id !== m.re) return false;
    this.resultAsk = this.running.ask;
    this.running = null;
    this.error = m.message;
    return true;
  }
}
