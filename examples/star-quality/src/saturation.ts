/**
 * The level at which stars saturate. Integer data: a fraction of full scale
 * (the setting) — or lower, when the frame shows a clipped plateau: several
 * pixels at exactly its maximum, as 12- and 14-bit cameras give in 16-bit
 * files. Float data have no known full scale: plateau only.
 */
export function saturationLevel(data: Float32Array, fraction: number | null): number | null {
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i]! > max) max = data[i]!;
  if (!Number.isFinite(max) || max <= 0) return fraction;
  let atMax = 0;
  for (let i = 0; i < data.length && atMax < 8; i++) if (data[i] === max) atMax++;
  const plateau = atMax >= 8 ? max * 0.995 : null;
  if (fraction === null) return plateau;
  return plateau === null ? fraction : Math.min(fraction, plateau);
}
