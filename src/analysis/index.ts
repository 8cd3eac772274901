/** Model and trace analyses for debugging (pure: no vscode, no files): spectral radii, saturation, histograms. */
export { columnBlock, radiusHint, spectralRadii, spectralRadius, type GateRadius } from './spectral';
export { layerSaturation, type DeadUnit, type GateSaturation, type LayerSaturation, type SaturationOptions } from './saturation';
export { blockImage, histogram, type BlockImage, type Histogram } from './histogram';
