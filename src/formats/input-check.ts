/**
 * Does an input array fit a model? Caught here, a wrong rank or feature count gets a message about the file the
 * user wrote rather than an index error deep inside a forward pass.
 */
import type { Model } from '../engine/model';
import { shapeText, type Tensor } from '../engine/tensor';
import { fail, type At } from './json-read';

export function checkModelInput(input: Tensor, model: Model, where: At): void {
  const shape = input.shape;
  const sample = model.inputShape;
  const want = [null, ...sample];
  const expected = `an input of shape ${shapeText(want)} (batch first)`;
  if (model.inputIsTokens) {
    if (shape.length !== sample.length + 1) {
      fail(where, expected, `shape ${shapeText(shape)}`, {
        hint: `an Embedding model reads integer token ids of shape (samples, time steps)${shape.length === sample.length ? `; for one sequence wrap it in one more list (shape ${shapeText([1, ...shape])})` : ''}`,
      });
    }
    const embedding = model.layers.find((l) => l.kind === 'embedding');
    const inputDim = embedding?.kind === 'embedding' ? embedding.inputDim : Infinity;
    const bad = input.data.findIndex((x) => !Number.isInteger(x) || x < 0 || x >= inputDim);
    if (bad >= 0) fail(where, `token ids: integers from 0 to ${inputDim - 1} (the Embedding's input_dim is ${inputDim})`, `${input.data[bad]} at flat index ${bad}`);
  } else if (shape.length !== sample.length + 1) {
    const recurrent = model.layers.some((l) => l.kind === 'recurrent' || l.kind === 'bidirectional');
    const oneSample = shape.length === sample.length;
    fail(where, expected, `shape ${shapeText(shape)}`, {
      hint: recurrent
        ? `a recurrent model reads (samples, time steps, features)${oneSample ? `; for one sequence of ${shape[0]} steps with ${shape[1] ?? '?'} features wrap it in one more list (shape ${shapeText([1, ...shape])})` : ''}${shape.length === 2 && sample.length === 2 && sample[1] === 1 ? `, or for ${shape[0]} series of one feature each use shape ${shapeText([...shape, 1])}` : ''}`
        : `the model reads samples of shape ${shapeText(sample)} with the batch axis first`,
    });
  }
  if (shape.length >= 2 && shape[1] === 0 && (model.inputIsTokens || model.layers.some((l) => l.kind === 'recurrent' || l.kind === 'bidirectional'))) {
    fail(where, `${expected}: at least one time step`, `shape ${shapeText(shape)}, an empty sequence`);
  }
  sample.forEach((d, i) => {
    if (d !== null && shape[i + 1] !== d) {
      const axis = i === sample.length - 1 && !model.inputIsTokens ? 'features' : i === 0 && sample.length >= 2 ? 'time steps' : `axis ${i + 1}`;
      fail(where, `${expected}: ${d} ${axis}`, `shape ${shapeText(shape)}`);
    }
  });
}
