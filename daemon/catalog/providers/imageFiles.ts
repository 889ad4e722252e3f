/**
 * Which files in a source are images worth cataloguing. Capture programs
 * leave logs, sequences, JSON and thumbnails beside the frames; those are
 * not listed. (The `file` agent still decides the format by content.)
 */
export const IMAGE_EXTENSIONS: readonly string[] = [
  'fits', 'fit', 'fts', 'fz', 'fits.gz', 'fit.gz', 'fts.gz', 'fits.fz', 'xisf',
  'tif', 'tiff', 'jpg', 'jpeg', 'png', 'webp',
  'cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'dng', 'raf', 'orf', 'rw2', 'pef', 'raw', 'rwl', '3fr', 'iiq', 'erf', 'mrw', 'x3f', 'srw',
];
const PATTERN = new RegExp(`\\.(${IMAGE_EXTENSIONS.map((e) => e.replace('.', '\\.')).join('|')})$`, 'i');

export function isImageFile(key: string): boolean {
  return PATTERN.test(key);
}
