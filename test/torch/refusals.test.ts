// Files the PyTorch readers must refuse, each with a LoadError naming the file, the place and the way out:
// pickles whose globals would run code (written by real PyTorch: refuse_*.pt in test/fixtures/torch), a whole
// pickled module, declared sizes beyond the limits (refused before allocation), and ambiguous modules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { LoadError, loadModelBytes } from '../../src/formats/index';
import { FIXTURES } from '../fixtures-path';
import { resolveLimits } from '../../src/formats/limits';
import { readSafetensors } from '../../src/formats/safetensors';
import { patchDeclaredSize } from '../property/mutate';

const DIR = join(FIXTURES, 'torch');
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

async function refusal(data: Uint8Array, name: string, ...parts: (string | RegExp)[]): Promise<LoadError> {
  try {
    await loadModelBytes(data, name, undefined, undefined, {});
  } catch (e) {
    assert.ok(e instanceof LoadError, `not a LoadError: ${e}`);
    for (const p of parts) assert.ok(typeof p === 'string' ? e.message.includes(p) : p.test(e.message), `message lacks ${p}:\n${e.message}`);
    assert.ok(e.message.startsWith(`${name}:`), e.message);
    return e;
  }
  assert.fail(`${name} loaded`);
}

test('pickles naming os.system or builtins.eval are refused by the global\'s name (nothing is executed)', async () => {
  await refusal(bytes('refuse_os_system.pt'), 'refuse_os_system.pt', 'the global posix.system', 'Cellscope refuses', 'state_dict()');
  await refusal(bytes('refuse_builtins_eval.pt'), 'refuse_builtins_eval.pt', 'the global __builtin__.eval');
  // Hand-made: protocol 4 STACK_GLOBAL and a GLOBAL of subprocess.
  const pkl = (body: string) => zipSync({ 'x/data.pkl': strToU8(body, true) });
  await refusal(pkl('\x80\x02csubprocess\ncall\n.'), 'sub.pt', 'the global subprocess.call', '`["x/data.pkl"]["byte 2"]`');
  await refusal(pkl('\x80\x04\x8c\x08builtins\x8c\x04exec\x93.'), 'exec.pt', 'the global builtins.exec');
});

test('a whole pickled module is refused with the hint to save its state_dict()', async () => {
  await refusal(bytes('refuse_whole_module.pt'), 'refuse_whole_module.pt', 'a whole pickled object', 'torch.nn.modules.rnn.LSTM', 'torch.save(model.state_dict(), "model.pt")');
});

test('declared sizes beyond the limits are refused before anything is allocated', async () => {
  const pt = bytes('lstm_l1_float64.pt');
  const storage = Object.keys(unzipSync(pt)).find((n) => n.endsWith('/data/0'))!;
  await refusal(patchDeclaredSize(pt, storage, 2 ** 31, true, true), 'huge.pt', storage, '2.0 GiB');
  const small = await loadModelBytes(pt, 'small-limit.pt', undefined, { maxFileBytes: 1000 }).catch((x) => x);
  assert.ok(small instanceof LoadError && small.message.includes('cellscope.limits.maxFileMegabytes'), String(small));
  const e = await loadModelBytes(pt, 'elements.pt', undefined, { maxElements: 10 }).catch((x) => x);
  assert.ok(e instanceof LoadError && e.message.includes('cellscope.limits.maxElements') && e.message.includes('tensor "weight_ih_l0"'), String(e));
  // A storage shorter than the tensor that views it, and a safetensors header claiming a huge shape.
  const st = bytes('lstm_l1_float64.safetensors');
  const n = Number(new DataView(st.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(st.subarray(8, 8 + n)));
  header.weight_ih_l0.shape = [2 ** 20, 2 ** 20];
  const h = strToU8(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + st.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(st.subarray(8 + n), 8 + h.length);
  await refusal(out, 'huge.safetensors', 'tensor "weight_ih_l0"', 'bytes for shape [1048576, 1048576]');
});

/** A .safetensors file of the given tensors (F64). */
function safetensors(tensors: Map<string, { shape: number[]; data: Float64Array }>): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [k, t] of tensors) {
    header[k] = { dtype: 'F64', shape: t.shape, data_offsets: [off, off + 8 * t.data.length] };
    off += 8 * t.data.length;
  }
  const h = strToU8(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  let at = 8 + h.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

test('several recurrent modules: --module picks one; without it, or with a wrong one, the modules are listed', async () => {
  const tensors = new Map<string, { shape: number[]; data: Float64Array }>();
  // Keys of two real modules under two prefixes (values from the real files' safetensors twins).
  const read = (file: string) => readSafetensors(bytes(file), file, resolveLimits());
  for (const [k, t] of read('lstm_l1_float64.safetensors')) tensors.set(`enc.rnn.${k}`, { shape: [...t!.shape], data: new Float64Array(t!.data) });
  for (const [k, t] of read('gru_l2_bi_float64.safetensors')) tensors.set(`dec.${k}`, { shape: [...t!.shape], data: new Float64Array(t!.data) });
  const two = safetensors(tensors);
  await refusal(two, 'two.safetensors', 'one recurrent module, or --module PREFIX', 'enc.rnn: nn.LSTM(3, 5)', 'dec: nn.GRU(3, 5, num_layers=2, bidirectional=True)');
  const picked = await loadModelBytes(two, 'two.safetensors', undefined, undefined, { module: 'dec' });
  assert.equal(picked.model.layers.length, 2);
  assert.equal(picked.model.layers[0]!.kind, 'bidirectional');
  const e = await loadModelBytes(two, 'two.safetensors', undefined, undefined, { module: 'rnn' }).catch((x) => x);
  assert.ok(e instanceof LoadError && e.message.includes('pass --module with one of: enc.rnn, dec'), String(e));
  // The wrapper Net (emb, lstm, fc) has one recurrent module: it opens with or without --module lstm.
  assert.equal((await loadModelBytes(bytes('net_lstm.pt'), 'net.pt', undefined, undefined, { module: 'lstm' })).model.name, 'lstm');
});

test('the legacy (pre-1.6) format and a checkpoint dict get a way out', async () => {
  const legacy = new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
  await refusal(legacy, 'old.pt', 'legacy (pre-1.6) format');
});
