/**
 * Object-name keys: the one home for turning what people type or capture
 * programs write ("M 31", "NGC224", "ngc 224", "Bode´s Galaxy") into keys that
 * compare equal. Canonical designations ("M31", "NGC 224") are designation.ts's
 * job; the two keys here are for names and free text:
 *
 * - {@link normalizeName}: a word key ("bodes galaxy"), for matching names and
 *   runs of words inside free text (the name index of resolve.ts);
 * - {@link searchKey}: a compact key ("m31", "ngc7000"), for prefix search in the
 *   database, where "M 31", "m31" and "M-31" must agree (daemon/db/objects.ts
 *   stores it for every designation and name, the services look it up).
 */

const GREEK: Record<string, string> = {
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ε: 'epsilon', ζ: 'zeta', η: 'eta', θ: 'theta', ι: 'iota',
  κ: 'kappa', λ: 'lambda', μ: 'mu', ν: 'nu', ξ: 'xi', ο: 'omicron', π: 'pi', ρ: 'rho', σ: 'sigma', τ: 'tau',
  υ: 'upsilon', φ: 'phi', χ: 'chi', ψ: 'psi', ω: 'omega',
};

/** Lower case without accents (decomposed by `form`, combining marks dropped). */
function fold(text: string, form: 'NFD' | 'NFKD'): string {
  return text.normalize(form).replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** Lower case, no accents or punctuation, single spaces: "Bode´s Galaxy" → "bodes galaxy". */
export function normalizeName(text: string): string {
  return fold(text.replace(/[α-ω]/g, (c) => ` ${GREEK[c] ?? c} `), 'NFD')
    .replace(/[´'’`]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/^the /, '')
    .trim();
}

/** Normalized lookup key for object names and designations: "M 31" → "m31", "NGC-7000" → "ngc7000". */
export function searchKey(text: string): string {
  return fold(text, 'NFKD')
    .replace(/^messier\s*/, 'm')
    .replace(/[^a-z0-9+]/g, '');
}
