/**
 * A value read from the database that requests use often but that may be a
 * little old (the gallery's filter choices, its "files being processed" line,
 * the common words of the free-text search): the first read is awaited; after `maxAgeMs` the next
 * request starts one new read and is answered with the value it has, so no
 * request waits for a slow read (a pass over a library of 1,000,000 files)
 * once there is a value. A failed read is retried by the next request.
 */
export class Refreshed<T> {
  private value: Promise<T> | null = null;
  private at = 0;
  private reading = false;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
  ) {}

  get(): Promise<T> {
    if (!this.value) {
      const first = this.read();
      this.value = first;
      this.at = Date.now();
      first.catch(() => {
        if (this.value === first) this.value = null;
      });
      return first;
    }
    if (!this.reading && Date.now() - this.at > this.maxAgeMs) {
      this.reading = true;
      this.read()
        .then((v) => {
          this.value = Promise.resolve(v);
          this.at = Date.now();
        })
        .catch(() => {}) // the value it has stays; the next request tries again
        .finally(() => (this.reading = false));
    }
    return this.value;
  }
}
