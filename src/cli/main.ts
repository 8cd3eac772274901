/**
 * `cellscope` command line. Exit codes are a contract: 0 success (compare: within tolerance), 1 compare found
 * differences, 2 unusable input or usage, 3 an internal error (a bug: please report it). Never a stack trace,
 * unless CELLSCOPE_DEBUG is set.
 */
import { RunError } from '../engine/errors';
import { LoadError } from '../formats/load-error';
import type { Print } from './commands/shared';
import { fileSystemProblem, UsageError } from './files';
import { oneLine, terminalText } from './output';
import { parseCli, type CliOptions } from './options';
import { USAGE } from './usage';

/** Loaded on demand: a command's module pulls in only what it needs (this keeps `cellscope run`'s start-up short). */
const COMMANDS: Record<string, () => Promise<(o: CliOptions, print: Print, warn: Print) => Promise<number>>> = {
  run: async () => (await import('./commands/run')).runCommand,
  compare: async () => (await import('./commands/compare')).compareCommand,
  inspect: async () => (await import('./commands/inspect')).inspectCommand,
  trace: async () => (await import('./commands/trace')).traceCommand,
  explain: async () => (await import('./commands/explain')).explainCommand,
};

/** `cellscope compare … | head -1`: the reader went away; stop quietly, as other command-line tools do. */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount('error')) return;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

export async function main(argv: string[], rawPrint: Print = (t) => process.stdout.write(t + '\n'), rawPrintError: Print = (t) => process.stderr.write(t + '\n')): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  // Names in a user's file reach the terminal escaped, never as escape sequences; an error is always one line.
  const print: Print = (t) => rawPrint(terminalText(t));
  const printError: Print = (t) => rawPrintError(oneLine(t));
  try {
    const o = parseCli(argv);
    if (o === 'help') {
      print(USAGE);
      return argv.length ? 0 : 2;
    }
    const command = await COMMANDS[o.command]!();
    return await command(o, print, printError);
  } catch (e) {
    if (e instanceof LoadError || e instanceof RunError || e instanceof UsageError) {
      printError(`cellscope: ${e.message}`);
      return 2;
    }
    const fsProblem = fileSystemProblem(e);
    if (fsProblem) {
      printError(`cellscope: ${fsProblem}`);
      return 2;
    }
    printError(`cellscope: internal error: ${(e as Error)?.message ?? String(e)} (please report this)`);
    if (process.env.CELLSCOPE_DEBUG) printError(String((e as Error)?.stack));
    return 3;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
