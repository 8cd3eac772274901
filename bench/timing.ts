/** One benchmark figure: medians after a warm-up, in milliseconds (bench/run.ts measures, other bench modules report). */
export interface Timing {
  median: number;
  /** Median CPU time of this process (user + system): less sensitive to other processes on a shared machine. */
  cpu: number | null;
  min: number;
  max: number;
  runs: number;
}
