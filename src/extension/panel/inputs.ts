/**
 * Where a panel's input and expected output come from: the model file's own (fixtures), `recording.json` /
 * `input.json` beside it (the layout of the examples: a recording carries its input), or files the user chose.
 */
import * as vscode from 'vscode';
import type { Tensor } from '../../engine/index';
import { isGraph, type OpenedModel } from '../../formats/loaded-model';
import { readArray, readExpected } from '../isolation';
import { currentLimits } from '../limits';
import { seededInput } from '../../port/seeded-input';
import { readInputsBytes } from '../../formats/onnx-io';
import type { Recording } from '../../formats/recording';

export function baseName(uri: vscode.Uri): string {
  const p = uri.path;
  return p.slice(p.lastIndexOf('/') + 1);
}

async function tryRead(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
}

export interface RunInputs {
  input: Tensor;
  /** Every input of a multi-input model, in its order (`inputs[0]` is `input`). */
  inputs?: Tensor[] | undefined;
  expected?: Tensor | undefined;
  /** Every recorded output of a multi-output model, in its order (`expectedOutputs[0]` is `expected`). */
  expectedOutputs?: Tensor[] | undefined;
  predictCalls: number;
  inputName: string | null;
  recordingName: string | null;
}

/**
 * Input and expected output: the file's own (fixtures), else `recording.json` / `input.json` next to the model (the
 * layout of the examples: a recording carries its input).
 */
export async function findInputs(opened: OpenedModel, fileUri: vscode.Uri): Promise<RunInputs> {
  const loaded = isGraph(opened) ? null : opened;
  const predictCalls = loaded?.predictCalls ?? 1;
  if (loaded?.input) {
    // A fixture carries its own input; a layer replay's comes from the recording beside the model (replay-open.ts).
    const from = loaded.replay ? 'recording.json' : baseName(fileUri);
    return { input: loaded.input, inputs: loaded.inputs, expected: loaded.expectedOutput, expectedOutputs: loaded.expectedOutputs, predictCalls: loaded.predictCalls, inputName: from, recordingName: loaded.expectedOutput ? from : null };
  }
  const dir = vscode.Uri.joinPath(fileUri, '..');
  const recUri = vscode.Uri.joinPath(dir, 'recording.json');
  const recBytes = await tryRead(recUri);
  const rec = recBytes ? await readExpected(recBytes, baseName(recUri), currentLimits()) : undefined;
  if (rec?.input) return { ...recordedInputs({ ...rec, input: rec.input }), ...recordedOutputs(rec), predictCalls: rec.predictCalls, inputName: 'recording.json', recordingName: 'recording.json' };
  const inUri = vscode.Uri.joinPath(dir, 'input.json');
  const inBytes = await tryRead(inUri);
  if (inBytes) {
    return { ...(await readInputs(inBytes, 'input.json', opened)), ...(rec ? recordedOutputs(rec) : {}), predictCalls: rec?.predictCalls ?? predictCalls, inputName: 'input.json', recordingName: rec ? 'recording.json' : null };
  }
  const features = featuresOf(opened);
  if (features !== null) return { input: seededInput(features, 1, SEEDED_STEPS), expected: rec?.output, predictCalls, inputName: `a seeded random input [1, ${SEEDED_STEPS}, ${features}] (no input.json beside the model)`, recordingName: rec ? 'recording.json' : null };
  throw new Error(vscode.l10n.t('{0} carries no input, and there is no input.json or recording.json next to it', baseName(fileUri)));
}

/** The model inputs a recording carries: the first, and all of them for a multi-input model. */
function recordedInputs(rec: Recording & { input: Tensor }): Pick<RunInputs, 'input' | 'inputs'> {
  return { input: rec.input, ...(rec.inputs && rec.inputs.length > 1 ? { inputs: rec.inputs } : {}) };
}

/** The outputs a recording carries: the first, and all of them for a multi-output model. */
export function recordedOutputs(rec: Recording): Pick<RunInputs, 'expected' | 'expectedOutputs'> {
  return { expected: rec.output, ...(rec.outputs && rec.outputs.length > 1 ? { expectedOutputs: rec.outputs } : {}) };
}

/** The model's input names (one for a single-input model). */
function inputNamesOf(m: OpenedModel): readonly string[] {
  return isGraph(m) ? m.inputNames : (m.model.graph?.inputs.map((i) => i.name) ?? ['input']);
}

/** An input file: one array, or for a multi-input model a JSON array of N arrays in its order or an object keyed by input name. */
async function readInputs(bytes: Uint8Array, name: string, m: OpenedModel): Promise<Pick<RunInputs, 'input' | 'inputs'>> {
  const names = inputNamesOf(m);
  if (names.length <= 1) return { input: await readArray(bytes, name, currentLimits()) };
  const inputs = readInputsBytes(bytes, name, names, currentLimits());
  return { input: inputs[0]!, inputs };
}

/** Time steps of the panel's own input for a model that carries none (a state dict, an ONNX graph). */
const SEEDED_STEPS = 40;

/**
 * Features per step when the file says them and its input is a sequence of vectors (PyTorch state dicts; ONNX graphs
 * whose first input's last dim is a number); null for token models and undeclared sizes.
 */
function featuresOf(m: OpenedModel): number | null {
  if (isGraph(m)) {
    const last = m.summary.inputShape.at(-1);
    return m.summary.inputShape.length === 2 && typeof last === 'number' ? last : null;
  }
  const f = m.model.inputShape[1];
  return !m.model.inputIsTokens && m.model.inputShape.length === 2 && typeof f === 'number' ? f : null;
}

/** Reads an input sequence: a bare array (or typed-array object), else a recording / fixture that carries its input. */
export async function readInputFile(uri: vscode.Uri, lm: OpenedModel): Promise<RunInputs> {
  const bytes = await vscode.workspace.fs.readFile(uri);
  const name = baseName(uri);
  let arrayError: unknown;
  try {
    return { ...(await readInputs(bytes, name, lm)), predictCalls: isGraph(lm) ? 1 : lm.predictCalls, inputName: name, recordingName: null };
  } catch (e) {
    arrayError = e;
  }
  let rec;
  try {
    rec = await readExpected(bytes, name, currentLimits());
  } catch {
    throw arrayError;
  }
  if (!rec.input) throw new Error(vscode.l10n.t('{0} holds no input sequence (a recording or fixture without input, or not an array)', name));
  return { ...recordedInputs({ ...rec, input: rec.input }), ...recordedOutputs(rec), predictCalls: rec.predictCalls, inputName: name, recordingName: name };
}

