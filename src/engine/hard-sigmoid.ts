/**
 * Which `hard_sigmoid` formula: Keras 2 / tf.keras ≤ 2.15 / TF.js `clip(0.2x+0.5)`, Keras 3 `clip(x/6+0.5)`.
 * A leaf of its own: the activations and the layers' flow need it, and importing it from model.ts (which imports
 * them back through the custom cells and the layer types) made import circles.
 */
export type HardSigmoidFlavor = 'keras2' | 'keras3';
