/**
 * The Cellscope visualizer panel, host side: one WebviewPanel per model file (opening it again reveals it), the engine
 * run once (in the engine worker), init + comparison sent when the webview says `ready`; a layer's trace is sent on
 * request, whole when small, else kept here and sent as what the webview draws (series, heat columns, windows).
 * A WebviewPanelSerializer brings the panel back after a window reload by re-loading the model from the URI saved in
 * the webview's state.
 */
import * as vscode from 'vscode';
import { traceToCsv, traceToJson } from '../../engine/trace-export';
import type { OpenedModel } from '../../formats/loaded-model';
import { readExpected } from '../isolation';
import { currentLimits } from '../limits';
import { loadForPanel } from './replay-open';
import { summarizeComparison } from '../../compare/compare';
import { isFromWebview, isPanelState, type FromWebview, type PanelPrecision, type PortCheckMessage, type RunMessage, type StepAction, type ToWebview } from '../../protocol';
import type { Tensor } from '../../engine/index';
import { LoadError, type ModelChoices } from '../../formats/index';
import { loadErrorText, pageWords } from '../l10n';
import { tellUser } from '../user-messages';
import { makeNonce, panelHtml } from './html';
import { baseName, findInputs, readInputFile, recordedOutputs, type RunInputs } from './inputs';
import { saveInputAs } from './playground';
import type { PanelRunInfo, PanelStateInfo } from './panel-info';
import { PanelSession, type SessionFiles } from './session';
import { PortCompare } from './port-compare';
import { StepDelivery } from './step-delivery';
import { RunFilesWatch } from './file-watch';
import { applyEditShown } from '../../panel/time-major';
import { ExplainRequests, isExplainMessage } from './explain-requests';
import { RunCancelledError, type EngineRun, type EngineRunOptions } from '../../worker/client';
import { channel } from '../../transport';

export const PANEL_VIEW_TYPE = 'cellscope.visualizer';

const panels = new Map<string, vscode.WebviewPanel>();
let log: vscode.OutputChannel | undefined;
/** dist/host.js as the engine worker: the engine runs there, off the extension host's main thread (set on the first attach). */
let workerPath: string | undefined;
/** Runs longer than this show a cancellable progress notification. */
const PROGRESS_AFTER_MS = 200;

function logLine(text: string): void {
  log ??= vscode.window.createOutputChannel('Cellscope Panel');
  log.appendLine(text);
}

function panelOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  };
}

/** Tab title: `Cellscope: sine-lstm/model.cellscope.json` (with the folder: many models share a file name). */
const panelTitle = (uri: vscode.Uri): string => `Cellscope: ${uri.path.split('/').filter(Boolean).slice(-2).join('/')}`;

/** The host's end of the panel's channel (src/transport.ts): the wire encoding, the guard and the log line for a dropped message. */
function channelOf(panel: vscode.WebviewPanel) {
  return channel<FromWebview, ToWebview>({
    post: (wire) => void panel.webview.postMessage(wire),
    accepts: isFromWebview,
    log: (text) => logLine(`[panel] ${text} from the webview`),
  });
}

function post(panel: vscode.WebviewPanel, m: ToWebview): void {
  channelOf(panel).send(m);
}

const errorText = (e: unknown) => (e instanceof LoadError ? loadErrorText(e) : e instanceof Error ? e.message : String(e));

export type { PanelRunInfo, PanelStateInfo } from './panel-info';

/**
 * One visualizer panel: its model file, optional input / recording files chosen by the user, the last good engine
 * run, and file watchers that re-run it when any of those files changes on disk.
 */
export class CellscopePanel {
  readonly key: string;
  private session: Promise<PanelSession>;
  private good: PanelSession | undefined;
  private inputUri: vscode.Uri | undefined;
  private recordingUri: vscode.Uri | undefined;
  /** Re-runs when the model, input or recording file changes on disk (not after the panel is disposed). */
  private readonly files = new RunFilesWatch(() => {
    if (this.disposed) return;
    this.supersedeRun();
    void this.rerun();
  }, logLine);
  private runs = 0;
  private lastError: string | null = null;
  private position = { layer: -1, batch: -1, step: -1 };
  readonly steps = new StepDelivery((action) => post(this.panel, { type: 'step', action }));
  private disposed = false;
  /** Settles after the running (re-)load, whatever its outcome. */
  private pending: Promise<unknown> = Promise.resolve();
  /** The engine run under way, if any. */
  private running: EngineRun | undefined;
  private progressShown = false;
  private lastRun: PanelRunInfo['lastRun'] = null;
  private cancelledRuns = 0;
  /** Runs stopped because a newer one replaced them (not the user's cancel: no banner). */
  private readonly superseded = new WeakSet<EngineRun>();
  /** The run under way is for a newly chosen input or recording file. */
  private choiceRun = false;
  /** The session whose comparison the webview last got (a later diagnosis from the worker is sent for it). */
  private comparisonSent: PanelSession | undefined;
  /** The input as edited in the playground (null: the file's), the arithmetic chosen with the panel's switch. */
  private edited: Tensor | null = null;
  private precision: PanelPrecision | undefined;
  /** Counts playground requests: a queued one that a newer one replaced is skipped. */
  private playGen = 0;
  private explainer: ExplainRequests | undefined;
  private porter: PortCompare | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly fileUri: vscode.Uri,
    loaded: Promise<OpenedModel>,
    /** What the file leaves to the user (a state dict's module, nn.RNN's nonlinearity), as last picked. */
    private choices: ModelChoices = {},
  ) {
    this.key = fileUri.toString();
    this.session = loaded.then((lm) => this.build(lm));
    this.session.then(
      (s) => {
        this.good = s;
        this.runs++;
        this.followDiagnosis(s);
      },
      (e) => {
        if (e instanceof SupersededRun) return;
        this.lastError = loadFailureText(e, fileUri);
        if (mustTell(e)) tellUser('error', this.lastError);
      },
    );
    this.pending = this.session.catch(() => undefined);
    this.watchFiles();
  }

  private watchFiles(): void {
    this.files.watch(this.fileUri, this.inputUri, this.recordingUri);
  }

  private async build(lm: OpenedModel, inputUri = this.inputUri, recordingUri = this.recordingUri, edited = this.edited, precision = this.precision): Promise<PanelSession> {
    // An edited input has no recording to compare with: Keras never ran on it.
    let found: RunInputs = edited
      ? { input: edited, predictCalls: 'predictCalls' in lm ? lm.predictCalls : 1, inputName: 'edited in the panel', recordingName: null }
      : inputUri
        ? await readInputFile(inputUri, lm)
        : await findInputs(lm, this.fileUri);
    if (recordingUri && !edited) {
      const rec = await readExpected(await vscode.workspace.fs.readFile(recordingUri), baseName(recordingUri), currentLimits());
      found = { ...found, ...recordedOutputs(rec), recordingName: baseName(recordingUri) };
    }
    const files: SessionFiles = { fileUri: this.key, model: baseName(this.fileUri), input: found.inputName, recording: found.recordingName };
    let report: EngineRunOptions['onProgress'];
    const started = PanelSession.start(
      { loaded: lm, input: found.input, inputs: found.inputs, expected: found.expected, expectedOutputs: found.expectedOutputs, predictCalls: found.predictCalls, files, precision, edited: !!edited },
      // In the extension host (VS Code for the Web) the run goes a block of batch items (or time steps) at a time.
      { workerPath, onProgress: (done, total, unit) => report?.(done, total, unit), onFallback: (why) => logLine(`[panel] running ${baseName(this.fileUri)} in the extension host: ${why}`) },
    );
    const run = started.run;
    this.running = run;
    const t0 = Date.now();
    let done = false;
    const finished = started.session.finally(() => {
      done = true;
      if (this.running === run) {
        this.running = undefined;
        this.progressShown = false;
      }
    });
    // A long run shows a cancellable notification; Cancel terminates the worker (or stops the blocks in-process).
    const timer = setTimeout(() => {
      if (done || this.disposed) return;
      this.progressShown = true;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Cellscope: running {0}…', baseName(this.fileUri)), cancellable: true },
        (progress, token) => {
          let shown = 0;
          report = (done, total, unit) => (progress.report({ increment: (100 * done) / total - shown, message: unit === 'steps' ? vscode.l10n.t('{0} of {1} time steps', done, total) : vscode.l10n.t('{0} of {1} batch items', done, total) }), (shown = (100 * done) / total));
          token.onCancellationRequested(() => void this.cancelRun());
          return finished.catch(() => undefined);
        },
      );
    }, PROGRESS_AFTER_MS);
    try {
      const s = await finished;
      const where = (await run.promise).where;
      this.lastRun = { where, runMs: s.runMs };
      logLine(`[panel] ran ${baseName(this.fileUri)} (${where}) in ${s.runMs.toFixed(0)} ms engine, ${Date.now() - t0} ms in all`);
      return s;
    } catch (e) {
      if (e instanceof RunCancelledError && this.superseded.has(run)) throw new SupersededRun();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A file changed while a run is under way: that run is stale; stop it so the new one starts at once. */
  private supersedeRun(): void {
    const run = this.running;
    // A run for a newly chosen input / recording is kept: its re-run would drop the choice.
    if (!run || this.choiceRun) return;
    this.superseded.add(run);
    this.running = undefined;
    this.progressShown = false;
    void run.cancel();
  }

  /** Stops the engine run under way (the panel keeps its last good run and says the run was cancelled). */
  async cancelRun(): Promise<boolean> {
    const run = this.running;
    if (!run) return false;
    this.running = undefined;
    this.progressShown = false;
    this.cancelledRuns++;
    await run.cancel();
    return true;
  }

  /** At once, without waiting for a run under way. */
  runInfo(): PanelRunInfo {
    return { fileUri: this.key, running: this.running !== undefined, progress: this.progressShown, runs: this.runs, error: this.lastError, lastRun: this.lastRun, cancelled: this.cancelledRuns };
  }

  private postComparison(s: PanelSession): void {
    const c = s.comparisonMessage();
    if (c) post(this.panel, c);
    this.comparisonSent = s;
  }

  /** The worker diagnoses a mismatch after the run: when it is done, the webview gets its lines. */
  private followDiagnosis(s: PanelSession): void {
    void s.diagnosisReady.then(() => {
      if (!this.disposed && this.good === s && this.comparisonSent === s) post(this.panel, { type: 'diagnosis', diagnosis: s.diagnosis() });
    });
  }

  /** The session requests are answered from: the last good run (a failed re-run keeps it). */
  private async current(): Promise<PanelSession> {
    return this.good ?? this.session;
  }

  /**
   * Re-loads the model (and input / recording) and re-runs the engine. On success the webview gets a fresh init
   * (it keeps its place); on failure it keeps the last good trace and shows the error in its banner, and, when the
   * run was for a newly chosen file, the choice is undone. Resolves to the error text, or null.
   */
  rerun(choice: { input?: vscode.Uri; recording?: vscode.Uri; choices?: ModelChoices } = {}, play?: { edited: Tensor | null; precision: PanelPrecision; re: number }): Promise<string | null> {
    const gen = play ? ++this.playGen : this.playGen;
    const run = this.pending.then(async () => {
      // A newer playground request came while this one waited: it would be cancelled at once, skip it.
      if (play && gen !== this.playGen) return null;
      const input = choice.input ?? this.inputUri;
      const recording = choice.recording ?? this.recordingUri;
      const choices = choice.choices ?? this.choices;
      // A newly chosen input file replaces the playground's edit.
      const edited = play ? play.edited : choice.input ? null : this.edited;
      const precision = play ? play.precision : this.precision;
      try {
        this.choiceRun = !!(choice.input || choice.recording || choice.choices);
        // The playground re-runs the model already loaded (a keystroke must not parse the file again).
        const lm = play ? (await this.current()).inputs.loaded : await loadFromUri(this.fileUri, choices);
        const s = await this.build(lm, input, recording, edited, precision).finally(() => (this.choiceRun = false));
        if (this.disposed) return null;
        this.good = s;
        this.session = Promise.resolve(s);
        this.inputUri = input;
        this.recordingUri = recording;
        this.choices = choices;
        this.edited = edited;
        this.precision = precision;
        this.runs++;
        this.lastError = null;
        post(this.panel, s.initMessage(play?.re ?? 0));
        this.postComparison(s);
        this.followDiagnosis(s);
        if (choice.input || choice.recording) this.watchFiles();
        return null;
      } catch (e) {
        if (e instanceof SupersededRun) return null; // the re-run queued behind it reports
        const message = loadFailureText(e, this.fileUri);
        this.lastError = message;
        logLine(`[panel] re-run of ${baseName(this.fileUri)} failed: ${message}`);
        // A file the user just chose, or a crash, is said beyond the banner too (a half-saved file is not).
        if (choice.input || choice.recording || mustTell(e)) tellUser('error', message);
        if (!this.disposed) post(this.panel, { type: 'error', message: this.good ? stillShowing(message) : message });
        return message;
      }
    });
    this.pending = run;
    return run;
  }

  /**
   * The playground: a re-run on an edited batch item (applied to the input as it is), on the file's input (`reset`),
   * or in another precision. The run under way is stopped; the reply is an init with `re` = the request's id.
   */
  async playRun(m: RunMessage): Promise<string | null> {
    const s = await this.current();
    let edited: Tensor | null;
    try {
      edited = m.reset ? null : m.edit ? applyEditShown(this.edited ?? s.inputs.input, m.edit, s.timeMajor) : this.edited;
    } catch (e) {
      const message = `The edited input cannot run: ${errorText(e)}`;
      post(this.panel, { type: 'error', message });
      return message;
    }
    this.supersedeRun();
    return this.rerun({}, { edited, precision: m.precision, re: m.id });
  }

  /** "Save input as…": the run's input (as edited) to a new file; the URI, or undefined when cancelled. */
  async saveInput(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    return saveInputAs(this.fileUri, await this.current(), target);
  }

  async onMessage(m: FromWebview): Promise<void> {
    if (isExplainMessage(m)) return (this.explainer ??= new ExplainRequests((x) => post(this.panel, x), workerPath, logLine)).handle(await this.current(), m);
    switch (m.type) {
      case 'ready': {
        const s = await this.current();
        post(this.panel, s.initMessage());
        this.postComparison(s);
        if (this.lastError) post(this.panel, { type: 'error', message: stillShowing(this.lastError) });
        this.steps.ready();
        return;
      }
      case 'requestTrace':
        return post(this.panel, (await this.current()).traceMessage(m.layer, m.batch, m.view, m.id, m.modelInput));
      // A long trace stays here: the webview asks for what it draws.
      case 'requestCompare': {
        const c = (await this.current()).comparisonMessage({ atol: m.atol, rtol: m.rtol }, m.id, m.output);
        if (c) post(this.panel, c);
        return;
      }
      case 'requestCompareSeries':
        return post(this.panel, (await this.current()).compareSeriesMessage(m.batch, m.unit, m.id, m.output));
      case 'requestCompareHeat':
        return post(this.panel, (await this.current()).compareHeatMessage(m.batch, m.t0, m.t1, m.cols, m.id, m.output));
      case 'requestSeries':
      case 'requestHeat':
      case 'requestWindow': {
        const s = await this.current();
        const t0 = performance.now();
        const reply =
          m.type === 'requestSeries'
            ? s.seriesMessage(m.layer, m.batch, m.units, m.buckets, m.id)
            : m.type === 'requestHeat'
              ? s.heatMessage(m.layer, m.batch, m.quantity, m.t0, m.t1, m.cols, m.id)
              : s.windowMessage(m.layer, m.batch, m.start, m.count, m.id);
        const ms = performance.now() - t0;
        if (ms > 50) logLine(`[panel] ${reply.type} for layer ${m.layer}, batch item ${m.batch} took ${ms.toFixed(0)} ms`);
        post(this.panel, reply);
        return;
      }
      // The module picker or the nonlinearity switch: the file is loaded again with the new choice and re-run.
      case 'setChoices':
        await this.rerun({ choices: { module: m.module, nonlinearity: m.nonlinearity } });
        return;
      case 'requestPortCheck':
        await this.compareWith(undefined, m.id);
        return;
      case 'stepChanged':
        this.position = { layer: m.layer, batch: m.batch, step: m.step };
        return;
      case 'exportTrace':
        await this.exportTrace(m.format);
        return;
      case 'run':
        await this.playRun(m);
        return;
      case 'saveInput': {
        const uri = await this.saveInput().catch((e: unknown) => (post(this.panel, { type: 'error', message: vscode.l10n.t('The input was not saved: {0}', errorText(e)) }), null));
        if (uri !== null) post(this.panel, { type: 'saved', re: m.id, name: uri ? vscode.workspace.asRelativePath(uri) : null });
        return;
      }
      case 'log':
        logLine(`[webview ${m.level}] ${m.message}`);
        return;
    }
  }

  /**
   * Writes the whole trace as CSV or JSON to `target`, or to a file picked in the save dialog (which asks before
   * replacing a file). Returns the URI written, or undefined when cancelled.
   */
  async exportTrace(format?: 'csv' | 'json', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const s = await this.current();
    const trace = s.result.trace;
    if (!trace) throw new Error(vscode.l10n.t('this run recorded no trace'));
    const stem = baseName(this.fileUri).replace(/\.[^.]*$/, '');
    if (!target) {
      target = await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Cellscope: Export Trace'),
        defaultUri: vscode.Uri.joinPath(this.fileUri, '..', `${stem}.trace.${format ?? 'csv'}`),
        filters: format === 'json' ? { JSON: ['json'] } : format === 'csv' ? { CSV: ['csv'] } : { CSV: ['csv'], JSON: ['json'] },
      });
      if (!target) return undefined;
    }
    const fmt = format ?? (/\.json$/i.test(target.path) ? 'json' : 'csv');
    const text = fmt === 'csv' ? traceToCsv(trace) : JSON.stringify(traceToJson(trace));
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    tellUser('info', vscode.l10n.t('Cellscope: trace written to {0}', baseName(target)));
    return target;
  }

  step(action: StepAction): void {
    this.steps.step(action, this.panel.visible);
  }

  async state(): Promise<PanelStateInfo> {
    await this.pending;
    const s = this.good;
    const c = s?.comparison ?? null;
    const input = s?.inputs.input;
    const files = s?.inputs.files;
    return {
      fileUri: this.key,
      title: this.panel.title,
      files: { model: files?.model ?? baseName(this.fileUri), input: files?.input ?? null, recording: files?.recording ?? null },
      batch: input?.shape[0] ?? 0,
      steps: input?.shape[1] ?? 0,
      features: input ? input.data.length / Math.max(1, (input.shape[0] ?? 1) * (input.shape[1] ?? 1)) : 0,
      layer: this.position.layer,
      step: this.position.step,
      runs: this.runs,
      comparison: c ? { pass: c.pass, maxAbs: c.maxAbs, mismatches: c.mismatches, count: c.count, text: summarizeComparison(c) } : null,
      error: this.lastError,
      watching: [...this.files.watched],
    };
  }

  /** "Compare with another model…": `other` (else a file the user picks) against this panel's model; the webview gets the answer. */
  async compareWith(other?: vscode.Uri, re = 0): Promise<PortCheckMessage> {
    const m = await (this.porter ??= new PortCompare(workerPath, logLine)).run(await this.current(), this.fileUri, other, re, () => this.good);
    if (!this.disposed) post(this.panel, m);
    return m;
  }

  dispose(): void {
    this.disposed = true;
    this.explainer?.stop();
    this.porter?.stop();
    void this.cancelRun();
    this.files.dispose();
  }
}

/** A run stopped because its files changed and a newer run replaced it. */
class SupersededRun extends Error {
  constructor() {
    super('a newer run (the files changed) replaced this one');
    this.name = 'SupersededRun';
  }
}

/** A failure that is not about the user's files (a worker that stopped, an internal error): told beyond the banner. */
const mustTell = (e: unknown) => !(e instanceof LoadError || e instanceof RunCancelledError || e instanceof vscode.FileSystemError || (e instanceof Error && /^(Run|Load)Error$/.test(e.name)));
const stillShowing = (message: string) => vscode.l10n.t('{0} — still showing the last good run.', message);
function loadFailureText(e: unknown, fileUri?: vscode.Uri): string {
  if (e instanceof RunCancelledError) return fileUri ? vscode.l10n.t('The run of {0} was cancelled.', baseName(fileUri)) : vscode.l10n.t('The run was cancelled.');
  return e instanceof vscode.FileSystemError ? vscode.l10n.t('Cellscope could not read a file: {0}', e.message) : errorText(e);
}

const controllers = new Map<string, CellscopePanel>();
let active: CellscopePanel | undefined;

/**
 * The panel the Cellscope commands act on: the active one, else the one last active if it is still visible (the
 * command palette or a keybinding may have moved focus for a moment).
 */
export function activePanel(): CellscopePanel | undefined {
  for (const c of controllers.values()) if (c.panel.active) return c;
  return active && controllers.get(active.key) === active && active.panel.visible ? active : undefined;
}

/** Fills a panel: HTML, message handling, engine run. Used for new panels and for deserialized ones. */
function attach(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, fileUri: vscode.Uri, loaded: Promise<OpenedModel>, choices: ModelChoices = {}): CellscopePanel {
  const key = fileUri.toString();
  workerPath ??= context.extensionUri.scheme === 'file' ? vscode.Uri.joinPath(context.extensionUri, 'dist', 'host.js').fsPath : undefined;
  panels.set(key, panel);
  const webview = panel.webview;
  webview.options = panelOptions(context);
  const asWeb = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, ...p)).toString();
  webview.html = panelHtml({
    cspSource: webview.cspSource,
    scriptUri: asWeb('dist', 'webview.js'),
    styleUri: asWeb('media', 'panel.css'),
    nonce: makeNonce(),
    ...pageWords(`Cellscope: ${baseName(fileUri)}`),
  });
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'cellscope.svg');

  const ctl = new CellscopePanel(panel, fileUri, loaded, choices);
  controllers.set(key, ctl);
  active = ctl;

  const fail = (e: unknown) => post(panel, { type: 'error', message: errorText(e) });
  const sub = webview.onDidReceiveMessage((wire: unknown) => {
    const m = channelOf(panel).receive(wire);
    if (m) ctl.onMessage(m).catch(fail);
  });
  const view = panel.onDidChangeViewState((e) => {
    if (e.webviewPanel.active) active = ctl;
    if (!e.webviewPanel.visible) ctl.steps.hidden();
  });
  panel.onDidDispose(() => {
    sub.dispose();
    view.dispose();
    ctl.dispose();
    if (panels.get(key) === panel) panels.delete(key);
    if (controllers.get(key) === ctl) controllers.delete(key);
    if (active === ctl) active = undefined;
  });
  return ctl;
}

/** Opens (or reveals) the visualizer for a loaded model file. */
export function openPanel(context: vscode.ExtensionContext, model: OpenedModel, fileUri: vscode.Uri): vscode.WebviewPanel {
  const existing = panels.get(fileUri.toString());
  if (existing) {
    existing.reveal();
    return existing;
  }
  const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, panelTitle(fileUri), vscode.ViewColumn.Active, panelOptions(context));
  attach(context, panel, fileUri, Promise.resolve(model));
  return panel;
}

/** A state dict with several recurrent modules and none picked yet opens the first (the panel offers the others). */
function loadFromUri(fileUri: vscode.Uri, choices: ModelChoices = {}): Promise<OpenedModel> {
  return loadForPanel(fileUri, baseName(fileUri), { ...choices, firstWhenSeveral: true });
}

/** Restores panels after a window reload from the model URI in their saved state. */
export function registerPanelSerializer(context: vscode.ExtensionContext): vscode.Disposable {
  const d = vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      if (!isPanelState(state)) {
        panel.dispose();
        return;
      }
      const uri = vscode.Uri.parse(state.fileUri);
      const choices: ModelChoices = state.choices ? { module: state.choices.module, nonlinearity: state.choices.nonlinearity } : {};
      attach(context, panel, uri, loadFromUri(uri, choices), choices);
    },
  });
  context.subscriptions.push(d, ...registerRunCommands());
  return d;
}

/**
 * Hidden commands about engine runs (tests and keybindings use them): `cellscope.cancelRun` stops the active
 * panel's run (true when there was one); `cellscope.panelRunInfo` reports its run state at once.
 */
function registerRunCommands(): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('cellscope.cancelRun', async () => (await activePanel()?.cancelRun()) ?? false),
    vscode.commands.registerCommand('cellscope.panelRunInfo', (): PanelRunInfo | undefined => activePanel()?.runInfo()),
    // The playground's "Save input as…" to a given new file (tests; the panel's button uses the save dialog).
    vscode.commands.registerCommand('cellscope.saveInputAs', async (target?: unknown) => (await activePanel()?.saveInput(typeof target === 'string' ? vscode.Uri.parse(target) : target instanceof vscode.Uri ? target : undefined))?.toString()),
  ];
}
