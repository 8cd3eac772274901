/**
 * A ConvLSTM's units on its output frame (src/engine/trace.ts UnitGrid), for the views: which unit a filter's
 * position is, where a unit lies, and the picture one filter's map makes
 * (1-D: one row of steps; 2-D: rows × cols; 3-D: the first axis's slices stacked as rows).
 */
import type { UnitGrid } from '../engine/trace';

export type { UnitGrid } from '../engine/trace';

export const positionsOf = (g: UnitGrid): number => g.out.reduce((a, n) => a * n, 1);

export function unitOf(g: UnitGrid, position: number, filter: number): number {
  return g.channelsFirst ? filter * positionsOf(g) + position : position * g.filters + filter;
}

/** The position (spatial row-major), its coordinates and the filter of unit j. */
export function cellOf(g: UnitGrid, unit: number): { position: number; coords: number[]; filter: number } {
  const P = positionsOf(g);
  const [position, filter] = g.channelsFirst ? [unit % P, Math.floor(unit / P)] : [Math.floor(unit / g.filters), unit % g.filters];
  const coords = new Array<number>(g.out.length);
  let rest = position;
  for (let a = g.out.length - 1; a >= 0; a--) {
    coords[a] = rest % g.out[a]!;
    rest = Math.floor(rest / g.out[a]!);
  }
  return { position, coords, filter };
}

/** One filter's map as a picture: rows × cols cells, cell (r, c) is position r·cols + c. */
export function mapSize(g: UnitGrid): { rows: number; cols: number } {
  const cols = g.out[g.out.length - 1]!;
  return { rows: positionsOf(g) / cols, cols };
}
