/** Command-line options shared by the commands, parsed and checked once. */
import { parseArgs } from 'node:util';
import type { HardSigmoidFlavor } from '../engine/model';
import type { Precision } from '../engine/tensor';
import { METHODS, type Method } from '../explain/attribution/types';
import { UsageError } from './files';

export interface CliOptions {
  command: string;
  model: string;
  input?: string;
  expected?: string;
  /** compare: the exporter's recording (expected outputs, the input when --input is absent, per-layer replay). */
  recording?: string;
  out?: string;
  force: boolean;
  json: boolean;
  /** compare: on a mismatch, try the usual culprits and say which explains the recording. */
  diagnose: boolean;
  /** Unset: the file's float16 / bfloat16 dtype policies when its layers declare any (Keras's own rounding), else float64. */
  precision?: Precision;
  hardSigmoid?: HardSigmoidFlavor;
  predictCalls?: number;
  atol: number;
  rtol: number;
  /** PyTorch files: the recurrent module's key prefix (`lstm`), and nn.RNN's nonlinearity (not in state dicts). */
  module?: string;
  nonlinearity?: 'tanh' | 'relu';
  /** compare: a second model that should compute the same function (the port checker). */
  against?: string;
  /** explain: the target's indices as typed (b,t,u), the method, IG's steps and baseline (zeros, mean or a file), the output, occlusion's window and fill, and the dynamics. */
  target?: string;
  method?: Method;
  steps?: number;
  baseline?: string;
  output?: number;
  window?: number;
  fill?: number;
  dynamics?: boolean;
  /** explain: threads for integrated gradients (default 2; 1: the calling thread only). */
  threads?: number;
}

/** `--target -1,2` → `--target=-1,2`: node's parseArgs refuses a separate value that starts with a dash. */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--target' || argv[i] === '--fill') && /^-[\d.]/.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]!);
  }
  return out;
}

function wholeNumber(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name} takes a whole number ≥ ${min}; got "${text}"`);
  return Number(text);
}

function number(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new UsageError(`--${name} takes a number ≥ 0; got "${text}"`);
  return v;
}

export function parseCli(argv: string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinDashValues(argv),
      allowPositionals: true,
      options: {
        input: { type: 'string' },
        expected: { type: 'string' },
        recording: { type: 'string' },
        out: { type: 'string' },
        precision: { type: 'string' },
        'hard-sigmoid': { type: 'string' },
        'predict-calls': { type: 'string' },
        atol: { type: 'string' },
        rtol: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        diagnose: { type: 'boolean', default: false },
        module: { type: 'string' },
        nonlinearity: { type: 'string' },
        against: { type: 'string' },
        target: { type: 'string' },
        method: { type: 'string' },
        steps: { type: 'string' },
        baseline: { type: 'string' },
        output: { type: 'string' },
        window: { type: 'string' },
        fill: { type: 'string' },
        dynamics: { type: 'boolean', default: false },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help || positionals.length === 0) return 'help';
  const [command, model, ...rest] = positionals;
  if (!['run', 'compare', 'inspect', 'trace', 'explain'].includes(command!)) throw new UsageError(`unknown command "${command}"; try run, compare, inspect, trace or explain`);
  if (!model) throw new UsageError(`${command} needs a MODEL file`);
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (v.diagnose && command !== 'compare') throw new UsageError(`--diagnose goes with compare, not ${command}`);
  if (v.precision !== undefined && v.precision !== 'float64' && v.precision !== 'float32') {
    throw new UsageError(`--precision takes float64 or float32; got "${v.precision}"`);
  }
  const hs = v['hard-sigmoid'];
  if (hs !== undefined && hs !== 'keras2' && hs !== 'keras3') throw new UsageError(`--hard-sigmoid takes keras2 or keras3; got "${hs}"`);
  if (v.nonlinearity !== undefined && v.nonlinearity !== 'tanh' && v.nonlinearity !== 'relu') throw new UsageError(`--nonlinearity takes tanh or relu; got "${v.nonlinearity}"`);
  if (v.recording !== undefined && command !== 'compare') throw new UsageError(`--recording goes with compare, not ${command}`);
  if (v.recording !== undefined && v.expected !== undefined) throw new UsageError('--recording and --expected name the same thing (what Keras computed); give one');
  if (v.against !== undefined && command !== 'compare') throw new UsageError(`--against goes with compare, not ${command}`);
  if (v.method !== undefined && !METHODS.includes(v.method as Method)) throw new UsageError(`--method takes ${METHODS.join(', ')}; got "${v.method}"`);
  if (v.fill !== undefined && (v.fill.trim() === '' || !Number.isFinite(Number(v.fill)))) throw new UsageError(`--fill takes a number; got "${v.fill}"`);
  const calls = v['predict-calls'];
  if (calls !== undefined && !/^[1-9]\d*$/.test(calls)) throw new UsageError(`--predict-calls takes a whole number ≥ 1; got "${calls}"`);
  return {
    command: command!,
    model,
    input: v.input,
    expected: v.expected,
    ...(v.recording !== undefined ? { recording: v.recording } : {}),
    out: v.out,
    force: v.force ?? false,
    json: v.json ?? false,
    diagnose: v.diagnose ?? false,
    ...(v.precision !== undefined ? { precision: v.precision as Precision } : {}),
    hardSigmoid: hs as HardSigmoidFlavor | undefined,
    predictCalls: calls === undefined ? undefined : Number(calls),
    atol: number('atol', v.atol, 1e-5),
    rtol: number('rtol', v.rtol, 0),
    ...(v.module !== undefined ? { module: v.module } : {}),
    ...(v.nonlinearity !== undefined ? { nonlinearity: v.nonlinearity as 'tanh' | 'relu' } : {}),
    ...(v.against !== undefined ? { against: v.against } : {}),
    ...(v.target !== undefined ? { target: v.target } : {}),
    ...(v.method !== undefined ? { method: v.method as Method } : {}),
    ...(v.steps !== undefined ? { steps: wholeNumber('steps', v.steps, 1) } : {}),
    ...(v.baseline !== undefined ? { baseline: v.baseline } : {}),
    ...(v.output !== undefined ? { output: wholeNumber('output', v.output, 0) } : {}),
    ...(v.window !== undefined ? { window: wholeNumber('window', v.window, 1) } : {}),
    ...(v.fill !== undefined ? { fill: Number(v.fill) } : {}),
    ...(v.dynamics ? { dynamics: true } : {}),
    ...(v.threads !== undefined ? { threads: wholeNumber('threads', v.threads, 1) } : {}),
  };
}
