/**
 * Smart telescopes and their in-camera stacks, read from headers laid out as
 * the devices write them. The card lists are written here after the header
 * dumps published with geeksville/starbash (doc/fits/seestar*,
 * doc/fits/dwarf3/, doc/fits/asiair*): Seestar S50 firmware 4.70 subs and
 * stacks, DWARF III subs, its stacked-16 file and its calibration masters
 * (with the session's shotsInfo.json: 43 subs stacked), ASIAIR Plus autorun
 * and live-stacking subs. Values are those of the dumps; the image data are
 * the tests' own. Unistellar, Celestron Origin, DWARF II stacks and Vaonis
 * Vespera follow below: no dump of theirs was found, so those cards are laid
 * out as public code reads and writes them (sources beside them and in
 * docs/formats.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderCard } from '../../sdk/facts.ts';
import { normalizeAcquisition } from './acquisition.ts';
import { capturedDate } from './dates.ts';
import { parseCard } from './fits-header.ts';
import { classifyFrame } from './frametype.ts';
import { isStack, readStackEvidence } from './stackEvidence.ts';
import { fileNameCount, readStackSources } from './stackSources.ts';
import { describeFile } from './index.ts';
import { isKnownKeyword, unmappedKeywords } from './keywords.ts';
import { fitsHdu, tempDir, writeFits, type CardSpec } from './test-writers.ts';
import { angularSeparationDeg } from '../sky/dso.ts';
import { tanDeproject } from '../wcs/tan.ts';

function cardsOf(text: string): HeaderCard[] {
  return text
    .split('\n')
    .map((l) => parseCard(l.padEnd(80).slice(0, 80)))
    .filter((c): c is HeaderCard => !!c);
}
/** A header's cards as the FITS writer takes them (its structural cards are the writer's own). */
function toSpec(text: string): CardSpec[] {
  return cardsOf(text)
    .filter((c) => !/^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|BZERO|BSCALE)$/.test(c.key))
    .map((c) => [c.key, c.value as string | number | boolean | null, c.comment ?? undefined] as CardSpec);
}
const sep = (a: { ra: number; dec: number } | null, ra: number, dec: number) => (a ? angularSeparationDeg(a.ra, a.dec, ra, dec) * 3600 : Infinity);
const frame = (cards: HeaderCard[], fileName: string, folderPath = '') => classifyFrame({ cards, fileName, folderPath, format: 'fits' }).frameType;

const SEESTAR_COMMON = `BZERO   =                32768 / offset data range to that of unsigned short
BSCALE  =                    1 / default scaling factor
CREATOR = 'ZWO Seestar S50'    / Capture software
PRODUCER= 'ZWO     '           / Powered by ZWO
XORGSUBF=                    0 / Subframe X position in binned pixels
YORGSUBF=                    0 / Subframe Y position in binned pixels
FOCALLEN=                  250 / Focal length of telescope in mm
APERTURE=                   5. / Name of field of view aperture
EQMODE  =                    1 / Equatorial mode
PROGRAM = '4.70    '           / The name of the software task that created the
XBINNING=                    1 / Camera X Bin
YBINNING=                    1 / Camera Y Bin
CCDXBIN =                    1 / Camera X Bin
CCDYBIN =                    1 / Camera Y Bin
XPIXSZ  =     2.90000009536743 / pixel size in microns (with binning)
YPIXSZ  =     2.90000009536743 / pixel size in microns (with binning)
IMAGETYP= 'Light   '           / Type of image`;

const SEESTAR_SUB = `SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    2 / number of data axes
NAXIS1  =                 1080 / length of data axis 1
NAXIS2  =                 1920 / length of data axis 2
EXTEND  =                    T / FITS dataset may contain extensions
${SEESTAR_COMMON}
EXPOSURE=                  10. / Exposure time in seconds
EXPTIME =                  10. / Exposure time in seconds
CCD-TEMP=              20.1875 / sensor temperature in C
RA      =           305.870835 / Object Right Ascension in degrees
DEC     =            40.315556 / Object Declination in degrees
SITELONG=             -122.309 / longitude of the imaging site in degrees
SITELAT =              37.5208 / latitude of the imaging site in degrees
DATE-OBS= '2025-07-15T07:26:35.344647' / Image created time
FILTER  = 'LP      '           / Filter used when taking image
INSTRUME= 'Seestar S50'        / Camera model
BAYERPAT= 'GRBG    '           / Bayer pattern
GAIN    =                   80 / Gain Value
FOCUSPOS=                 1796 / Focuser position in steps
TELESCOP= 'S50_153dd4e2'       / Telescope name
OBJECT  = 'Sadr    '           / name or catalog number of object being imaged
TOTALEXP=                  10. / Total Exposure Time in seconds`;

const SEESTAR_STACK_CARDS = `STACKCNT=                  614 / Stack frames
EXPOSURE=                  10. / Exposure time in seconds
EXPTIME =                  10. / Exposure time in seconds
CCD-TEMP=                18.75 / sensor temperature in C
RA      =           305.870835 / Object Right Ascension in degrees
DEC     =            40.315556 / Object Declination in degrees
SITELONG=             -122.309 / longitude of the imaging site in degrees
SITELAT =              37.5208 / latitude of the imaging site in degrees
DATE-OBS= '2025-07-15T12:19:41.883632' / Image created time
FILTER  = 'LP      '           / Filter used when taking image
INSTRUME= 'Seestar S50'        / Camera model
BAYERPAT= 'GRBG    '           / Bayer pattern
GAIN    =                   80 / Gain Value
FOCUSPOS=                 1796 / Focuser position in steps
TELESCOP= 'S50_153dd4e2'       / Telescope name
OBJECT  = 'Sadr    '           / name or catalog number of object being imaged
TOTALEXP=                6140. / Total Exposure Time in seconds
CTYPE1  = 'RA---TAN-SIP'       / TAN (gnomic) projection + SIP distortions
CTYPE2  = 'DEC--TAN-SIP'       / TAN (gnomic) projection + SIP distortions
CRVAL1  =         305.62672828 / RA  of reference point
CRVAL2  =        40.3746892506 / DEC of reference point
CRPIX1  =         536.66375351 / X reference pixel
CRPIX2  =        743.725921631 / Y reference pixel
CD1_1   =   -0.000654493782619 / Transformation matrix
CD1_2   =    6.74978289948E-05 / no comment
CD2_1   =   -6.74941841911E-05 / no comment
CD2_2   =   -0.000654233594049 / no comment
A_ORDER =                    2 / Polynomial order, axis 1
B_ORDER =                    2 / Polynomial order, axis 2
A_0_2   =   -1.87764686825E-07 / no comment
A_1_1   =    6.08333811635E-08 / no comment
A_2_0   =   -7.56671607564E-07 / no comment
B_0_2   =   -1.26470142702E-07 / no comment
B_1_1   =   -1.79032322445E-07 / no comment
B_2_0   =   -3.16790917302E-07 / no comment
IMAGEW  =                 1080 / Image width,  in pixels.
IMAGEH  =                 1920 / Image height, in pixels.`;

const SEESTAR_STACK = `SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    3 / number of data axes
NAXIS1  =                 1080 / length of data axis 1
NAXIS2  =                 1920 / length of data axis 2
NAXIS3  =                    3 / length of data axis 3
EXTEND  =                    T / FITS dataset may contain extensions
${SEESTAR_COMMON}
${SEESTAR_STACK_CARDS}`;

test('Seestar S50 sub: TOTALEXP equal to its EXPTIME is one frame, not a stack; the device id is no telescope name; PROGRAM is a version', () => {
  const cards = cardsOf(SEESTAR_SUB);
  const ev = readStackEvidence(cards);
  assert.equal(isStack(ev), false, JSON.stringify(ev));
  assert.equal(frame(cards, 'Light_Sadr_10.0s_LP_20250715-002648.fit', 'MyWorks/Sadr_sub'), 'light');
  const a = normalizeAcquisition(cards);
  assert.deepEqual(
    [a.exposureSeconds, a.stackCount, a.stackExposureSeconds, a.filterRaw, a.filter, a.gain, a.sensorTempC],
    [10, null, null, 'LP', 'Light pollution', 80, 20.1875],
  );
  assert.deepEqual([a.camera, a.telescope, a.software], ['Seestar S50', 'Seestar S50', 'ZWO Seestar S50 4.70']);
  assert.deepEqual([a.focalLengthMm, a.apertureMm, a.pixelSizeUm, a.bayerPattern], [250, null, 2.90000009536743, 'GRBG']);
  assert.ok(sep(a.pointing, 305.870835, 40.315556) < 1, JSON.stringify(a.pointing));
  assert.deepEqual(a.site, { latitude: 37.5208, longitude: -122.309, elevationM: null });
  assert.equal(capturedDate(cards), '2025-07-15T07:26:35.344647Z');
});

test('a smart telescope\'s name cards read placeholders as absent, as every other reader does (one rule: isPlaceholder)', () => {
  // a Seestar INSTRUME with a placeholder TELESCOP: the model, not the placeholder
  for (const placeholder of ['N/A', '(none)', 'default', 'Unknown']) {
    const a = normalizeAcquisition(cardsOf(`INSTRUME= 'Seestar S50'\nTELESCOP= '${placeholder}'`));
    assert.deepEqual([a.telescope, a.camera], ['Seestar S50', 'Seestar S50'], placeholder);
  }
  // a Unistellar file whose unknown sensor comes with a placeholder TELESCOP: the maker alone
  const u = normalizeAcquisition(cardsOf(`ORIGIN  = 'Unistellar'\nINSTRUME= 'IMX999'\nTELESCOP= 'default'`));
  assert.equal(u.telescope, 'Unistellar');
});

test('Seestar S50 stack: STACKCNT subs of EXPTIME, TOTALEXP total, colour planes have no Bayer pattern, the WCS centre is the pointing', () => {
  const cards = cardsOf(SEESTAR_STACK);
  const name = 'Stacked_614_Sadr_10.0s_LP_20250715-052001.fit';
  assert.equal(frame(cards, name, 'MyWorks/Sadr'), 'processed');
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.exposureSeconds, a.stackCount, a.stackExposureSeconds, a.bayerPattern], [10, 614, 6140, null]);
  assert.deepEqual([a.camera, a.telescope, a.software, a.filter], ['Seestar S50', 'Seestar S50', 'ZWO Seestar S50 4.70', 'Light pollution']);
  // the image centre (540.5, 960.5) through the CD matrix (SIP terms are < 0.1 px here), not the reference pixel
  const dx = 540.5 - 536.66375351;
  const dy = 960.5 - 743.725921631;
  const [ra, dec] = tanDeproject(305.62672828, 40.3746892506, -0.000654493782619 * dx + 6.74978289948e-5 * dy, -6.74941841911e-5 * dx - 0.000654233594049 * dy);
  assert.ok(sep(a.pointing, ra, dec) < 5, `${JSON.stringify(a.pointing)} vs ${ra} ${dec}`);
  assert.ok(sep(a.pointing, 305.62672828, 40.3746892506) > 300, 'not CRVAL');
  const s = readStackSources(cards, name);
  assert.deepEqual([s.program, s.frames, s.framesFrom, s.subExposureSeconds, s.totalSeconds, s.firstAt], ['seestar', 614, 'STACKCNT', 10, 6140, '2025-07-15T12:19:41.883Z']);
});

test('Seestar firmware that names stacks DSO_Stacked_<n>_<target>_<sub>s_<date>: the name gives count and sub; IRCUT is the UV/IR-cut', () => {
  assert.deepEqual(fileNameCount('DSO_Stacked_425_M 100_10.0s_20250704_070948.fit'), { frames: 425, totalSeconds: null, subSeconds: 10 });
  assert.deepEqual(fileNameCount('Stacked_614_Sadr_10.0s_LP_20250715-052001.fit'), { frames: 614, totalSeconds: null, subSeconds: 10 });
  // the same stack with its STACKCNT card lost (a re-save by another program): the name still counts it
  const cards = cardsOf(SEESTAR_STACK.replace(/^STACKCNT.*$/m, '').replace(/^TOTALEXP.*$/m, '').replace("FILTER  = 'LP      '", "FILTER  = 'IRCUT   '"));
  const s = readStackSources(cards, 'DSO_Stacked_425_M 100_10.0s_20250704_070948.fit');
  assert.deepEqual([s.frames, s.framesFrom, s.subExposureSeconds], [425, 'file name', 10]);
  assert.equal(normalizeAcquisition(cards).filter, 'UV/IR-cut');
});

const DWARF3_COMMON = `BZERO   =                32768 / offset data range to that of unsigned short
BSCALE  =                    1 / default scaling factor`;
const DWARF3_TAIL = `GAIN    =                   60 / Gain
RESTACK =                    0 / is Mega Stack
XBINNING=                    1 / binning factor used on X axis
YBINNING=                    1 / binning factor used on Y axis
FILTER  = 'Astro   '           / selected filter
CAMERA  = 'TELE    '           / shooting camera
XPIXSZ  =                   2. / [um] pixel size in microns (with binning)
YPIXSZ  =                   2. / [um] pixel size in microns (with binning)
FOCALLEN=                 150. / [mm] Focal length of telescope in mm`;
const DWARF3_ID = `OBJECT  = 'IC 434  '           / Observe object
BAYERPAT= 'RGGB    '           / Bayer pattern
TELESCOP= 'DWARFIII'           / DWARF III telescope
INSTRUME= 'DWARFIII'           / DWARF III instrument
ORIGIN  = 'DWARFLAB'           / DWARF III's creator`;

const DWARF3_SUB = `SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    2 / number of data axes
NAXIS1  =                 3856 / length of data axis 1
NAXIS2  =                 2180 / length of data axis 2
EXTEND  =                    T / FITS dataset may contain extensions
${DWARF3_COMMON}
DATE-OBS= '2025-10-18T04:59:26.401' / Time end of exposure
EXPTIME =                  60. / [s] Exposure Time
${DWARF3_TAIL}
DET-TEMP=                   16 / Detector temperature in C
RA      =             85.28743 / [deg] Observe object RA coordinate (J2000)
DEC     =            -2.492014 / [deg] Observe object DEC coordinate (J2000)
${DWARF3_ID}`;

const DWARF3_STACK_CARDS = `DATE-OBS= '2025-10-18T05:51:04.415' / Time end of exposure
EXPTIME =                2580. / [s] Exposure Time
${DWARF3_TAIL}
DET-TEMP=                   13 / Detector temperature in C
RA      =             85.28743 / [deg] Observe object RA coordinate (J2000)
DEC     =            -2.492014 / [deg] Observe object DEC coordinate (J2000)
CRTL1X  =                   91 / Crop rect coordinate
CRTL1Y  =                   43 / Crop rect coordinate
CRTR1X  =                 3830 / Crop rect coordinate
CRTR1Y  =                   37 / Crop rect coordinate
CRBR1X  =                 3833 / Crop rect coordinate
CRBR1Y  =                 2071 / Crop rect coordinate
CRBL1X  =                   94 / Crop rect coordinate
CRBL1Y  =                 2077 / Crop rect coordinate
${DWARF3_ID}`;

const DWARF3_STACK = `SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    3 / number of data axes
NAXIS1  =                 3856 / length of data axis 1
NAXIS2  =                 2180 / length of data axis 2
NAXIS3  =                    3 / length of data axis 3
EXTEND  =                    T / FITS dataset may contain extensions
${DWARF3_COMMON}
${DWARF3_STACK_CARDS}`;

const DWARF3_STACK_NAME = 'stacked-16_IC 434_60s60_Astro_20251018-045127226.fits';

test('DWARF III sub: DATE-OBS is the end of the exposure, the TELE lens is its camera, RA in degrees ([deg])', () => {
  const cards = cardsOf(DWARF3_SUB);
  assert.equal(isStack(readStackEvidence(cards)), false);
  assert.equal(frame(cards, 'IC 434_60s60_Astro_20251018-045926401_16C.fits', 'IC 434 Horsehead Nebula/DWARF_RAW_TELE_IC 434_EXP_60_GAIN_60_2025-10-18-04-51-22-420'), 'light');
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.exposureSeconds, a.stackCount, a.stackExposureSeconds, a.gain, a.sensorTempC, a.binning], [60, null, null, 60, 16, '1x1']);
  // ORIGIN is the maker ("DWARF III's creator"), as FITS means it (the organisation), not a program
  assert.deepEqual([a.camera, a.telescope, a.software, a.filterRaw, a.object], ['DWARF III TELE', 'DWARF III', null, 'Astro', 'IC 434']);
  assert.deepEqual([a.focalLengthMm, a.pixelSizeUm, a.bayerPattern, a.site], [150, 2, 'RGGB', null]);
  assert.ok(sep(a.pointing, 85.28743, -2.492014) < 1, JSON.stringify(a.pointing));
  assert.equal(capturedDate(cards), '2025-10-18T04:58:26.401Z', 'start = end − 60 s');
  // the wide-angle lens is another camera
  assert.equal(normalizeAcquisition(cardsOf(DWARF3_SUB.replace("CAMERA  = 'TELE    '", "CAMERA  = 'WIDE    '"))).camera, 'DWARF III WIDE');
});

test('DWARF III stack: EXPTIME is the total (no count card), the sub comes from the name, the count is total / sub (43 as in shotsInfo.json)', () => {
  const cards = cardsOf(DWARF3_STACK);
  const ev = readStackEvidence(cards);
  assert.deepEqual([isStack(ev), ev.count, ev.totalSeconds, ev.totalFrom, ev.subSeconds], [true, null, 2580, 'EXPTIME', null]);
  assert.equal(frame(cards, DWARF3_STACK_NAME), 'processed');
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.exposureSeconds, a.stackExposureSeconds, a.bayerPattern, a.camera, a.telescope, a.filterRaw], [null, 2580, null, 'DWARF III TELE', 'DWARF III', 'Astro']);
  const s = readStackSources(cards, DWARF3_STACK_NAME);
  assert.deepEqual(
    [s.program, s.frames, s.framesFrom, s.subExposureSeconds, s.totalSeconds, s.liveStack],
    ['dwarf', 43, 'file name (total / sub exposure)', 60, 2580, false],
  );
  // a stack's date is kept as written (the end of its last sub); the stitcher widens one date by the integration
  assert.equal(capturedDate(cards), '2025-10-18T05:51:04.415Z');
  // the same file without its name still is a stack with its total, not 2580 s subs
  const anon = readStackSources(cards, 'IC434.fits');
  assert.deepEqual([anon.frames, anon.subExposureSeconds, anon.totalSeconds], [null, null, 2580]);
  // a Siril stack of DWARF subs (their cards kept, STACKCNT and LIVETIME added, debayered): Siril's rule, EXPTIME is one sub's
  const siril = readStackEvidence(cardsOf(`${DWARF3_SUB.replace('NAXIS   =                    2', 'NAXIS   =                    3')}\nNAXIS3  =                    3\nSTACKCNT=                   40\nLIVETIME=                 2400.\nPROGRAM = 'Siril 1.2.6'`));
  assert.deepEqual([siril.count, siril.totalSeconds, siril.subSeconds], [40, 2400, 60]);
  // a DWARF II/3 sub never is a stack by the crop-card rule: its 2-D frame has none
  assert.equal(isStack(readStackEvidence(cardsOf(DWARF3_SUB.replace('EXPTIME =                  60.', 'EXPTIME =                2580.')))), false);
});

test('DWARF file names: "stacked-16" is the bit depth, not 16 subs; "…_stack_<n>" of its calibration masters is a count', () => {
  assert.deepEqual(fileNameCount(DWARF3_STACK_NAME), { frames: null, totalSeconds: null, subSeconds: 60 });
  assert.deepEqual(fileNameCount('stacked-16_M 33_30s60_Astro_20251021-221900245.fits'), { frames: null, totalSeconds: null, subSeconds: 30 });
  assert.equal(fileNameCount('stacked-16_M 31.fits'), null);
  const master = 'dark_exp_60.000000_gain_60_bin_1_20C_stack_8.fits';
  assert.deepEqual(fileNameCount(master), { frames: 8, totalSeconds: null, subSeconds: null });
  // CALI_FRAME masters carry nothing but the Bayer pattern: the name makes them a master dark of 8 subs
  const cards = cardsOf(`SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    2 / number of data axes
NAXIS1  =                 3856 / length of data axis 1
NAXIS2  =                 2180 / length of data axis 2
EXTEND  =                    T / FITS dataset may contain extensions
BZERO   =                32768 / offset data range to that of unsigned short
BSCALE  =                    1 / default scaling factor
BAYERPAT= 'RGGB    '           / Bayer pattern`);
  assert.equal(frame(cards, master, 'CALI_FRAME/dark/cam_0'), 'master');
  // its factory bias and flats there are masters too; the raw darks it stacks them from are darks
  assert.equal(frame(cards, 'bias_gain_2_bin_1.fits', 'DWARF/CALI_FRAME/bias/cam_1'), 'master');
  assert.equal(frame(cards, 'flat_gain_2_bin_1_ir_0.fits', 'CALI_FRAME/flat/cam_0'), 'master');
  assert.equal(frame(cards, 'raw_60s_60_0002_20251020-032310186_20C.fits', 'DWARF_DARK/tele_exp_60_gain_60_bin_1_2025-10-20-03-20-10-952'), 'dark');
  assert.equal(frame(cards, 'flat_0001.fits', 'Flats'), 'flat');
  assert.deepEqual([readStackSources(cards, master).frames, readStackSources(cards, master).framesFrom], [8, 'file name']);
});

test('ASIAIR Plus autorun and live-stacking subs: one frame each, FILTER None is no filter, CREATOR names the program', () => {
  const sub = cardsOf(`SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    2 / number of data axes
NAXIS1  =                 6248 / length of data axis 1
NAXIS2  =                 4176 / length of data axis 2
CREATOR = 'ZWO ASIAIR Plus'    / Capture software
OFFSET  =                   50 / camera offset
FOCALLEN=                  494 / Focal length of telescope in mm
SET-TEMP=                  -10 / CCD temperature setpoint in degrees C
EGAIN   =    0.242862924933434 / Electronic gain in e-/ADU
XBINNING=                    1 / Camera X Bin
YBINNING=                    1 / Camera Y Bin
XPIXSZ  =     3.75999999046326 / pixel size in microns (with binning)
IMAGETYP= 'Light   '           / Type of image
EXPOSURE=                  30. / Exposure time in seconds
EXPTIME =                  30. / Exposure time in seconds
CCD-TEMP=                 -10. / sensor temperature in C
RA      =            250.64166 / Object Right Ascension in degrees
DEC     =            36.403333 / Object Declination in degrees
DATE-OBS= '2025-08-25T04:30:01.240944' / Image exposure start time
FILTER  = 'None    '           / Filter used when taking image
INSTRUME= 'ZWO ASI2600MC Duo'  / Camera model
GUIDECAM= 'ZWO ASI220MM Mini'  / Guide camera model
BAYERPAT= 'RGGB    '           / Bayer pattern
GAIN    =                  100 / Gain Value
TELESCOP= 'OnStep  '           / Telescope name
OBJECT  = 'M 13    '           / name or catalog number of object being imaged
SITELONG=             -122.309 / longitude of the imaging site in degrees
SITELAT =               37.521 / latitude of the imaging site in degrees`);
  assert.equal(isStack(readStackEvidence(sub)), false);
  assert.equal(frame(sub, 'Light_M 13_30.0s_Bin1_2600MC_None_gain100_20250824-213032_-10.0C_0013.fit', 'Live/Light/M 13'), 'light');
  const a = normalizeAcquisition(sub);
  assert.deepEqual([a.exposureSeconds, a.filter, a.filterRaw, a.camera, a.software, a.gain, a.offset, a.bayerPattern], [30, null, null, 'ZWO ASI2600MC Duo', 'ZWO ASIAIR Plus', 100, 50, 'RGGB']);
  assert.deepEqual(a.site, { latitude: 37.521, longitude: -122.309, elevationM: null });
  // its TELESCOP is the mount it drives (OnStep), not optics: those are FOCALLEN only
  assert.deepEqual([a.telescope, a.mount, a.focalLengthMm], [null, 'OnStep', 494]);
  assert.equal(capturedDate(sub), '2025-08-25T04:30:01.240944Z', 'the ASIAIR date is the start');
});

test('describeFile on a DWARF III stack and a Seestar sub written as the devices write them: frame type, acquisition and stack facts', async () => {
  const t = tempDir();
  try {
    const dwarf = t.path(DWARF3_STACK_NAME);
    writeFits(dwarf, fitsHdu({ bitpix: 16, axes: [8, 6, 3], data: new Int16Array(8 * 6 * 3), cards: toSpec(DWARF3_STACK_CARDS) }));
    const d = await describeFile(dwarf, { fileName: DWARF3_STACK_NAME, folderPath: 'IC 434 Horsehead Nebula/DWARF_RAW_TELE_IC 434_EXP_60_GAIN_60_2025-10-18-04-51-22-420' });
    assert.equal(d.frameType, 'processed');
    assert.deepEqual([d.acquisition.exposureSeconds, d.acquisition.stackExposureSeconds, d.acquisition.telescope, d.acquisition.camera], [null, 2580, 'DWARF III', 'DWARF III TELE']);
    assert.deepEqual([d.stack?.frames, d.stack?.subExposureSeconds, d.stack?.totalSeconds, d.stack?.program], [43, 60, 2580, 'dwarf']);

    const seestar = t.path('Light_Sadr_10.0s_LP_20250715-002648.fit');
    const subCards = SEESTAR_SUB.split('\n').filter((l) => !/^NAXIS/.test(l)).join('\n');
    writeFits(seestar, fitsHdu({ bitpix: 16, axes: [6, 4], data: new Int16Array(24), cards: toSpec(subCards) }));
    const s = await describeFile(seestar, { fileName: 'Light_Sadr_10.0s_LP_20250715-002648.fit', folderPath: 'MyWorks/Sadr_sub' });
    assert.equal(s.frameType, 'light');
    assert.equal(s.stack, null);
    assert.deepEqual([s.acquisition.exposureSeconds, s.acquisition.stackExposureSeconds, s.acquisition.telescope], [10, null, 'Seestar S50']);
  } finally {
    t.cleanup();
  }
});

test('the unknown-keywords list leaves out what these devices write and Sidereal reads (crop rectangles, RESTACK, CAMERA, TOTALEXP)', () => {
  for (const k of ['CRTL1X', 'CRBL2Y', 'RESTACK', 'CAMERA', 'DET-TEMP', 'TOTALEXP', 'STACKCNT', 'CREATOR', 'PROGRAM']) assert.ok(isKnownKeyword(k), k);
  // what they write and nothing reads stays listed, for users to report
  assert.deepEqual(unmappedKeywords(cardsOf(SEESTAR_STACK), 'fits'), ['EQMODE', 'FOCUSPOS', 'PRODUCER', 'XORGSUBF', 'YORGSUBF']);
});

test('settings in file names fill what the header lacks: DWARF calibration masters, ASIAIR and DWARF names; never a total, never over a header value', () => {
  const bare = cardsOf(`BAYERPAT= 'RGGB    '           / Bayer pattern`);
  const master = normalizeAcquisition(bare, { fileName: 'dark_exp_60.000000_gain_60_bin_1_20C_stack_8.fits' });
  assert.deepEqual([master.exposureSeconds, master.gain, master.binning, master.sensorTempC], [60, 60, '1x1', 20]);
  const flat = normalizeAcquisition(bare, { fileName: 'flat_gain_2_bin_1_ir_0.fits' });
  assert.deepEqual([flat.exposureSeconds, flat.gain, flat.binning, flat.sensorTempC], [null, 2, '1x1', null]);
  const asiair = normalizeAcquisition([], { fileName: 'Light_M 13_30.0s_Bin1_2600MC_None_gain100_20250824-213032_-10.0C_0013.fit' });
  assert.deepEqual([asiair.exposureSeconds, asiair.gain, asiair.binning, asiair.sensorTempC], [30, 100, '1x1', -10]);
  const dwarfRaw = normalizeAcquisition([], { fileName: 'IC 434_60s60_Astro_20251018-045926401_16C.fits' });
  assert.deepEqual([dwarfRaw.exposureSeconds, dwarfRaw.gain, dwarfRaw.sensorTempC], [60, 60, 16]);
  assert.equal(normalizeAcquisition([], { fileName: 'MasterBias_1.0ms_-9.8C_gain100_2600MC_20250901-120000.fit' }).exposureSeconds, 0.001);
  // the header wins
  const sub = normalizeAcquisition(cardsOf(DWARF3_SUB), { fileName: 'IC 434_300s120_Astro_20251018-045926401_5C.fits' });
  assert.deepEqual([sub.exposureSeconds, sub.gain, sub.sensorTempC], [60, 60, 16]);
  // a live stack's name states its total (584 s of 73 frames): the sub is total / count, and a stack header keeps no sub at all
  assert.equal(normalizeAcquisition([], { fileName: 'Stack_16bits_73frames_584s.fits' }).exposureSeconds, 8);
  const live = normalizeAcquisition(cardsOf(`SWCREATE= 'SharpCap v4.1'\nEXPTIME =                 584.\nSUBEXP  =                   2.`), { fileName: 'Stack_16bits_73frames_584s.fits' });
  assert.deepEqual([live.exposureSeconds, live.stackExposureSeconds], [null, 584]);
  // DWARF's stack: the header's EXPTIME is the total, the name's sub is not put back as the acquisition exposure
  assert.equal(normalizeAcquisition(cardsOf(DWARF3_STACK), { fileName: DWARF3_STACK_NAME }).exposureSeconds, null);
  // names without settings give nothing
  assert.deepEqual([normalizeAcquisition([], { fileName: 'IMG_1234.CR2' }).exposureSeconds, normalizeAcquisition([], { fileName: 'M31_final.fits' }).gain], [null, null]);
});

// ---------------------------------------------------------------------------------------------------
// Unistellar, Celestron Origin, DWARF II stacks, Vaonis Vespera. No full header dump of these was found;
// the keywords, their meaning and the devices' layouts below are those public code reads and writes
// (sources in docs/formats.md): an AAVSO smart-telescope starlist tool (ORIGIN 'Unistellar', DATE-AVG,
// EXPTIME, LATITUDE/LONGITUD/ALTITUDE as the site, FOVDEC, BAYERPAT; CREATOR naming Origin; TELESCOP
// 'DWARFII' with NAXIS = 3 as a stack), nicastel/Siril-SmartScope-Scripts fixUnistellarHeaders.py and
// naztronaut/siril-scripts issue 49 (INSTRUME IMX224/IMX347/IMX415 per model, FOVRA/FOVDEC as RA/DEC,
// SOFTVER, CMOSTEMP, TELESCOP only from firmware 4.2), hd152/originstack tests/test_obs_time_utc.py and the
// AAVSO forum's "Celestron Origin Notes" (local DATE-OBS with TIMEZONE '-0700', EXPOSURE of one sub,
// FinalStackedMaster.tiff), chillee151/vespera-siril-plugin (01-images-initial/img-NNNN, img-0001-dark).
// The values are the tests' own where no source gives one.
// ---------------------------------------------------------------------------------------------------

const UNISTELLAR_SUB = `SIMPLE  =                    T / conforms to FITS standard
BITPIX  =                   16 / array data type
NAXIS   =                    2 / number of array dimensions
NAXIS1  =                 2048
NAXIS2  =                 1536
ORIGIN  = 'Unistellar'
INSTRUME= 'IMX347  '
SOFTVER = '4.1     '
EXPTIME =                  3.2
DATE-AVG= '2024-03-26T06:00:01.600'
FOVRA   =           145.939458
FOVDEC  =            55.952519
LATITUDE=              37.3861
LONGITUD=            -122.0839
ALTITUDE=                 32.0
BAYERPAT= 'RGGB    '
CMOSTEMP=                 21.5`;

test('Unistellar eVscope 2 sub: ORIGIN and the IMX347 sensor name the model and its optics, FOVRA/FOVDEC point, ALTITUDE is the site, DATE-AVG is the middle', () => {
  const cards = cardsOf(UNISTELLAR_SUB);
  assert.equal(isStack(readStackEvidence(cards)), false);
  assert.equal(frame(cards, 'unistellar_0001.fits', 'science/exoplanet'), 'light');
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.telescope, a.camera, a.software], ['Unistellar eVscope 2 / eQuinox 2', 'Unistellar eVscope 2 / eQuinox 2', 'Unistellar 4.1']);
  // no FOCALLEN/XPIXSZ in its files: the model fixes them (450 mm, 2.9 µm), so a plate solver gets a scale
  assert.deepEqual([a.focalLengthMm, a.pixelSizeUm, a.bayerPattern, a.exposureSeconds, a.sensorTempC, a.stackCount], [450, 2.9, 'RGGB', 3.2, 21.5, null]);
  assert.ok(sep(a.pointing, 145.939458, 55.952519) < 1, JSON.stringify(a.pointing));
  assert.deepEqual(a.site, { latitude: 37.3861, longitude: -122.0839, elevationM: 32 });
  // DATE-AVG is the middle of the exposure: the start is half of EXPTIME earlier
  assert.equal(capturedDate(cards), '2024-03-26T06:00:00.000Z');
  // its own DATE-OBS, when written, is the start as FITS says
  assert.equal(capturedDate(cardsOf(`${UNISTELLAR_SUB}\nDATE-OBS= '2024-03-26T05:59:58.000'`)), '2024-03-26T05:59:58.000Z');
  // firmware 4.2 adds TELESCOP (older firmware does not): the model still comes from the sensor, one name for both
  const fw42 = normalizeAcquisition(cardsOf(`${UNISTELLAR_SUB.replace("'4.1     '", "'4.2     '")}\nTELESCOP= 'eVscope v2.0'`));
  assert.deepEqual([fw42.telescope, fw42.software], ['Unistellar eVscope 2 / eQuinox 2', 'Unistellar 4.2']);
  // the other sensors: eVscope 1 / eQuinox (IMX224, 3.75 µm), Odyssey (IMX415, 320 mm; its pixel binning is not known)
  const v1 = normalizeAcquisition(cardsOf(UNISTELLAR_SUB.replace("'IMX347  '", "'IMX224  '")));
  assert.deepEqual([v1.telescope, v1.focalLengthMm, v1.pixelSizeUm], ['Unistellar eVscope 1 / eQuinox', 450, 3.75]);
  const odyssey = normalizeAcquisition(cardsOf(UNISTELLAR_SUB.replace("'IMX347  '", "'IMX415  '")));
  assert.deepEqual([odyssey.telescope, odyssey.focalLengthMm, odyssey.pixelSizeUm], ['Unistellar Odyssey', 320, null]);
  // a header that states its optics keeps them
  const stated = normalizeAcquisition(cardsOf(`${UNISTELLAR_SUB}\nFOCALLEN=                  450\nXPIXSZ  =                 2.91`));
  assert.equal(stated.pixelSizeUm, 2.91);
});

test('ALTITUDE is a site elevation only for Unistellar; elsewhere it is the pointing altitude and is not read as the site', () => {
  const other = normalizeAcquisition(cardsOf(`SWCREATE= 'N.I.N.A. 3.1'\nSITELAT =                 48.1\nSITELONG=                 11.5\nALTITUDE=                 62.4 / [deg] Altitude of the telescope`));
  assert.deepEqual(other.site, { latitude: 48.1, longitude: 11.5, elevationM: null });
  // and a DATE-AVG of a stack is kept as written (the mean time of its subs)
  const stack = cardsOf(`DATE-AVG= '2024-03-26T06:00:00'\nSTACKCNT=                   20\nEXPTIME =                  10.`);
  assert.equal(capturedDate(stack), '2024-03-26T06:00:00Z');
});

const ORIGIN_SUB = `SIMPLE  =                    T / conforms to FITS standard
BITPIX  =                   16 / array data type
NAXIS   =                    2 / number of array dimensions
NAXIS1  =                 3072
NAXIS2  =                 2048
CREATOR = 'Origin  '
TELESCOP= 'Origin  '
DATE-OBS= '2026-08-31T20:40:32'
TIMEZONE= '-0700   '
EXPOSURE=                  10.
BAYERPAT= 'GBRG    '
OBJECT  = 'M 20    '`;

test('Celestron Origin sub: local DATE-OBS with its TIMEZONE is read in UTC, the model fixes 335 mm and 2.4 µm, EXPOSURE is the sub', () => {
  const cards = cardsOf(ORIGIN_SUB);
  assert.equal(isStack(readStackEvidence(cards)), false);
  assert.equal(frame(cards, 'Light_00042.fits', 'Origin/M 20/images'), 'light');
  const captured = capturedDate(cards);
  assert.equal(Date.parse(captured!), Date.parse('2026-09-01T03:40:32Z'), `${captured}: 20:40:32 at −7 h is 03:40:32 UTC`);
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.telescope, a.camera, a.focalLengthMm, a.pixelSizeUm, a.exposureSeconds, a.bayerPattern, a.object], ['Celestron Origin', 'Celestron Origin', 335, 2.4, 10, 'GBRG', 'M 20']);
  // an offset already in DATE-OBS is not applied twice; a zone name is no offset; 'Z' is UTC
  assert.equal(Date.parse(capturedDate(cardsOf(ORIGIN_SUB.replace("'2026-08-31T20:40:32'", "'2026-08-31T20:40:32-0700'")))!), Date.parse('2026-09-01T03:40:32Z'));
  assert.equal(capturedDate(cardsOf(ORIGIN_SUB.replace("'-0700   '", "'PDT     '"))), '2026-08-31T20:40:32Z');
  assert.equal(capturedDate(cardsOf(ORIGIN_SUB.replace("'2026-08-31T20:40:32'", "'2026-08-31T20:40:32Z'"))), '2026-08-31T20:40:32Z');
  // any other writer's DATE-OBS is UTC, as FITS says, whatever TIMEZONE it adds
  const nina = cardsOf(`SWCREATE= 'N.I.N.A. 3.1'\nDATE-OBS= '2026-08-31T20:40:32'\nTIMEZONE= '-0700   '`);
  assert.equal(capturedDate(nina), '2026-08-31T20:40:32Z');
  // "originstack" (a stacking program for Origin files) is not the device
  assert.equal(normalizeAcquisition(cardsOf(`CREATOR = 'originstack.py'`)).telescope, null);
});

test('Celestron Origin stacks: a colour-plane FITS is its in-camera stack with one sub\'s exposure; FinalStackedMaster.tiff is a stacked light, not a master', () => {
  const cards = cardsOf(ORIGIN_SUB.replace('NAXIS   =                    2 / number of array dimensions', 'NAXIS   =                    3 / number of array dimensions\nNAXIS3  =                    3'));
  const ev = readStackEvidence(cards);
  assert.deepEqual([isStack(ev), ev.inCameraStack, ev.count, ev.totalSeconds], [true, true, null, null]);
  assert.equal(frame(cards, 'stacked.fits'), 'processed');
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.exposureSeconds, a.stackCount, a.stackExposureSeconds, a.bayerPattern], [10, null, null, null]);
  const s = readStackSources(cards, 'stacked.fits');
  assert.deepEqual([s.program, s.frames, s.subExposureSeconds], ['celestron-origin', null, 10]);
  // its date is local too: the stack's first date in UTC
  assert.equal(s.firstAt, '2026-09-01T03:40:32.000Z');
  // the TIFF the device stacks: a processed light by its name, whatever it carries
  assert.equal(classifyFrame({ cards: [], fileName: 'FinalStackedMaster.tiff', folderPath: 'Origin/M 20/images', format: 'tiff' }).frameType, 'processed');
  // calibration masters keep their kind
  assert.equal(frame([], 'MasterDark_60s.fits'), 'master');
  assert.equal(frame([], 'master_stacked_dark.fits'), 'master');
});

test('DWARF II stack: colour planes make it an in-camera stack; its EXPTIME is of unknown meaning, so neither sub nor total is claimed', () => {
  const cards = cardsOf(`SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    3 / number of data axes
NAXIS1  =                 3840
NAXIS2  =                 2160
NAXIS3  =                    3
DATE-OBS= '2023-06-10T22:38:19.442' / Time start to exposure
EXPTIME =                 900.
GAIN    =                  110 / Sub Gain
TELESCOP= 'DWARFII '           / DWARF II telescope
INSTRUME= 'DWARFII '           / DWARF II instrument
ORIGIN  = 'DWARFLAB'           / DWARF II's creator`);
  const ev = readStackEvidence(cards);
  assert.deepEqual([isStack(ev), ev.totalSeconds, ev.subSeconds], [true, null, null]);
  assert.equal(frame(cards, 'stacked-16_M 42_15s110_Astro_20230610-223819442.fits'), 'processed');
  const a = normalizeAcquisition(cards);
  assert.deepEqual([a.telescope, a.exposureSeconds, a.stackExposureSeconds], ['DWARF II', null, null]);
  // the name gives the sub exposure (15 s); with no total nothing gives the count
  const s = readStackSources(cards, 'stacked-16_M 42_15s110_Astro_20230610-223819442.fits');
  assert.deepEqual([s.program, s.frames, s.subExposureSeconds, s.totalSeconds], ['dwarf', null, 15, null]);
  // DWARF III's stack, with the same layout, keeps its published rule (EXPTIME is the total)
  assert.equal(readStackEvidence(cardsOf(cards.map((c) => `${c.key.padEnd(8)}= ${typeof c.value === 'string' ? `'${c.value}'` : c.value}`).join('\n').replace(/DWARFII/g, 'DWARFIII'))).totalSeconds, 900);
});

test('Vaonis Vespera Pro exports: lights in 01-images-initial/img-NNNN are single frames, img-0001-dark is a dark', () => {
  // no header of theirs was found: what the names and folders say is all that is read
  assert.equal(frame([], 'img-0003.fits', 'M 51/01-images-initial'), 'light');
  assert.equal(frame([], 'img-0001-dark.fits', 'M 51'), 'dark');
});

test('the unknown-keywords list leaves out what Unistellar and Origin write and Sidereal reads', () => {
  for (const k of ['FOVRA', 'FOVDEC', 'SOFTVER', 'CMOSTEMP', 'ALTITUDE', 'LATITUDE', 'LONGITUD', 'DATE-AVG', 'TIMEZONE', 'ORIGIN']) assert.ok(isKnownKeyword(k), k);
});

test('describeFile on a Unistellar sub and a Celestron Origin sub as the devices lay them out: dates in UTC, models, optics', async () => {
  const t = tempDir();
  try {
    const uni = t.path('unistellar_0001.fits');
    writeFits(uni, fitsHdu({ bitpix: 16, axes: [8, 6], data: new Int16Array(48), cards: toSpec(UNISTELLAR_SUB) }));
    const u = await describeFile(uni, { fileName: 'unistellar_0001.fits', folderPath: 'science' });
    assert.equal(u.frameType, 'light');
    assert.equal(u.dates.captured, '2024-03-26T06:00:00.000Z');
    assert.deepEqual([u.acquisition.telescope, u.acquisition.focalLengthMm, u.acquisition.site?.elevationM], ['Unistellar eVscope 2 / eQuinox 2', 450, 32]);
    assert.ok(sep(u.acquisition.pointing, 145.939458, 55.952519) < 1);

    const org = t.path('Light_00042.fits');
    writeFits(org, fitsHdu({ bitpix: 16, axes: [8, 6], data: new Int16Array(48), cards: toSpec(ORIGIN_SUB) }));
    const o = await describeFile(org, { fileName: 'Light_00042.fits', folderPath: 'Origin/M 20/images' });
    assert.equal(o.frameType, 'light');
    assert.equal(Date.parse(o.dates.captured!), Date.parse('2026-09-01T03:40:32Z'));
    assert.deepEqual([o.acquisition.telescope, o.acquisition.exposureSeconds, o.stack], ['Celestron Origin', 10, null]);
  } finally {
    t.cleanup();
  }
});
