/**
 * EXIF / XMP / IPTC metadata as header cards, via exifr. Tags are flattened
 * to exifr's names ("ExposureTime", "ISO", "Make", "DateTimeOriginal",
 * "latitude"…); binary blobs and unnamed numeric tags are dropped.
 */
import exifr from 'exifr';
import type { HeaderCard } from '../sdk/facts.ts';

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
