// Property (test/property harness): ONNX files mutated in their bytes and in their messages (initializer dims and
// element types, raw data, external data locations, operator types, node inputs, attributes, node order, outputs)
// end in a LoadError naming the file, or in a graph that runs the fixture's inputs to outputs or to a RunError — never another exception, never
// a hang. 200 inputs per run in npm test, CELLSCOPE_PROPERTY_RUNS=10000 for the long run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import protobuf from 'protobufjs/light';
import { RunError } from '../../src/engine/errors';
import { loadOnnxWithSiblings } from '../../src/onnx/load';
import { ONNX_DESCRIPTOR } from '../../src/onnx/schema';
import { SUPPORTED_OPS } from '../../src/onnx/ops/index';
import { checkProperty, guardedLoad, newTally, saveTally, tallyText } from '../property/harness';
import { ABSURD_INTS, byteMutationArb, mutateBytes, type ByteMutation } from '../property/mutate';
import { caseNames, readCase } from './cases';

const ModelProto = protobuf.Root.fromJSON(ONNX_DESCRIPTOR).lookupType('onnx.ModelProto');
const CASES = caseNames().map((n) => readCase(n));

type MessageMutation =
  | { kind: 'dims'; tensor: number; dim: number; value: number }
  | { kind: 'dataType'; tensor: number; value: number }
  | { kind: 'rawData'; tensor: number; keep: number }
  | { kind: 'opType'; node: number; op: number }
  | { kind: 'input'; node: number; slot: number; to: number }
  | { kind: 'attribute'; node: number; attr: number; value: number; drop: boolean }
  | { kind: 'swapNodes'; a: number; b: number }
  | { kind: 'dropNode'; node: number }
  | { kind: 'output'; to: number }
  | { kind: 'external'; tensor: number; location: number; offset: number };

const OPS = [...SUPPORTED_OPS, 'LayerNormalization', 'If', 'Loop', ''];
const INTS = [...ABSURD_INTS, -2, 3, 4];

const messageMutationArb: fc.Arbitrary<MessageMutation> = fc.oneof(
  fc.record({ kind: fc.constant('dims' as const), tensor: fc.nat(), dim: fc.nat(), value: fc.constantFrom(...INTS) }),
  fc.record({ kind: fc.constant('dataType' as const), tensor: fc.nat(), value: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('rawData' as const), tensor: fc.nat(), keep: fc.nat({ max: 64 }) }),
  fc.record({ kind: fc.constant('opType' as const), node: fc.nat(), op: fc.nat() }),
  fc.record({ kind: fc.constant('input' as const), node: fc.nat(), slot: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('attribute' as const), node: fc.nat(), attr: fc.nat(), value: fc.constantFrom(...INTS), drop: fc.boolean() }),
  fc.record({ kind: fc.constant('swapNodes' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('dropNode' as const), node: fc.nat() }),
  fc.record({ kind: fc.constant('output' as const), to: fc.nat() }),
  fc.record({ kind: fc.constant('external' as const), tensor: fc.nat(), location: fc.nat(), offset: fc.constantFrom(...INTS) }),
);

/** Where a mutated tensor says its data is: the real data file of a dynamo case, a missing one, or outside the folder. */
const LOCATIONS = ['dynamo_lstm_gru_softmax.onnx.data', 'missing.bin', '../cases.json', '/etc/hostname', 'sub/../../x', ''];

function pickFrom<T>(list: T[] | undefined, i: number): T | undefined {
  return list && list.length ? list[i % list.length] : undefined;
}

/** Decodes, applies the mutations to the plain message, encodes again. */
function mutateMessage(bytes: Uint8Array, mutations: readonly MessageMutation[]): { bytes: Uint8Array; desc: string } {
  const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false, arrays: true }) as any;
  const g = m.graph;
  const descs: string[] = [];
  const values = (): string[] => [...g.input.map((v: any) => v.name), ...g.initializer.map((t: any) => t.name), ...g.node.flatMap((n: any) => n.output), '', 'nowhere'];
  for (const mu of mutations) {
    switch (mu.kind) {
      case 'dims': {
        const t = pickFrom(g.initializer, mu.tensor) as any;
        if (!t?.dims?.length) break;
        t.dims[mu.dim % t.dims.length] = mu.value;
        descs.push(`initializer ${t.name} dims → [${t.dims}]`);
        break;
      }
      case 'dataType': {
        const t = pickFrom(g.initializer, mu.tensor) as any;
        if (!t) break;
        t.dataType = mu.value;
        descs.push(`initializer ${t.name} data_type → ${mu.value}`);
        break;
      }
      case 'rawData': {
        const t = pickFrom(g.initializer, mu.tensor) as any;
        if (!t?.rawData) break;
        t.rawData = t.rawData.subarray(0, Math.floor((t.rawData.length * mu.keep) / 64));
        descs.push(`initializer ${t.name} raw_data cut to ${t.rawData.length} bytes`);
        break;
      }
      case 'opType': {
        const n = pickFrom(g.node, mu.node) as any;
        if (!n) break;
        n.opType = OPS[mu.op % OPS.length];
        descs.push(`node ${n.name} op → ${n.opType}`);
        break;
      }
      case 'input': {
        const n = pickFrom(g.node, mu.node) as any;
        if (!n?.input?.length) break;
        const to = values()[mu.to % values().length]!;
        n.input[mu.slot % n.input.length] = to;
        descs.push(`node ${n.name} input ${mu.slot % n.input.length} → "${to}"`);
        break;
      }
      case 'attribute': {
        const n = pickFrom(g.node, mu.node) as any;
        const a = pickFrom(n?.attribute, mu.attr) as any;
        if (!a) break;
        if (mu.drop) n.attribute.splice(n.attribute.indexOf(a), 1);
        else if (a.ints?.length) a.ints[0] = mu.value;
        else if (a.floats?.length) a.floats[0] = mu.value;
        else if (a.f !== undefined) a.f = mu.value;
        else a.i = mu.value;
        descs.push(`node ${n.name} attribute ${a.name} ${mu.drop ? 'dropped' : `→ ${mu.value}`}`);
        break;
      }
      case 'swapNodes': {
        if (g.node.length < 2) break;
        const [a, b] = [mu.a % g.node.length, mu.b % g.node.length];
        [g.node[a], g.node[b]] = [g.node[b], g.node[a]];
        descs.push(`nodes ${a} and ${b} swapped`);
        break;
      }
      case 'dropNode': {
        if (!g.node.length) break;
        const [n] = g.node.splice(mu.node % g.node.length, 1);
        descs.push(`node ${n.name} dropped`);
        break;
      }
      case 'external': {
        const t = pickFrom(g.initializer, mu.tensor) as any;
        if (!t) break;
        const location = LOCATIONS[mu.location % LOCATIONS.length]!;
        t.dataLocation = 1;
        t.externalData = [{ key: 'location', value: location }, { key: 'offset', value: String(mu.offset) }];
        delete t.rawData;
        descs.push(`initializer ${t.name} external at ${JSON.stringify(location)} offset ${mu.offset}`);
        break;
      }
      case 'output': {
        const to = values()[mu.to % values().length]!;
        g.output[0].name = to;
        descs.push(`output 0 → "${to}"`);
        break;
      }
    }
  }
  return { bytes: ModelProto.encode(ModelProto.fromObject(m)).finish(), desc: descs.join('; ') };
}

type Mutation = { kind: 'bytes'; bytes: ByteMutation[] } | { kind: 'message'; message: MessageMutation[] };

test('.onnx: mutated files load and run correctly or fail with a LoadError (or a RunError when run)', async (t) => {
  const tally = newTally('.onnx graph');
  let runs = 0;
  let runErrors = 0;
  await checkProperty(
    fc.asyncProperty(
      fc.nat(),
      fc.oneof(
        fc.record({ kind: fc.constant('bytes' as const), bytes: fc.array(byteMutationArb, { minLength: 1, maxLength: 3 }) }),
        fc.record({ kind: fc.constant('message' as const), message: fc.array(messageMutationArb, { minLength: 1, maxLength: 3 }) }),
      ) as fc.Arbitrary<Mutation>,
      async (pick, mutation) => {
        const c = CASES[pick % CASES.length]!;
        const r = mutation.kind === 'bytes' ? mutateBytes(c.bytes, mutation.bytes) : mutateMessage(c.bytes, mutation.message);
        const desc = `${c.name}.onnx: ${r.desc}`;
        const model = await guardedLoad(tally, desc, () => loadOnnxWithSiblings(r.bytes, `${c.name}.onnx`, c.readSibling));
        if (!model) return;
        // A graph that loads runs its inputs to outputs, or stops with a RunError that says why.
        try {
          const out = model.run(c.inputs, { record: true });
          assert.equal(out.outputs.length, model.outputNames.length, desc);
          runs++;
        } catch (e) {
          assert.ok(e instanceof RunError, `not a RunError when running ${desc}: ${e instanceof Error ? e.stack : String(e)}`);
          runErrors++;
        }
      },
    ),
  );
  tally.ran = runs;
  tally.notRun = runErrors;
  saveTally(tally);
  t.diagnostic(`${tallyText(tally)}; ${runErrors} RunError when run`);
});
