/**
 * The description written from Sidereal's own catalog when Wikipedia cannot be
 * reached or has no article: type, constellation, magnitude, size and other
 * designations, in plain sentences.
 */
import { constellationAt } from '../lib/sky/constellation.ts';

export interface CatalogFacts {
  id: string;
  designations: string[];
  name: string | null;
  type: string | null;
  ra: number;
  dec: number;
  magnitude: number | null;
  sizeArcmin: number | null;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function formatRa(ra: number): string {
  const h = ra / 15;
  const hh = Math.floor(h);
  const mm = (h - hh) * 60;
  return `${hh}h ${mm.toFixed(1).padStart(4, '0')}m`;
}

function formatDec(dec: number): string {
  const sign = dec < 0 ? '−' : '+';
  const a = Math.abs(dec);
  const dd = Math.floor(a);
  const mm = Math.round((a - dd) * 60);
  return mm === 60 ? `${sign}${dd + 1}° 00′` : `${sign}${dd}° ${String(mm).padStart(2, '0')}′`;
}

function formatSize(arcmin: number): string {
  if (arcmin >= 120) return `${(arcmin / 60).toFixed(1)}°`;
  if (arcmin >= 10) return `${Math.round(arcmin)}′`;
  if (arcmin >= 1) return `${arcmin.toFixed(1)}′`;
  return `${Math.round(arcmin * 60)}″`;
}

export function catalogDescription(o: CatalogFacts): string {
  const others = o.designations.filter((d) => d !== o.id);
  const label = o.name ? `${o.name} (${[o.id, ...others].join(', ')})` : others.length ? `${o.id} (${others.join(', ')})` : o.id;
  const constellation = constellationAt(o.ra, o.dec).name;
  const type = o.type ?? 'deep-sky object';
  const sentences = [`${label} is ${article(type)} ${type} in the constellation ${constellation}, at RA ${formatRa(o.ra)}, Dec ${formatDec(o.dec)} (J2000).`];
  const details: string[] = [];
  if (o.magnitude !== null) details.push(`its visual magnitude is ${o.magnitude.toFixed(1)}`);
  if (o.sizeArcmin !== null) details.push(`it spans about ${formatSize(o.sizeArcmin)} of sky`);
  if (details.length) {
    const text = details.join(' and ');
    sentences.push(`${text[0]!.toUpperCase()}${text.slice(1)}.`);
  }
  return sentences.join(' ');
}
