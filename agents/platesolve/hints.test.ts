import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { HeaderCard } from '../sdk/facts.ts';
import { parseFitsHeader } from '../lib/wcs/index.ts';
import { hintsFromCards, parseSexagesimal } from './hints.ts';
import { TESTDATA, corpus } from '../lib/formats/test-data.ts';

const testdata = TESTDATA;
const near = (a: number, b: number, tol = 1e-6): boolean => Math.abs(a - b) < tol;

test('sexagesimal strings', () => {
  assert.ok(near(parseSexagesimal('05 41 06.000')!, 5 + 41 / 60 + 6 / 3600), 'near(parseSexagesimal(\'05 41 06.000\')!, 5 + 41 / 60 + 6 / 3600)');
  assert.ok(near(parseSexagesimal('-02 27 30.00')!, -(2 + 27 / 60 + 30 / 3600)), 'near(parseSexagesimal(\'-02 27 30.00\')!, -(2 + 27 / 60 + 30 / 3600))');
  assert.ok(near(parseSexagesimal('+69:15:09.22')!, 69 + 15 / 60 + 9.22 / 3600), 'near(parseSexagesimal(\'+69:15:09.22\')!, 69 + 15 / 60 + 9.22 / 3600)');
  assert.ok(near(parseSexagesimal('12h30m')!, 12.5), 'near(parseSexagesimal(\'12h30m\')!, 12.5)');
  assert.equal(parseSexagesimal('garbage'), null);
});

test('position precedence: CRVAL > RA/DEC > OBJCTRA/OBJCTDEC; 0/0 is no position', () => {
  const base: HeaderCard[] = [{ key: 'OBJCTRA', value: '05 35 17.3' }, { key: 'OBJCTDEC', value: '-05 23 28' }];
  let h = hintsFromCards(base);
  assert.equal(h.position?.source, 'OBJCTRA/OBJCTDEC');
  assert.ok(near(h.position!.ra, 83.822083, 1e-5) && near(h.position!.dec, -5.391111, 1e-5), 'near(h.position!.ra, 83.822083, 1e-5) && near(h.position!.dec, -5.391111, 1e-5)');
  h = hintsFromCards([{ key: 'RA', value: 83.9 }, { key: 'DEC', value: -5.3 }, ...base]);
  assert.equal(h.position?.source, 'RA/DEC');
  h = hintsFromCards([{ key: 'CRVAL1', value: 84 }, { key: 'CRVAL2', value: -5 }, { key: 'RA', value: 83.9 }, { key: 'DEC', value: -5.3 }]);
  assert.equal(h.position?.source, 'CRVAL');
  // N.I.N.A. without a mount, DWARF RA in hours, MaxIm sexagesimal RA/DEC
  assert.equal(hintsFromCards([{ key: 'OBJCTRA', value: '00 00 00' }, { key: 'OBJCTDEC', value: '+00 00 00' }]).position, null);
  h = hintsFromCards([{ key: 'RA', value: 5.5, comment: '[h] RA' }, { key: 'DEC', value: 22 }]);
  assert.ok(near(h.position!.ra, 82.5), 'near(h.position!.ra, 82.5)');
  h = hintsFromCards([{ key: 'RA', value: '12 30 00' }, { key: 'DEC', value: '+12 00 00' }]);
  assert.ok(near(h.position!.ra, 187.5) && near(h.position!.dec, 12), 'near(h.position!.ra, 187.5) && near(h.position!.dec, 12)');
  h = hintsFromCards([], { pointing: { ra: 10, dec: 41 } });
  assert.equal(h.position?.source, 'acquisition.pointing');
});

test('scale precedence: CD/CDELT > SCALE > XPIXSZ/FOCALLEN with binning alternatives', () => {
  const fl: HeaderCard[] = [{ key: 'FOCALLEN', value: 400 }, { key: 'XPIXSZ', value: 5.2 }, { key: 'XBINNING', value: 2 }];
  let h = hintsFromCards(fl);
  assert.equal(h.scale?.source, 'XPIXSZ/FOCALLEN');
  assert.ok(near(h.scale!.arcsecPerPixel, (206.265 * 5.2) / 400), 'near(h.scale!.arcsecPerPixel, (206.265 * 5.2) / 400)');
  assert.deepEqual(h.scale!.alternatives.map((v) => Number(v.toFixed(4))), [5.3629, 1.3407]);
  h = hintsFromCards([{ key: 'SCALE', value: 2.68 }, ...fl]);
  assert.equal(h.scale?.source, 'SCALE');
  h = hintsFromCards([{ key: 'CDELT1', value: -0.001 }, { key: 'CDELT2', value: 0.001 }, ...fl]);
  assert.equal(h.scale?.source, 'CDELT');
  assert.ok(near(h.scale!.arcsecPerPixel, 3.6), 'near(h.scale!.arcsecPerPixel, 3.6)');
  assert.equal(hintsFromCards([{ key: 'FOCALLEN', value: 0 }, { key: 'XPIXSZ', value: 5 }]).scale, null, 'insane focal length');
  h = hintsFromCards([], { focalLengthMm: 250, pixelSizeUm: 2.9 });
  assert.ok(near(h.scale!.arcsecPerPixel, (206.265 * 2.9) / 250), 'near(h.scale!.arcsecPerPixel, (206.265 * 2.9) / 250)');
  // PixInsight properties: focal length in metres
  h = hintsFromCards([{ key: 'Instrument:Telescope:FocalLength', value: 0.53 }, { key: 'Instrument:Sensor:XPixelSize', value: 3.76 }]);
  assert.ok(near(h.scale!.arcsecPerPixel, (206.265 * 3.76) / 530), 'near(h.scale!.arcsecPerPixel, (206.265 * 3.76) / 530)');
});

test('hints from real headers', corpus, () => {
  const cards = (f: string) => parseFitsHeader(readFileSync(testdata + f)).cards;
  const indi = hintsFromCards(cards('fits-headers/stellarsolver-randomsky.fits'));
  assert.equal(indi.position?.source, 'CRVAL');
  assert.ok(near(indi.position!.ra, 21.642, 1e-3), 'near(indi.position!.ra, 21.642, 1e-3)');
  const m67 = hintsFromCards(cards('platesolve/astropy-M6707HH.fits'));
  assert.equal(m67.position?.source, 'OBJCTRA/OBJCTDEC');
  assert.ok(near(m67.position!.ra, 132.83375, 1e-4) && near(m67.position!.dec, 11.81194, 1e-4), 'near(m67.position!.ra, 132.83375, 1e-4) && near(m67.position!.dec, 11.81194, 1e-4)');
  const m13 = hintsFromCards(cards('platesolve/astropy-M13_blue_0001.fits'));
  assert.equal(m13.position, null);
  assert.equal(m13.scale, null, 'MaxIm frame without FOCALLEN has no scale');
});
