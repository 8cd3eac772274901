/**
 * How a layer replay names its outputs (src/formats/layer-replay-model.ts): `layer: h[t]` for a layer's recorded
 * sequence, `layer: h_T` (`→h_T` / `←h_T` for Bidirectional) for its final states. A leaf module: the panel page
 * finds the shown layer's sequence by this name.
 */
export const replaySequenceName = (layer: string): string => `${layer}: h[t]`;

export const replayStateName = (layer: string, state: string): string => `${layer}: ${state}`;
