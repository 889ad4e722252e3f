/**
 * The deep-zoom rendition of one file, on demand (the image page's viewer asks
 * for it; the daemon runs this in a worker thread of its own and caches the
 * result as a derived file). Same decoding and stretch as the preview agent.
 */
import { readPixels } from '../formats/index.ts';
import { renderPyramid, type PyramidOptions, type RenderedPyramid } from './render.ts';

/** Source pixels read at most (a 61 MP sensor fits; larger frames are binned while decoding). */
export const MAX_ZOOM_PIXELS = 64 * 1024 * 1024;

export async function renderZoomFile(localPath: string, options: PyramidOptions = {}): Promise<RenderedPyramid> {
  const img = await readPixels(localPath, { maxPixels: MAX_ZOOM_PIXELS });
  return renderPyramid(img, options);
}
