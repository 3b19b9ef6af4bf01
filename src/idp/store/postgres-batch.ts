// Group commit for the PostgreSQL store (issue 15 §1): the calls made in one event-loop turn are
// sent as ONE statement (one round trip, one commit, one WAL flush) instead of one each. A batch is
// one statement, so it commits whole or not at all; when it fails, nothing of it was committed and
// each call is run again alone, so a call that fails (a bad input, a row deleted under it) fails
// only itself and the others still get their own answers.

/** Runs several inputs in one statement; answers one output per input, in the same order. */
export type BatchRunner<I, O> = (inputs: readonly I[]) => Promise<O[]>;

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class StatementBatcher<I, O> {
  readonly #run: BatchRunner<I, O>;
  readonly #maxBatch: number;
  #pending: Pending<I, O>[] = [];
  #scheduled = false;

  /** `maxBatch` bounds one statement's size (its parameter text and the work of one commit). */
  constructor(run: BatchRunner<I, O>, maxBatch: number) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`StatementBatcher: maxBatch must be a positive integer, got ${maxBatch}`);
    this.#run = run;
    this.#maxBatch = maxBatch;
  }

  /**
   * Queues `input` for the batch of this event-loop turn. The batch is sent from setImmediate:
   * after every I/O callback of the current poll phase (every request Node parsed in it) has had
   * its turn to join, so no call waits for a timer, and calls arriving while a batch is in flight
   * form the next one (on another pooled connection) rather than waiting for it.
   */
  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const all = this.#pending;
    this.#pending = [];
    for (let i = 0; i < all.length; i += this.#maxBatch) void this.#send(all.slice(i, i + this.#maxBatch));
  }

  async #send(batch: Pending<I, O>[]): Promise<void> {
    let outputs: O[];
    try {
      outputs = await this.#run(batch.map((p) => p.input));
      if (outputs.length !== batch.length) throw new Error(`StatementBatcher: ${batch.length} inputs answered with ${outputs.length} outputs`);
    } catch (e) {
      // The statement rolled back whole: nothing of the batch is committed, so running each input
      // alone is safe, and it is what tells the failing call from the others.
      if (batch.length === 1) batch[0]!.reject(e);
      else await Promise.all(batch.map((p) => this.#send([p])));
      return;
    }
    batch.forEach((p, i) => p.resolve(outputs[i]!));
  }
}
