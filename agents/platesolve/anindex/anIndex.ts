/**
 * Reader for one astrometry.net index file (Debian `index-tycho2-NN.littleendian.fits`,
 * PLATESOLVE.md §2.1): the quad table, the code kd-tree and the star kd-tree
 * data, read the way solve-field uses them but from TypeScript.
 *
 * Memory: the code kd-tree (split values, leaf bounds and the u16 codes,
 * 8 bytes per quad for 4-star indexes) is held in memory, loaded on first use,
 * the codes in a buffer shared by the process's worker threads
 * ({@link sharedBuffer}). The quad and star tables are too, when they are no
 * bigger than {@link TABLES_IN_MEMORY_BYTES} (every Tycho-2 file): a search
 * reads them once per code match — millions of times — and a positioned read
 * each costs a system call. Bigger files (tiles of deep series) are read on
 * demand (the OS page cache shares them between threads and processes).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { listHdus, type Hdu } from '../../lib/stars/fitsHdus.ts';
import { fileKey, sharedBuffer } from '../../lib/stars/sharedBuffers.ts';
import type { StarList } from '../../lib/stars/starCatalog.ts';


function readBytes(fd: number, offset: number, length: number, into?: Uint8Array): Uint8Array {
  const buf = into ?? new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got);
    if (n <= 0) throw new Error('unexpected end of index file');
    got += n;
  }
  return buf;
}

/** quad + star tables up to this size are held in memory (Tycho-2 4107, the biggest: 93 MB) */
export const TABLES_IN_MEMORY_BYTES = 128 * 1024 * 1024;

const R2ARCSEC = (180 / Math.PI) * 3600;
const D2R = Math.PI / 180;

/** The code kd-tree in memory (libkd layout: implicit binary tree, split dimension in the low bits). */
interface CodeTree {
  ndim: number;
  ninterior: number;
  /** right (inclusive) data row of each leaf */
  lr: Uint32Array;
  /** split value (tree units) with the split dimension in the low `dimBits` bits */
  split: Uint16Array;
  dimMask: number;
  codes: Uint16Array;
  low: Float64Array;
  scale: number;
}

/** One astrometry.net index file. */
export class AnIndex {
  readonly id: number;
  /** 4 (quads) or 3 (triangles) */
  readonly dimQuads: number;
  /** angular size range of the quads' A–B diagonal, arcsec */
  readonly scaleLow: number;
  readonly scaleHigh: number;
  readonly nQuads: number;
  readonly nStars: number;
  /** covers the whole sky (not one HEALPix tile) */
  readonly allSky: boolean;
  /** HEALPix tile (−1 = all sky) and its Nside (5200/4200 series: 48 tiles of Nside 2) */
  readonly healpix: number;
  readonly healpixNside: number;
  private fd: number | null = null;
  private readonly hdus: Hdu[];
  private tree: CodeTree | null = null;
  private starLow: number[] = [];
  private starScale = 0;
  private readonly quadBuf: Uint8Array;
  private readonly quadView: DataView;
  private readonly starBuf = new Uint8Array(12);
  private readonly starView = new DataView(this.starBuf.buffer);
  private readonly quadsOffset: number;
  private readonly starsOffset: number;

  private constructor(readonly path: string, fd: number, private readonly tablesInMemoryBytes: number) {
    this.fd = fd;
    this.hdus = listHdus(fd, fstatSync(fd).size);
    const h0 = this.hdus[0].cards;
    if (String(h0.get('AN_FILE') ?? '').trim() !== 'QUAD') throw new Error(`${path}: not an astrometry.net index`);
    const endian = String(h0.get('ENDIAN') ?? '04:03:02:01');
    if (endian !== '04:03:02:01') throw new Error(`${path}: big-endian index files are not supported`);
    this.id = Number(h0.get('INDEXID') ?? 0);
    this.dimQuads = Number(h0.get('DIMQUADS') ?? 4);
    this.scaleLow = Number(h0.get('SCALE_L')) * R2ARCSEC;
    this.scaleHigh = Number(h0.get('SCALE_U')) * R2ARCSEC;
    this.nQuads = Number(h0.get('NQUADS'));
    this.nStars = Number(h0.get('NSTARS'));
    this.healpix = Number(h0.get('HEALPIX') ?? -1);
    this.healpixNside = Number(h0.get('HPNSIDE') ?? 1);
    this.allSky = h0.get('ALLSKY') === true || this.healpix < 0;
    if (!(this.dimQuads === 3 || this.dimQuads === 4) || !(this.scaleHigh > this.scaleLow && this.scaleLow > 0)) {
      throw new Error(`${path}: unsupported index (DIMQUADS ${this.dimQuads})`);
    }
    this.quadBuf = new Uint8Array(4 * this.dimQuads);
    this.quadView = new DataView(this.quadBuf.buffer);
    const qh = this.table('quads');
    if (qh.dataBytes !== 4 * this.dimQuads * this.nQuads) throw new Error(`${path}: unexpected quad table size`);
    this.quadsOffset = qh.dataOffset;
    const sh = this.table('kdtree_data_stars');
    if (sh.dataBytes !== 12 * this.nStars) throw new Error(`${path}: unexpected star table size`);
    this.starsOffset = sh.dataOffset;
    const hk = this.table('kdtree_header_codes').cards;
    if (String(hk.get('KDT_INT') ?? '').trim() !== 'u16' || String(hk.get('KDT_DATA') ?? '').trim() !== 'u16') {
      throw new Error(`${path}: unsupported code tree type`);
    }
    if (this.hdus.some((h) => String(h.cards.get('TTYPE1') ?? '').trim() === 'kdtree_perm_codes')) {
      throw new Error(`${path}: permuted code trees are not supported`);
    }
    const range = this.table('kdtree_range_stars');
    const rv = new DataView(readBytes(fd, range.dataOffset, range.dataBytes).buffer);
    this.starLow = [rv.getFloat64(0, true), rv.getFloat64(8, true), rv.getFloat64(16, true)];
    this.starScale = rv.getFloat64(48, true);
  }

  /**
   * Whether the file can hold stars within `radius` degrees of (ra, dec).
   * All-sky files: always. A HEALPix tile: against a cap around a sample of
   * its stars (read once, 512 rows), widened by a quarter of the tile's size
   * — cheap, and lets a query skip the tiles of a series that are far away.
   */
  mayHaveStarsNear(ra: number, dec: number, radius: number): boolean {
    if (this.allSky) return true;
    const b = this.bounds ??= this.sampleBounds();
    if (!b) return false;
    const a = ra * D2R, d = dec * D2R;
    const dot = Math.cos(d) * Math.cos(a) * b.c[0] + Math.cos(d) * Math.sin(a) * b.c[1] + Math.sin(d) * b.c[2];
    return Math.acos(Math.max(-1, Math.min(1, dot))) / D2R <= b.radius + radius;
  }

  private bounds: { c: number[]; radius: number } | null | undefined;

  private sampleBounds(): { c: number[]; radius: number } | null {
    if (this.nStars === 0) return null;
    const k = Math.min(512, this.nStars);
    const pts: number[][] = [];
    const c = [0, 0, 0];
    const xyz = new Float64Array(3);
    for (let j = 0; j < k; j++) {
      this.starXyz(Math.floor((j * this.nStars) / k), xyz);
      const n = Math.hypot(xyz[0], xyz[1], xyz[2]);
      const p = [xyz[0] / n, xyz[1] / n, xyz[2] / n];
      pts.push(p);
      for (let q = 0; q < 3; q++) c[q] += p[q];
    }
    const cn = Math.hypot(c[0], c[1], c[2]) || 1;
    for (let q = 0; q < 3; q++) c[q] /= cn;
    let r = 0;
    for (const p of pts) r = Math.max(r, Math.acos(Math.max(-1, Math.min(1, p[0] * c[0] + p[1] * c[1] + p[2] * c[2]))) / D2R);
    const tileDeg = Math.sqrt((4 * Math.PI) / (12 * this.healpixNside * this.healpixNside)) / D2R;
    return { c, radius: r + 0.25 * tileDeg };
  }

  /**
   * The stars of this file within `radius` degrees of (ra, dec), with their
   * magnitudes from a tag-along column whose name contains "mag" (else the
   * uniformisation sweep, which orders stars bright to faint within a cell).
   * Reads the star table in chunks (positioned reads, nothing kept).
   */
  starsInCap(ra: number, dec: number, radius: number): StarList {
    const out = { ra: [] as number[], dec: [] as number[], mag: [] as number[] };
    const toList = (): StarList => ({ ra: Float64Array.from(out.ra), dec: Float64Array.from(out.dec), mag: Float32Array.from(out.mag) });
    if (!this.mayHaveStarsNear(ra, dec, radius)) return toList();
    const fd = this.file;
    const a0 = ra * D2R, d0 = dec * D2R;
    const px = Math.cos(d0) * Math.cos(a0), py = Math.cos(d0) * Math.sin(a0), pz = Math.sin(d0);
    const cosR = Math.cos(Math.min(radius, 180) * D2R);
    const magCol = this.hdus.find((h) => /mag/i.test(String(h.cards.get('TTYPE1') ?? '')) && Number(h.cards.get('NAXIS2')) === this.nStars);
    const sweepCol = this.hdus.find((h) => String(h.cards.get('TTYPE1') ?? '').trim() === 'sweep' && Number(h.cards.get('NAXIS2')) === this.nStars);
    const magForm = magCol ? String(magCol.cards.get('TFORM1') ?? '').trim() : '';
    const magBytes = magForm === '1D' ? 8 : magForm === '1E' ? 4 : 0;
    const chunk = 1 << 15;
    for (let r0 = 0; r0 < this.nStars; r0 += chunk) {
      const n = Math.min(chunk, this.nStars - r0);
      const buf = readBytes(fd, this.starsOffset + r0 * 12, n * 12);
      const u = new Uint32Array(buf.buffer, buf.byteOffset, n * 3);
      let mags: DataView | null = null, sweeps: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const x = this.starLow[0] + u[3 * i] / this.starScale, y = this.starLow[1] + u[3 * i + 1] / this.starScale, z = this.starLow[2] + u[3 * i + 2] / this.starScale;
        if (x * px + y * py + z * pz < cosR * Math.hypot(x, y, z)) continue;
        let a = Math.atan2(y, x) / D2R;
        if (a < 0) a += 360;
        out.ra.push(a);
        out.dec.push(Math.atan2(z, Math.hypot(x, y)) / D2R);
        if (magCol && magBytes) {
          mags ??= new DataView(readBytes(fd, magCol.dataOffset + r0 * magBytes, n * magBytes).buffer);
          out.mag.push(magBytes === 8 ? mags.getFloat64(i * 8, false) : mags.getFloat32(i * 4, false));
        } else if (sweepCol) {
          sweeps ??= readBytes(fd, sweepCol.dataOffset + r0, n);
          out.mag.push(sweeps[i]);
        } else {
          out.mag.push(0);
        }
      }
    }
    return toList();
  }

  /**
   * `tablesInMemoryBytes`: the quad and star tables are held in memory up to this size (default
   * {@link TABLES_IN_MEMORY_BYTES}), else read on demand.
   */
  static open(path: string, options: { tablesInMemoryBytes?: number } = {}): AnIndex {
    const fd = openSync(path, 'r');
    let idx: AnIndex;
    try {
      idx = new AnIndex(path, fd, options.tablesInMemoryBytes ?? TABLES_IN_MEMORY_BYTES);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    // Series split by HEALPix have hundreds of files: hold no descriptor until one is searched.
    closeSync(fd);
    idx.fd = null;
    return idx;
  }

  private table(name: string): Hdu {
    const h = this.hdus.find((x) => String(x.cards.get('TTYPE1') ?? '').trim() === name);
    if (!h) throw new Error(`${this.path}: no '${name}' table`);
    return h;
  }

  private get file(): number {
    if (this.fd === null) this.fd = openSync(this.path, 'r');
    return this.fd;
  }

  /** Bytes held in memory once the code tree is loaded. */
  /** bytes this index holds in memory (code tree, and the quad and star tables once loaded) */
  get memoryBytes(): number {
    const t = this.tree, m = this.tables;
    return (t ? t.codes.byteLength + t.lr.byteLength + t.split.byteLength : 0) + (m ? m.quads.byteLength + m.stars.byteLength : 0);
  }

  get codeDims(): number {
    return 2 * (this.dimQuads - 2);
  }

  /** Loads the code tree now (else on the first search). */
  loadCodeTree(): void {
    this.loadTree();
  }

  private loadTree(): CodeTree {
    if (this.tree) return this.tree;
    const fd = this.file;
    const hk = this.table('kdtree_header_codes').cards;
    const ndim = Number(hk.get('KDT_NDIM'));
    const ndata = Number(hk.get('KDT_NDAT'));
    const nnodes = Number(hk.get('KDT_NNOD'));
    const nbottom = (nnodes + 1) / 2;
    const ninterior = nbottom - 1;
    if (ndim !== this.codeDims || ndata !== this.nQuads) throw new Error(`${this.path}: code tree does not match the quads`);
    const lrH = this.table('kdtree_lr_codes'), spH = this.table('kdtree_split_codes');
    const rangeH = this.table('kdtree_range_codes'), dataH = this.table('kdtree_data_codes');
    if (lrH.dataBytes !== 4 * nbottom || spH.dataBytes !== 2 * ninterior || dataH.dataBytes !== 2 * ndim * ndata) {
      throw new Error(`${this.path}: unexpected code tree sizes`);
    }
    const lr = new Uint32Array(readBytes(fd, lrH.dataOffset, lrH.dataBytes).buffer);
    const split = new Uint16Array(readBytes(fd, spH.dataOffset, spH.dataBytes).buffer);
    const rb = new DataView(readBytes(fd, rangeH.dataOffset, rangeH.dataBytes).buffer);
    const low = new Float64Array(ndim);
    for (let d = 0; d < ndim; d++) low[d] = rb.getFloat64(8 * d, true);
    const scale = rb.getFloat64(16 * ndim, true);
    // The codes (8 bytes per quad) are the big part: one copy per process, shared between threads.
    const codes = new Uint16Array(sharedBuffer(fileKey(this.path, 'codes'), dataH.dataBytes, (into) => { readBytes(fd, dataH.dataOffset, dataH.dataBytes, into); }));
    let bits = 0;
    while (1 << bits < ndim) bits++;
    this.tree = { ndim, ninterior, lr, split, dimMask: (1 << bits) - 1, codes, low, scale };
    return this.tree;
  }

  /**
   * Calls `hit(quad, dist2)` for every quad whose code lies within `tol`
   * (Euclidean, code units) of `code`. Conservative traversal of the
   * implicit tree; every candidate is checked exactly.
   */
  searchCodes(code: ArrayLike<number>, tol: number, hit: (quad: number, dist2: number) => void): void {
    const t = this.loadTree();
    const D = t.ndim;
    const qlo = new Float64Array(D), qhi = new Float64Array(D), q = new Float64Array(D);
    for (let d = 0; d < D; d++) {
      q[d] = (code[d] - t.low[d]) * t.scale;
      qlo[d] = q[d] - tol * t.scale;
      qhi[d] = q[d] + tol * t.scale;
    }
    const tol2 = tol * tol * t.scale * t.scale;
    const stack = SEARCH_STACK;
    let sp = 0;
    stack[sp++] = 0;
    const { ninterior, split, dimMask, lr, codes } = t;
    const slack = dimMask + 1;
    while (sp > 0) {
      const node = stack[--sp];
      if (node < ninterior) {
        const s = split[node];
        const dim = s & dimMask;
        const val = s & ~dimMask;
        // Left holds values ≤ split, right ≥ split (± the bits lost to the dimension tag).
        if (qlo[dim] <= val + slack) stack[sp++] = 2 * node + 1;
        if (qhi[dim] >= val - slack) stack[sp++] = 2 * node + 2;
        continue;
      }
      const leaf = node - ninterior;
      const from = leaf === 0 ? 0 : lr[leaf - 1] + 1, to = lr[leaf];
      for (let i = from; i <= to; i++) {
        let d2 = 0;
        const o = i * D;
        for (let d = 0; d < D; d++) {
          const e = codes[o + d] - q[d];
          d2 += e * e;
          if (d2 > tol2) break;
        }
        if (d2 <= tol2) hit(i, d2 / (t.scale * t.scale));
      }
    }
  }

  private tables: { quads: Uint32Array; stars: Uint32Array } | null | undefined;

  /** The quad and star tables in memory (shared between threads), or null when the file is too big. */
  private memoryTables(): { quads: Uint32Array; stars: Uint32Array } | null {
    if (this.tables !== undefined) return this.tables;
    const qb = 4 * this.dimQuads * this.nQuads, sb = 12 * this.nStars;
    if (qb + sb > this.tablesInMemoryBytes) return (this.tables = null);
    const fd = this.file;
    const quads = new Uint32Array(sharedBuffer(fileKey(this.path, 'quads'), qb, (into) => { readBytes(fd, this.quadsOffset, qb, into); }));
    const stars = new Uint32Array(sharedBuffer(fileKey(this.path, 'stars'), sb, (into) => { readBytes(fd, this.starsOffset, sb, into); }));
    return (this.tables = { quads, stars });
  }

  /** Star ids (rows of the star kd-tree data) of quad `q`, in code order (A, B, C[, D]). */
  quadStars(q: number, out: Uint32Array): Uint32Array {
    const t = this.memoryTables();
    if (t) {
      for (let k = 0, o = q * this.dimQuads; k < this.dimQuads; k++) out[k] = t.quads[o + k];
      return out;
    }
    readBytes(this.file, this.quadsOffset + q * 4 * this.dimQuads, 4 * this.dimQuads, this.quadBuf);
    for (let k = 0; k < this.dimQuads; k++) out[k] = this.quadView.getUint32(4 * k, true);
    return out;
  }

  /** Unit vector of star `i`. */
  starXyz(i: number, out: Float64Array): Float64Array {
    const t = this.memoryTables();
    if (t) {
      for (let k = 0; k < 3; k++) out[k] = this.starLow[k] + t.stars[3 * i + k] / this.starScale;
      return out;
    }
    readBytes(this.file, this.starsOffset + i * 12, 12, this.starBuf);
    for (let k = 0; k < 3; k++) out[k] = this.starLow[k] + this.starView.getUint32(4 * k, true) / this.starScale;
    return out;
  }

  /** Releases the file handle and the code tree. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.tree = null;
    this.tables = undefined;
  }
}

/** Shared traversal stack (depth ≤ 32 levels, two children pushed per level). */
const SEARCH_STACK = new Int32Array(256);
