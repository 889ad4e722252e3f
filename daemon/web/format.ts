/**
 * Numbers for people: the one place where the pages turn values into text.
 * Every template gets these as `it.f` (see views.ts). Unknown values are "—",
 * never "0 s" or "null"; units follow a thin space-free "value unit" style.
 */

const DASH = '—';
const known = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A length of time: "45 s", "12 min", "3 h 05 min". Zero, negative or unknown
 * integration means nothing is known, so it is "—" (a real 0 s does not happen).
 */
export function duration(seconds: number | null | undefined): string {
  if (!known(seconds) || seconds <= 0) return DASH;
  // under a second (one short frame): as its exposure is written, 1/15 s, not "0.1 s"
  if (seconds < 1) return exposure(seconds);
  if (seconds < 59.95) return `${trim(seconds, seconds < 10 ? 1 : 0)} s`;
  const totalMin = Math.round(seconds / 60);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  return h ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
}

/** A number without trailing zeros: trim(2.50, 2) → "2.5". */
function trim(v: number, digits: number): string {
  return String(Number(v.toFixed(digits)));
}

/**
 * An exposure time as a photographer writes it: 300 s, 2.5 s, 1/15 s, 1/4000 s.
 * Sub-second exposures that are close to 1/n (within 3 %) are shown as 1/n.
 */
export function exposure(seconds: number | null | undefined): string {
  if (!known(seconds) || seconds <= 0) return DASH;
  if (seconds >= 1) return `${trim(seconds, seconds < 10 ? 2 : seconds < 100 ? 1 : 0)} s`;
  const n = Math.round(1 / seconds);
  if (n >= 2 && Math.abs(1 / n - seconds) / seconds < 0.03) return `1/${n} s`;
  return `${Number(seconds.toPrecision(2))} s`;
}

/**
 * A session's acquisition rows (filter × exposure) in one line, as
 * astrophotographers write them: "L 12 × 300 s, Ha 20 × 600 s".
 */
export function acquisitionLine(rows: readonly { filter: string | null; frames: number; exposureSeconds: number | null }[]): string {
  return rows.map((r) => `${r.filter ?? 'no filter'} ${r.frames} × ${exposure(r.exposureSeconds)}`).join(', ');
}

/**
 * Bits per sample as stored (FITS BITPIX convention: negative means floating
 * point): 16 → "16-bit integer", -32 → "32-bit float".
 */
export function bitDepth(bits: number | null | undefined): string {
  if (!known(bits) || bits === 0) return DASH;
  return bits < 0 ? `${-bits}-bit float` : `${bits}-bit integer`;
}

export function bytes(n: number | null | undefined): string {
  if (!known(n)) return DASH;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  // 1023.7 KB rounds to "1024 KB": go up one unit instead
  if (i && Math.round(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** The calendar date of an ISO timestamp (as stored: UTC). */
export function date(iso: string | null | undefined): string {
  if (!iso) return DASH;
  return iso.slice(0, 10);
}

/** Date and time to the minute, UTC: "2024-03-01 22:14 UTC". */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function num(v: number | null | undefined, digits = 2): string {
  return known(v) ? v.toFixed(digits) : DASH;
}

/** A whole number with thin grouping: 12 345. */
export function count(v: number | null | undefined): string {
  return known(v) ? Math.round(v).toLocaleString('en-US').replace(/,/g, ' ') : DASH;
}

/** A sensor temperature: "−10.0 °C" (a real minus sign). */
export function temperature(c: number | null | undefined): string {
  if (!known(c)) return DASH;
  const t = c.toFixed(1);
  return `${t.startsWith('-') && t !== '-0.0' ? '−' + t.slice(1) : t.replace('-', '')} °C`;
}

/** Milliseconds of work: "850 ms", "2.4 s", "3 min". */
export function ms(v: number | null | undefined): string {
  if (!known(v) || v < 0) return DASH;
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${trim(v / 1000, 1)} s`;
  return duration(v / 1000);
}

/**
 * Right ascension in hours: "05h 35m 17.3s". Rounding happens once, on the
 * total, so 59.96 s carries into the next minute instead of showing "60.0s".
 */
export function ra(deg: number | null | undefined): string {
  if (!known(deg)) return DASH;
  const tenths = Math.round((((deg % 360) + 360) % 360) / 15 * 36000) % (24 * 36000);
  const hh = Math.floor(tenths / 36000);
  const mm = Math.floor((tenths % 36000) / 600);
  const ss = (tenths % 600) / 10;
  return `${String(hh).padStart(2, '0')}h ${String(mm).padStart(2, '0')}m ${ss.toFixed(1).padStart(4, '0')}s`;
}

/** Declination: "+22° 00′ 52″", "−05° 23′ 28″" (rounded once, so never 60″). */
export function dec(deg: number | null | undefined): string {
  if (!known(deg)) return DASH;
  const total = Math.round(Math.abs(deg) * 3600);
  const sign = deg < 0 && total > 0 ? '−' : '+';
  const d = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${sign}${String(d).padStart(2, '0')}° ${String(m).padStart(2, '0')}′ ${String(s).padStart(2, '0')}″`;
}

/** An angle for fields of view: "1.52°", or in arcminutes below one degree: "24.6′". */
export function angle(deg: number | null | undefined): string {
  if (!known(deg)) return DASH;
  return deg >= 1 ? `${trim(deg, 2)}°` : `${trim(deg * 60, 1)}′`;
}

/**
 * A label from a settings or facts key: "maxStars" → "Max stars",
 * "fov_deg" → "Fov deg". Used when a schema gives no `title`.
 */
export function label(key: string): string {
  const words = key
    .replace(/^settings\./, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : key;
}

/** A message as a sentence: capital first letter, a full stop at the end. */
export function sentence(text: string | null | undefined): string {
  const t = (text ?? '').trim();
  if (!t) return '';
  return t[0]!.toUpperCase() + t.slice(1) + (/[.!?…]$/.test(t) ? '' : '.');
}

/** "1 image", "3 images". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function qs(params: Record<string, unknown>, patch: Record<string, unknown> = {}): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...patch })) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => u.append(k, String(x)));
    else u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

// ---- states for people: what the record says about plate solving and agents ----

type Rec = Record<string, any>;

export interface SolveState {
  /** solved; unsolved (the solver ran and found nothing); failed (the agent failed); pending; none (not tried) */
  state: 'solved' | 'unsolved' | 'failed' | 'pending' | 'none';
  label: string;
  /** why not solved, when known */
  reason: string | null;
}

/**
 * Whether an image is plate-solved, and why not. The record's `astrometry` is
 * null when unsolved; the reason comes from the record when it carries one
 * (`astrometry.reason` / `solve.reason`), else from the platesolve agent's run.
 */
export function solveState(image: Rec): SolveState {
  if (image.astrometry && typeof image.astrometry.ra === 'number') return { state: 'solved', label: 'solved', reason: null };
  const run = ((image.agents ?? []) as Rec[]).find((a) => a.name === 'platesolve');
  // the record's astrometryStatus (from stitching) says why; the run's error is the fallback
  const recorded = image.astrometryStatus?.reason ?? null;
  const reason = (typeof recorded === 'string' && recorded) || run?.error || (run?.warnings ?? []).join('; ') || null;
  if (run?.status === 'failed') return { state: 'failed', label: run.nextAttemptAt ? 'not solved (will retry)' : 'not solved', reason };
  if (run || recorded) return { state: 'unsolved', label: 'not solved', reason };
  return { state: 'none', label: 'not solved', reason: null };
}

/** Whether a missing plate solution is worth mentioning: lights and stacks are solved, calibration frames are not. */
export function expectsSolve(image: Rec): boolean {
  return ['light', 'master', 'processed'].includes(String(image.frameType));
}

export interface AgentState {
  /** css class of the badge */
  badge: string;
  /** word on the badge */
  label: string;
  /** a sentence for the detail column */
  detail: string | null;
}

/**
 * An agent run in words: a failure with no next attempt is "failed" (it will
 * not be retried without a re-run), one with a next attempt is "retrying".
 */
export function agentState(a: Rec): AgentState {
  const warnings = (a.warnings ?? []) as string[];
  if (a.status === 'failed') {
    const error = a.error ?? 'failed';
    return a.nextAttemptAt
      ? { badge: 'waiting', label: 'retrying', detail: `${error} · next attempt ${dateTime(a.nextAttemptAt)}` }
      : { badge: 'failed', label: 'failed', detail: error };
  }
  if (a.status === 'skipped') return { badge: 'skipped', label: 'skipped', detail: a.error ?? (warnings.join('; ') || 'does not apply to this file') };
  if (a.status === 'done') return { badge: 'done', label: 'done', detail: warnings.length ? warnings.join('; ') : null };
  return { badge: 'processing', label: String(a.status ?? 'pending'), detail: a.error ?? null };
}

/** The agent run named `name` of an image, if any. */
export function agentRun(image: Rec, name: string): Rec | null {
  return ((image.agents ?? []) as Rec[]).find((a) => a.name === name) ?? null;
}

/** Equipment of one type as the register names it (a rename shows everywhere), else the header value. */
export function gear(image: Rec, type: 'camera' | 'telescope' | 'mount' | 'filter' | 'software'): string | null {
  const names = ((image.equipment ?? []) as Rec[]).filter((e) => e.type === type).map((e) => String(e.name));
  if (names.length) return names.join(', ');
  const raw = image.acquisition?.[type];
  return typeof raw === 'string' && raw ? raw : null;
}
