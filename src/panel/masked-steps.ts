/**
 * Which time steps a recurrent layer skipped for one batch item (a padded step keeps the states, as Keras's mask
 * does), as compact input-time ranges for the panel: `3–6, 9`. Steps are recorded in processing order
 * (go_backwards runs from the end), so each is turned back into input time first.
 */
export function skippedTimes(masked: Uint8Array | null, inputTimeOfStep: Int32Array): number[] {
  if (!masked) return [];
  const times: number[] = [];
  masked.forEach((m, s) => m && times.push(inputTimeOfStep[s] ?? s));
  return times.sort((a, b) => a - b);
}

export function rangesText(times: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < times.length; ) {
    let j = i;
    while (j + 1 < times.length && times[j + 1] === times[j]! + 1) j++;
    parts.push(j > i ? `${times[i]}–${times[j]}` : `${times[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
