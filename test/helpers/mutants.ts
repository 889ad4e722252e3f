/**
 * Seeded mutants of well-formed image files, for the readers' fuzz test:
 * seeds come from the project's own writers (FITS plain, gzip and
 * tile-compressed; XISF plain and compressed) and from sharp (TIFF, JPEG,
 * PNG); mutations are bit flips, truncation and hostile values in the fields
 * that declare sizes (NAXISn, BITPIX, ZNAXISn, ZTILEn, THEAP, XISF geometry /
 * location / compression, TIFF IFD counts and offsets, JPEG segment lengths).
 * Same seed, same mutants.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { concat, fitsHdu, tileCompressedHdu, xisfFile } from '../../agents/lib/formats/test-writers.ts';

export interface Seed {
  name: string;
  ext: string;
  bytes: Uint8Array;
  kind: 'fits' | 'fitsgz' | 'xisf' | 'tiff' | 'jpeg' | 'png';
}

export interface Mutant {
  name: string;
  ext: string;
  bytes: Uint8Array;
  /** what was changed, for failure messages */
  how: string;
}

import { prng } from '../../agents/lib/imaging/synthetic.ts';

export { prng };

const ramp = (n: number, mod: number) => Array.from({ length: n }, (_, i) => (i * 2654435761) % mod);

/** The well-formed files every mutant starts from. */
export async function seeds(): Promise<Seed[]> {
  const w = 40;
  const h = 30;
  const out: Seed[] = [];
  const fits16 = fitsHdu({ bitpix: 16, axes: [w, h], data: ramp(w * h, 30000), cards: [['BZERO', 32768], ['BAYERPAT', 'RGGB'], ['EXPTIME', 30], ['OBJECT', 'M 31'], ['DATE-OBS', '2024-10-01T21:00:00']] });
  out.push({ name: 'fits16', ext: 'fits', kind: 'fits', bytes: fits16 });
  out.push({ name: 'fits-float-cube', ext: 'fits', kind: 'fits', bytes: fitsHdu({ bitpix: -32, axes: [w, h, 3], data: ramp(w * h * 3, 1000).map((v) => v / 1000) }) });
  const emptyPrimary = fitsHdu({ bitpix: 8, axes: [] });
  const tile = (compression: 'RICE_1' | 'GZIP_1' | 'GZIP_2', tileHeight: number) =>
    concat([emptyPrimary, tileCompressedHdu({ bitpix: 16, width: w, height: h, data: ramp(w * h, 20000), compression, tileHeight })]);
  out.push({ name: 'fz-rice', ext: 'fits.fz', kind: 'fits', bytes: tile('RICE_1', 1) });
  out.push({ name: 'fz-gzip1', ext: 'fits.fz', kind: 'fits', bytes: tile('GZIP_1', 10) });
  out.push({ name: 'fz-gzip2', ext: 'fits.fz', kind: 'fits', bytes: tile('GZIP_2', 30) });
  const fzFloat = concat([emptyPrimary, tileCompressedHdu({ bitpix: -32, width: w, height: h, data: ramp(w * h, 500).map((v) => v / 7), compression: 'RICE_1', tileHeight: 5, quantize: { scale: 0.01, method: 'SUBTRACTIVE_DITHER_1', seed: 3 } })]);
  out.push({ name: 'fz-float', ext: 'fits.fz', kind: 'fits', bytes: fzFloat });
  out.push({ name: 'fits-gz', ext: 'fits.gz', kind: 'fitsgz', bytes: new Uint8Array(gzipSync(fits16)) });

  const x = (name: string, spec: Partial<Parameters<typeof xisfFile>[0]>) =>
    out.push({ name, ext: 'xisf', kind: 'xisf', bytes: xisfFile({ width: w, height: h, channels: 1, sampleFormat: 'UInt16', samples: ramp(w * h, 60000), keywords: [['EXPTIME', '120'], ['FILTER', "'Ha'"]], ...spec }) });
  x('xisf-plain', { imageXml: '<Property id="Instrument:Sensor:Gain" type="Float32" value="100"/>' });
  x('xisf-zlib-sh', { codec: 'zlib', shuffle: true });
  x('xisf-lz4', { codec: 'lz4', sampleFormat: 'Float32', samples: ramp(w * h, 1000).map((v) => v / 1000) });
  x('xisf-zstd', { codec: 'zstd' });
  x('xisf-rgb-normal', { channels: 3, pixelStorage: 'Normal', samples: ramp(w * h * 3, 60000) });
  x('xisf-embedded', { location: 'embedded', codec: 'zlib', metadataXml: '<Property id="Test:Vector" type="F64Vector" length="4" location="inline:base64">AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEA=</Property>' });

  const raw = Buffer.from(Uint8Array.from(ramp(w * h * 3, 256)));
  const img = () => sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  out.push({ name: 'tiff16', ext: 'tif', kind: 'tiff', bytes: new Uint8Array(await img().toColourspace('rgb16').tiff().toBuffer()) });
  out.push({ name: 'tiff8-deflate', ext: 'tif', kind: 'tiff', bytes: new Uint8Array(await img().tiff({ compression: 'deflate' }).toBuffer()) });
  out.push({ name: 'jpeg', ext: 'jpg', kind: 'jpeg', bytes: new Uint8Array(await img().jpeg({ quality: 80 }).withMetadata({ exif: { IFD0: { Make: 'Test', Model: 'Fuzz' } } }).toBuffer()) });
  out.push({ name: 'png', ext: 'png', kind: 'png', bytes: new Uint8Array(await img().png().toBuffer()) });
  return out;
}

/** values that break size arithmetic */
const HOSTILE = ['0', '-1', '1', '3', '7', '2147483647', '2147483648', '4294967296', '65536', '1000000', '99999999', '9007199254740993', '1E300', '3.5', "'abc'", 'T', ''];

/** Replaces the value of FITS card `key` (every HDU) with `value`, keeping the 80-character cards. */
function setFitsCard(bytes: Uint8Array, key: string, value: string): Uint8Array | null {
  const out = bytes.slice();
  let hit = false;
  const want = key.padEnd(8);
  // header cards sit at 80-byte offsets inside 2880-byte blocks
  for (let off = 0; off + 80 <= out.length; off += 80) {
    let k = '';
    for (let i = 0; i < 8; i++) k += String.fromCharCode(out[off + i]!);
    if (k !== want || out[off + 8] !== 0x3d) continue;
    const card = `${want}= ${value.padStart(20)}`.padEnd(80).slice(0, 80);
    for (let i = 0; i < 80; i++) out[off + i] = card.charCodeAt(i);
    hit = true;
  }
  return hit ? out : null;
}

function xisfXml(bytes: Uint8Array): { xml: string; len: number } {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return { xml: Buffer.from(bytes.subarray(16, 16 + len)).toString('utf8'), len };
}

/** Replaces the XISF header; padded to its old length when shorter (attachments stay put), else longer (they shift). */
function setXisfXml(bytes: Uint8Array, xml: string): Uint8Array {
  const { len } = xisfXml(bytes);
  let body = Buffer.from(xml, 'utf8');
  if (body.length <= len) body = Buffer.concat([body, Buffer.alloc(len - body.length, 0x20)]);
  const start = bytes.slice(0, 16);
  new DataView(start.buffer).setUint32(8, body.length, true);
  return concat([start, body, bytes.subarray(16 + len)]);
}

const XISF_ATTRS: Record<string, (r: () => number) => string> = {
  geometry: (r) => [`${pick(r, HOSTILE)}:30:1`, `40:${pick(r, HOSTILE)}:1`, `40:30:${pick(r, HOSTILE)}`, '65536:65536:1', '16384:16384:4', '40:30', '40', '40:30:1:1', 'a:b:c'][Math.floor(r() * 9)]!,
  location: (r) => [`attachment:${pick(r, HOSTILE)}:2400`, `attachment:4096:${pick(r, HOSTILE)}`, 'attachment', 'inline:base64', 'embedded', 'url(file:///etc/passwd)', 'attachment:-16:100'][Math.floor(r() * 7)]!,
  compression: (r) => [`zlib:${pick(r, HOSTILE)}`, `zstd:1073741824`, `lz4+sh:${pick(r, HOSTILE)}:2`, 'lz4hc:2400:0', 'zlib+sh:2400:99', 'zlib', 'bzip2:2400'][Math.floor(r() * 7)]!,
  sampleFormat: (r) => pick(r, ['UInt8', 'UInt32', 'Float64', 'Complex32', 'UInt64', '']),
  pixelStorage: (r) => pick(r, ['Normal', 'Planar', 'Other']),
  subblocks: (r) => [`${pick(r, HOSTILE)},2400`, `10,${pick(r, HOSTILE)}:5,5`, '0,0', '1,1073741824:1,1073741824'][Math.floor(r() * 4)]!,
};

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function mutateXisf(bytes: Uint8Array, r: () => number): { bytes: Uint8Array; how: string } {
  const { xml } = xisfXml(bytes);
  const attr = pick(r, Object.keys(XISF_ATTRS));
  const value = XISF_ATTRS[attr]!(r);
  // the image element's attribute (added when missing)
  const re = new RegExp(`(<Image[^>]*?\\s)${attr}="[^"]*"`);
  const next = re.test(xml) ? xml.replace(re, `$1${attr}="${value}"`) : xml.replace('<Image ', `<Image ${attr}="${value}" `);
  return { bytes: setXisfXml(bytes, next), how: `XISF ${attr}="${value}"` };
}

/** IFD0 entries of a TIFF: [offset of entry] */
function tiffEntries(b: Uint8Array): { le: boolean; entries: number[] } | null {
  const le = b[0] === 0x49;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ifd = dv.getUint32(4, le);
  if (ifd + 2 > b.length) return null;
  const n = dv.getUint16(ifd, le);
  const entries: number[] = [];
  for (let i = 0; i < n && ifd + 2 + i * 12 + 12 <= b.length; i++) entries.push(ifd + 2 + i * 12);
  return { le, entries };
}

function mutateTiff(bytes: Uint8Array, r: () => number): { bytes: Uint8Array; how: string } {
  const out = bytes.slice();
  const t = tiffEntries(out);
  if (!t || t.entries.length === 0) return flip(out, r);
  const at = pick(r, t.entries);
  const dv = new DataView(out.buffer);
  const tag = dv.getUint16(at, t.le);
  const field = pick(r, ['count', 'value', 'type'] as const);
  const v = pick(r, [0, 1, 0xffff, 0x7fffffff, 0xffffffff, 0x10000000, out.length, out.length - 2, Math.floor(r() * 0xffffffff)]);
  if (field === 'count') dv.setUint32(at + 4, v, t.le);
  else if (field === 'value') dv.setUint32(at + 8, v, t.le);
  else dv.setUint16(at + 2, v & 0xffff, t.le);
  return { bytes: out, how: `TIFF tag ${tag} ${field}=${v}` };
}

function mutateJpeg(bytes: Uint8Array, r: () => number): { bytes: Uint8Array; how: string } {
  const out = bytes.slice();
  const segments: { at: number; marker: number }[] = [];
  for (let p = 2; p + 4 <= out.length; ) {
    if (out[p] !== 0xff) break;
    const marker = out[p + 1]!;
    if (marker === 0xda || marker === 0xd9) break;
    segments.push({ at: p, marker });
    p += 2 + ((out[p + 2]! << 8) | out[p + 3]!);
  }
  if (!segments.length) return flip(out, r);
  const s = pick(r, segments);
  const dv = new DataView(out.buffer);
  if ((s.marker === 0xc0 || s.marker === 0xc2) && r() < 0.5) {
    // frame dimensions: height at +5, width at +7
    const v = pick(r, [0, 1, 0xffff, 0x8000]);
    dv.setUint16(s.at + (r() < 0.5 ? 5 : 7), v);
    return { bytes: out, how: `JPEG SOF dimension ${v}` };
  }
  const v = pick(r, [0, 1, 2, 3, 0xffff, 0x8000, Math.floor(r() * 0x10000)]);
  dv.setUint16(s.at + 2, v);
  return { bytes: out, how: `JPEG segment ${s.marker.toString(16)} length ${v}` };
}

function flip(bytes: Uint8Array, r: () => number, region?: number): { bytes: Uint8Array; how: string } {
  const out = bytes.slice();
  const n = 1 + Math.floor(r() * 8);
  const span = Math.min(out.length, region ?? out.length);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * span);
    out[at]! ^= 1 << Math.floor(r() * 8);
  }
  return { bytes: out, how: `${n} bit flips${region ? ` in the first ${span} bytes` : ''}` };
}

const FITS_KEYS = ['NAXIS', 'NAXIS1', 'NAXIS2', 'NAXIS3', 'BITPIX', 'PCOUNT', 'GCOUNT', 'ZNAXIS', 'ZNAXIS1', 'ZNAXIS2', 'ZTILE1', 'ZTILE2', 'ZBITPIX', 'THEAP', 'TFIELDS', 'ZVAL1', 'ZVAL2', 'BZERO', 'BSCALE'];

/** `count` mutants of the seeds, spread evenly, deterministic for a given `seed`. */
export function mutants(all: Seed[], count: number, seed: number): Mutant[] {
  const r = prng(seed);
  const out: Mutant[] = [];
  for (let i = 0; i < count; i++) {
    const s = all[i % all.length]!;
    const kind = r();
    let m: { bytes: Uint8Array; how: string } | null = null;
    if (kind < 0.15) {
      const len = Math.floor(r() * s.bytes.length);
      m = { bytes: s.bytes.slice(0, len), how: `truncated to ${len} bytes` };
    } else if (kind < 0.35) {
      m = flip(s.bytes, r, r() < 0.5 ? 4096 : undefined);
    } else if (s.kind === 'fits') {
      for (let tries = 0; tries < 10 && !m; tries++) {
        const key = pick(r, FITS_KEYS);
        const value = pick(r, HOSTILE);
        const b = setFitsCard(s.bytes, key, value);
        if (b) m = { bytes: b, how: `${key} = ${value}` };
      }
    } else if (s.kind === 'fitsgz') {
      // the hostile header inside a valid gzip stream
      const plain = new Uint8Array(gunzipSync(s.bytes));
      const key = pick(r, ['NAXIS1', 'NAXIS2', 'BITPIX', 'NAXIS']);
      const value = pick(r, HOSTILE);
      const b = setFitsCard(plain, key, value);
      if (b) m = { bytes: new Uint8Array(gzipSync(b)), how: `gzip: ${key} = ${value}` };
    } else if (s.kind === 'xisf') m = mutateXisf(s.bytes, r);
    else if (s.kind === 'tiff') m = mutateTiff(s.bytes, r);
    else if (s.kind === 'jpeg') m = mutateJpeg(s.bytes, r);
    m ??= flip(s.bytes, r);
    out.push({ name: `${String(i).padStart(3, '0')}-${s.name}`, ext: s.ext, bytes: m.bytes, how: m.how });
  }
  return out;
}
