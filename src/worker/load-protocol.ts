/** Messages between the extension host and the load worker (src/worker/load-worker.ts). */
import type { LoadErrorDetails } from '../formats/load-error';
import type { LoadLimits, ModelChoices, Recording } from '../formats/index';
import type { OpenedModel } from '../formats/loaded-model';
import type { Tensor } from '../engine/tensor';
import type { CellscopeKind, TextProblem } from '../formats/text-check';

export type LoadRequest =
  /** The Problems check of an editor's text (src/formats/text-check.ts checkText). */
  | { type: 'check'; text: string; kind: CellscopeKind; fileName: string; limits: LoadLimits }
  /**
   * A model file: from disk by `fsPath` (read there with every file check of node-files.ts, shards beside it), or
   * from `bytes` the host read (virtual workspaces: no sibling files then).
   */
  | { type: 'load'; fsPath?: string; bytes?: Uint8Array; fileName: string; limits: LoadLimits; choices?: ModelChoices }
  /** An input array (loadArrayBytes) or expected outputs (loadExpectedBytes) the panel reads. */
  | { type: 'array'; bytes: Uint8Array; fileName: string; limits: LoadLimits }
  | { type: 'expected'; bytes: Uint8Array; fileName: string; limits: LoadLimits };

/** A problem without its LoadError object (which does not survive structured cloning as a class). */
export type ClonedProblem = Omit<TextProblem, 'error'> & { details: LoadErrorDetails };

export type LoadReply =
  | { type: 'checked'; problem: ClonedProblem | null }
  /** An engine model, or an ONNX graph checked in full and sent back as its bytes and summary. */
  | { type: 'loaded'; loaded: OpenedModel }
  | { type: 'array'; tensor: Tensor }
  | { type: 'expected'; recording: Recording }
  | { type: 'load-error'; details: LoadErrorDetails }
  /** Not the user's file's fault: a bug, reported as such. */
  | { type: 'failed'; name: string; message: string };
