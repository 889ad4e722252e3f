/**
 * The `preview` agent (stage `render`): a thumbnail and a preview for every
 * image with pixels, auto-stretched when the data are linear and debayered when
 * they come from a one-shot-colour sensor.
 */
import { DEFAULT_LIMITS, decodeLimits } from '../lib/formats/index.ts';
import type { FileFacts } from '../sdk/facts.ts';
import { AgentError, AgentSkip, defineAgent, type AgentContext } from '../sdk/index.ts';
import type { DebayerMethod } from '../lib/imaging/reduce.ts';
import { renderPreviews, type PreviewFormat } from '../lib/imaging/render.ts';
import type { StretchMode } from '../lib/imaging/stretch.ts';

/**
 * Samples per plane the reader may return for a one-shot-colour mosaic: the
 * reader's own binning would mix the Bayer colours, so mosaics are read at
 * full size up to this bound (a 61 MP IMX455 sensor fits; 256 MB of float).
 */
const MAX_MOSAIC_PIXELS = 64 * 1024 * 1024;

/**
 * How many pixels per plane to ask the reader for. Colour-filter mosaics need
 * their full resolution; anything else only needs twice the preview size on the
 * long side (the rest is binned away anyway), so the reader bins while decoding
 * and a 60 MP frame never exists in memory at full size as float.
 */
export function maxPixelsFor(file: Partial<FileFacts> | undefined, previewSize: number): number {
  const cfa = file?.acquisition?.bayerPattern ?? null;
  const channels = file?.channels ?? null;
  if (cfa && (channels === null || channels === 1)) return MAX_MOSAIC_PIXELS;
  // unknown CFA status (no `file` facts): still bounded, and lets most mosaics through unbinned
  if (!file) return MAX_MOSAIC_PIXELS / 2;
  return 4 * previewSize * previewSize;
}

export default defineAgent({
  name: 'preview',
  version: '1',
  description: 'Thumbnail and preview: binned, debayered and auto-stretched (PixInsight-style STF) from linear data.',
  stages: ['render'],
  uses: ['file'],
  appliesTo: { formats: ['fits', 'xisf', 'tiff', 'raw', 'jpeg', 'png', 'webp'] },
  timeoutSeconds: 180,
  settings: {
    thumbnailSize: { type: 'integer', title: 'Thumbnail size (pixels)', default: 400, minimum: 64, maximum: 1024, description: 'long side of the gallery thumbnails' },
    previewSize: { type: 'integer', title: 'Preview size (pixels)', default: 2048, minimum: 256, maximum: 8192, description: 'long side of the preview on the image page' },
    stretch: {
      type: 'string',
      default: 'auto',
      enum: ['auto', 'linked', 'unlinked'],
      title: 'Stretch of colour data',
      description: 'automatic stretch of linear colour data: linked keeps the colour balance, unlinked removes colour casts, auto picks one',
    },
    format: { type: 'string', title: 'Image format', default: 'jpeg', enum: ['jpeg', 'webp'], description: 'file format of thumbnails and previews' },
    quality: { type: 'integer', title: 'Quality', default: 85, minimum: 1, maximum: 100, description: 'compression quality of thumbnails and previews: higher is sharper and larger' },
    debayer: {
      type: 'string',
      default: 'auto',
      enum: ['auto', 'superpixel', 'bilinear'],
      title: 'Debayering',
      description: 'how one-shot-colour (Bayer) data is turned into colour: superpixel halves the size, bilinear keeps it, auto uses bilinear only for frames not much larger than the preview',
    },
    // memory ceilings of the decoders: the host passes SIDEREAL_MAX_IMAGE_PIXELS and SIDEREAL_MAX_DECODED_BYTES
    maxImagePixels: { type: 'integer', title: 'Largest image (pixels)', default: DEFAULT_LIMITS.maxImagePixels, minimum: 1, description: 'the largest image that is decoded, width × height (the host passes SIDEREAL_MAX_IMAGE_PIXELS)' },
    maxDecodedBytes: { type: 'integer', title: 'Memory for one image (bytes)', default: DEFAULT_LIMITS.maxDecodedBytes, minimum: 1, description: 'the most decoded bytes held in memory at once for one image (the host passes SIDEREAL_MAX_DECODED_BYTES)' },
  },
  searchable: [
    { path: 'median', type: 'number', label: 'Median (0..1)' },
    { path: 'mad', type: 'number', label: 'MAD (0..1)' },
  ],
  async run(ctx: AgentContext) {
    const file = ctx.facts['file'] as Partial<FileFacts> | undefined;
    if (file && (file.width === 0 || file.height === 0)) throw new AgentSkip('the file holds no image data');
    const s = ctx.settings;
    const previewSize = typeof s['previewSize'] === 'number' ? s['previewSize'] : 2048;
    let img;
    try {
      // through the context: the round's pixels when another agent already decoded them
      img = await ctx.readPixels({ maxPixels: maxPixelsFor(file, previewSize), limits: decodeLimits(s) });
    } catch (err) {
      // header-only files (astrometry.net .wcs, metadata stubs): nothing to render, not a failure
      if (err instanceof AgentError && file && file.width == null && file.height == null) throw new AgentSkip(err.message);
      throw err;
    }
    ctx.signal.throwIfAborted();
    ctx.progress(0.5, 'rendering');
    const out = await renderPreviews(img, {
      previewSize,
      thumbnailSize: typeof s['thumbnailSize'] === 'number' ? s['thumbnailSize'] : 400,
      stretch: (s['stretch'] as StretchMode | undefined) ?? 'auto',
      format: (s['format'] as PreviewFormat | undefined) ?? 'jpeg',
      quality: typeof s['quality'] === 'number' ? s['quality'] : 85,
      debayer: (s['debayer'] as DebayerMethod | undefined) ?? 'auto',
      // the file agent has read the header and the bit depth: its verdict wins over the reader's default
      linear: typeof file?.linear === 'boolean' ? file.linear : undefined,
    });
    const warnings: string[] = [];
    if (img.bayerPattern && img.binned > 1) {
      warnings.push(`mosaic binned ×${img.binned} by the reader: shown as luminance, not debayered`);
    }
    return {
      facts: { ...out.facts, sourceBinned: img.binned },
      artifacts: [
        { name: 'thumbnail', contentType: out.contentType, data: out.thumbnail },
        { name: 'preview', contentType: out.contentType, data: out.preview },
      ],
      warnings,
    };
  },
});
