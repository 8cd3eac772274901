// The tests' seeded random numbers: one implementation, in random.mjs (plain JavaScript, also used by bench/panel.mjs).
export { rng } from './random.mjs';
