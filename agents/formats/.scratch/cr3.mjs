import exifr from 'exifr';
import { readFileSync } from 'node:fs';
const b = readFileSync('/work/shared/testdata/raw/exiftool-CanonRaw.cr3');
function boxes(buf, start, end, depth=0, out={}) {
  let p = start;
  while (p + 8 <= end) {
    let size = buf.readUInt32BE(p); const type = buf.toString('latin1', p+4, p+8); let hdr = 8;
    if (size === 1) { size = Number(buf.readBigUInt64BE(p+8)); hdr = 16; } else if (size === 0) size = end - p;
    console.log(' '.repeat(depth*2), type, size);
    if (type === 'moov') boxes(buf, p+hdr, p+size, depth+1, out);
    if (type === 'uuid') { const u = buf.subarray(p+8, p+24).toString('hex'); console.log(' '.repeat(depth*2), u); if (u === '85c0b687820f11e08111f4ce462b6a48') boxes(buf, p+24, p+size, depth+1, out); }
    if (type.startsWith('CMT')) out[type] = buf.subarray(p+hdr, p+size);
    p += size;
  }
  return out;
}
const cmt = boxes(b, 0, b.length);
for (const [k, v] of Object.entries(cmt)) {
  const o = await exifr.parse(v, { tiff: true, exif: true, gps: true, ifd0: true, reviveValues: false, translateValues: false, mergeOutput: false }).catch(e => e.message);
  console.log(k, JSON.stringify(o)?.slice(0, 600));
}
