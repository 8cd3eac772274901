/**
 * The webview's open requests to the host, by id. Every request gets a new id (one counter per page, so ids never
 * repeat across sources); the host answers with `re` = that id. A source asks at most once for the same thing
 * (`key`) while the answer is on its way, and an answer settles exactly the request it names.
 */
import type { RequestMessage } from '../protocol';

type Unnumbered = RequestMessage extends infer M ? (M extends RequestMessage ? Omit<M, 'id'> : never) : never;

let lastId = 0;

export class Requests {
  private readonly open = new Map<number, string>();

  constructor(private readonly send: (m: RequestMessage) => void) {}

  /** Sends `m` with a new id unless a request for `key` is still open (null: always sent); the id, or 0 when not sent. */
  ask(key: string | null, m: Unnumbered): number {
    if (key !== null && this.isOpen(key)) return 0;
    const id = ++lastId;
    this.open.set(id, key ?? '');
    this.send({ ...m, id } as RequestMessage);
    return id;
  }

  isOpen(key: string): boolean {
    for (const k of this.open.values()) if (k === key) return true;
    return false;
  }

  /** Some request whose key starts with `prefix` is open. */
  anyOpen(prefix: string): boolean {
    for (const k of this.open.values()) if (k.startsWith(prefix)) return true;
    return false;
  }

  /** The answer to request `re` arrived: true when it was one of ours (it is no longer open). */
  settle(re: number): boolean {
    return this.open.delete(re);
  }
}
