/**
 * The engine's runs are generators (recurrent.ts recurrentSteps, Session.runSteps, runModelSteps) that yield between
 * chunks of time steps when asked to; these drive and pass them on.
 */

/** A generator's return value, its yields ignored: what a run that never pauses takes. */
export function finish<R>(g: Generator<unknown, R>): R {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** A generator's yields mapped through `f`, its return value passed on. */
export function* relay<T, U, R>(g: Generator<T, R>, f: (t: T) => U): Generator<U, R> {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    yield f(r.value);
  }
}
