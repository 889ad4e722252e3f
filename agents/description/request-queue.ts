/**
 * A promise queue that spaces out the start of requests (at least
 * `minIntervalMs` apart) and caps how many run at once. One instance is shared
 * by the whole process, so every image described at the same time counts.
 */
export interface RequestQueueOptions {
  minIntervalMs: number;
  maxConcurrent: number;
}

export class RequestQueue {
  private readonly options: RequestQueueOptions;
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private nextStartAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: RequestQueueOptions) {
    this.options = options;
  }

  /** Runs `task` when its turn comes; rejects without running it if `signal` aborts while waiting. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.turn(signal);
    try {
      return await task();
    } finally {
      this.running--;
      this.pump();
    }
  }

  private turn(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer || this.waiting.length === 0 || this.running >= this.options.maxConcurrent) return;
    const wait = this.nextStartAt - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, wait);
      return;
    }
    const next = this.waiting.shift()!;
    this.running++;
    this.nextStartAt = Date.now() + this.options.minIntervalMs;
    next();
    this.pump();
  }
}
