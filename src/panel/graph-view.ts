/**
 * The model graph as the panel draws it (webview/sections/graph.ts): one box per layer call, placed in columns by
 * how far it is from the inputs (its longest path), edges for the tensors each call reads, its `mask=` and its
 * `initial_state=`. Worked out here, beside the model, so the page only draws.
 */
import { graphOf, type Model, type TensorRef } from '../engine/model';
import { summarizeModel } from '../engine/summary';

export type GraphEdgeKind = 'data' | 'mask' | 'state';

export interface GraphViewNode {
  /** `input k` boxes come first (layer −1), then one per call in run order. */
  label: string;
  className: string;
  /** Index into the model's layers (and the init summary's); −1 for a model input. */
  layer: number;
  recurrent: boolean;
  /** Column (0: the inputs) and row within it. */
  column: number;
  row: number;
  /** An output of the model. */
  output: boolean;
}

export interface GraphViewEdge {
  from: number;
  to: number;
  kind: GraphEdgeKind;
}

export interface GraphView {
  nodes: GraphViewNode[];
  edges: GraphViewEdge[];
  columns: number;
  rows: number;
}

export function graphView(model: Model): GraphView {
  const g = graphOf(model);
  const summary = summarizeModel(model);
  const nodes: GraphViewNode[] = g.inputs.map((inp) => ({ label: inp.name, className: 'Input', layer: -1, recurrent: false, column: 0, row: 0, output: false }));
  /** The box of each call's output: an InputLayer call is its input's box (Keras draws them as one). */
  const boxOf: number[] = [];
  const at = (r: TensorRef) => ('input' in r ? r.input : boxOf[r.node]!);
  const edges: GraphViewEdge[] = [];
  const calls = new Map<number, number>();
  g.nodes.forEach((n, i) => {
    const layer = model.layers[n.layer]!;
    if (layer.kind === 'pass_through' && layer.className === 'InputLayer' && n.inputs.length === 1) {
      boxOf[i] = at(n.inputs[0]!);
      return;
    }
    boxOf[i] = nodes.length;
    const call = (calls.get(n.layer) ?? 0) + 1;
    calls.set(n.layer, call);
    const reads: [TensorRef, GraphEdgeKind][] = [...n.inputs.map((r): [TensorRef, GraphEdgeKind] => [r, 'data'])];
    n.masks?.forEach((r) => r && reads.push([r, 'mask']));
    n.initialState?.forEach((r) => reads.push([r, 'state']));
    const me = nodes.length;
    let column = 1;
    for (const [r, kind] of reads) {
      const from = at(r);
      // One edge per source and kind: an LSTM's [h, c] from the same call is one arrow.
      if (!edges.some((e) => e.from === from && e.to === me && e.kind === kind)) edges.push({ from, to: me, kind });
      column = Math.max(column, nodes[from]!.column + 1);
    }
    nodes.push({
      label: call > 1 ? `${layer.name} (call ${call})` : layer.name,
      className: summary.layers[n.layer]?.className ?? layer.kind,
      layer: n.layer,
      recurrent: layer.kind === 'recurrent' || layer.kind === 'bidirectional',
      column,
      row: 0,
      output: false,
    });
  });
  for (const r of g.outputs) nodes[at(r)]!.output = true;
  // Rows: the data path first, each box near the box it reads; the mask computations (NotEqual, Any…, which feed
  // only masks) below, so the arrows of the data path stay straight and no mask arrow runs behind a box.
  const maskOnly = nodes.map(() => false);
  for (let i = nodes.length - 1; i >= g.inputs.length; i--) {
    const out = edges.filter((e) => e.from === i);
    maskOnly[i] = out.length > 0 && out.every((e) => e.kind === 'mask' || maskOnly[e.to]);
  }
  const parentRow = (i: number) => {
    const e = edges.find((x) => x.to === i && x.kind === 'data');
    return e ? nodes[e.from]!.row : 0;
  };
  const perColumn: number[] = [];
  const place = (i: number, floor: number) => {
    const n = nodes[i]!;
    n.row = Math.max(perColumn[n.column] ?? 0, floor);
    if (!maskOnly[i]) n.row = Math.max(n.row, Math.min(parentRow(i), n.row + 1));
    perColumn[n.column] = n.row + 1;
  };
  nodes.forEach((_, i) => !maskOnly[i] && place(i, 0));
  const dataRows = Math.max(1, ...Array.from(perColumn, (r) => r ?? 0));
  nodes.forEach((_, i) => maskOnly[i] && place(i, dataRows));
  const columns = Math.max(...nodes.map((n) => n.column)) + 1;
  return { nodes, edges, columns, rows: Math.max(...nodes.map((n) => n.row)) + 1 };
}
