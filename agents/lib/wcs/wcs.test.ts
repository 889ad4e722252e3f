// test-needs: astrometry.net
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HeaderCard } from '../../sdk/facts.ts';
import {
  readWcs, pixelToSky, skyToPixel, describeWcs, wcsToCards, cardsFromRecord, parseFitsHeader, formatFitsHeader,
  writeFitsTable, readFitsTable, angularDistance, wcsFromScaleRotation, fitInverseSip, zeroCoefficients, type Wcs,
} from './index.ts';
import { TESTDATA, corpus } from '../formats/test-data.ts';

const testdata = TESTDATA;

function hasTool(name: string): boolean {
  try { execFileSync('which', [name]); return true; } catch { return false; }
}
if (!hasTool('wcs-xy2rd') || !hasTool('wcs-rd2xy')) {
  throw new Error('wcs-xy2rd/wcs-rd2xy not found: install the Debian package astrometry.net (apt-get install astrometry.net)');
}

const tmp = mkdtempSync(join(tmpdir(), 'sidereal-wcs-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;

/** Runs wcs-xy2rd on a WCS FITS file for many pixels at once (one process). */
function refXyToRd(wcsFile: string, xs: number[], ys: number[], wcslib = false): { ra: Float64Array; dec: Float64Array } {
  const i = join(tmp, `xy${++seq}.fits`), o = join(tmp, `rd${seq}.fits`);
  writeFileSync(i, writeFitsTable({ X: xs, Y: ys }));
  execFileSync('wcs-xy2rd', ['-w', wcsFile, '-i', i, '-o', o, ...(wcslib ? ['-L'] : [])], { stdio: 'pipe' });
  const t = readFitsTable(readFileSync(o));
  return { ra: t.RA, dec: t.DEC };
}
function refRdToXy(wcsFile: string, ra: ArrayLike<number>, dec: ArrayLike<number>, wcslib = false): { x: Float64Array; y: Float64Array } {
  const i = join(tmp, `rd${++seq}.fits`), o = join(tmp, `xy${seq}.fits`);
  writeFileSync(i, writeFitsTable({ RA: ra, DEC: dec }));
  execFileSync('wcs-rd2xy', ['-w', wcsFile, '-i', i, '-o', o, ...(wcslib ? ['-L'] : [])], { stdio: 'pipe' });
  const t = readFitsTable(readFileSync(o));
  return { x: t.X, y: t.Y };
}
function headerOf(file: string): HeaderCard[] {
  return parseFitsHeader(readFileSync(file)).cards;
}
function writeHeader(cards: HeaderCard[]): string {
  const f = join(tmp, `hdr${++seq}.fits`);
  writeFileSync(f, formatFitsHeader([{ key: 'SIMPLE', value: true }, { key: 'BITPIX', value: 8 }, { key: 'NAXIS', value: 0 }, ...cards]));
  return f;
}
function grid(w: number, h: number, n = 7): { xs: number[]; ys: number[] } {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { xs.push(0.5 + (w * i) / (n - 1)); ys.push(0.5 + (h * j) / (n - 1)); }
  return { xs, ys };
}

/** Checks pixel→sky and sky→pixel of our WCS against astrometry.net on the same header file. */
function crossCheck(file: string, wcs: Wcs, tolArcsec = 0.005, tolPx = 0.01, wcslib = false): void {
  const { xs, ys } = grid(wcs.width, wcs.height);
  const ref = refXyToRd(file, xs, ys, wcslib);
  let worst = 0;
  xs.forEach((x, k) => {
    const [ra, dec] = pixelToSky(wcs, x, ys[k]);
    worst = Math.max(worst, angularDistance(ra, dec, ref.ra[k], ref.dec[k]) * 3600);
  });
  assert.ok(worst < tolArcsec, `pixel→sky differs from wcs-xy2rd by ${worst}″`);
  const back = refRdToXy(file, ref.ra, ref.dec, wcslib);
  let worstPx = 0;
  xs.forEach((x, k) => {
    const p = skyToPixel(wcs, ref.ra[k], ref.dec[k]);
    assert.ok(p, 'p');
    worstPx = Math.max(worstPx, Math.hypot(p[0] - back.x[k], p[1] - back.y[k]), Math.hypot(p[0] - x, p[1] - ys[k]));
  });
  assert.ok(worstPx < tolPx, `sky→pixel differs by ${worstPx} px`);
}

test('TAN-SIP astrometry.net .wcs (M106) matches wcs-xy2rd / wcs-rd2xy', corpus, () => {
  const file = join(testdata, 'fits-headers/photonfinder-M106_frame11.wcs.fits');
  const r = readWcs(headerOf(file));
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.equal(r.form, 'cd');
  assert.equal(r.projection, 'TAN-SIP');
  assert.equal(r.provenance, 'astrometry.net');
  assert.equal(r.wcs.width, 5496);
  assert.equal(r.wcs.height, 3672);
  assert.ok(r.wcs.sip && r.wcs.sip.aOrder === 2 && r.wcs.sip.apOrder === 2, 'r.wcs.sip && r.wcs.sip.aOrder === 2 && r.wcs.sip.apOrder === 2');
  crossCheck(file, r.wcs);
  const s = describeWcs(r.wcs);
  assert.ok(Math.abs(s.pixelScaleArcsec - 1.2406) < 0.001, 'Math.abs(s.pixelScaleArcsec - 1.2406) < 0.001');
  // corners against the reference tool
  const ref = refXyToRd(file, [0.5, 5496.5, 5496.5, 0.5], [0.5, 0.5, 3672.5, 3672.5]);
  s.corners.forEach(([ra, dec], k) => assert.ok(angularDistance(ra, dec, ref.ra[k], ref.dec[k]) * 3600 < 0.01, 'angularDistance(ra, dec, ref.ra[k], ref.dec[k]) * 3600 < 0.01'));
  const c = refXyToRd(file, [(5496 + 1) / 2], [(3672 + 1) / 2]);
  assert.ok(angularDistance(s.ra, s.dec, c.ra[0], c.dec[0]) * 3600 < 0.01, 'angularDistance(s.ra, s.dec, c.ra[0], c.dec[0]) * 3600 < 0.01');
  // CD2_2 < 0 and CD1_1 > 0 ⇒ det < 0: normal parity; "up" points ~180.7° E of N
  assert.equal(s.parity, 'normal');
  assert.ok(Math.abs(s.rotationDeg - (360 + (Math.atan2(-4.28266417765e-6, -0.000344565389104) * 180) / Math.PI)) < 1e-9, 'Math.abs(s.rotationDeg - (360 + (Math.atan2(-4.28266417765e-6, -0.000344565389104) * 180) / Math.PI)) < 1e-9');
  assert.ok(Math.abs(s.rotationDeg - 180.712) < 0.001, 'Math.abs(s.rotationDeg - 180.712) < 0.001');
});

test('the same SIP WCS without AP/BP gets a fitted inverse that round-trips', corpus, () => {
  const file = join(testdata, 'fits-headers/photonfinder-M106_frame11.wcs.fits');
  const cards = headerOf(file).filter((c) => !/^(AP|BP)_/.test(c.key));
  const r = readWcs(cards);
  assert.ok(r.ok && r.wcs.sip, 'r.ok && r.wcs.sip');
  assert.equal(r.wcs.sip.apOrder, 3);
  crossCheck(file, r.wcs);
});

test('CD-matrix DSS header (HorseHead) matches wcs-xy2rd; summary as in the manifest', corpus, () => {
  const file = join(testdata, 'platesolve/astropy-HorseHead.fits');
  const r = readWcs(headerOf(file));
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.equal(r.form, 'cd');
  assert.equal(r.wcs.width, 891);
  crossCheck(file, r.wcs);
  const s = describeWcs(r.wcs);
  assert.ok(Math.abs(s.pixelScaleArcsec - 1.0082) < 0.001, 'Math.abs(s.pixelScaleArcsec - 1.0082) < 0.001');
  assert.ok(angularDistance(s.ra, s.dec, 85.27497, -2.458265) < 0.001, 'angularDistance(s.ra, s.dec, 85.27497, -2.458265) < 0.001');
  assert.equal(s.parity, 'normal'); // det CD < 0 in the FITS (first row = p₂ 1) convention
});

// astrometry.net's own WCS reader ignores CROTA2, so these are checked with its WCSLIB mode (-L).
test('CDELT + CROTA2 headers (2MASS, INDI simulator) match WCSLIB via wcs-xy2rd -L', corpus, () => {
  for (const name of ['platesolve/astropy-gc_2mass_j.fits', 'fits-headers/stellarsolver-randomsky.fits']) {
    const file = join(testdata, name);
    const r = readWcs(headerOf(file));
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.equal(r.form, 'cdelt-crota');
    crossCheck(file, r.wcs, 0.005, 0.01, true);
  }
  const rs = readWcs(headerOf(join(testdata, 'fits-headers/stellarsolver-randomsky.fits')));
  assert.ok(rs.ok, 'rs.ok');
  // manifest truth (FITS convention): CD = [[-5.98e-8, 7.4497e-4], [-7.4497e-4, -5.98e-8]]
  assert.ok(Math.abs(rs.wcs.cd[1] - 0.0007449721925) < 1e-9 && Math.abs(rs.wcs.cd[2] + 0.0007449721925) < 1e-9, 'Math.abs(rs.wcs.cd[1] - 0.0007449721925) < 1e-9 && Math.abs(rs.wcs.cd[2] + 0.0007449721925) < 1e-9');
  assert.equal(describeWcs(rs.wcs).parity, 'flipped');
});

test('PC+CDELT, CDELT-only and rotated CD headers written here match wcs-xy2rd', () => {
  const base: HeaderCard[] = [
    { key: 'CTYPE1', value: 'RA---TAN' }, { key: 'CTYPE2', value: 'DEC--TAN' },
    { key: 'CRVAL1', value: 359.9 }, { key: 'CRVAL2', value: 62.5 },
    { key: 'CRPIX1', value: 1500.5 }, { key: 'CRPIX2', value: 1000.25 },
    { key: 'IMAGEW', value: 3000 }, { key: 'IMAGEH', value: 2000 },
  ];
  const r30 = (30 * Math.PI) / 180;
  const variants: [string, HeaderCard[]][] = [
    ['pc', [{ key: 'CDELT1', value: -0.0005 }, { key: 'CDELT2', value: 0.0005 },
      { key: 'PC1_1', value: Math.cos(r30) }, { key: 'PC1_2', value: -Math.sin(r30) }, { key: 'PC2_1', value: Math.sin(r30) }, { key: 'PC2_2', value: Math.cos(r30) }]],
    ['cdelt', [{ key: 'CDELT1', value: -0.001 }, { key: 'CDELT2', value: 0.001 }]],
    ['cd', [{ key: 'CD1_1', value: 0.0004 }, { key: 'CD1_2', value: 0.0002 }, { key: 'CD2_1', value: 0.0002 }, { key: 'CD2_2', value: -0.0004 }]],
  ];
  for (const [form, extra] of variants) {
    const cards = [...base, ...extra];
    const r = readWcs(cards);
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.equal(r.form, form);
    crossCheck(writeHeader(cards), r.wcs);
  }
});

test('written cards (TAN and TAN-SIP) read back identically and agree with wcs-xy2rd', () => {
  const wcs = wcsFromScaleRotation({ ra: 83.8, dec: -5.4, scaleArcsec: 12.3, rotationDeg: 123, parity: 'flipped', width: 2400, height: 1600 });
  const a = zeroCoefficients(3), b = zeroCoefficients(3);
  a[2][0] = 2e-6; a[0][2] = -1e-6; a[1][1] = 3e-6; a[3][0] = 1e-9;
  b[0][2] = 2.5e-6; b[1][2] = -1e-9; b[2][0] = 1e-6;
  const withSip: Wcs = { ...wcs, sip: fitInverseSip({ aOrder: 3, bOrder: 3, a, b }, wcs.crpix, 2400, 1600) };
  for (const w of [wcs, withSip]) {
    const rec = wcsToCards(w);
    const r = readWcs(cardsFromRecord(rec));
    assert.ok(r.ok, !r.ok ? r.reason : '');
    assert.deepEqual(r.wcs.cd, w.cd);
    assert.deepEqual(r.wcs.crval, w.crval);
    const file = writeHeader(cardsFromRecord(rec));
    // the file is parsed back by our own header parser too
    assert.deepEqual(readWcs(headerOf(file)).ok, true);
    crossCheck(file, r.wcs, 0.005, 0.02);
    const s = describeWcs(w);
    assert.equal(s.parity, 'flipped');
    assert.ok(Math.abs(s.rotationDeg - 123) < 1e-9, 'Math.abs(s.rotationDeg - 123) < 1e-9');
    assert.ok(Math.abs(s.pixelScaleArcsec - 12.3) < 1e-9, 'Math.abs(s.pixelScaleArcsec - 12.3) < 1e-9');
    assert.ok(Math.abs(s.fieldWidthDeg - (2400 * 12.3) / 3600) < 1e-9, 'Math.abs(s.fieldWidthDeg - (2400 * 12.3) / 3600) < 1e-9');
  }
});

test('PixInsight XISF astrometric solution properties convert to the FITS WCS', () => {
  // Build the properties from a known FITS WCS (H = 1600): x_I = p₁ − 0.5, y_I = H + 0.5 − p₂.
  const wcs = wcsFromScaleRotation({ ra: 10.68, dec: 41.27, scaleArcsec: 3.2, rotationDeg: 17, parity: 'normal', width: 2400, height: 1600, crpix: [1200.5, 800.5] });
  const cards: HeaderCard[] = [
    { key: 'PCL:AstrometricSolution:ProjectionSystem', value: 'Gnomonic' },
    { key: 'PCL:AstrometricSolution:ReferenceCelestialCoordinates', value: `[${wcs.crval[0]}, ${wcs.crval[1]}]` },
    { key: 'PCL:AstrometricSolution:ReferenceImageCoordinates', value: [1200, 1600 + 0.5 - 800.5] as unknown as string },
    { key: 'PCL:AstrometricSolution:LinearTransformationMatrix', value: `${wcs.cd[0]} ${-wcs.cd[1]} ${wcs.cd[2]} ${-wcs.cd[3]}` },
    // PixInsight also writes keywords; the properties must win.
    { key: 'CTYPE1', value: 'RA---TAN' }, { key: 'CTYPE2', value: 'DEC--TAN' }, { key: 'CRVAL1', value: 1 }, { key: 'CRVAL2', value: 1 },
  ];
  const r = readWcs(cards, { width: 2400, height: 1600 });
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.equal(r.form, 'xisf');
  assert.equal(r.provenance, 'pixinsight');
  for (const [x, y] of [[1, 1], [2400, 1600], [700, 1300]]) {
    const a = pixelToSky(r.wcs, x, y), b = pixelToSky(wcs, x, y);
    assert.ok(angularDistance(a[0], a[1], b[0], b[1]) < 1e-9, 'angularDistance(a[0], a[1], b[0], b[1]) < 1e-9');
  }
  const incomplete = readWcs(cards.slice(0, 2), { width: 2400, height: 1600 });
  assert.ok(!incomplete.ok && incomplete.hint && Math.abs(incomplete.hint.ra - 10.68) < 1e-9, '!incomplete.ok && incomplete.hint && Math.abs(incomplete.hint.ra - 10.68) < 1e-9');
});

test('hint-only, degenerate and implausible WCS are rejected with a reason', () => {
  const sgp: HeaderCard[] = [
    { key: 'CTYPE1', value: 'RA---TAN' }, { key: 'CTYPE2', value: 'DEC--TAN' },
    { key: 'CRVAL1', value: 210.8 }, { key: 'CRVAL2', value: 54.35 }, { key: 'CRPIX1', value: 2000 }, { key: 'CRPIX2', value: 1500 },
  ];
  const r1 = readWcs(sgp);
  assert.ok(!r1.ok, '!r1.ok');
  assert.match(r1.reason, /hint only/);
  assert.deepEqual(r1.hint, { ra: 210.8, dec: 54.35 });
  const zero = readWcs([...sgp, { key: 'CD1_1', value: 0 }, { key: 'CD1_2', value: 0 }, { key: 'CD2_1', value: 0 }, { key: 'CD2_2', value: 0 }]);
  assert.ok(!zero.ok && /degenerate/.test(zero.reason), '!zero.ok && /degenerate/.test(zero.reason)');
  const huge = readWcs([...sgp, { key: 'CDELT1', value: -0.5 }, { key: 'CDELT2', value: 0.5 }]);
  assert.ok(!huge.ok && /scale/.test(huge.reason), '!huge.ok && /scale/.test(huge.reason)');
  const skew = readWcs([...sgp, { key: 'CD1_1', value: 1e-4 }, { key: 'CD1_2', value: 1e-4 }, { key: 'CD2_1', value: 0 }, { key: 'CD2_2', value: 1e-4 }]);
  assert.ok(!skew.ok && /perpendicular/.test(skew.reason), '!skew.ok && /perpendicular/.test(skew.reason)');
  const badDec = readWcs([...sgp.map((c) => (c.key === 'CRVAL2' ? { ...c, value: 95 } : c)), { key: 'CDELT1', value: -1e-4 }, { key: 'CDELT2', value: 1e-4 }]);
  assert.ok(!badDec.ok && /CRVAL2/.test(badDec.reason), '!badDec.ok && /CRVAL2/.test(badDec.reason)');
  const galactic = readWcs([{ key: 'CTYPE1', value: 'GLON-TAN' }, { key: 'CTYPE2', value: 'GLAT-TAN' }, ...sgp.slice(2)]);
  assert.ok(!galactic.ok && /unsupported/.test(galactic.reason), '!galactic.ok && /unsupported/.test(galactic.reason)');
  // a DSS-style header with only the target's coordinates
  const dss = readWcs([{ key: 'NAXIS1', value: 1200 }, { key: 'NAXIS2', value: 1200 }, { key: 'OBJCTRA', value: '08 51 20.1' }, { key: 'OBJCTDEC', value: '+11 48 43' }, { key: 'EXPTIME', value: 60 }]);
  assert.ok(!dss.ok && /no WCS/.test(dss.reason), '!dss.ok && /no WCS/.test(dss.reason)');
  const sin = readWcs([{ key: 'CTYPE1', value: 'RA---SIN' }, { key: 'CTYPE2', value: 'DEC--SIN' }, ...sgp.slice(2), { key: 'CDELT1', value: -1e-4 }, { key: 'CDELT2', value: 1e-4 }]);
  assert.ok(!sin.ok && /projection/.test(sin.reason), '!sin.ok && /projection/.test(sin.reason)');
});

test('flipping the row direction keeps every pixel on the same sky position (TAN-SIP too)', async () => {
  const { flipWcsY } = await import('./wcs.ts');
  const base = wcsFromScaleRotation({ ra: 150, dec: 2, scaleArcsec: 30, rotationDeg: 70, parity: 'normal', width: 1200, height: 900 });
  const a = zeroCoefficients(3), b = zeroCoefficients(3);
  a[2][0] = 3e-6; a[0][2] = 1e-6; a[1][2] = 2e-9; b[1][1] = -2e-6; b[0][3] = 1e-9; b[2][1] = 3e-9;
  const w: Wcs = { ...base, sip: fitInverseSip({ aOrder: 3, bOrder: 3, a, b }, base.crpix, 1200, 900) };
  const f = flipWcsY(w);
  for (const [x, y] of [[1, 1], [1200, 900], [300, 700], [1000, 20]]) {
    const p = pixelToSky(w, x, y), q = pixelToSky(f, x, 900 + 1 - y);
    assert.ok(angularDistance(p[0], p[1], q[0], q[1]) * 3600 < 1e-6, `(${x},${y})`);
    const back = skyToPixel(f, p[0], p[1])!;
    assert.ok(Math.hypot(back[0] - x, back[1] - (901 - y)) < 1e-3, 'inverse');
  }
  assert.equal(describeWcs(f).parity, 'flipped');
  assert.deepEqual(flipWcsY(f).cd, w.cd);
});
