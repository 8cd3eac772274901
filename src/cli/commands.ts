/**
 * The four CLI commands, each in its own module under commands/ so that `main` loads only the one it runs (`run`
 * then never loads the comparison, diagnosis or analysis code). Each returns its exit code; output goes through
 * `print` so tests can capture it.
 */
export type { Print } from './commands/shared';
export { runCommand } from './commands/run';
export { compareCommand } from './commands/compare';
export { inspectCommand } from './commands/inspect';
export { traceCommand } from './commands/trace';
export { explainCommand } from './commands/explain';
