/**
 * The attacks of issue 18 as small generated files. Each attack is a name, how to build its files in a folder, and
 * the CLI arguments that open it; `ATTACKS` is used by attacks.test.ts (each must be refused cleanly, fast and small)
 * and by measure.mjs (the before/after table). HDF5 and .keras attacks come from make_h5_attacks.py (h5py).
 */
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../fixtures-path';

export interface Attack {
  name: string;
  /** What it does, for the table. */
  what: string;
  /** Builds the files in `dir` and returns the CLI arguments (paths inside `dir`). */
  build(dir: string): string[];
  /** The CLI's exit code a clean refusal has (2 unless the attack is only about output: then 0 with a warning). */
  exit?: number;
  /** Legal work that must finish (not a refusal): its own time limit in seconds, instead of the refusal's. */
  seconds?: number;
  /** Needs the Python venv (HDF5 / .keras attacks). */
  python?: boolean;
  /** Needs a POSIX special file (mkfifo, /dev/zero, /dev/full). */
  posix?: boolean;
  /** What else a clean outcome means (throws an assertion error otherwise). */
  check?(r: { out: string; err: string }, dir: string): void;
}

const w = (name: string, shape: number[], data: number[] | string) => ({ name, shape, dtype: 'float32', data });

/** A keras-model-fixture/v1 text; `raw` pieces are spliced in unquoted (NaN, big zero arrays written fast). */
function fixture(layers: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: 'keras-model-fixture/v1', ...extra, layers });
}

function zeros(n: number): string {
  return n === 0 ? '[]' : `[${'0,'.repeat(n - 1)}0]`;
}

/** JSON text with big zero arrays spliced in at `"@zeros:N"` markers (JSON.stringify of 1e7 numbers is slow). */
function withZeros(text: string): string {
  return text.replace(/"@zeros:(\d+)"/g, (_m, n: string) => zeros(Number(n)));
}

function lstm(units: number, features: number, config: Record<string, unknown> = {}, bias: number[] | string = `@zeros:${4 * units}`) {
  return {
    class_name: 'LSTM',
    config: { units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: false, input_shape: [null, features], ...config },
    weights: [w('kernel', [features, 4 * units], `@zeros:${features * 4 * units}`), w('recurrent_kernel', [units, 4 * units], `@zeros:${units * 4 * units}`), w('bias', [4 * units], bias)],
  };
}

function customCell(units: number, config: Record<string, unknown>, weights: unknown[] = []) {
  return {
    class_name: 'CustomCell',
    config: { name: 'custom', units, input_shape: [null, 1], states: ['h'], gates: [], updates: { h: 'h' }, ...config },
    weights,
  };
}

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const input = (steps: number, features = 1) => ({ shape: [1, steps, features], data: `@zeros:${steps * features}` });

/** A TF.js model folder: model.json with one SimpleRNN layer (2 features, 3 units) and its manifest. */
function tfjs(dir: string, opts: { paths?: string[]; config?: Record<string, unknown> } = {}): string {
  const m = join(dir, 'tfjs');
  mkdirSync(m, { recursive: true });
  const specs = [
    { name: 'rnn/kernel', shape: [2, 3], dtype: 'float32' },
    { name: 'rnn/recurrent_kernel', shape: [3, 3], dtype: 'float32' },
    { name: 'rnn/bias', shape: [3], dtype: 'float32' },
  ];
  const config = { name: 'rnn', units: 3, activation: 'tanh', use_bias: true, batch_input_shape: [null, 4, 2], return_sequences: false, ...opts.config };
  const doc = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'seq', layers: [{ class_name: 'SimpleRNN', config }] } },
    weightsManifest: [{ paths: opts.paths ?? ['shard.bin'], weights: specs }],
  };
  writeFileSync(join(m, 'model.json'), JSON.stringify(doc));
  if (!opts.paths) writeFileSync(join(m, 'shard.bin'), new Uint8Array(18 * 4));
  return join(m, 'model.json');
}

const SMALL_LSTM = () => withZeros(fixture([lstm(2, 1)], { input: input(3) }));

export const ATTACKS: Attack[] = [
  // ---- custom cells ----
  {
    name: 'custom-units-1e9',
    what: 'CustomCell units 1e9 with an initial state value',
    build: (d) => ['run', write(d, 'a.json', fixture([customCell(1e9, { states: [{ name: 'h', initial: 0.5 }] })], { input: { shape: [1, 2, 1], data: [0, 0] } }))],
  },
  {
    name: 'custom-units-1e8',
    what: 'CustomCell units 1e8, no initial value (run allocates the states)',
    build: (d) => ['run', write(d, 'a.json', fixture([customCell(1e8, {})], { input: { shape: [1, 2, 1], data: [0, 0] } }))],
  },
  {
    name: 'custom-weight-refs',
    what: '1,500 references to one 1000×1000 weight (2 MB file)',
    build: (d) =>
      ['run', write(d, 'a.json', withZeros(fixture([customCell(1000, { input_shape: [null, 1000], updates: { h: Array.from({ length: 1500 }, () => 'W @ h').join(' + ') } }, [w('W', [1000, 1000], '@zeros:1000000')])], { input: { shape: [1, 1, 1000], data: '@zeros:1000' } })))],
  },
  {
    name: 'custom-deep-expr',
    what: 'an expression nested 5,000 parentheses deep',
    build: (d) => ['run', write(d, 'a.json', fixture([customCell(1, { updates: { h: '('.repeat(5000) + 'h' + ')'.repeat(5000) } })], { input: { shape: [1, 2, 1], data: [0, 0] } }))],
  },
  {
    name: 'custom-proto-names',
    what: 'expression names constructor / __proto__ / toString, a weight named __proto__',
    build: (d) => ['run', write(d, 'a.json', fixture([customCell(1, { updates: { h: 'h + constructor + toString' } })], { input: { shape: [1, 2, 1], data: [0, 0] } }).replace('"weights":[]', '"weights":[{"name":"__proto__","shape":[1],"dtype":"float32","data":[1]}]'))],
  },
  // ---- JSON text ----
  {
    name: 'json-quadratic',
    what: 'an unterminated string of 160,000 \\" (320 KB)',
    build: (d) => ['run', write(d, 'a.json', '{"format": "keras-model-fixture/v1", "layers": ["' + '\\"'.repeat(160_000))],
  },
  // ---- work ----
  {
    name: 'predict-calls-1e12',
    what: 'predict_calls: 1e12 on a small LSTM',
    build: (d) => ['run', write(d, 'a.json', withZeros(fixture([lstm(2, 1)], { input: input(3), predict_calls: 1e12 })))],
  },
  {
    name: 'zero-features-3e4',
    what: 'an input of shape [30000, 30000, 0]',
    build: (d) => ['run', write(d, 'm.json', withZeros(fixture([lstm(2, 0)]))), '--input', write(d, 'in.json', JSON.stringify({ shape: [30000, 30000, 0], data: [] }))],
  },
  {
    name: 'zero-features-1e6',
    what: 'an input of shape [1e6, 1e6, 0]',
    build: (d) => ['run', write(d, 'm.json', withZeros(fixture([lstm(2, 0)]))), '--input', write(d, 'in.json', JSON.stringify({ shape: [1e6, 1e6, 0], data: [] }))],
  },
  {
    name: 'steps-1e7',
    what: 'an input of 1e7 time steps (20 MB)',
    build: (d) => ['run', write(d, 'm.json', SMALL_LSTM()), '--input', write(d, 'in.json', withZeros(JSON.stringify(input(10_000_000))))],
  },
  {
    name: 'trace-1e6',
    what: 'trace of a legal 1,000,000-step input to a 1-unit LSTM',
    exit: 0,
    seconds: 60,
    build: (d) => ['trace', write(d, 'm.json', withZeros(fixture([lstm(1, 1, { return_sequences: true })]))), '--input', write(d, 'in.json', withZeros(JSON.stringify(input(1_000_000)))), '--out', join(d, 'trace.csv')],
  },
  {
    name: 'inspect-2048',
    what: 'inspect of a 2,048-unit LSTM (spectral radius of 2048² blocks)',
    exit: 0,
    seconds: 60,
    check: (r) => assert.match(r.out, /spectral radius skipped/),
    build: (d) => ['inspect', write(d, 'm.json', withZeros(fixture([lstm(2048, 1)])))],
  },
  // ---- prototypes and output ----
  {
    name: 'tfjs-proto-config',
    what: 'a __proto__ key in a TF.js layer config ({"return_sequences": true})',
    exit: 0,
    build: (d) => {
      const p = tfjs(d);
      const text = readFileSync(p, 'utf8').replace('"return_sequences":false', '"__proto__":{"return_sequences":true,"go_backwards":true}');
      writeFileSync(p, text);
      writeFileSync(join(d, 'in.json'), JSON.stringify({ shape: [1, 4, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] }));
      return ['run', p, '--input', join(d, 'in.json')];
    },
    // return_sequences stays false: the last step only, shape [1, 3].
    check: (r) => assert.deepEqual(JSON.parse(r.out).shape, [1, 3]),
  },
  {
    name: 'ansi-layer-name',
    what: 'a layer name with ANSI/OSC escapes and a newline, printed by inspect',
    exit: 0,
    build: (d) => ['inspect', write(d, 'a.json', withZeros(fixture([lstm(2, 1, { name: '\u001b[31mred\u001b]0;owned\u0007\nsecond line' })])))],
    check: (r) => {
      assert.doesNotMatch(r.out + r.err, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no control characters but newline and tab');
      assert.match(r.out, /\\u001b\[31mred/, 'the escape shown escaped');
      assert.doesNotMatch(r.out, /\nsecond line/, 'the newline in the name does not start a line');
    },
  },
  {
    name: 'nan-output',
    what: 'a model whose output is NaN (printed as null before)',
    exit: 0,
    build: (d) => ['run', write(d, 'a.json', withZeros(fixture([lstm(2, 1, {}, [NaN, 0, 0, 0, 0, 0, 0, 0] as unknown as number[])], { input: input(3) })).replace('null,0,0', 'NaN,0,0'))],
    check: (r) => {
      assert.match(r.out, /\[NaN,/, 'NaN printed as the token Python and Cellscope read back');
      assert.doesNotMatch(r.out, /null/);
      assert.match(r.err, /NaN/, 'a warning on stderr');
    },
  },
  // ---- files ----
  {
    name: 'model-dev-zero',
    what: 'a model symlinked to /dev/zero',
    posix: true,
    build: (d) => {
      symlinkSync('/dev/zero', join(d, 'model.json'));
      return ['run', join(d, 'model.json')];
    },
  },
  {
    name: 'input-dev-zero',
    what: '--input symlinked to /dev/zero',
    posix: true,
    build: (d) => {
      symlinkSync('/dev/zero', join(d, 'in.json'));
      return ['run', write(d, 'm.json', SMALL_LSTM()), '--input', join(d, 'in.json')];
    },
  },
  {
    name: 'model-fifo',
    what: 'a FIFO as the model',
    posix: true,
    build: (d) => {
      spawnSync('mkfifo', [join(d, 'fifo.json')]);
      return ['run', join(d, 'fifo.json')];
    },
  },
  {
    name: 'model-directory',
    what: 'a directory as MODEL',
    build: (d) => {
      mkdirSync(join(d, 'dir.json'));
      return ['run', join(d, 'dir.json')];
    },
  },
  {
    name: 'input-directory',
    what: 'a directory as --input',
    build: (d) => {
      mkdirSync(join(d, 'in.json'));
      return ['run', write(d, 'm.json', SMALL_LSTM()), '--input', join(d, 'in.json')];
    },
  },
  {
    name: 'shard-fifo',
    what: 'a TF.js shard that is a FIFO',
    posix: true,
    build: (d) => {
      const p = tfjs(d, { paths: ['shard.bin'] });
      spawnSync('mkfifo', [join(d, 'tfjs', 'shard.bin')]);
      return ['run', p];
    },
  },
  {
    name: 'shard-dev-zero',
    what: 'a TF.js shard symlinked to /dev/zero',
    posix: true,
    build: (d) => {
      const p = tfjs(d, { paths: ['shard.bin'] });
      symlinkSync('/dev/zero', join(d, 'tfjs', 'shard.bin'));
      return ['run', p];
    },
  },
  {
    name: 'shard-outside',
    exit: 2,
    what: 'a TF.js shard symlinked out of the model folder (72 bytes of /etc/passwd)',
    posix: true,
    build: (d) => {
      const p = tfjs(d, { paths: ['shard.bin'] });
      writeFileSync(join(d, 'secret'), new Uint8Array(72).fill(0x41));
      symlinkSync(join(d, 'secret'), join(d, 'tfjs', 'shard.bin'));
      return ['run', p, '--input', write(d, 'in.json', JSON.stringify({ shape: [1, 4, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] }))];
    },
  },
  {
    name: 'shard-sparse',
    what: 'a sparse 1.9 GB TF.js shard',
    build: (d) => {
      const p = tfjs(d, { paths: ['shard.bin'] });
      writeFileSync(join(d, 'tfjs', 'shard.bin'), '');
      truncateSync(join(d, 'tfjs', 'shard.bin'), 1.9e9);
      return ['run', p];
    },
  },
  {
    name: 'shard-repeated',
    what: 'one 512 KB shard listed 1000 times',
    build: (d) => {
      const p = tfjs(d, { paths: Array.from({ length: 1000 }, () => 'shard.bin') });
      writeFileSync(join(d, 'tfjs', 'shard.bin'), new Uint8Array(512 * 1024));
      return ['run', p];
    },
  },
  {
    name: 'out-dev-full',
    what: '--out /dev/full',
    posix: true,
    build: (d) => ['run', write(d, 'm.json', SMALL_LSTM()), '--out', '/dev/full', '--force'],
  },
  {
    name: 'force-symlink',
    what: '--force onto a symlink to another file',
    exit: 0,
    build: (d) => {
      writeFileSync(join(d, 'victim.txt'), 'precious');
      symlinkSync(join(d, 'victim.txt'), join(d, 'out.json'));
      return ['run', write(d, 'm.json', SMALL_LSTM()), '--out', join(d, 'out.json'), '--force'];
    },
    check: (_r, d) => {
      assert.equal(readFileSync(join(d, 'victim.txt'), 'utf8'), 'precious', 'the symlink target is untouched');
      assert.ok(lstatSync(join(d, 'out.json')).isFile(), 'the symlink was replaced by a file');
    },
  },
  // ---- HDF5 / zip (make_h5_attacks.py) ----
  ...(
    [
      ['gzip-bomb.h5', 'gzip chunks of zeros: 2^28 float32 values in 1 MB'],
      ['chunk-btree-dag.h5', 'a chunk B-tree whose levels all point to one node (64^4 leaves, 47 KB)'],
      ['group-btree-dag.h5', "the root group's B-tree as a DAG (64^4 leaves, 16 KB)"],
      ['repeated-weight.h5', 'weight_names lists one 16 M-element dataset 200 times (83 KB)'],
      ['hardlink-loop.keras', 'a .keras whose HDF5 group hard-links to itself 4 times (7 KB)'],
      ['no-storage.h5', 'a kernel declared 16384² float32 with no storage (10 KB)'],
      ['zip-repeated.keras', 'a .keras with model.weights.h5 twice'],
    ] as const
  ).map(([file, what]): Attack => ({ name: file.replace(/\.(h5|keras)$/, ''), what, python: true, build: (d) => ['run', buildPythonAttack(d, file)] })),
];

/** The venv's interpreter (scripts/python-env.mjs makes it; tests call ensurePythonEnv first). */
export const PYTHON = join(REPO, '.venv', 'bin', 'python');

/** One file of make_h5_attacks.py, written into `dir`. */
export function buildPythonAttack(dir: string, file: string): string {
  const r = spawnSync(PYTHON, [join(__dirname, 'make_h5_attacks.py'), dir, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_h5_attacks.py ${file} failed: ${r.stderr}`);
  return join(dir, file);
}
