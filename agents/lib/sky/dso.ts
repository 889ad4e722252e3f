/**
 * The deep-sky catalog: d3-celestial's `dsos.20.json` (NGC, IC, Messier,
 * Sharpless, Barnard, LDN, LBN, Abell, PGC… ≈ 90k objects, BSD-3-Clause,
 * © Olaf Frohn), merged with `messier.json` and `dsonames.json` and the small
 * hand-kept tables in `curated.ts`. Loaded lazily, once per thread.
 */
import { readD3Json } from './d3-data.ts';
import { canonicalFromCatalogId, catalogRank, parseDesignation } from './designation.ts';
import { ALIASES, CROSS_IDS, NAME_OVERRIDES, OVERRIDES, POSITION_ANGLES, PREFERRED_ID, SUPPLEMENT } from './curated.ts';

/** One deep-sky object. Positions are J2000 degrees. */
export interface DsoEntry {
  /** canonical id: "M31", "NGC 7000", "IC 434", "Sh2-155", "B 33", "LDN 1622", "Abell 426", "PGC 2557" */
  id: string;
  /** every designation known for it, canonical spelling, `id` first */
  designations: string[];
  /** common name ("Andromeda Galaxy"), or null */
  name: string | null;
  /** other common names, for search */
  aliases: string[];
  /** normalized type: galaxy, open cluster, globular cluster, emission nebula, reflection nebula, planetary nebula, dark nebula, supernova remnant, galaxy cluster, … */
  type: string;
  ra: number;
  dec: number;
  /** visual magnitude; null when unknown (and for dark nebulae, whose catalog "magnitude" is an opacity class) */
  magnitude: number | null;
  majorArcmin: number | null;
  minorArcmin: number | null;
  /** position angle of the major axis, degrees from north through east; null when unknown */
  angleDeg: number | null;
}

interface Feature {
  id: string;
  properties: { desig?: string; name?: string; alt?: string; type: string; morph?: string; cl?: string; mag: string | number; dim: string };
  geometry: { coordinates: [number, number] };
}

const TYPE_NAMES: Record<string, string> = {
  gg: 'galaxy cluster',
  g: 'galaxy', s: 'galaxy', s0: 'galaxy', sd: 'galaxy', i: 'galaxy', e: 'galaxy',
  oc: 'open cluster',
  gc: 'globular cluster',
  dn: 'dark nebula',
  rn: 'reflection nebula',
  en: 'emission nebula',
  pn: 'planetary nebula',
  snr: 'supernova remnant',
};

/** d3-celestial's type code (+ morphology) → a type people read. */
export function normalizeType(code: string, morph: string, id: string): string {
  const known = TYPE_NAMES[code];
  if (known) return known;
  if (code === 'bn' || code === 'sfr') {
    if (/\bEN\b/.test(morph) || /^(Sh2-|RCW )/.test(id)) return 'emission nebula';
    if (/\bRN\b/.test(morph)) return 'reflection nebula';
    // Trumpler class with "n" = cluster with nebulosity: the nebula is what is photographed.
    if (/^[IV]+\d[prm]n\b/.test(morph)) return 'emission nebula';
    if (/^[IV]+\d[prm]?\b/.test(morph)) return 'open cluster';
    return code === 'sfr' ? 'star-forming region' : 'bright nebula';
  }
  if (code === 'pos') return 'star cloud';
  return 'other';
}

function parseMagnitude(mag: string | number, type: string): number | null {
  const m = typeof mag === 'number' ? mag : Number.parseFloat(mag);
  if (!Number.isFinite(m) || m >= 90 || type === 'dark nebula') return null;
  return m;
}

function parseDimensions(dim: string): [number | null, number | null] {
  const parts = String(dim ?? '').split('x').map((p) => Number.parseFloat(p));
  const a = parts[0], b = parts[1];
  if (a === undefined || !Number.isFinite(a) || a <= 0) return [null, null];
  const minor = b !== undefined && Number.isFinite(b) && b > 0 ? b : a;
  return [Math.max(a, minor), Math.min(a, minor)];
}

function raOf(lon: number): number {
  return lon < 0 ? lon + 360 : lon;
}

interface Draft extends DsoEntry {
  rank: number;
}

function pickId(designations: string[]): string {
  for (const d of designations) if (PREFERRED_ID[d]) return PREFERRED_ID[d]!;
  return [...designations].sort((a, b) => catalogRank(a) - catalogRank(b))[0]!;
}

function orderDesignations(id: string, designations: Iterable<string>): string[] {
  const rest = [...new Set(designations)].filter((d) => d !== id).sort((a, b) => catalogRank(a) - catalogRank(b));
  return [id, ...rest];
}

/**
 * The Messier list is small and well checked; the big list has a few records of
 * the wrong object under a Messier number (M87, M98, M102: other positions,
 * sizes and magnitudes). Where they disagree, the Messier list wins.
 */
function reconcileWithMessier(draft: Draft, f: Feature): void {
  const ra = raOf(f.geometry.coordinates[0]);
  const dec = f.geometry.coordinates[1];
  const sepArcmin = angularSeparationDeg(draft.ra, draft.dec, ra, dec) * 60;
  const mag = parseMagnitude(f.properties.mag, draft.type);
  if (sepArcmin > 5) {
    draft.ra = ra;
    draft.dec = dec;
    const [major, minor] = parseDimensions(f.properties.dim);
    if (major !== null) [draft.majorArcmin, draft.minorArcmin] = [major, minor];
  }
  if (mag !== null && (draft.magnitude === null || Math.abs(draft.magnitude - mag) > 1.5)) draft.magnitude = mag;
  const [major, minor] = parseDimensions(f.properties.dim);
  if (major !== null && (draft.majorArcmin === null || draft.majorArcmin < major / 3)) [draft.majorArcmin, draft.minorArcmin] = [major, minor];
  const type = MESSIER_TYPES[canonicalFromCatalogId(f.id)];
  if (type) draft.type = type;
  else if (draft.type === 'bright nebula' || draft.type === 'star-forming region') draft.type = 'emission nebula';
}

/** Messier objects whose type the big list gets wrong or leaves vague. */
const MESSIER_TYPES: Record<string, string> = {
  M24: 'star cloud',
  M40: 'double star',
  M44: 'open cluster',
  M45: 'open cluster',
  M73: 'asterism',
  M78: 'reflection nebula',
};

/** Great-circle separation in degrees. */
export function angularSeparationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const r = Math.PI / 180;
  const s = Math.sin(((dec2 - dec1) * r) / 2) ** 2 + Math.cos(dec1 * r) * Math.cos(dec2 * r) * Math.sin(((ra2 - ra1) * r) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(s)))) / r;
}

function build(): DsoEntry[] {
  const dsos = readD3Json<{ features: Feature[] }>('dsos.20.json').features;
  const messier = readD3Json<{ features: Feature[] }>('messier.json').features;
  const names = readD3Json<Record<string, { name: string }>>('dsonames.json');

  // 1. One draft per d3 record, keyed by every designation it has.
  const drafts: Draft[] = [];
  const byDesig = new Map<string, Draft>();
  for (const f of dsos) {
    const id0 = canonicalFromCatalogId(f.id);
    const desigRaw = f.properties.desig ?? '';
    const desig = parseDesignation(desigRaw) ?? (/^(PN|SNR) G/.test(desigRaw) ? canonicalFromCatalogId(desigRaw) : null);
    const type = normalizeType(f.properties.type, f.properties.morph ?? '', id0);
    const [major, minor] = parseDimensions(f.properties.dim);
    const designations = new Set([id0]);
    if (desig) designations.add(desig);
    const draft: Draft = {
      id: id0, designations: [...designations],
      // a non-designation "desig" is a name: "LMC", "SMC", "WLM"
      name: desig === null && desigRaw && desigRaw !== f.id ? desigRaw : null,
      aliases: [], type,
      ra: raOf(f.geometry.coordinates[0]), dec: f.geometry.coordinates[1],
      magnitude: parseMagnitude(f.properties.mag, type),
      majorArcmin: major, minorArcmin: minor, angleDeg: null, rank: 0,
    };
    const existing = [...designations].map((d) => byDesig.get(d)).find((d) => d !== undefined);
    if (existing) {
      // Two records for one Messier object (M 8 and NGC 6523): keep the one filed under "M n", union designations.
      const keepNew = /^M\d/.test(id0) && !/^M\d/.test(existing.id);
      const kept = keepNew ? draft : existing;
      const dropped = keepNew ? existing : draft;
      kept.designations = [...new Set([...kept.designations, ...dropped.designations])];
      kept.magnitude ??= dropped.magnitude;
      kept.majorArcmin ??= dropped.majorArcmin;
      kept.minorArcmin ??= dropped.minorArcmin;
      if (keepNew) drafts[drafts.indexOf(existing)] = kept;
      for (const d of kept.designations) byDesig.set(d, kept);
      continue;
    }
    drafts.push(draft);
    for (const d of designations) byDesig.set(d, draft);
  }

  // 2. Messier: attach numbers to NGC records, or create the few with no NGC record (M24, M40).
  for (const f of messier) {
    const mId = canonicalFromCatalogId(f.id);
    const ngc = parseDesignation((f.properties.desig ?? '').split('/')[0]!);
    let draft = byDesig.get(mId) ?? (ngc ? byDesig.get(ngc) : undefined);
    if (!draft) {
      const type = mId === 'M40' ? 'double star' : normalizeType(f.properties.type, f.properties.cl ?? '', mId);
      const [major, minor] = parseDimensions(f.properties.dim);
      draft = {
        id: mId, designations: [mId], name: null, aliases: [], type,
        ra: raOf(f.geometry.coordinates[0]), dec: f.geometry.coordinates[1],
        magnitude: parseMagnitude(f.properties.mag, type), majorArcmin: major, minorArcmin: minor, angleDeg: null, rank: 0,
      };
      drafts.push(draft);
    }
    draft.designations = [...new Set([...draft.designations, mId, ...(ngc ? [ngc] : [])])];
    reconcileWithMessier(draft, f);
    const alt = f.properties.alt?.trim();
    if (alt && !/asterism|patch/i.test(alt)) draft.aliases.push(alt.replace(/´/g, "'").replace(/’/g, "'"));
    for (const d of draft.designations) byDesig.set(d, draft);
  }

  // 3. Cross identifications; a cross-id that is a record of its own is merged away.
  const removed = new Set<Draft>();
  for (const [key, extra] of Object.entries(CROSS_IDS)) {
    const draft = byDesig.get(key);
    if (!draft) continue;
    for (const d of extra) {
      const other = byDesig.get(d);
      if (other && other !== draft) {
        removed.add(other);
        draft.designations.push(...other.designations);
        if (other.name && !draft.name) draft.name = other.name;
      } else {
        draft.designations.push(d);
      }
    }
    draft.designations = [...new Set(draft.designations)];
    for (const d of draft.designations) byDesig.set(d, draft);
  }

  for (const s of SUPPLEMENT) {
    if (s.designations.some((d) => byDesig.has(d))) continue;
    const draft: Draft = { ...s, aliases: [], angleDeg: null, rank: 0 };
    drafts.push(draft);
    for (const d of s.designations) byDesig.set(d, draft);
  }

  // 4. Names: dsonames is keyed by one designation in d3 spelling.
  for (const [key, value] of Object.entries(names)) {
    if (!/[a-z]/i.test(key)) continue; // numeric keys have no record to attach to
    const draft = byDesig.get(canonicalFromCatalogId(key));
    if (!draft || !value.name) continue;
    const name = value.name.trim();
    if (!draft.name) draft.name = name;
    else if (draft.name !== name) draft.aliases.push(name);
  }

  const out: DsoEntry[] = [];
  for (const draft of drafts) {
    if (removed.has(draft)) continue;
    const id = pickId(draft.designations);
    const designations = orderDesignations(id, draft.designations);
    const override = designations.map((d) => OVERRIDES[d]).find((o) => o !== undefined);
    const nameOverride = designations.map((d) => NAME_OVERRIDES[d]).find((n) => n !== undefined);
    let name = draft.name;
    const aliases = new Set(draft.aliases);
    for (const d of designations) for (const a of ALIASES[d] ?? []) aliases.add(a);
    if (nameOverride) {
      if (name && name !== nameOverride) aliases.add(name);
      name = nameOverride;
    } else if (!name && aliases.size > 0) {
      name = [...aliases][0]!;
    }
    if (name) aliases.delete(name);
    const pa = designations.map((d) => POSITION_ANGLES[d]).find((p) => p !== undefined);
    const ra = override?.ra ?? draft.ra;
    const dec = override?.dec ?? draft.dec;
    // a record with impossible coordinates (there are a couple) is left out rather than placed anywhere
    if (!(ra >= 0 && ra < 360 && dec >= -90 && dec <= 90)) continue;
    out.push({
      id, designations, name, aliases: [...aliases],
      type: override?.type ?? refineType(draft.type, designations),
      ra, dec,
      magnitude: override?.magnitude !== undefined ? override.magnitude : draft.magnitude,
      majorArcmin: override?.majorArcmin ?? draft.majorArcmin,
      minorArcmin: override?.minorArcmin ?? draft.minorArcmin,
      angleDeg: pa ?? null,
    });
  }
  return out;
}

/** A "bright nebula" that is also in an HII-region catalog is an emission nebula. */
function refineType(type: string, designations: string[]): string {
  if (type === 'bright nebula' && designations.some((d) => /^(Sh2-|RCW )/.test(d))) return 'emission nebula';
  return type;
}

let cache: DsoEntry[] | null = null;

/** Every catalog entry (≈ 90k), built on first use and shared by the thread. Treat as read-only. */
export function allDsoEntries(): DsoEntry[] {
  cache ??= build();
  return cache;
}
