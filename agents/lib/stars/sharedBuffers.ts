/**
 * Large read-only arrays (the star catalog, index code trees) shared between
 * the worker threads of one process instead of one copy per thread: the first
 * thread to need one reads it into a SharedArrayBuffer and offers it on a
 * BroadcastChannel; the others keep what they are offered and use it when they
 * need the same data (same key: file path, size and modification time).
 *
 * Opportunistic: messages arrive only when a thread's event loop runs, so two
 * threads starting at the same moment may each read their own copy. The data
 * never differ, so that costs memory, never correctness.
 */
import { statSync } from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';

type Message = { type: 'offer'; key: string; sab: SharedArrayBuffer } | { type: 'want' };

const known = new Map<string, SharedArrayBuffer>();
let channel: BroadcastChannel | null = null;

function open(): BroadcastChannel {
  if (channel) return channel;
  const ch = new BroadcastChannel('sidereal:platesolve:shared-buffers');
  ch.unref(); // never keeps a thread (or a test run) alive
  ch.onmessage = (ev: unknown) => {
    const m = (ev as { data?: Message }).data;
    if (m?.type === 'offer' && m.sab instanceof SharedArrayBuffer && typeof m.key === 'string') {
      if (!known.has(m.key)) known.set(m.key, m.sab);
    } else if (m?.type === 'want') {
      for (const [key, sab] of known) ch.postMessage({ type: 'offer', key, sab } satisfies Message);
    }
  };
  ch.postMessage({ type: 'want' } satisfies Message); // threads started earlier answer with what they hold
  channel = ch;
  return ch;
}

// Open at import: a thread that loads the solver asks the others early for what they hold.
open();

/** Key for a buffer derived from a file (changes when the file is replaced). */
export function fileKey(path: string, what: string): string {
  const st = statSync(path);
  return `${path}\u0000${st.size}\u0000${Math.round(st.mtimeMs)}\u0000${what}`;
}

/**
 * The shared buffer for `key` of `bytes` bytes: one another thread offered,
 * or a new one filled by `fill` (and offered to the others).
 */
export function sharedBuffer(key: string, bytes: number, fill: (into: Uint8Array) => void): SharedArrayBuffer {
  const ch = open();
  const have = known.get(key);
  if (have && have.byteLength === bytes) return have;
  const sab = new SharedArrayBuffer(bytes);
  fill(new Uint8Array(sab));
  known.set(key, sab);
  ch.postMessage({ type: 'offer', key, sab } satisfies Message);
  return sab;
}
