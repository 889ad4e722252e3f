/**
 * Decoded pixel data shared by the format readers and the agents that look at
 * pixels (preview, platesolve, star metrics). Defined in the SDK, because
 * third-party agents receive it from `ctx.readPixels()`.
 */
export type { PixelImage } from '../../sdk/index.ts';
