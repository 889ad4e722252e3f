/**
 * Byte shuffling as used by XISF ("+sh" codecs) and FITS GZIP_2: a block of
 * n items of `itemSize` bytes is stored as byte plane 0 of every item, then
 * plane 1, …; the `length mod itemSize` trailing bytes are stored unchanged.
 */

export function unshuffle(src: Uint8Array, itemSize: number): Uint8Array {
  if (itemSize <= 1) return src;
  const n = Math.floor(src.length / itemSize);
  const out = new Uint8Array(src.length);
  for (let b = 0; b < itemSize; b++) {
    const plane = b * n;
    for (let i = 0; i < n; i++) out[i * itemSize + b] = src[plane + i]!;
  }
  out.set(src.subarray(n * itemSize), n * itemSize);
  return out;
}

export function shuffle(src: Uint8Array, itemSize: number): Uint8Array {
  if (itemSize <= 1) return src;
  const n = Math.floor(src.length / itemSize);
  const out = new Uint8Array(src.length);
  for (let b = 0; b < itemSize; b++) {
    const plane = b * n;
    for (let i = 0; i < n; i++) out[plane + i] = src[i * itemSize + b]!;
  }
  out.set(src.subarray(n * itemSize), n * itemSize);
  return out;
}
