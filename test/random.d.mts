/** Seeded uniform numbers in [-1, 1) (mulberry32); see random.mjs. */
export declare function rng(seed: number): () => number;
