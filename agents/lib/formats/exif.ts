/**
 * EXIF / XMP / IPTC metadata as header cards, via exifr. Tags are flattened
 * to exifr's names ("ExposureTime", "ISO", "Make", "DateTimeOriginal",
 * "latitude"…); binary blobs and unnamed numeric tags are dropped.
 */
import exifr from 'exifr';
import type { HeaderCard } from '../../sdk/facts.ts';
import { openRandomAccess } from './byte-source.ts';

const BASE = {
  tiff: true,
  exif: true,
  gps: true,
  ifd1: false,
  makerNote: false,
  userComment: false,
  // keep values as stored: dates stay "YYYY:MM:DD hh:mm:ss" local time, enums stay numbers
  reviveValues: false,
  translateValues: false,
  translateKeys: true,
  silentErrors: true,
};

/**
 * Reads EXIF (+ XMP and IPTC when they parse) from a file path or bytes.
 * Never throws: unreadable metadata gives no cards.
 */
export async function exifCards(input: string | Uint8Array): Promise<HeaderCard[]> {
  if (!(await tiffCountsPlausible(input))) return [];
  const src = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let out = await parse(src, { ...BASE, xmp: true, iptc: true });
  // a broken XMP/IPTC segment makes exifr return only {errors}: retry with EXIF alone
  if (!out || Object.keys(out).every((k) => k === 'errors')) out = await parse(src, { ...BASE, xmp: false, iptc: false });
  if (!out) return [];
  const cards: HeaderCard[] = [];
  for (const [key, value] of Object.entries(out)) {
    if (key === 'errors' || /^\d+$/.test(key)) continue;
    const v = cardValue(value);
    if (v !== undefined) cards.push({ key, value: v });
  }
  return cards;
}

async function parse(src: string | Buffer, options: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  try {
    return (await exifr.parse(src, options)) as Record<string, unknown> | undefined;
  } catch {
    return undefined;
  }
}

function cardValue(v: unknown): HeaderCard['value'] | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v as HeaderCard['value'];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (v instanceof Uint8Array || ArrayBuffer.isView(v) || Array.isArray(v)) {
    const arr = Array.from(v as ArrayLike<unknown>);
    // short numeric vectors (BitsPerSample, LensInfo, CFAPattern) are useful; blobs are not
    if (arr.length > 0 && arr.length <= 16 && arr.every((x) => typeof x === 'number' || typeof x === 'string')) {
      return arr.join(' ');
    }
    return undefined;
  }
  if (typeof v === 'object') {
    // XMP language alternatives: { lang, value }
    const o = v as Record<string, unknown>;
    if (typeof o.value === 'string') return o.value;
    return undefined;
  }
  return undefined;
}

/** bytes per value of the TIFF field types 1..13 */
const TYPE_BYTES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
/** IFD pointer tags exifr follows: EXIF, GPS, interoperability */
const POINTERS = new Set([0x8769, 0x8825, 0xa005]);

/**
 * exifr allocates a typed array of the count an IFD entry declares before it
 * reads the values, so one entry with a count of 2^32 costs gigabytes (a
 * fuzzed TIFF did). The TIFF structure (a TIFF file, the EXIF segment of a
 * JPEG) is walked first: an entry whose values cannot fit in the TIFF block
 * means damaged metadata, which is then not read at all. Other containers
 * (PNG, HEIF, CR3…) are left to exifr.
 */
async function tiffCountsPlausible(input: string | Uint8Array): Promise<boolean> {
  const raf = typeof input === 'string' ? await openRandomAccess(input).catch(() => null) : null;
  if (typeof input === 'string' && !raf) return true; // exifr reports the unreadable file itself (no cards)
  const size = raf ? raf.size : (input as Uint8Array).length;
  const readAt = async (pos: number, len: number): Promise<Uint8Array> => (raf ? raf.readAt(pos, len) : (input as Uint8Array).subarray(pos, pos + len));
  try {
    const head = await readAt(0, 4);
    let base = 0;
    let limit = size;
    if (head[0] === 0xff && head[1] === 0xd8) {
      // JPEG: the TIFF block is the payload of the APP1 "Exif" segment
      let p = 2;
      for (let i = 0; i < 64 && p + 4 <= size; i++) {
        const m = await readAt(p, 10);
        if (m[0] !== 0xff || m[1] === 0xda || m[1] === 0xd9) return true;
        const len = (m[2]! << 8) | m[3]!;
        if (m[1] === 0xe1 && String.fromCharCode(...m.subarray(4, 8)) === 'Exif') {
          base = p + 10;
          limit = Math.min(size, p + 2 + len) - base;
          break;
        }
        p += 2 + len;
      }
      if (base === 0) return true;
    } else if (!((head[0] === 0x49 && head[1] === 0x49) || (head[0] === 0x4d && head[1] === 0x4d))) {
      return true;
    }
    const hdr = await readAt(base, 8);
    if (hdr.length < 8) return true;
    const le = hdr[0] === 0x49;
    const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (dv(hdr).getUint16(2, le) !== 42) return true; // BigTIFF and others: not walked
    const todo = [dv(hdr).getUint32(4, le)];
    const seen = new Set<number>();
    while (todo.length && seen.size < 16) {
      const ifd = todo.pop()!;
      if (seen.has(ifd) || ifd < 8 || ifd + 2 > limit) continue;
      seen.add(ifd);
      const n = dv(await readAt(base + ifd, 2)).getUint16(0, le);
      const entries = await readAt(base + ifd + 2, n * 12);
      const e = dv(entries);
      for (let at = 0; at + 12 <= entries.length; at += 12) {
        const tag = e.getUint16(at, le);
        const type = e.getUint16(at + 2, le);
        const count = e.getUint32(at + 4, le);
        const bytes = count * (TYPE_BYTES[type] ?? 1);
        if (bytes > limit) return false;
        if (POINTERS.has(tag)) todo.push(e.getUint32(at + 8, le));
      }
    }
    return true;
  } catch {
    return true;
  } finally {
    await raf?.close();
  }
}
