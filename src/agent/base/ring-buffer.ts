// A bounded list that keeps the most recent items: pushing onto a full buffer drops the oldest.
// The agent keeps its diagnostics in one, so a long-lived agent (a soak, a CLI daemon) holds at
// most `capacity` of them however many sign-ins it runs.

/** A first-in first-out buffer of at most `capacity` items; `push` is O(1). */
export class RingBuffer<T> {
  readonly capacity: number;
  /** The slots; a finite capacity preallocates nothing, the array grows up to `capacity`. */
  readonly #items: T[] = [];
  /** Index of the oldest item once the buffer has wrapped (0 before). */
  #start = 0;

  /**
   * @param capacity the most items kept: a positive integer, or `Infinity` to keep everything.
   * @throws RangeError for anything else (0, a fraction, NaN, a negative number).
   */
  constructor(capacity: number) {
    if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity > 0))) {
      throw new RangeError(`A ring buffer's capacity must be a positive integer or Infinity, got ${String(capacity)}.`);
    }
    this.capacity = capacity;
  }

  get length(): number {
    return this.#items.length;
  }

  /** Appends `item`, dropping the oldest item when the buffer is full. */
  push(item: T): void {
    if (this.#items.length < this.capacity) {
      this.#items.push(item);
      return;
    }
    // Full: overwrite the oldest slot, which makes the next one the oldest.
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.#items.length;
  }

  /** A copy of the items, oldest first. Later pushes do not change it. */
  toArray(): T[] {
    return [...this.#items.slice(this.#start), ...this.#items.slice(0, this.#start)];
  }

  clear(): void {
    this.#items.length = 0;
    this.#start = 0;
  }
}
