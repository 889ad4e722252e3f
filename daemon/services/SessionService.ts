/**
 * Imaging sessions for the web (API, session page, gallery): list with the
 * image filters, one session, AstroBin acquisition CSV. Sessions are kept by
 * stitching (docs/sessions.md); this only reads them.
 */
import type { DatabasePool } from 'slonik';
import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import { zodProblem } from './validation.ts';
import {
  AcquisitionRow,
  calibrationByRow,
  searchSessions,
  sessionById,
  sessionCalibration,
  sessionImageRecords,
  sessionImages,
  type SessionRow,
  type SessionSearch,
} from '../db/imagingSessions.ts';
import { moonIllumination } from '../catalog/stitching/sessions.ts';
import { LINKED_BY, recordsOf, sessionStackLinks } from '../db/stackLinks.ts';
import { encodeCursor, ImageQuery } from './imageQuery.ts';
import { publicRecord, type PublicRecord } from '../catalog/stitching/record.ts';
import type { ImageService } from './ImageService.ts';

const uuid = z.string().uuid();
const n = z.number().nullable();

const CalibrationFrameInfo = z.object({ id: uuid, kind: z.string().describe('dark | flat | bias | darkflat'), exposureSeconds: n, sensorTempC: n });

/** One imaging session as the API returns it (API.md). */
export const Session = z
  .object({
    id: uuid,
    night: z.string().describe('observing night (local date of the evening), YYYY-MM-DD'),
    target: z.object({ id: z.string().nullable().describe('catalog object id; null when grouped by pointing'), name: z.string().nullable() }).nullable(),
    camera: z.object({ id: uuid, name: z.string() }).nullable(),
    telescope: z.object({ id: uuid, name: z.string() }).nullable(),
    focalLengthMm: n,
    binning: z.string().nullable(),
    acquisition: z.array(AcquisitionRow).describe('one row per filter and exposure, like AstroBin’s acquisition table'),
    frames: z.number().int(),
    totalSeconds: z.number(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    images: z.array(uuid).describe('the light frames (subs) of the session, by capture time'),
    calibration: z
      .object({
        darks: z.number().int(),
        flats: z.number().int(),
        biases: z.number().int(),
        darkFlats: z.number().int(),
        frames: z.array(CalibrationFrameInfo).optional().describe('the distinct calibration frames matched to the subs (GET /sessions/{id} only)'),
      })
      .passthrough(),
    stacks: z.array(uuid).describe('masters and stacks made from this session (made from at least one of its subs)'),
    stackLinks: z
      .array(z.object({ id: uuid, linkedBy: z.enum(LINKED_BY).describe("history: the stack's file names the subs; header dates: its header's dates; inferred: same target, camera and filter, captured before it") }))
      .describe('the stacks with how each was linked (docs/sessions.md, "Stacks")'),
    stacksInferred: z.boolean().describe('true when at least one of the stacks is only inferred (its file names neither its subs nor their dates)'),
    pointing: z.object({ ra: z.number(), dec: z.number() }).nullable(),
    constellation: z.string().nullable(),
    hemisphere: z.enum(['north', 'south']).nullable(),
    site: z.object({ latitude: n, longitude: n }).nullable(),
    moonIllumination: n.describe('illuminated fraction of the moon (0–1) at the middle of the session, ±0.01'),
  })
  .passthrough()
  .describe('An imaging session: the light frames of one target, camera and optical train in one night');
export type Session = z.infer<typeof Session>;

export const SessionPage = z.object({ items: z.array(Session), total: z.number().int(), next: z.string().nullable().describe('cursor of the next page') });
export type SessionPage = z.infer<typeof SessionPage>;

/** The query of the session list: the image filters that apply to sessions (dates are nights). */
export const SessionQuery = ImageQuery.pick({ target: true, constellation: true, hemisphere: true, camera: true, telescope: true, filter: true, capturedFrom: true, capturedTo: true, limit: true, cursor: true })
  .passthrough();

/** AstroBin's acquisition CSV columns (https://welcome.astrobin.com/importing-acquisitions-from-csv), then ours. */
export const ASTROBIN_CSV_COLUMNS = ['date', 'filter', 'number', 'duration', 'binning', 'gain', 'sensorCooling', 'darks', 'flats', 'flatDarks', 'bias', 'filterName'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** AstroBin's binning is the single factor (1, 2, 3, 4): "2x2" → 2. */
function astrobinBinning(b: string | null): number | null {
  const m = b ? /^(\d+)/.exec(b) : null;
  return m ? Number(m[1]) : null;
}

export class SessionService {
  constructor(private readonly deps: { db: DatabasePool; images: ImageService }) {}

  /** Parses the list query with the image filters' own validation. */
  private async parse(input: Record<string, unknown>): Promise<SessionSearch> {
    const parsed = SessionQuery.safeParse(input);
    if (!parsed.success) throw zodProblem(parsed.error);
    const { search, query } = this.deps.images.parseQuery(input);
    const out: SessionSearch = {
      camera: search.camera,
      telescope: search.telescope,
      filter: search.filter,
      constellation: search.constellation,
      hemisphere: search.hemisphere,
      nightFrom: search.capturedFrom?.slice(0, 10),
      nightTo: search.capturedTo?.slice(0, 10),
      limit: search.limit,
      offset: search.offset,
    };
    if (query.target) {
      const t = await this.deps.images.resolveTargetText(query.target);
      out.targetIds = t.ids;
      out.targetText = t.text;
    }
    return out;
  }

  /** Sessions, newest night first, with the image filters (target, camera, telescope, filter, dates, constellation, hemisphere). */
  async list(input: Record<string, unknown>): Promise<SessionPage> {
    const search = await this.parse(input);
    const { rows, total } = await searchSessions(this.deps.db, search);
    const items = await this.complete(rows, { frames: false });
    const end = search.offset + items.length;
    return { items, total, next: end < total ? encodeCursor(end) : null };
  }

  async get(id: string): Promise<Session> {
    if (!uuid.safeParse(id).success) throw new NotFoundError('no such session');
    const row = await sessionById(this.deps.db, id);
    if (!row) throw new NotFoundError('no such session');
    return (await this.complete([row], { frames: true }))[0]!;
  }

  /** The records of a session's subs, by capture time (at most `limit`). */
  async subs(id: string, limit = 500): Promise<PublicRecord[]> {
    return (await sessionImageRecords(this.deps.db, id, limit)).map(publicRecord);
  }

  /** The records of a session's stacks with how each was linked (the session page). */
  async stacks(session: Pick<Session, 'stackLinks'>): Promise<{ image: PublicRecord; linkedBy: Session['stackLinks'][number]['linkedBy'] }[]> {
    const records = (await recordsOf(this.deps.db, session.stackLinks.map((l) => l.id))).map(publicRecord);
    return records.map((image) => ({ image, linkedBy: session.stackLinks.find((l) => l.id === image.id)!.linkedBy }));
  }

  /** The sessions of a target, newest first (the target page). */
  async ofTarget(targetId: string, limit = 200): Promise<Session[]> {
    const { rows } = await searchSessions(this.deps.db, { targetIds: [targetId], limit, offset: 0 });
    return this.complete(rows, { frames: false });
  }

  /**
   * Sessions with their subs and stacks. The calibration counts are the
   * session's stored aggregates; the calibration frames themselves (`frames`)
   * are read for one session only.
   */
  private async complete(rows: SessionRow[], o: { frames: boolean }): Promise<Session[]> {
    const ids = rows.map((r) => r.id);
    const [images, calibration, stacks] = await Promise.all([
      sessionImages(this.deps.db, ids),
      o.frames ? sessionCalibration(this.deps.db, ids) : Promise.resolve([]),
      sessionStackLinks(this.deps.db, ids),
    ]);
    return rows.map((r) => {
      const frames = calibration.filter((c) => c.session_id === r.id);
      const stored = r.calibration;
      const mid = r.started_at && r.ended_at ? new Date((Date.parse(r.started_at) + Date.parse(r.ended_at)) / 2) : null;
      return {
        id: r.id,
        night: r.night,
        target: r.target_id || r.object_name ? { id: r.target_id, name: r.target_name ?? r.object_name ?? r.target_id } : null,
        camera: r.camera_id && r.camera ? { id: r.camera_id, name: r.camera } : null,
        telescope: r.telescope_id && r.telescope ? { id: r.telescope_id, name: r.telescope } : null,
        focalLengthMm: r.focal_length_mm,
        binning: r.binning,
        acquisition: r.acquisition,
        frames: r.frames,
        totalSeconds: r.total_seconds,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        images: images.get(r.id) ?? [],
        calibration: {
          darks: stored.darks ?? 0,
          flats: stored.flats ?? 0,
          biases: stored.biases ?? 0,
          darkFlats: stored.darkFlats ?? 0,
          ...(o.frames ? { frames: frames.map((f) => ({ id: f.id, kind: f.kind, exposureSeconds: f.exposure_s, sensorTempC: f.sensor_temp_c })) } : {}),
        },
        stacks: (stacks.get(r.id) ?? []).map((l) => l.id),
        stackLinks: stacks.get(r.id) ?? [],
        stacksInferred: (stacks.get(r.id) ?? []).some((l) => l.linkedBy === 'inferred'),
        pointing: r.ra !== null && r.dec !== null ? { ra: r.ra, dec: r.dec } : null,
        constellation: r.constellation,
        hemisphere: r.hemisphere === 'north' || r.hemisphere === 'south' ? r.hemisphere : null,
        site: r.site_latitude !== null || r.site_longitude !== null ? { latitude: r.site_latitude, longitude: r.site_longitude } : null,
        moonIllumination: mid ? moonIllumination(mid) : null,
      };
    });
  }

  /**
   * AstroBin's acquisition CSV for sessions: one line per acquisition row
   * (filter × exposure) of each session. AstroBin's `filter` is its own numeric
   * filter id, which Sidereal does not know: it is left empty and our filter
   * name is in the extra last column `filterName` (docs/sessions.md).
   */
  async csv(sessions: readonly Session[]): Promise<string> {
    const lines: string[] = [ASTROBIN_CSV_COLUMNS.join(',')];
    for (const s of [...sessions].sort((a, b) => a.night.localeCompare(b.night))) {
      const calib = await calibrationByRow(this.deps.db, s.id);
      for (const row of s.acquisition) {
        const k = (kind: string) => calib.find((c) => c.filter === row.filter && c.exposure_s === row.exposureSeconds && c.kind === kind)?.n ?? 0;
        const cells = [s.night, null, row.frames, row.exposureSeconds, astrobinBinning(row.binning), row.gain, row.sensorTempC === null ? null : Math.round(row.sensorTempC), k('dark'), k('flat'), k('darkflat'), k('bias'), row.filter];
        lines.push(cells.map(csvCell).join(','));
      }
    }
    return lines.join('\n') + '\n';
  }

  /** One session's CSV. */
  async sessionCsv(id: string): Promise<string> {
    return this.csv([await this.get(id)]);
  }

  /** A target's CSV across its sessions. */
  async targetCsv(target: string): Promise<string> {
    const page = await this.list({ target, limit: 200 });
    if (!page.total) throw new NotFoundError(`no sessions of "${target}"`);
    const all = [...page.items];
    let next = page.next;
    while (next) {
      const more = await this.list({ target, limit: 200, cursor: next });
      all.push(...more.items);
      next = more.next;
    }
    return this.csv(all);
  }
}
