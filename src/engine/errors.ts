/** A run the engine cannot do with this input (wrong rank, wrong feature count, token id out of range). */
export class RunError extends Error {
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly hint?: string,
  ) {
    super(hint ? `${message}. Hint: ${hint}` : message);
    this.name = 'RunError';
  }
}
