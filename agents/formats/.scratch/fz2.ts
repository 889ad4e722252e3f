import { readPixels } from '../index.ts';
const a = await readPixels('/tmp/f32-astropy.fits');
const b = await readPixels(new URL('../fixtures/f32-rice.fits.fz', import.meta.url).pathname);
let m = 0; for (let i = 0; i < a.planes[0]!.length; i++) m = Math.max(m, Math.abs(a.planes[0]![i]! - b.planes[0]![i]!));
console.log('max diff vs astropy/cfitsio', m);
