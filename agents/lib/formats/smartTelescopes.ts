/**
 * Smart telescopes: one device (optics and camera together) whose files name
 * it their own way. The one home for recognising them and for what their
 * model fixes that the header does not say. Each entry is backed by public
 * evidence, listed in docs/formats.md ("Sources"); what no evidence shows is
 * left null, never guessed.
 *
 * - Seestar (ZWO): `CREATOR 'ZWO Seestar S50'`, `INSTRUME 'Seestar S50'`, the device id as
 *   `TELESCOP 'S50_153dd4e2'`.
 * - DWARF (DWARFLAB): `TELESCOP = INSTRUME = 'DWARFIII'` (or `'DWARFII'`), the lens in `CAMERA`
 *   (`TELE`/`WIDE`, two sensors with their own darks and flats).
 * - Unistellar (eVscope, eQuinox, Odyssey): `ORIGIN` containing `Unistellar`; the sensor in
 *   `INSTRUME` (`IMX224` eVscope 1 / eQuinox, `IMX347` eVscope 2 / eQuinox 2, `IMX415` Odyssey /
 *   Odyssey Pro); `TELESCOP` only from firmware 4.2 on, so the model is read from the sensor; no
 *   `FOCALLEN`/`XPIXSZ`; the field centre in `FOVRA`/`FOVDEC`; the site in
 *   `LATITUDE`/`LONGITUD`/`ALTITUDE`; the firmware in `SOFTVER`; the sensor temperature in `CMOSTEMP`.
 * - Celestron Origin: `CREATOR` (or `SWCREATE`) naming Origin, `TELESCOP` starting with `Origin`;
 *   its subs stamp `DATE-OBS` in local time with the offset in a separate `TIMEZONE` card
 *   (`-0700`); focal length 335 mm, IMX178 pixels of 2.4 µm.
 */

import { isPlaceholder } from './fits-header.ts';

type Get = (key: string) => unknown;

export interface SmartTelescope {
  /** the maker's device family, also the `stack.program` of its in-camera stacks */
  program: 'seestar' | 'dwarf' | 'unistellar' | 'celestron-origin';
  /** the model ('Seestar S50', 'DWARF III', 'Unistellar eVscope 2 / eQuinox 2', 'Celestron Origin') */
  telescope: string;
  /** the model, with its lens when it has two (DWARF) */
  camera: string;
  /** DWARF's generation: 'III', 'II', 'mini' or '' (not said) */
  generation?: string;
  /** optics the model fixes, for headers that do not state them (null: not known for this model) */
  focalLengthMm: number | null;
  pixelSizeUm: number | null;
  /** `DATE-OBS` is local time and `TIMEZONE` holds its offset (Celestron Origin) */
  localDateObs: boolean;
  /** the card holding the site's elevation in metres, beside the standard ones (Unistellar: `ALTITUDE`) */
  elevationKey: string | null;
  /** the card holding the firmware version and the maker it is a version of (Unistellar: `SOFTVER`) */
  firmware: { key: string; maker: string } | null;
}

/** A text card, '' when absent or a placeholder. */
function str(get: Get, key: string): string {
  const v = get(key);
  const s = typeof v === 'string' ? v.trim() : '';
  return isPlaceholder(s) ? '' : s;
}

/** Unistellar models by the sensor in INSTRUME: the same optics per sensor. */
const UNISTELLAR_SENSORS: [RegExp, string, number, number | null][] = [
  // eVscope 1 and eQuinox 1: 114 mm f/3.9 (450 mm), IMX224 3.75 µm pixels, not binned
  [/^IMX224/i, 'Unistellar eVscope 1 / eQuinox', 450, 3.75],
  // eVscope 2 and eQuinox 2: same optics, IMX347 2.9 µm pixels
  [/^IMX347/i, 'Unistellar eVscope 2 / eQuinox 2', 450, 2.9],
  // Odyssey and Odyssey Pro: 320 mm; the IMX415's 1.45 µm pixels are binned on the device in some
  // firmware and not in others (the published fixes disagree), so the pixel size is left out
  [/^IMX415/i, 'Unistellar Odyssey', 320, null],
];

/** The smart telescope that wrote a header, or null for any other device (read as written). */
export function smartTelescope(get: Get): SmartTelescope | null {
  const base = { localDateObs: false, elevationKey: null, firmware: null, focalLengthMm: null, pixelSizeUm: null };
  const creator = str(get, 'CREATOR');
  const instrume = str(get, 'INSTRUME');
  const telescop = str(get, 'TELESCOP');

  const seestar = /seestar[\s_-]*(s\d+)/i.exec(`${creator} ${instrume} ${telescop}`);
  if (seestar) {
    const model = `Seestar ${seestar[1]!.toUpperCase()}`;
    // the device id (S50_<serial>) or the model itself: the model
    const telescope = telescop === '' || /^s\d+_[0-9a-f]+$/i.test(telescop) || /seestar/i.test(telescop) ? model : telescop;
    return { ...base, program: 'seestar', telescope, camera: instrume || model };
  }

  const dwarf = /^dwarf[\s_-]*(iii|ii|3|2|mini)?$/i.exec(telescop || instrume);
  if (dwarf) {
    const gen = (dwarf[1] ?? '').toLowerCase();
    const generation = gen === 'iii' || gen === '3' ? 'III' : gen === 'ii' || gen === '2' ? 'II' : gen === 'mini' ? 'mini' : '';
    const model = `DWARF${generation ? ` ${generation}` : ''}`;
    const lens = str(get, 'CAMERA');
    return { ...base, program: 'dwarf', generation, telescope: model, camera: /^(tele|wide)$/i.test(lens) ? `${model} ${lens.toUpperCase()}` : model };
  }

  if (/unistellar/i.test(str(get, 'ORIGIN'))) {
    const known = UNISTELLAR_SENSORS.find(([re]) => re.test(instrume));
    // an unknown sensor: the TELESCOP that firmware 4.2 writes, else the maker alone
    const model = known?.[1] ?? (telescop ? (/unistellar/i.test(telescop) ? telescop : `Unistellar ${telescop}`) : 'Unistellar');
    return {
      ...base,
      program: 'unistellar',
      telescope: model,
      camera: model,
      focalLengthMm: known?.[2] ?? null,
      pixelSizeUm: known?.[3] ?? null,
      elevationKey: 'ALTITUDE',
      firmware: { key: 'SOFTVER', maker: 'Unistellar' },
    };
  }

  // 'Origin' as a word (not 'originstack', the name of a stacking program that keeps TELESCOP)
  if (/\borigin\b/i.test(`${creator} ${str(get, 'SWCREATE')}`) || /^(celestron\s+)?origin\b/i.test(telescop)) {
    return { ...base, program: 'celestron-origin', telescope: 'Celestron Origin', camera: instrume || 'Celestron Origin', focalLengthMm: 335, pixelSizeUm: 2.4, localDateObs: true };
  }
  return null;
}
