/** What a panel reports to the hidden commands `cellscope.panelState` and `cellscope.panelRunInfo` (tests read them). */

/** What the hidden `cellscope.panelState` command reports (tests read it). */
export interface PanelStateInfo {
  fileUri: string;
  title: string;
  files: { model: string; input: string | null; recording: string | null };
  batch: number;
  steps: number;
  features: number;
  /** Where the webview says it is (input time step), as last reported; -1 before it has drawn a trace. */
  layer: number;
  step: number;
  runs: number;
  comparison: { pass: boolean; maxAbs: number; mismatches: number; count: number; text: string } | null;
  /** The last load / run error, shown in the panel's banner; null after a good run. */
  error: string | null;
  watching: string[];
}

/** What the hidden `cellscope.panelRunInfo` command reports at once (it does not wait for a run under way). */
export interface PanelRunInfo {
  fileUri: string;
  /** An engine run is under way. */
  running: boolean;
  /** The progress notification is showing for the run under way. */
  progress: boolean;
  runs: number;
  error: string | null;
  /** The last finished run: where it ran and its engine time. */
  lastRun: { where: 'worker' | 'in-process'; runMs: number } | null;
  /** Runs cancelled so far. */
  cancelled: number;
}
