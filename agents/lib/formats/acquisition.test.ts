import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderCard } from '../../sdk/facts.ts';
import { normalizeAcquisition, normalizeFilter } from './acquisition.ts';
import { parseDec, parseLongitude, parseRa, parseSexagesimal } from './coords.ts';
import { capturedDate, parseDateText } from './dates.ts';
import { parseCard } from './fits-header.ts';

/** FITS header text (one card per line, as capture programs write them) → cards */
export function cardsOf(text: string): HeaderCard[] {
  return text
    .split('\n')
    .map((l) => parseCard(l.padEnd(80).slice(0, 80)))
    .filter((c): c is HeaderCard => !!c);
}

test('normalizeFilter: bands, spellings, bandwidths, brands, dual/quad-band names, placeholders', () => {
  const cases: [string, string | null][] = [
    ['Ha', 'Ha'], ['H-alpha', 'Ha'], ['HA 7nm', 'Ha'], ['Halpha', 'Ha'], ['H_Alpha 3nm', 'Ha'], ['Baader Ha 7nm', 'Ha'], ['Astronomik H-alpha 6nm CCD', 'Ha'], ['H', 'Ha'],
    ['OIII', 'OIII'], ['O3', 'OIII'], ['O-III 6.5nm', 'OIII'], ['O', 'OIII'], ['Antlia 3nm OIII Pro', 'OIII'],
    ['SII', 'SII'], ['S2', 'SII'], ['S-II', 'SII'], ['S', 'SII'],
    ['Hb', 'Hb'], ['H-beta', 'Hb'], ['NII', 'NII'],
    ['L', 'L'], ['Lum', 'L'], ['Luminance', 'L'], ['R', 'R'], ['Red', 'R'], ['G', 'G'], ['Green', 'G'], ['B', 'B'], ['Blue', 'B'], ['Astronomik Deep-Sky R', 'R'],
    ['UV/IR Cut', 'UV/IR-cut'], ['UV-IR', 'UV/IR-cut'], ['IRCUT', 'UV/IR-cut'], ['L (UV/IR cut)', 'UV/IR-cut'],
    ['L-eXtreme', 'L-eXtreme'], ['Optolong L-Extreme 7nm', 'L-eXtreme'], ['L-eNhance', 'L-eNhance'], ['L-Ultimate', 'L-Ultimate'], ['L-Pro', 'L-Pro'],
    ['ALP-T 5nm', 'ALP-T'], ['Triad Ultra', 'Triad Ultra'], ['IDAS NBZ', 'NBZ'], ['LPS-D2', 'LPS-D2'], ['ZWO Duo-Band', 'Duo-Band'], ['UHC', 'UHC'], ['CLS', 'CLS'],
    ['HaOIII', 'Ha+OIII'], ['Ha/OIII', 'Ha+OIII'], ['SII+OIII', 'SII+OIII'], ['Ha OIII', 'Ha+OIII'],
    ['None', null], ['Empty', null], ['unknown', null], ['No Filter', null], ['', null], ['Clear', 'Clear'],
    ['OG590', 'OG590'], ['Custom 42', 'Custom 42'],
  ];
  for (const [raw, want] of cases) assert.equal(normalizeFilter(raw), want, raw);
  assert.equal(normalizeFilter(null), null);
});

test('sexagesimal and coordinate parsing', () => {
  assert.equal(parseSexagesimal('05 41 06.000'), 5 + 41 / 60 + 6 / 3600);
  assert.equal(parseSexagesimal('-02 27 30.00'), -(2 + 27 / 60 + 30 / 3600));
  assert.equal(parseSexagesimal('+33:24:24.00'), 33 + 24 / 60 + 24 / 3600);
  assert.equal(parseSexagesimal('01h26m34.08s'), 1 + 26 / 60 + 34.08 / 3600);
  assert.equal(parseSexagesimal('12 61 00'), null);
  assert.equal(parseRa(' 1 26 34.08', false), (1 + 26 / 60 + 34.08 / 3600) * 15);
  assert.equal(parseRa(21.642, false), 21.642);
  assert.equal(parseRa(1.5, true), 22.5);
  assert.equal(parseRa(400, false), null);
  assert.equal(parseDec('-16 10 58.8'), -(16 + 10 / 60 + 58.8 / 3600));
  assert.equal(parseDec(95), null);
  assert.equal(parseLongitude(210.934), 210.934 - 360);
  assert.equal(parseLongitude('-116:51:48.00'), -(116 + 51 / 60 + 48 / 3600));
});

test('dates: ISO, old DD/MM/YY with TIME-OBS, DATE-LOC, EXIF with offset', () => {
  assert.equal(parseDateText('2020-05-30T00:22:49.0968820'), '2020-05-30T00:22:49.0968820');
  assert.equal(parseDateText('29/11/51', '12:07:00.00'), '1951-11-29T12:07:00.00');
  assert.equal(parseDateText('2005:08:03 18:59:18'), '2005-08-03T18:59:18');
  assert.equal(parseDateText('not a date'), null);
  assert.equal(capturedDate([{ key: 'DATE-OBS', value: '2021-03-02T20:19:00.455' }, { key: 'DATE-LOC', value: '2021-03-02T21:19:00.455' }]), '2021-03-02T20:19:00.455Z');
  // local time: only with its zone
  assert.equal(capturedDate([{ key: 'DATE-LOC', value: '2021-03-02T21:19:00' }]), null);
  assert.equal(capturedDate([{ key: 'DATE-LOC', value: '2021-03-02T21:19:00+01:00' }]), '2021-03-02T21:19:00+01:00');
  assert.equal(capturedDate([{ key: 'DATE-LOC', value: '2021-03-02T21:19:00' }, { key: 'TIMEZONE', value: '+1' }]), '2021-03-02T21:19:00+01:00');
  // a date alone is 00:00 UTC; every result carries a zone
  assert.equal(capturedDate([{ key: 'DATE-OBS', value: '2021-03-02' }]), '2021-03-02T00:00:00Z');
  // a camera clock without its zone is kept (as UTC); GPS time wins over it
  assert.equal(capturedDate([{ key: 'DateTimeOriginal', value: '2023:10:01 22:15:00' }]), '2023-10-01T22:15:00Z');
  assert.equal(capturedDate([{ key: 'DateTimeOriginal', value: '2023:10:01 22:15:00' }, { key: 'GPSDateStamp', value: '2023:10:01' }, { key: 'GPSTimeStamp', value: '20:15:00' }]), '2023-10-01T20:15:00Z');
  assert.equal(capturedDate([{ key: 'DATE-OBS', value: '04/07/18' }, { key: 'TIME-OBS', value: '14:03:03' }]), '1918-07-04T14:03:03Z');
  assert.equal(
    capturedDate([{ key: 'DateTimeOriginal', value: '2023:10:01 22:15:00' }, { key: 'OffsetTimeOriginal', value: '+02:00' }]),
    '2023-10-01T22:15:00+02:00',
  );
  assert.equal(capturedDate([{ key: 'Observation:Time:Start', value: '2024-03-01T21:04:05.5Z' }]), '2024-03-01T21:04:05.5Z');
});

test('N.I.N.A.: exposure, gain/offset, temperatures, Bayer, 0/0 target is no pointing', () => {
  const a = normalizeAcquisition(cardsOf(`IMAGETYP= 'LIGHT'              / Type of exposure
EXPOSURE=                 30.0 / [s] Exposure duration
EXPTIME =                 30.0 / [s] Exposure duration
DATE-OBS= '2021-03-02T20:19:00.455' / Time of observation (UTC)
XBINNING=                    1 / X axis binning factor
YBINNING=                    1 / Y axis binning factor
GAIN    =                  120 / Sensor gain
OFFSET  =                   30 / Sensor gain offset
EGAIN   =     1.00224268436432 / [e-/ADU] Electrons per A/D unit
XPIXSZ  =                 4.63 / [um] Pixel X axis size
INSTRUME= 'ZWO ASI294MC Pro'   / Imaging instrument name
TELESCOP= 'Esprit 100'         / Name of telescope
FOCALLEN=                  550 / [mm] Focal length
SET-TEMP=                -10.0 / [degC] CCD temperature setpoint
CCD-TEMP=                 -9.8 / [degC] CCD temperature
BAYERPAT= 'RGGB'               / Sensor Bayer pattern
FILTER  = 'L-eXtreme'          / Active filter name
OBJECT  = 'M 45'               / Name of the object of interest
OBJCTRA = '00 00 00'           / [H M S] RA of imaged object
OBJCTDEC= '+00 00 00'          / [D M S] Declination of imaged object
ROWORDER= 'TOP-DOWN'           / FITS Image Orientation
SWCREATE= 'N.I.N.A. 1.10.2.90' / Software that created this file`));
  assert.deepEqual(
    [a.exposureSeconds, a.gain, a.offset, a.sensorTempC, a.setTempC, a.binning, a.camera, a.telescope, a.focalLengthMm, a.pixelSizeUm, a.bayerPattern, a.filter, a.filterRaw, a.object, a.software, a.pointing],
    [30, 120, 30, -9.8, -10, '1x1', 'ZWO ASI294MC Pro', 'Esprit 100', 550, 4.63, 'RGGB', 'L-eXtreme', 'L-eXtreme', 'M 45', 'N.I.N.A. 1.10.2.90', null],
  );
});

test('SGP: sexagesimal site, EXPOSURE, CREATOR, RA/DEC degrees, dual-band filter', () => {
  const a = normalizeAcquisition(cardsOf(`OBJECT  = 'M57     '           / Object name
DATE-OBS= '2020-05-30T00:22:49.0968820' / UTC observation date
IMAGETYP= 'LIGHT   '           / Type of frame
CREATOR = 'Sequence Generator Pro v3.1.0.479' / Capture software
INSTRUME= 'ZWO ASI294MC Pro'   / Instrument name
SITEELEV=                   10 / Elevation of the imaging site in meters
SITELAT = '51 3 0.000'         / Latitude of the imaging site in degrees
SITELONG= '3 43 0.000'         / Longitude of the imaging site in degrees
FILTER  = 'HaOIII  '           / Filter name
EXPOSURE=                   30 / Exposure time in seconds
CCD-TEMP=                -17.5 / Camera cooler temperature
SET-TEMP=                  -18 / Camera cooler target temperature
XBINNING=                    2 / Camera X Bin
YBINNING=                    2 / Camera Y Bin
TELESCOP= 'EQMOD ASCOM HEQ5/6' / Telescope name
RA      =     283.395539831101 / Object Right Ascension in degrees
DEC     =           33.0340625 / Object Declination in degrees
OBJCTRA = '18 53 34.930'       / Object Right Ascension in hms
OBJCTDEC= '+33 02 02.625'      / Object Declination in degrees
FOCALLEN=                 1480 / The focal length of the telescope in mm
GAIN    =                  120 / Camera gain
EGAIN   =     3.99000000953674 / Electrons Per ADU
OFFSET  =                   30 / Camera offset`));
  assert.equal(a.exposureSeconds, 30);
  assert.equal(a.filter, 'Ha+OIII');
  assert.equal(a.binning, '2x2');
  assert.equal(a.software, 'Sequence Generator Pro v3.1.0.479');
  assert.deepEqual(a.pointing, { ra: 283.395539831101, dec: 33.0340625 });
  assert.deepEqual(a.site, { latitude: 51.05, longitude: 3 + 43 / 60, elevationM: 10 });
});

test('MaxIm DL / iTelescope: RA/DEC as sexagesimal strings, pixel size after binning', () => {
  const a = normalizeAcquisition(cardsOf(`DATE-OBS= '2018-07-04T14:03:03' / [ISO 8601] UTC date/time of exposure start
EXPTIME =   3.00000000000E+002 / [sec] Duration of exposure
SET-TEMP=  -35.000000000000000 /CCD temperature setpoint in C
CCD-TEMP=  -34.993802250000002 /CCD temperature at start of exposure in C
XPIXSZ  =   7.4000000000000004 /Pixel Width in microns (after binning)
XBINNING=                    1 / Binning level along the X-axis
FILTER  = 'SII     '           / Filter name
IMAGETYP= 'Light Frame' /       Type of image
FOCALLEN=   1425.0000000000000 /Focal length of telescope in mm
APTDIA  =   392.00000000000000 /Aperture diameter of telescope in mm
SWCREATE= 'MaxIm DL Version 5.24 140126 0KJR5' /Name of software that created
OBJECT  = 'm17     '           / Target object name
TELESCOP= 'iTelescope 33'      / Telescope name
INSTRUME= 'Apogee USB/Net'     / Detector instrument name
HISTORY  Dark Subtraction (Dark 10, 4864 x 3232, Bin1 x 1, Temp -35C,
LAT-OBS =  -3.12736111111E+001 / [deg +N WGS84] Geodetic latitude
LONG-OBS=   1.49064444444E+002 / [deg +E WGS84] Geodetic longitude
ALT-OBS =   1.16500000000E+003 / [metres] Altitude above mean sea level
RA      = '18 20 48.12'        / [hms J2000] Target right ascension
DEC     = '-16 10 58.8'        / [dms +N J2000] Target declination`));
  assert.equal(a.exposureSeconds, 300);
  assert.equal(a.filter, 'SII');
  assert.equal(a.apertureMm, 392);
  assert.equal(a.pixelSizeUm, 7.4000000000000004);
  assert.equal(a.camera, 'Apogee USB/Net');
  assert.ok(Math.abs(a.pointing!.ra - (18 + 20 / 60 + 48.12 / 3600) * 15) < 1e-9);
  assert.ok(Math.abs(a.pointing!.dec + (16 + 10 / 60 + 58.8 / 3600)) < 1e-9);
  assert.deepEqual(a.site, { latitude: -31.2736111111, longitude: 149.064444444, elevationM: 1165 });
  assert.equal(a.stackCount, null, 'calibration history is not a stack');
});

test('APT and SharpCap: snapshot count, ASI camera, EGAIN ignored', () => {
  const apt = normalizeAcquisition(cardsOf(`OBJECT  = 'NGC 7000'           / The name of Object Imaged
TELESCOP= 'EQMOD HEQ5/6'       / The Telescope used
INSTRUME= 'ZWO ASI294MC Pro'   / The model Camera used
EXPTIME =                 240. / The total exposure time in seconds
XPIXSZ  =                 4.63 / Pixel width in microns (after binning)
EGAIN   =     1.00224268436432 / Electronic gain in e-/ADU
FOCALLEN=                  400 / Focal Length of the Telescope in mm
SWCREATE= 'Astro Photography Tool - APT v.3.54.1' / Imaging software
SNAPSHOT=                    1 / Number of images combined
SET-TEMP=                 -15. / The setpoint of the cooling in C
IMAGETYP= 'Light Frame'        / The type of image
OBJCTRA = '20 59 17'           / The Right Ascension of the center of the image
OBJCTDEC= '+44 31 44'          / The Declination of the center of the image
GAIN    =                  120 / The gain set (if supported)`));
  assert.equal(apt.gain, 120);
  assert.equal(apt.stackCount, 1);
  assert.equal(apt.setTempC, -15);
  assert.ok(Math.abs(apt.pointing!.ra - (20 + 59 / 60 + 17 / 3600) * 15) < 1e-9);
  const sc = normalizeAcquisition(cardsOf(`SWCREATE= 'SharpCap'           /
CCD-TEMP=                 12.7 /
YBINNING=                    1 /
XBINNING=                    1 /
EXPTIME =                    2 /
INSTRUME= 'ZWO ASI290MM Mini'  /
GAIN    =                  300 /
OFFSET  =                   10 /`));
  assert.deepEqual([sc.software, sc.exposureSeconds, sc.gain, sc.offset, sc.sensorTempC], ['SharpCap', 2, 300, 10, 12.7]);
});

test('DWARF II: EXP keyword, RA in hours by comment, binning "2*2", empty object; 0/0 pointing missing', () => {
  const dwarf = normalizeAcquisition(cardsOf(`EXP     =                  15. / [s] Sub Exposure Time
GAIN    =                  110 / Sub Gain
BINNING = '2*2     '           / n*n pixels add together
RA      =                 5.59 / [h] Observe object RA coordinate (J2000)
DEC     =                -5.39 / [deg] Observe object DEC coordinate (J2000)
OBJECT  = '        '           / Observe object
BAYERPAT= 'GBRG    '           / Bayer pattern
TELESCOP= 'DWARFII '           / DWARF II telescope`));
  assert.equal(dwarf.exposureSeconds, 15);
  assert.equal(dwarf.binning, '2x2');
  assert.equal(dwarf.object, null);
  assert.ok(Math.abs(dwarf.pointing!.ra - 5.59 * 15) < 1e-9);
  const zero = normalizeAcquisition(cardsOf(`RA      =                   0. / [h] Observe object RA coordinate (J2000)
DEC     =                   0. / [deg] Observe object DEC coordinate (J2000)`));
  assert.equal(zero.pointing, null);
});

test('Seestar S50 stack: STACKCNT, TOTALEXP, IRCUT filter, WCS CRVAL preferred as pointing, bogus APERTURE ignored', () => {
  const a = normalizeAcquisition(cardsOf(`CREATOR = 'ZWO Seestar S50'    / Capture software
FOCALLEN=                  250 / Focal length of telescope in mm
APERTURE=                   5. / Name of field of view aperture
XPIXSZ  =     2.90000009536743 / pixel size in microns (with binning)
IMAGETYP= 'Light   '           / Type of image
STACKCNT=                  187 / Stack frames
EXPTIME =                  10. / Exposure time in seconds
RA      =             240.1125 / Object Right Ascension in degrees
DEC     =            20.661389 / Object Declination in degrees
FILTER  = 'IRCUT   '           / Filter used when taking image
INSTRUME= 'Seestar S50'        / Camera model
TOTALEXP=                1870. / Total Exposure Time in seconds
CTYPE1  = 'RA---TAN-SIP'       / TAN (gnomic) projection + SIP distortions
CRVAL1  =        239.749404582 / RA  of reference point
CRVAL2  =        20.4682320597 / DEC of reference point`));
  assert.deepEqual([a.stackCount, a.stackExposureSeconds, a.exposureSeconds, a.filter, a.apertureMm, a.software], [187, 1870, 10, 'UV/IR-cut', null, 'ZWO Seestar S50']);
  assert.deepEqual(a.pointing, { ra: 239.749404582, dec: 20.4682320597 });
});

test('Ekos/INDI (real file header layout), Siril and DSS stacks, PixInsight history and XISF properties', () => {
  const ekos = normalizeAcquisition(cardsOf(`FRAME   = 'Light   '           / Frame Type
FILTER  = 'Red     '           / Filter
ISOSPEED=                  800 / ISO Speed
FOCALLEN=             4.00E+02 / Focal Length (mm)
APTDIA  =             8.00E+01 / Telescope diameter (mm)
OBJCTRA = ' 1 26 34.08'        / Object J2000 RA in Hours
OBJCTDEC= '69 15 09.22'        / Object J2000 DEC in Degrees
RA      =         2.164200E+01 / Object J2000 RA in Degrees
DEC     =         6.925256E+01 / Object J2000 DEC in Degrees`));
  assert.deepEqual([ekos.filter, ekos.gain, ekos.focalLengthMm, ekos.apertureMm, ekos.pointing], ['R', 800, 400, 80, { ra: 21.642, dec: 69.25256 }]);

  const siril = normalizeAcquisition(cardsOf(`PROGRAM = 'Siril v1.2.1'       / Software that created this HDU
STACKCNT=                   42 / Stack frames
EXPTIME =                  300 / Exposure time [s]
LIVETIME=                12600 / Exposure time after deadtime correction`));
  assert.deepEqual([siril.software, siril.stackCount, siril.stackExposureSeconds], ['Siril v1.2.1', 42, 12600]);

  const dss = normalizeAcquisition(cardsOf(`SOFTWARE= 'DeepSkyStacker 4.2.6' /
NCOMBINE=                   30 / number of images combined
ISOSPEED=                 1600 /`));
  assert.deepEqual([dss.software, dss.stackCount, dss.gain], ['DeepSkyStacker 4.2.6', 30, 1600]);

  const pi = normalizeAcquisition([
    { key: 'HISTORY', value: 'ImageIntegration.pixelCombination: average' },
    { key: 'HISTORY', value: 'ImageIntegration.numberOfImages: 64' },
    { key: 'Instrument:Telescope:FocalLength', value: 0.53 },
    { key: 'Instrument:Telescope:Aperture', value: 0.106 },
    { key: 'Instrument:Sensor:XPixelSize', value: 3.76 },
    { key: 'Instrument:Camera:Name', value: 'ZWO ASI2600MM Pro' },
    { key: 'Instrument:Filter:Name', value: 'Astrodon OIII 3nm' },
    { key: 'Observation:Center:RA', value: 83.82 },
    { key: 'Observation:Center:Dec', value: -5.39 },
    { key: 'Observation:Location:Latitude', value: 45.5 },
    { key: 'Observation:Location:Longitude', value: -73.6 },
    { key: 'Observation:Location:Elevation', value: 80 },
    { key: 'XISF:CreatorApplication', value: 'PixInsight 1.8.9-2' },
  ]);
  assert.deepEqual(
    [pi.stackCount, pi.focalLengthMm, pi.apertureMm, pi.pixelSizeUm, pi.camera, pi.filter, pi.pointing, pi.site, pi.software],
    [64, 530, 106, 3.76, 'ZWO ASI2600MM Pro', 'OIII', { ra: 83.82, dec: -5.39 }, { latitude: 45.5, longitude: -73.6, elevationM: 80 }, 'PixInsight 1.8.9-2'],
  );
});

test('EXIF: camera from Make+Model, ISO as gain, lens focal length and aperture, CFA pattern, GPS', () => {
  const a = normalizeAcquisition([
    { key: 'Make', value: 'NIKON CORPORATION' },
    { key: 'Model', value: 'NIKON D70' },
    { key: 'ExposureTime', value: 0.05 },
    { key: 'ISO', value: 200 },
    { key: 'FNumber', value: 3.5 },
    { key: 'FocalLength', value: 18 },
    { key: 'CFAPattern', value: '0 2 0 2 2 1 1 0' },
    { key: 'latitude', value: 48.1 },
    { key: 'longitude', value: 11.5 },
  ]);
  assert.deepEqual(
    [a.camera, a.exposureSeconds, a.gain, a.focalLengthMm, a.apertureMm, a.bayerPattern, a.site?.latitude, a.site?.longitude],
    ['NIKON D70', 0.05, 200, 18, 5.14, 'BGGR', 48.1, 11.5],
  );
  assert.equal(normalizeAcquisition([{ key: 'Make', value: 'Canon' }, { key: 'Model', value: 'EOS Ra' }]).camera, 'Canon EOS Ra');
});

test('exposure units by comment and sentinel temperatures', () => {
  assert.equal(normalizeAcquisition(cardsOf("EXPOSURE=                 65.0 /Observation: Exposure Minutes")).exposureSeconds, 3900);
  assert.equal(normalizeAcquisition(cardsOf('EXPTIME =                  500 / [ms] exposure')).exposureSeconds, 0.5);
  assert.equal(normalizeAcquisition(cardsOf('CCD-TEMP=                 -999 / no sensor')).sensorTempC, null);
});
