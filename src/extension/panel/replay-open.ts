/**
 * Opening a model in the panel when it holds a layer only Python can run (a Lambda, a custom layer class): the whole
 * model cannot run here, so the panel opens in layer replay (issue 12 §4) on the exporter's recording beside the
 * model, each recurrent layer run on the input Keras fed it. Without such a recording the refusal stands (its hint
 * says how to record one).
 */
import * as vscode from 'vscode';
import type { ModelChoices } from '../../formats/index';
import { LoadError } from '../../formats/load-error';
import { layerReplayModel } from '../../formats/layer-replay-model';
import type { OpenedModel } from '../../formats/loaded-model';
import { readExpected } from '../isolation';
import { currentLimits } from '../limits';
import { loadModel } from '../load-model';
import { baseName } from './inputs';

export async function loadForPanel(uri: vscode.Uri, name: string, choices: ModelChoices): Promise<OpenedModel> {
  try {
    return await loadModel(uri, name, choices);
  } catch (e) {
    if (!(e instanceof LoadError) || !e.details.pythonLayer) throw e;
    const recUri = vscode.Uri.joinPath(uri, '..', 'recording.json');
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(recUri);
    } catch {
      throw e;
    }
    const rec = await readExpected(bytes, 'recording.json', currentLimits());
    const replay = layerReplayModel(rec, 'recording.json', e.details.found ?? `layer "${e.details.pythonLayer}"`, baseName(uri));
    if (!replay) throw e;
    return replay;
  }
}
