import exifr from 'exifr';
import { readdirSync } from 'node:fs';
const dir='/work/shared/testdata/raw/';
for (const f of [...readdirSync(dir).map(f=>dir+f), '/work/shared/testdata/platesolve/an-apod1.jpg','/work/shared/testdata/platesolve/tetra3-2019-07-29T204726_Alt60_Azi45_Try1.tiff']) {
  try {
    const o = await exifr.parse(f, { tiff: true, exif: true, gps: true, xmp: true, iptc: true, ifd1: false, makerNote: false, reviveValues: false, translateValues: false });
    console.log('==', f, JSON.stringify(o, (k,v)=> (v instanceof Uint8Array || (v && v.type==='Buffer')) ? `<${v.length} bytes>` : v).slice(0,1500));
  } catch (e) { console.log('==', f, 'ERR', e.message); }
}
