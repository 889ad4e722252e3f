import { readPixels, describeFile } from '../index.ts';
const dir = new URL('../fixtures/', import.meta.url).pathname;
const ref16 = await readPixels(dir + 'u16.fits');
const ref32 = await readPixels(dir + 'f32.fits');
for (const f of ['u16-rice.fits.fz', 'u16-gzip1.fits.fz', 'u16-gzip2.fits.fz', 'u16-hcompress.fits.fz', 'f32-rice.fits.fz', 'f32-gzip-lossless.fits.fz', 'u16-zstd-sh.xisf', 'f32-zstd.xisf']) {
  try {
    const d = await describeFile(dir + f, { fileName: f, folderPath: '' });
    const p = await readPixels(dir + f);
    const ref = f.startsWith('u16') ? ref16 : ref32;
    let maxd = 0; for (let i = 0; i < p.planes[0]!.length; i++) maxd = Math.max(maxd, Math.abs(p.planes[0]![i]! - ref.planes[0]![i]!));
    console.log(f, d.subformat, d.width, d.height, d.bitDepth, d.acquisition.exposureSeconds, 'maxdiff', maxd, maxd * 65535);
  } catch (e) { console.log(f, 'ERR', (e as Error).message); }
}
