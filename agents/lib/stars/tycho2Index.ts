/**
 * Reads the stars of a Debian astrometry.net Tycho-2 index file
 * (`index-tycho2-NN.littleendian.fits`, PLATESOLVE.md §2.1): the star kd-tree
 * data (3 × u32 quantised unit vectors, native little endian), its range
 * record, and the row-aligned MAG_VT tag-along column (big-endian float32).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { listHdus, type Hdu } from './fitsHdus.ts';
import type { StarList } from './starCatalog.ts';


function readBytes(fd: number, offset: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got);
    if (n <= 0) throw new Error('unexpected end of index file');
    got += n;
  }
  return buf;
}

/** Reads all stars (RA/Dec in degrees, V_T magnitude) of one index file. */
export function readTycho2Index(path: string): StarList & { indexId: number } {
  const fd = openSync(path, 'r');
  try {
    const hdus = listHdus(fd, fstatSync(fd).size);
    const byName = (name: string): Hdu => {
      const h = hdus.find((x) => String(x.cards.get('TTYPE1') ?? '').trim() === name);
      if (!h) throw new Error(`${path}: no '${name}' table (not an astrometry.net index?)`);
      return h;
    };
    const indexId = Number(hdus[0].cards.get('INDEXID') ?? 0);
    const endian = String(hdus[0].cards.get('ENDIAN') ?? '04:03:02:01');
    if (endian !== '04:03:02:01') throw new Error(`${path}: big-endian index files are not supported; install the -littleendian packages`);
    const range = byName('kdtree_range_stars');
    const rv = new DataView(readBytes(fd, range.dataOffset, range.dataBytes).buffer);
    const low = [rv.getFloat64(0, true), rv.getFloat64(8, true), rv.getFloat64(16, true)];
    const scale = rv.getFloat64(48, true);
    const data = byName('kdtree_data_stars');
    const rows = Number(data.cards.get('NAXIS2'));
    if (Number(data.cards.get('NAXIS1')) !== 12) throw new Error(`${path}: unexpected star data row size`);
    const mags = byName('MAG_VT');
    const mv = new DataView(readBytes(fd, mags.dataOffset, rows * 4).buffer);
    const ra = new Float64Array(rows), dec = new Float64Array(rows), mag = new Float32Array(rows);
    const chunk = 1 << 16;
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const n = Math.min(chunk, rows - r0);
      const u = new Uint32Array(readBytes(fd, data.dataOffset + r0 * 12, n * 12).buffer);
      for (let i = 0; i < n; i++) {
        const x = low[0] + u[3 * i] / scale, y = low[1] + u[3 * i + 1] / scale, z = low[2] + u[3 * i + 2] / scale;
        let a = (Math.atan2(y, x) * 180) / Math.PI;
        if (a < 0) a += 360;
        ra[r0 + i] = a;
        dec[r0 + i] = (Math.atan2(z, Math.hypot(x, y)) * 180) / Math.PI;
        mag[r0 + i] = mv.getFloat32((r0 + i) * 4, false);
      }
    }
    return { ra, dec, mag, indexId };
  } finally {
    closeSync(fd);
  }
}
