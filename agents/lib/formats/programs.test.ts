/**
 * Issue 13's header classes, program by program: each header is laid out the
 * way that program writes it (key order, value formats, comments), so a class
 * fixed for one writer is checked against the others too. Stack keywords are
 * tested beside their rule (stackEvidence, conventions.test.ts); here only
 * that a program's single frame is not taken for a stack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeAcquisition } from './acquisition.ts';
import type { HeaderCard } from '../../sdk/facts.ts';
import { parseCard } from './fits-header.ts';
import { classifyFrame, processingSignal } from './frametype.ts';
import { precessJ2000 } from '../sky/precession.ts';
import { angularSeparationDeg } from '../sky/dso.ts';
import { tanDeproject } from '../wcs/tan.ts';

function cardsOf(text: string): HeaderCard[] {
  return text.split('\n').map((l) => parseCard(l.padEnd(80).slice(0, 80))).filter((c): c is HeaderCard => !!c);
}
const sep = (a: { ra: number; dec: number } | null, ra: number, dec: number) => (a ? angularSeparationDeg(a.ra, a.dec, ra, dec) * 3600 : Infinity);
const frame = (cards: HeaderCard[], fileName = 'Light_001.fits') => classifyFrame({ cards, fileName, folderPath: '' }).frameType;

test('N.I.N.A.: an unset target is written 00 00 00 / +00 00 00 — no pointing; J2000 EQUINOX; Bayer pattern is not the filter', () => {
  const cards = cardsOf(`IMAGETYP= 'LIGHT'              / Type of exposure
EXPOSURE=                 30.0 / [s] Exposure duration
EXPTIME =                 30.0 / [s] Exposure duration
DATE-OBS= '2021-03-02T20:19:00.455' / Time of observation (UTC)
GAIN    =                  120 / Sensor gain
OFFSET  =                   30 / Sensor gain offset
EGAIN   =     1.00224268436432 / [e-/ADU] Electrons per A/D unit
INSTRUME= 'ZWO ASI294MC Pro'   / Imaging instrument name
SET-TEMP=                -10.0 / [degC] CCD temperature setpoint
CCD-TEMP=                -10.0 / [degC] CCD temperature
BAYERPAT= 'RGGB'               / Sensor Bayer pattern
OBJECT  = 'M45     '           / Name of the object of interest
OBJCTRA = '00 00 00'           / [H M S] RA of imaged object
OBJCTDEC= '+00 00 00'          / [D M S] Declination of imaged object
ROWORDER= 'TOP-DOWN'           / FITS Image Orientation
EQUINOX =               2000.0 / Equinox of celestial coordinate system
SWCREATE= 'N.I.N.A. 1.10.2.90' / Software that created this file`);
  const a = normalizeAcquisition(cards);
  assert.equal(a.pointing, null);
  assert.deepEqual([a.exposureSeconds, a.gain, a.offset, a.sensorTempC, a.filter, a.bayerPattern], [30, 120, 30, -10, null, 'RGGB']);
  assert.equal(frame(cards), 'light');
  // with a mount connected: RA/DEC of the telescope (J2000, degrees) and the target 00 00 00 still unset
  const mount = normalizeAcquisition(cardsOf(`RA      =     83.8220833333333 / [deg] RA of telescope
DEC     =    -5.39111111111111 / [deg] Declination of telescope
OBJCTRA = '00 00 00'           / [H M S] RA of imaged object
OBJCTDEC= '+00 00 00'          / [D M S] Declination of imaged object
EQUINOX =               2000.0 / Equinox of celestial coordinate system`));
  assert.ok(sep(mount.pointing, 83.8221, -5.3911) < 1);
});

test('DWARF II: RA in hours ([h]), 0/0 when nothing is pointed, BINNING 2*2, EXP, blank OBJECT, Bayer pattern', () => {
  const base = `DATE-OBS= '2023-06-10T21:38:19.442' / Time start to exposure
DATE    = '2023-06-10T21:38:35.938' / Fits written to sd card
EXP     =                  15. / [s] Sub Exposure Time
GAIN    =                  110 / Sub Gain
BINNING = '2*2     '           / n*n pixels add together
OBJECT  = '        '           / Observe object
BAYERPAT= 'GBRG    '           / Bayer pattern
TELESCOP= 'DWARFII '           / DWARF II telescope
INSTRUME= 'DWARFII '           / DWARF II instrument
ORIGIN  = 'DWARFLAB'           / DWARF II's creator`;
  const none = normalizeAcquisition(cardsOf(`${base}
RA      =                   0. / [h] Observe object RA coordinate (J2000)
DEC     =                   0. / [deg] Observe object DEC coordinate (J2000)`));
  assert.deepEqual([none.pointing, none.object, none.binning, none.exposureSeconds, none.gain, none.bayerPattern], [null, null, '2x2', 15, 110, 'GBRG']);
  const m42 = normalizeAcquisition(cardsOf(`${base}
RA      =             5.588139 / [h] Observe object RA coordinate (J2000)
DEC     =            -5.391111 / [deg] Observe object DEC coordinate (J2000)`));
  assert.ok(sep(m42.pointing, 83.8221, -5.3911) < 1, JSON.stringify(m42.pointing));
});

test('APT: OBJCTRA/OBJCTDEC are the image centre, signed sexagesimal site, SNAPSHOT = 1 is one frame, not a stack', () => {
  const cards = cardsOf(`OBJECT  = 'TEST    '           / The name of Object Imaged
TELESCOP= 'EQMOD HEQ5/6'       / The Telescope used
INSTRUME= 'ZWO ASI294MC Pro'   / The model Camera used
DATE-OBS= '2018-09-17T21:04:46' / The UTC date and time at the start of the expo
EXPTIME =                 240. / The total exposure time in seconds
XPIXSZ  =                 4.63 / Pixel width in microns (after binning)
XBINNING=                    1 / Binning factor in width
YBINNING=                    1 / Binning factor in height
EGAIN   =     1.00224268436432 / Electronic gain in e-/ADU
FOCALLEN=                  400 / Focal Length of the Telescope in mm
JD      =     2458379.38114583 / Julian Date
SWCREATE= 'Astro Photography Tool - APT v.3.54.1' / Imaging software
SNAPSHOT=                    1 / Number of images combined
SET-TEMP=                 -15. / The setpoint of the cooling in C
IMAGETYP= 'Light Frame'        / The type of image
OBJCTRA = '01 35 00'           / The Right Ascension of the center of the image
OBJCTDEC= '+30 44 25'          / The Declination of the center of the image
SITELAT = '+51 03 00.000'      / The site Latitude
SITELONG= '+03 41 00.000'      / The site Longitude
GAIN    =                  120 / The gain set (if supported)`);
  const a = normalizeAcquisition(cards);
  assert.ok(sep(a.pointing, (1 + 35 / 60) * 15, 30 + 44 / 60 + 25 / 3600) < 0.01);
  assert.deepEqual(a.site, { latitude: 51.05, longitude: 3 + 41 / 60, elevationM: null });
  assert.deepEqual([a.exposureSeconds, a.stackExposureSeconds, a.gain, a.focalLengthMm, a.pixelSizeUm], [240, null, 120, 400, 4.63]);
  assert.ok(a.stackCount === null || a.stackCount === 1, 'one image "combined"');
  assert.equal(processingSignal(cards), null);
  assert.equal(frame(cards), 'light');
});

test('SharpCap: a WCS added later (AstroImageJ HISTORY) is not processing; an uncooled sensor reading is kept', () => {
  const cards = cardsOf(`SWCREATE= 'SharpCap'           /
CCD-TEMP=                 12.7 /
YBINNING=                    1 /
XBINNING=                    1 /
EXPTIME =                    2 /
DATE-OBS= '2019-04-29T20:25:29.8219583' / System Clock-Frame Grabbed
XPIXSZ  =     2.90000009536743 /
INSTRUME= 'ZWO ASI290MM Mini'  /
HISTORY WCS created by AIJ link to Astronomy.net website
HISTORY WCS created on 2019-04-30T15:36:36.057
NAXIS1  =                 1936 / length of data axis 1
NAXIS2  =                 1088 / length of data axis 2
CTYPE1  = 'RA---TAN-SIP' / TAN (gnomic) projection + SIP distortions
CTYPE2  = 'DEC--TAN-SIP' / TAN (gnomic) projection + SIP distortions
EQUINOX =               2000.0 / Equatorial coordinates definition (yr)
CRVAL1  =        251.337418297 / RA  of reference point
CRVAL2  =         89.049177068 / DEC of reference point
CRPIX1  =                  969 / X reference pixel
CRPIX2  =                  545 / Y reference pixel
CD1_1   =    0.000389383715878 / Transformation matrix
CD1_2   =    0.000788738076566 / no comment
CD2_1   =   -0.000787298612487 / no comment
CD2_2   =    0.000389062499079 / no comment`);
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.sensorTempC, a.exposureSeconds, a.camera], [12.7, 2, 'ZWO ASI290MM Mini']);
  assert.ok(sep(a.pointing, 251.337418297, 89.049177068) < 5, 'CRPIX at the centre: the centre is the CRVAL');
  assert.equal(processingSignal(cards), null);
  assert.equal(frame(cards, 'Capture_00001.fits'), 'light');
});

test('astrometry.net solve-field (.new): CRPIX far from the centre — the centre is projected, the stale mount RA/DEC loses', () => {
  // 2000×1500 px, 2″/px, north up, centred on M42, CRPIX at (400, 1200): the reference point is 0.17° east and 0.25° north of the centre
  const s = 2 / 3600;
  const [crval1, crval2] = tanDeproject(83.8221, -5.3911, 600.5 * s, 449.5 * s);
  const a = normalizeAcquisition(cardsOf(`NAXIS1  =                 2000 / length of data axis 1
NAXIS2  =                 1500 / length of data axis 2
RA      =              83.5000 / [deg] RA of telescope
DEC     =              -5.0000 / [deg] Declination of telescope
COMMENT -- astrometry.net WCS solution --
WCSAXES =                    2 / no comment
CTYPE1  = 'RA---TAN-SIP' / TAN (gnomic) projection + SIP distortions
CTYPE2  = 'DEC--TAN-SIP' / TAN (gnomic) projection + SIP distortions
EQUINOX =               2000.0 / Equatorial coordinates definition (yr)
LONPOLE =                180.0 / no comment
LATPOLE =                  0.0 / no comment
CRVAL1  =   ${crval1.toFixed(10).padStart(18)} / RA  of reference point
CRVAL2  =   ${crval2.toFixed(10).padStart(18)} / DEC of reference point
CRPIX1  =        400.000000000 / X reference pixel
CRPIX2  =        1200.00000000 / Y reference pixel
CUNIT1  = 'deg     ' / X pixel scale units
CUNIT2  = 'deg     ' / Y pixel scale units
CD1_1   =   ${-s} / Transformation matrix
CD1_2   =                    0 / no comment
CD2_1   =                    0 / no comment
CD2_2   =   ${s} / no comment
IMAGEW  =                 2000 / Image width,  in pixels.
IMAGEH  =                 1500 / Image height, in pixels.`));
  assert.ok(sep(a.pointing, 83.8221, -5.3911) < 1, JSON.stringify(a.pointing));
  assert.ok(sep(a.pointing, crval1, crval2) > 1000, 'not the reference point');
});

test('KStars/Ekos (INDI): J2000 OBJCTRA in hours and RA in degrees, unsigned OBJCTDEC, Unknown observer, EXPTIME "Total Exposure Time" of one frame', () => {
  const cards = cardsOf(`ROWORDER= 'TOP-DOWN'           / Row Order
INSTRUME= 'ZWO CCD ASI1600MM Pro' / CCD Name
TELESCOP= 'EQMod Mount'        / Telescope name
OBSERVER= 'Unknown '           / Observer name
OBJECT  = 'M 31    '           / Object name
EXPTIME =   3.000000000000E+02 / Total Exposure Time (s)
CCD-TEMP=  -1.000000000000E+01 / CCD Temperature (Celsius)
PIXSIZE1=   3.800000000000E+00 / Pixel Size 1 (microns)
PIXSIZE2=   3.800000000000E+00 / Pixel Size 2 (microns)
XBINNING=                    1 / Binning factor in width
YBINNING=                    1 / Binning factor in height
XPIXSZ  =   3.800000000000E+00 / X binned pixel size in microns
YPIXSZ  =   3.800000000000E+00 / Y binned pixel size in microns
FRAME   = 'Light   '           / Frame Type
IMAGETYP= 'Light Frame'        / Frame Type
FILTER  = 'Ha      '           / Filter
FOCALLEN=   5.300000000000E+02 / Focal Length (mm)
APTDIA  =   1.060000000000E+02 / Telescope diameter (mm)
SITELAT =   5.110000000000E+01 / Latitude of the imaging site in degrees
SITELONG=   3.700000000000E+00 / Longitude of the imaging site in degrees
OBJCTRA = '0 42 44.30'         / Object J2000 RA in Hours
OBJCTDEC= '41 16 09.00'        / Object J2000 DEC in Degrees
RA      =   1.068458333333E+01 / Object J2000 RA in Degrees
DEC     =   4.126916666667E+01 / Object J2000 DEC in Degrees
PIERSIDE= 'WEST    '           / West, looking East
EQUINOX =                 2000 / Equinox
DATE-OBS= '2021-10-09T22:30:01.123' / UTC start date of observation
GAIN    =                  139 / Gain
OFFSET  =                   21 / Offset
COMMENT Generated by INDI`);
  const a = normalizeAcquisition(cards);
  assert.ok(sep(a.pointing, 10.684583, 41.269167) < 1, JSON.stringify(a.pointing));
  assert.deepEqual([a.exposureSeconds, a.stackExposureSeconds, a.stackCount, a.filter, a.focalLengthMm, a.apertureMm, a.pixelSizeUm], [300, null, null, 'Ha', 530, 106, 3.8]);
  assert.deepEqual(a.site, { latitude: 51.1, longitude: 3.7, elevationM: null });
  assert.equal(processingSignal(cards), null);
  assert.equal(frame(cards), 'light');
  // older INDI drivers wrote the mount's JNow position with the epoch of the date as EQUINOX
  const jd = Date.parse('2021-10-09T22:30:01Z') / 86400000 + 2440587.5;
  const [raNow, decNow] = precessJ2000(10.684583, 41.269167, jd);
  const old = normalizeAcquisition(cardsOf(`OBJCTRA = '${hms(raNow / 15)}'         / Object RA
OBJCTDEC= '${dms(decNow)}'        / Object DEC
EQUINOX =   2.021771000000E+03 / Epoch
DATE-OBS= '2021-10-09T22:30:01.123' / UTC start date of observation`));
  assert.ok(sep(old.pointing, 10.684583, 41.269167) < 3, JSON.stringify(old.pointing));
});

test('ASIAIR: RA/DEC in degrees and OBJCTRA strings agree, signed decimal site east positive, Bayer pattern, no filter wheel', () => {
  const cards = cardsOf(`XBINNING=                    1 / Camera X Bin
YBINNING=                    1 / Camera Y Bin
XPIXSZ  =                 3.76 / pixel size in microns (with binning)
YPIXSZ  =                 3.76 / pixel size in microns (with binning)
IMAGETYP= 'Light   '           / Type of image
EXPOSURE=                 300. / Exposure time in seconds
EXPTIME =                 300. / Exposure time in seconds
CCD-TEMP=                 -10. / sensor temperature in C
SET-TEMP=                 -10. / Cooler temperature in C
FOCALLEN=                  360 / Focal length of telescope in mm
RA      =      83.822083333333 / Object Right Ascension in degrees
DEC     =      -5.391111111111 / Object Declination in degrees
OBJCTRA = '05 35 17.300'       / Object Right Ascension in hms
OBJCTDEC= '-05 23 28.00'       / Object Declination in dms
SITELONG=           -97.766667 / longitude of the imaging site in degrees
SITELAT =            30.266667 / latitude of the imaging site in degrees
DATE-OBS= '2023-01-15T04:12:33.521' / Image created time
INSTRUME= 'ZWO ASI2600MC Pro'  / Camera model
BAYERPAT= 'RGGB    '           / Bayer pattern
GAIN    =                  100 / Gain Value
OFFSET  =                   50 / Offset Value
TELESCOP= 'ASIAIR  '           / Telescope name
OBJECT  = 'M 42    '           / name or catalog number of object being imaged`);
  const a = normalizeAcquisition(cards);
  assert.ok(sep(a.pointing, 83.8221, -5.3911) < 1);
  assert.deepEqual(a.site, { latitude: 30.266667, longitude: -97.766667, elevationM: null });
  assert.deepEqual([a.filter, a.bayerPattern, a.exposureSeconds, a.sensorTempC], [null, 'RGGB', 300, -10]);
  assert.equal(frame(cards), 'light');
});

test('ASTAP and PixInsight solutions: the WCS centre wins over the mount position; an XISF Observation:Center without WCS is used', () => {
  // ASTAP writes CRPIX at the centre with CDELT/CROTA and CD, and PLTSOLVD
  const s = 1.2 / 3600;
  const astap = normalizeAcquisition(cardsOf(`NAXIS1  =                 3000 / length of data axis 1
NAXIS2  =                 2000 / length of data axis 2
RA      =              84.0000 / [deg] RA of telescope
DEC     =              -5.0000 / [deg] Declination of telescope
CTYPE1  = 'RA---TAN'           / first parameter RA  ,  projection TANgential
CTYPE2  = 'DEC--TAN'           / second parameter DEC,  projection TANgential
CUNIT1  = 'deg     '           / Unit of coordinates
CRPIX1  =                1500.5 / X of reference pixel
CRPIX2  =                1000.5 / Y of reference pixel
CRVAL1  =   8.382208333333E+01 / RA of reference pixel (deg)
CRVAL2  =  -5.391111111111E+00 / DEC of reference pixel (deg)
CDELT1  =  ${-s} / X pixel size (deg)
CDELT2  =  ${s} / Y pixel size (deg)
CROTA1  =   0.000000000000E+00 / Image twist X axis (deg)
CROTA2  =   0.000000000000E+00 / Image twist Y axis (deg)
CD1_1   =  ${-s} / CD matrix to convert (x,y) to (Ra, Dec)
CD1_2   =   0.000000000000E+00 / CD matrix to convert (x,y) to (Ra, Dec)
CD2_1   =   0.000000000000E+00 / CD matrix to convert (x,y) to (Ra, Dec)
CD2_2   =  ${s} / CD matrix to convert (x,y) to (Ra, Dec)
PLTSOLVD=                    T / Astrometric solved by ASTAP v2024.01.01.`));
  assert.ok(sep(astap.pointing, 83.8221, -5.3911) < 1, JSON.stringify(astap.pointing));
  // PixInsight XISF properties (degrees), no WCS keywords
  const pi = normalizeAcquisition([
    { key: 'Observation:Center:RA', value: 83.8221 },
    { key: 'Observation:Center:Dec', value: -5.3911 },
    { key: 'Observation:CelestialReferenceSystem', value: 'ICRS' },
    { key: 'Instrument:Telescope:FocalLength', value: 0.53 },
  ]);
  assert.deepEqual([pi.pointing, pi.focalLengthMm], [{ ra: 83.8221, dec: -5.3911 }, 530]);
});

test('Astro Pixel Processor: CFAIMAGE no is not a Bayer pattern; the filter of an integration is FILT-1', () => {
  const cards = cardsOf(`SOFTWARE= 'Astro Pixel Processor by Aries Productions' / software
VERSION = '2.0.0-beta28'       / Astro Pixel Processor version
INSTRUME= 'ZWO ASI294MC Pro'   / instrument name
CFAIMAGE= 'no      '           / Color Filter Array pattern
FILTNUM =                    1 / data combined from 1 filter
FILT-1  = 'HaOIII  '           / filter used`);
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.bayerPattern, a.filterRaw, a.software], [null, 'HaOIII', 'Astro Pixel Processor by Aries Productions']);
});

test('CCDciel: SITELONG written east positive (its internal west-positive longitude negated on output)', () => {
  // a site in Quebec (71.2° W): CCDciel writes the negated internal value, so west is negative as in every other program
  const a = normalizeAcquisition(cardsOf(`ORIGIN  = 'Home    '           / Observatory name
SITELAT =    46.81 / Observatory latitude
SITELONG=   -71.21 / Observatory longitude
SWCREATE= 'CCDciel 0.9.85-3080 - Linux x86_64' / Capture software`));
  assert.deepEqual(a.site, { latitude: 46.81, longitude: -71.21, elevationM: null });
});

test('units written into angle strings: decimal degrees and hours with their unit, hemisphere after a unit', () => {
  const deg = normalizeAcquisition(cardsOf(`RA      = '83.8221 deg'\nDEC     = '-5.3911 deg'\nSITELAT = '51.05 deg N'\nSITELONG= '122.5 deg W'`));
  assert.deepEqual(deg.pointing, { ra: 83.8221, dec: -5.3911 });
  assert.deepEqual(deg.site, { latitude: 51.05, longitude: -122.5, elevationM: null });
  const hours = normalizeAcquisition(cardsOf(`OBJCTRA = '5.588139h'\nOBJCTDEC= '-5.3911°'`));
  assert.ok(sep(hours.pointing, 83.8221, -5.3911) < 1, JSON.stringify(hours.pointing));
  const degRa = normalizeAcquisition(cardsOf(`OBJCTRA = '83.8221°'\nOBJCTDEC= '-5.3911°'`));
  assert.ok(sep(degRa.pointing, 83.8221, -5.3911) < 1, 'a degree sign wins over OBJCTRA being hours');
  const hms = normalizeAcquisition(cardsOf(`RA      = '05h 35m 17.3s'\nDEC     = '-05d 23m 28s'`));
  assert.ok(sep(hms.pointing, 83.8221, -5.3911) < 1);
});

function hms(h: number): string {
  const t = Math.round(h * 36000);
  return `${pad(Math.floor(t / 36000))} ${pad(Math.floor(t / 600) % 60)} ${((t % 600) / 10).toFixed(1).padStart(4, '0')}`;
}
function dms(d: number): string {
  const sign = d < 0 ? '-' : '+';
  const t = Math.round(Math.abs(d) * 3600);
  return `${sign}${pad(Math.floor(t / 3600))} ${pad(Math.floor(t / 60) % 60)} ${pad(t % 60)}`;
}
function pad(n: number): string {
  return String(n).padStart(2, '0');
}
