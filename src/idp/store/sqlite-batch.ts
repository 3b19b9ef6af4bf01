// Group commit for the SQLite store's writing steps (fedkit issue 15 §1): the steps asked for in
// the same turn of the event loop run in ONE `BEGIN IMMEDIATE … COMMIT`, so a burst of ID
// assertions pays for one write lock, one WAL commit and (with synchronous=full) one fdatasync
// instead of one each.
//
// What each step still gets, as if it ran alone:
// - its own SAVEPOINT (better-sqlite3 nests a transaction function called inside another one as
//   SAVEPOINT … RELEASE, and rolls back to the savepoint when the function throws): a step that
//   throws leaves nothing behind and rejects only its own promise;
// - exact reads: the steps run one after the other on the one connection, each sees the writes of
//   those before it in the batch (the replay guard stays exact: the same nonce twice in one batch
//   completes once);
// - durability before acknowledgement: no promise settles before the COMMIT returned (with
//   synchronous=full, after the WAL was synced), so a caller that signs a token only once its
//   step resolved never sends one whose nonce and grant are not committed. If the COMMIT (or the
//   BEGIN) fails, every step of the batch rejects: none of their writes is there.
//
// The flush is scheduled with setImmediate, which runs once the poll phase has handed every
// request that arrived together to its handler (queueMicrotask would flush before the next
// socket's data is read, so over HTTP the batches would stay at one step; the in-process
// measurement is in the commit that chose it).

import type Database from 'better-sqlite3';

/** At most this many steps share a transaction (bounds the rollback scope and the time the lock is held). */
export const GROUP_COMMIT_MAX_STEPS = 64;

interface Pending<I, R> {
  readonly input: I;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export class GroupCommit<I, R> {
  readonly #step: Database.Transaction<(input: I) => R>;
  readonly #batch: Database.Transaction<(entries: readonly Pending<I, R>[]) => Settled<R>[]>;
  #queue: Pending<I, R>[] = [];
  #scheduled = false;
  readonly #onImmediate = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** `step` is a better-sqlite3 transaction function: alone it is its own IMMEDIATE transaction, in a batch a savepoint. */
  constructor(db: Database.Database, step: Database.Transaction<(input: I) => R>) {
    this.#step = step;
    this.#batch = db.transaction((entries: readonly Pending<I, R>[]): Settled<R>[] => {
      const settled: Settled<R>[] = [];
      for (const entry of entries) {
        try {
          settled.push({ ok: true, value: step(entry.input) });
        } catch (error) {
          // better-sqlite3 rolled back to the step's savepoint. Some errors (SQLITE_FULL,
          // SQLITE_IOERR, SQLITE_NOMEM…) end the whole transaction instead: then the steps
          // before this one lost their writes too, and the batch fails whole.
          if (!db.inTransaction) throw error;
          settled.push({ ok: false, error });
        }
      }
      return settled;
    });
  }

  /** Queues the step for this turn's batch; settles once the batch's COMMIT returned (or failed). */
  run(input: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#onImmediate);
      }
    });
  }

  /** Runs every queued step now, GROUP_COMMIT_MAX_STEPS to a transaction (also called before the store closes). */
  flush(): void {
    while (this.#queue.length > 0) {
      const entries = this.#queue.length <= GROUP_COMMIT_MAX_STEPS ? this.#queue : this.#queue.slice(0, GROUP_COMMIT_MAX_STEPS);
      this.#queue = entries === this.#queue ? [] : this.#queue.slice(GROUP_COMMIT_MAX_STEPS);
      this.#commit(entries);
    }
  }

  #commit(entries: readonly Pending<I, R>[]): void {
    if (entries.length === 1) {
      // One step: its own IMMEDIATE transaction, no savepoint (exactly the cost of a step alone).
      const entry = entries[0]!;
      let value: R;
      try {
        value = this.#step.immediate(entry.input);
      } catch (error) {
        entry.reject(error);
        return;
      }
      entry.resolve(value);
      return;
    }
    let settled: Settled<R>[];
    try {
      settled = this.#batch.immediate(entries);
    } catch (error) {
      // BEGIN IMMEDIATE or COMMIT failed (or the transaction ended under a step): better-sqlite3
      // rolled back what was left, so no step of the batch is committed.
      for (const entry of entries) entry.reject(error);
      return;
    }
    for (let i = 0; i < entries.length; i++) {
      const s = settled[i]!;
      if (s.ok) entries[i]!.resolve(s.value);
      else entries[i]!.reject(s.error);
    }
  }
}
