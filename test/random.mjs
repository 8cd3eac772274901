// Seeded uniform numbers in [-1, 1) (mulberry32) for tests and benchmarks that need reproducible random weights and
// inputs. Plain JavaScript so that `node bench/panel.mjs` can import it as well as the TypeScript tests (random.ts).

/** @param {number} seed @returns {() => number} */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}
