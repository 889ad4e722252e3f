/**
 * Header conventions of capture programs that were read wrong before: one test
 * per class, with cards laid out the way those programs write them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeAcquisition } from './acquisition.ts';
import type { HeaderCard } from '../../sdk/facts.ts';
import { parseCard } from './fits-header.ts';
import { classifyFrame, processingSignal } from './frametype.ts';
import { commentSaysWestPositive, geodeticFromGeocentric, parseDec, parseLongitude, parseRa } from './coords.ts';
import { precessJ2000 } from '../sky/precession.ts';
import { angularSeparationDeg } from '../sky/dso.ts';

/** FITS header text (one card per line) → cards */
function cardsOf(text: string): HeaderCard[] {
  return text.split('\n').map((l) => parseCard(l.padEnd(80).slice(0, 80))).filter((c): c is HeaderCard => !!c);
}

const M42 = { ra: 83.8221, dec: -5.3911 };
/** JD of 2024-12-01T22:00:00Z */
const JD_2024_12 = Date.parse('2024-12-01T22:00:00Z') / 86400000 + 2440587.5;
const near = (a: { ra: number; dec: number } | null, b: { ra: number; dec: number }, arcsec: number) =>
  a !== null && angularSeparationDeg(a.ra, a.dec, b.ra, b.dec) * 3600 < arcsec;

test('coordinates of date are precessed to J2000 (JNOW comment, EQUINOX string, RADESYS GAPPT, FK5 of another equinox, B1950)', () => {
  const [ra, dec] = precessJ2000(M42.ra, M42.dec, JD_2024_12);
  assert.ok(angularSeparationDeg(ra, dec, M42.ra, M42.dec) > 0.25, 'the test needs a real shift');
  const headers = [
    // a mount position of date, as drivers that pass JNow through write it
    `DATE-OBS= '2024-12-01T22:00:00' / UTC\nRA      = ${ra.toFixed(6)} / [deg] RA of telescope (JNow)\nDEC     = ${dec.toFixed(6)} / [deg] Declination of telescope (JNow)`,
    `DATE-OBS= '2024-12-01T22:00:00'\nEQUINOX = 'JNOW    '\nOBJCTRA = '${hms(ra / 15)}'\nOBJCTDEC= '${dms(dec)}'`,
    `DATE-OBS= '2024-12-01T22:00:00'\nRADESYS = 'GAPPT   '\nRA      = ${ra.toFixed(6)}\nDEC     = ${dec.toFixed(6)}`,
    `MJD-OBS = ${(JD_2024_12 - 2400000.5).toFixed(6)}\nRADECSYS= 'FK5     '\nEQUINOX = ${(2000 + (JD_2024_12 - 2451545) / 365.25).toFixed(4)}\nRA      = ${ra.toFixed(6)}\nDEC     = ${dec.toFixed(6)}`,
  ];
  for (const h of headers) assert.ok(near(normalizeAcquisition(cardsOf(h)).pointing, M42, 2), h);
  // J2000 stays as written (N.I.N.A. writes EQUINOX = 2000.)
  const nina = normalizeAcquisition(cardsOf(`EQUINOX =               2000.0 / Equinox of celestial coordinate system\nRA      =              83.8221 / [deg] RA of telescope\nDEC     =              -5.3911 / [deg] Declination of telescope`));
  assert.deepEqual(nina.pointing, M42);
  // B1950 (FK4): M42 at 05h32m49s −05°25′ (B1950) → J2000 83.82°, −5.39°
  const b1950 = normalizeAcquisition(cardsOf(`EQUINOX =               1950.0\nOBJCTRA = '05 32 49.0'\nOBJCTDEC= '-05 25 00'`));
  assert.ok(near(b1950.pointing, M42, 120), JSON.stringify(b1950.pointing));
  // of date without any date: left as written (cannot be precessed), not dropped
  const undated = normalizeAcquisition(cardsOf(`EQUINOX = 'JNOW    '\nRA      = 84.1\nDEC     = -5.38`));
  assert.deepEqual(undated.pointing, { ra: 84.1, dec: -5.38 });
});

test('image centre: a full WCS whose CRPIX is not the centre is projected to the centre; pointing keys otherwise', () => {
  // 1°×1° field with the reference pixel at the corner (CRPIX 1,1), 3600 px at 1″/px
  const s = 1 / 3600;
  const full = normalizeAcquisition(cardsOf(`NAXIS1  =                 3600\nNAXIS2  =                 3600\nCTYPE1  = 'RA---TAN'\nCTYPE2  = 'DEC--TAN'\nCRPIX1  =                  1.0\nCRPIX2  =                  1.0\nCRVAL1  =                 83.0\nCRVAL2  =                 -6.0\nCD1_1   = ${-s}\nCD1_2   = 0.0\nCD2_1   = 0.0\nCD2_2   = ${s}\nRA      =              10.0000 / a stale mount position\nDEC     =              10.0000`));
  assert.ok(full.pointing && Math.abs(full.pointing.dec - -5.5) < 0.01 && full.pointing.ra < 83 && full.pointing.ra > 82.4, JSON.stringify(full.pointing));
  // XISF: the size comes from the image geometry
  const xisf = normalizeAcquisition(cardsOf(`CTYPE1  = 'RA---TAN'\nCTYPE2  = 'DEC--TAN'\nCRPIX1  =                  1.0\nCRPIX2  =                  1.0\nCRVAL1  =                 83.0\nCRVAL2  =                 -6.0\nCD1_1   = ${-s}\nCD2_2   = ${s}`), { width: 3600, height: 3600 });
  assert.deepEqual(xisf.pointing, full.pointing);
  // SGP: CRVAL at CRPIX but no CD → the RA/DEC pointing keys win over the CRVAL
  const sgp = normalizeAcquisition(cardsOf(`CRPIX1  =                 2072\nCRPIX2  =                 1411\nCTYPE1  = 'RA---TAN'\nCTYPE2  = 'DEC--TAN'\nCRVAL1  =     283.396250000000\nCRVAL2  =     33.0291666666667\nRA      =     283.399999999999\nDEC     =     33.0299999999999\nOBJCTRA = '18 53 35.000'\nOBJCTDEC= '+33 01 45.00'`));
  assert.deepEqual(sgp.pointing, { ra: 283.399999999999, dec: 33.0299999999999 });
});

test('Seestar S50 (real header): the WCS reference pixel is not the centre; the centre is projected, not the target RA/DEC', () => {
  const a = normalizeAcquisition(cardsOf(`NAXIS   =                    3 / number of data axes
NAXIS1  =                 1080 / length of data axis 1
NAXIS2  =                 1920 / length of data axis 2
NAXIS3  =                    3 / length of data axis 3
CREATOR = 'ZWO Seestar S50'    / Capture software
FOCALLEN=                  250 / Focal length of telescope in mm
XPIXSZ  =     2.90000009536743 / pixel size in microns (with binning)
IMAGETYP= 'Light   '           / Type of image
STACKCNT=                  187 / Stack frames
EXPOSURE=                  10. / Exposure time in seconds
EXPTIME =                  10. / Exposure time in seconds
RA      =             240.1125 / Object Right Ascension in degrees
DEC     =            20.661389 / Object Declination in degrees
SITELONG=              3.69361 / longitude of the imaging site in degrees
SITELAT =              51.0367 / latitude of the imaging site in degrees
DATE-OBS= '2025-05-13T22:48:35.751879' / Image created time
TOTALEXP=                1870. / Total Exposure Time in seconds
CTYPE1  = 'RA---TAN-SIP'       / TAN (gnomic) projection + SIP distortions
CTYPE2  = 'DEC--TAN-SIP'       / TAN (gnomic) projection + SIP distortions
CRVAL1  =        239.749404582 / RA  of reference point
CRVAL2  =        20.4682320597 / DEC of reference point
CRPIX1  =        874.274200439 / X reference pixel
CRPIX2  =        1213.47089386 / Y reference pixel
CD1_1   =   -0.000535667741664 / Transformation matrix
CD1_2   =    0.000386027501134 / no comment
CD2_1   =    -0.00038367750545 / no comment
CD2_2   =   -0.000535539385897 / no comment`));
  const crval = { ra: 239.749404582, dec: 20.4682320597 };
  const p = a.pointing!;
  // the centre pixel (540.5, 960.5) is 0.28° from the reference pixel
  assert.ok(Math.abs(angularSeparationDeg(p.ra, p.dec, crval.ra, crval.dec) - 0.276) < 0.01, JSON.stringify(p));
  assert.ok(Math.abs(p.ra - 239.836) < 0.01 && Math.abs(p.dec - 20.732) < 0.01, JSON.stringify(p));
  assert.deepEqual(a.site, { latitude: 51.0367, longitude: 3.69361, elevationM: null });
  assert.deepEqual([a.stackCount, a.exposureSeconds, a.stackExposureSeconds], [187, 10, 1870]);
});

test('MaxIm DL (iTelescope T33, Siding Spring): SITELONG east positive, LONG-OBS [deg +E] wins, RA/DEC hms strings, calibration HISTORY is not processing', () => {
  const cards = cardsOf(`DATE-OBS= '2018-07-04T14:03:03' / [ISO 8601] UTC date/time of exposure start
EXPTIME =   3.00000000000E+002 / [sec] Duration of exposure
SET-TEMP=  -35.000000000000000 /CCD temperature setpoint in C
CCD-TEMP=  -34.993802250000002 /CCD temperature at start of exposure in C
IMAGETYP= 'Light Frame' /       Type of image
SITELAT = '-31 16 24' /         Latitude of the imaging location
SITELONG= '149 03 52' /         Longitude of the imaging location
SWCREATE= 'MaxIm DL Version 5.24 140126 0KJR5' /Name of software that created
CSTRETCH= 'Medium  ' /          Initial display stretch mode
HISTORY  Dark Subtraction (Dark 10, 4864 x 3232, Bin1 x 1, Temp -35C,
HISTORY  Flat Field (Flat SII 1, SII, 4864 x 3232, Bin1 x 1, Temp -35C,
HISTORY File was processed by PinPoint 5.1.8 at 2018-07-04T14:08:45
RADECSYS= 'FK5     '           / Equatorial coordinate system
LAT-OBS =  -3.12736111111E+001 / [deg +N WGS84] Geodetic latitude
LONG-OBS=   1.49064444444E+002 / [deg +E WGS84] Geodetic longitude
ALT-OBS =   1.16500000000E+003 / [metres] Altitude above mean sea level
RA      = '18 20 48.12'        / [hms J2000] Target right ascension
DEC     = '-16 10 58.8'        / [dms +N J2000] Target declination`);
  const a = normalizeAcquisition(cards);
  assert.deepEqual(a.site, { latitude: -31.2736111111, longitude: 149.064444444, elevationM: 1165 });
  assert.ok(Math.abs(a.pointing!.ra - (18 + 20 / 60 + 48.12 / 3600) * 15) < 1e-9, 'FK5 without EQUINOX is J2000; the comment says J2000');
  // SITELONG alone (no LONG-OBS) is read east positive too
  const alone = normalizeAcquisition(cards.filter((c) => !/^(LAT|LONG|ALT)-OBS$/.test(c.key)));
  assert.ok(Math.abs(alone.site!.longitude! - (149 + 3 / 60 + 52 / 3600)) < 1e-9);
  assert.equal(classifyFrame({ cards, fileName: 'm17-S-300s.fit', folderPath: '' }).frameType, 'light');
});

test('RA as a number is degrees, except when a sexagesimal OBJCTRA beside it shows hours; units in strings', () => {
  const hours = normalizeAcquisition(cardsOf(`RA      =             5.588139\nDEC     =            -5.391111\nOBJCTRA = '05 35 17.300'\nOBJCTDEC= '-05 23 28.00'`));
  assert.ok(near(hours.pointing, M42, 5));
  assert.equal(parseRa('12h30m15s', false), (12 + 30 / 60 + 15 / 3600) * 15);
  assert.equal(parseRa('187d33m45s', false), 187 + 33 / 60 + 45 / 3600);
  assert.equal(parseDec('+41:16:08'), 41 + 16 / 60 + 8 / 3600);
  assert.equal(parseDec('41d16m08s'), 41 + 16 / 60 + 8 / 3600, 'the s of seconds is not South');
  assert.equal(parseDec('51 09 41 N'), 51 + 9 / 60 + 41 / 3600);
  assert.equal(parseDec('33 52 S'), -(33 + 52 / 60));
  assert.equal(parseLongitude('122d30m W'), -122.5);
  assert.equal(parseLongitude('W 122 30'), -122.5);
  assert.equal(parseLongitude('11 34 E'), 11 + 34 / 60);
  assert.equal(parseLongitude('-122.5', true), 122.5, 'west-positive writer: −122.5 W is 122.5 E');
  assert.equal(parseLongitude('122.5W', true), -122.5, 'a letter wins over the convention');
});

test('site: OBSGEO-L/B/H first, then geocentric OBSGEO-X/Y/Z, then LONG-OBS, then SITELONG; west-positive by comment', () => {
  const std = normalizeAcquisition(cardsOf(`OBSGEO-B=              49.1450 / [deg] latitude, north positive\nOBSGEO-L=              12.8775 / [deg] longitude, east positive\nOBSGEO-H=                669.0 / [m]\nSITELONG=             -12.8775 / a wrong legacy value`));
  assert.deepEqual(std.site, { latitude: 49.145, longitude: 12.8775, elevationM: 669 });
  const xyz = normalizeAcquisition(cardsOf(`OBSGEO-X=            4075539.5 / [m]\nOBSGEO-Y=             931735.3 / [m]\nOBSGEO-Z=            4801629.6 / [m]\nSITELONG= '-12 52 39'`));
  assert.ok(xyz.site && Math.abs(xyz.site.latitude! - 49.145) < 1e-3 && Math.abs(xyz.site.longitude! - 12.8775) < 1e-3 && Math.abs(xyz.site.elevationM! - 669) < 2, JSON.stringify(xyz.site));
  assert.equal(geodeticFromGeocentric(1, 2, 3), null);
  // IRAF/KPNO-style observatory headers: "degrees west"
  const flwo = normalizeAcquisition(cardsOf(`SITELAT = '+31:40:51.4'        /LATITUDE, DEGREES\nSITELONG= '+110:52:39.0'       /LONGITUDE, DEGREES WEST OF ZERO`));
  assert.ok(Math.abs(flwo.site!.longitude! - -(110 + 52 / 60 + 39 / 3600)) < 1e-9);
  const feder = normalizeAcquisition(cardsOf(`LATITUDE= '+46:52:00'          / [degrees] Observatory latitude\nLONGITUD= '96:27:14'           / [deg west] Observatory longitude`));
  assert.ok(feder.site!.longitude! < -96);
  // MaxIm DL / SGP / N.I.N.A.: east positive, sexagesimal strings and letters
  const sgp = normalizeAcquisition(cardsOf(`SITELAT = '51 3 0.000'         / Latitude of the imaging site in degrees\nSITELONG= '3 43 0.000'         / Longitude of the imaging site in degrees`));
  assert.ok(Math.abs(sgp.site!.longitude! - (3 + 43 / 60)) < 1e-9);
  const letters = normalizeAcquisition(cardsOf(`SITELAT = '37 20 28 N'\nSITELONG= '121d38m W'\nSITEELEV=                 1283`));
  assert.deepEqual(letters.site, { latitude: 37 + 20 / 60 + 28 / 3600, longitude: -(121 + 38 / 60), elevationM: 1283 });
  assert.equal(commentSaysWestPositive('Longitude of the imaging site in degrees'), false);
  assert.equal(commentSaysWestPositive('[deg] east positive'), false);
  assert.equal(commentSaysWestPositive('Longitude, west is positive'), true);
});

test('live and in-camera stacks: frame count and sub exposure; EXPTIME that is the total is not a sub', () => {
  // Seestar: STACKCNT + TOTALEXP, EXPTIME per sub
  const seestar = normalizeAcquisition(cardsOf(`CREATOR = 'ZWO Seestar S50'\nSTACKCNT=                   90\nEXPTIME =                  10.\nTOTALEXP=                 900.`));
  assert.deepEqual([seestar.stackCount, seestar.exposureSeconds, seestar.stackExposureSeconds], [90, 10, 900]);
  // SharpCap live stack: EXPTIME is the total, SUBEXP below it
  const sharpcap = normalizeAcquisition(cardsOf(`SWCREATE= 'SharpCap v4.1.11834.0, 64 bit'\nEXPTIME =                 1800\nSUBEXP  =                   15`));
  assert.deepEqual([sharpcap.exposureSeconds, sharpcap.stackExposureSeconds], [null, 1800]);
  // another live stacker writing the same pair
  const other = normalizeAcquisition(cardsOf(`SWCREATE= 'SomeCapture 2.0'\nEXPTIME =                  600\nSUBEXP  =                   10`));
  assert.deepEqual([other.exposureSeconds, other.stackExposureSeconds], [null, 600]);
  assert.equal(processingSignal(cardsOf(`EXPTIME =                  600\nSUBEXP  =                   10`)), 'stack');
  // DeepSkyStacker: NCOMBINE, EXPTIME = total → no sub exposure
  const dss = normalizeAcquisition(cardsOf(`SOFTWARE= 'DeepSkyStacker 4.2.6'\nNCOMBINE=                   40\nEXPTIME =               4800.0\nEXPOSURE=               4800.0`));
  assert.deepEqual([dss.stackCount, dss.exposureSeconds, dss.stackExposureSeconds], [40, null, 4800]);
  // Siril: STACKCNT, LIVETIME, EXPTIME = the reference sub's
  const siril = normalizeAcquisition(cardsOf(`PROGRAM = 'Siril 1.2.0'\nSTACKCNT=                   60\nEXPTIME =                  120\nLIVETIME=                 7200`));
  assert.deepEqual([siril.stackCount, siril.exposureSeconds, siril.stackExposureSeconds], [60, 120, 7200]);
  assert.equal(classifyFrame({ cards: cardsOf(`IMAGETYP= 'Light'\nSTACKCNT=                   60\nLIVETIME=                 7200`), fileName: 'x.fit', folderPath: '' }).frameType, 'processed');
  // a single frame stating its own exposure as its total (Seestar subs: TOTALEXP = EXPTIME; any total key) is one frame
  for (const total of ['TOTALEXP', 'LIVETIME', 'EXPTOTAL']) {
    const one = cardsOf(`IMAGETYP= 'Light'\nEXPTIME =                  10.\n${total.padEnd(8)}=                  10.`);
    assert.equal(classifyFrame({ cards: one, fileName: 'Light_001.fit', folderPath: '' }).frameType, 'light', total);
    assert.deepEqual([normalizeAcquisition(one).exposureSeconds, normalizeAcquisition(one).stackExposureSeconds], [10, null], total);
  }
  // …but a total above it, or a count, still makes a stack
  assert.equal(classifyFrame({ cards: cardsOf(`IMAGETYP= 'Light'\nEXPTIME =                  10.\nTOTALEXP=                 100.`), fileName: 'x.fit', folderPath: '' }).frameType, 'processed');
  assert.equal(normalizeAcquisition(cardsOf(`STACKCNT=                   10\nEXPTIME =                  10.\nTOTALEXP=                  10.`)).stackCount, 10);
});

test('placeholders are not values: a Bayer pattern as the filter, N/A, Unknown, 0 °C from cameras without a sensor', () => {
  const osc = normalizeAcquisition(cardsOf(`FILTER  = 'RGGB    '\nBAYERPAT= 'RGGB    '\nOBJECT  = 'N/A     '\nTELESCOP= 'Unknown '\nCCD-TEMP=                  0.0\nGAIN    =                   -1\nOFFSET  =                   -1`));
  assert.deepEqual([osc.filter, osc.filterRaw, osc.object, osc.telescope, osc.sensorTempC, osc.gain, osc.offset, osc.bayerPattern], [null, null, null, null, null, null, null, 'RGGB']);
  // a cooled camera at exactly 0 °C is a reading
  const cooled = normalizeAcquisition(cardsOf(`CCD-TEMP=                  0.0\nSET-TEMP=                  0.0`));
  assert.equal(cooled.sensorTempC, 0);
  const powered = normalizeAcquisition(cardsOf(`CCD-TEMP=                  0.0\nCOOLERPW=                 35.0`));
  assert.equal(powered.sensorTempC, 0);
  assert.equal(normalizeAcquisition(cardsOf(`CCD-TEMP=                 -0.3`)).sensorTempC, -0.3);
});

test('driver and capture-program HISTORY/COMMENT cards are not processing history', () => {
  const light = `IMAGETYP= 'Light Frame'\nEXPTIME =                  120`;
  const drivers = [
    `HISTORY INDI CCD driver: stretch settings: none`,
    `COMMENT Live stacking disabled`,
    `HISTORY ASCOM camera driver: auto stretch off`,
    `STRETCH = 'Linear  '           / display stretch of the capture program`,
    `STACKING= 'OFF     '`,
  ];
  for (const d of drivers) {
    const cards = cardsOf(`${light}\n${d}`);
    assert.equal(processingSignal(cards), null, d);
    assert.equal(classifyFrame({ cards, fileName: 'M31_0001.fits', folderPath: '' }).frameType, 'light', d);
  }
  // real processing history still counts
  assert.equal(processingSignal(cardsOf(`${light}\nHISTORY HistogramTransformation: stretched`)), 'processed');
  assert.equal(processingSignal(cardsOf(`${light}\nHISTORY Stacked with 40 images`)), 'stack');
  assert.equal(processingSignal(cardsOf(`${light}\nHISTORY ImageIntegration.numberOfImages: 12`)), 'stack');
  assert.equal(processingSignal(cardsOf(`${light}\nHISTORY Stretch: midtone transfer function, no clipping`)), 'processed', 'a negation elsewhere in the line does not hide it');
});

function hms(h: number): string {
  const t = Math.round(h * 36000);
  return `${pad(Math.floor(t / 36000))} ${pad(Math.floor(t / 600) % 60)} ${(((t % 600) / 10)).toFixed(1).padStart(4, '0')}`;
}
function dms(d: number): string {
  const sign = d < 0 ? '-' : '+';
  const t = Math.round(Math.abs(d) * 3600);
  return `${sign}${pad(Math.floor(t / 3600))} ${pad(Math.floor(t / 60) % 60)} ${pad(t % 60)}`;
}
function pad(n: number): string {
  return String(n).padStart(2, '0');
}
