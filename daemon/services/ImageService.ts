/**
 * What the web (HTML and JSON alike) can do with images: search, read, upload,
 * edit, re-run agents. Validation and permissions live here, not in handlers.
 */
import type { Readable } from 'node:stream';
import type { DatabasePool } from 'slonik';
import { FRAME_TYPES } from '../../agents/sdk/index.ts';
import { resolveName } from '../../agents/lib/sky/resolve.ts';
import { constellationNames } from '../../agents/lib/sky/constellation.ts';
import { existingImageIds, findObjectIds, getImageRecord, searchImageIds, searchImages, type ImageSearch } from '../db/images.ts';
import { getEquipment } from '../db/equipment.ts';
import { loadDerived, loadErrorStacks } from '../db/results.ts';
import { upsertFiles } from '../db/files.ts';
import { saveBulkEdits, saveUserEdits } from '../db/edits.ts';
import { markDue, pendingCount, processingStateOf, queueCounts, stateOf, type ProcessingState } from '../catalog/imageState.ts';
import { Refreshed } from '../refreshed.ts';
import { InvalidInputError, NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.ts';
import { isImageFile } from '../catalog/providers/imageFiles.ts';
import { agentResult } from '../db/admin.ts';
import { equipmentChoices, filterNames } from '../db/facets.ts';
import { calibrationFramesOf, lightsCalibratedBy } from '../db/calibrationLinks.ts';
import { requireActor, type Actor } from '../auth/permissions.ts';
import type { StorageBackend } from '../storage/StorageBackend.ts';
import { UploadBatch, normalizeUploadName } from '../catalog/providers/uploadBatch.ts';
import { adoptMoves } from '../catalog/providers/adoptMoves.ts';
import { imageWithContent } from '../db/identity.ts';
import { log as rootLog } from '../log.ts';
import { ImageQuery, decodeCursor, encodeCursor, type ImageQueryInput } from './imageQuery.ts';
import { checkDate, zodProblem } from './validation.ts';
import { parseFactFilters, type SearchableFactField } from './factFilters.ts';
import { searchKey } from '../../agents/lib/sky/names.ts';
import { publicRecord, type PublicRecord } from '../catalog/stitching/record.ts';

/** An upload in progress (ImageService.beginUpload). */
export interface ImageUpload {
  add(fileName: string, body: Readable): Promise<void>;
  /** per file, in the order sent: the image, `existing` when its content was catalogued already (nothing stored) */
  commit(): Promise<{ id: string; path: string; name: string; existing: boolean }[]>;
  abort(): Promise<void>;
}

export interface ImagePage {
  items: PublicRecord[];
  total: number;
  next: string | null;
  query: ImageQuery;
}

/** Which images a bulk edit changes: these ids, or every image a search matches (API units). */
export type ImageSelection = { ids: string[] } | { query: Record<string, unknown> };

/**
 * One edit for many images. Undefined leaves a field alone; an empty target, frame type or
 * (replacing) notes removes the user's edit of it. `camera`/`telescope` are register ids.
 */
export interface BulkEdit {
  target?: string | null;
  frameType?: string | null;
  camera?: string | null;
  telescope?: string | null;
  notes?: string | null;
  notesMode?: 'replace' | 'append';
}

/** The processing queue in a sentence: files waiting or in progress, and those done. */
export interface ProcessingProgress {
  pending: number;
  done: number;
  failed: number;
  total: number;
}

/** at most this many ids in one bulk edit; a larger selection is a query */
export const BULK_IDS_MAX = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Choices for the gallery's filters: values that occur in the library. */
export interface ImageFacets {
  filters: string[];
  equipment: { id: string; type: string; name: string }[];
}

export class ImageService {
  private constellationByName: Map<string, string> | null = null;
  /** filter names and equipment in use: they change slowly, and reading them is a pass over the library */
  private readonly facetValues = new Refreshed<ImageFacets>(
    () => Promise.all([filterNames(this.deps.db), equipmentChoices(this.deps.db)]).then(([filters, equipment]) => ({ filters, equipment })),
    60_000,
  );
  private swept: Promise<void> | null = null;
  private readonly progressValues = new Refreshed<ProcessingProgress>(async () => {
    // the files being processed are few and indexed; the counts of the whole library only matter while there are some
    const pending = await pendingCount(this.deps.db);
    if (!pending) return { pending: 0, done: 0, failed: 0, total: 0 };
    const c = await queueCounts(this.deps.db);
    return { pending: c.due + c.in_progress, done: c.done + c.waiting, failed: c.failed, total: c.total };
  }, 2_000);

  constructor(
    private readonly deps: {
      db: DatabasePool;
      uploads: { name: string; storage: StorageBackend };
      derived: StorageBackend;
      uploadMaxBytes: number;
      onDue?: () => void;
      /** the searchable facts agents declare (validates `facts.*` filters; see factFilters.ts) */
      searchableFacts?: () => SearchableFactField[];
    },
  ) {}

  private constellationAbbr(text: string): string {
    if (!this.constellationByName) {
      this.constellationByName = new Map();
      for (const [abbr, name] of constellationNames()) {
        this.constellationByName.set(abbr.toLowerCase(), abbr);
        this.constellationByName.set(name.toLowerCase(), abbr);
      }
    }
    const abbr = this.constellationByName.get(text.trim().toLowerCase());
    if (!abbr) throw new InvalidInputError(`unknown constellation "${text}" (use an IAU abbreviation such as Ori, or a name such as Orion)`);
    return abbr;
  }

  /** Parses and validates search parameters (from a query string or a form). */
  parseQuery(input: ImageQueryInput | Record<string, unknown>): { search: ImageSearch; query: ImageQuery } {
    const parsed = ImageQuery.safeParse(input);
    if (!parsed.success) throw zodProblem(parsed.error);
    const q = parsed.data;
    const limit = q.limit === undefined ? 50 : q.limit;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new InvalidInputError('limit must be a whole number from 1 to 200');
    const offset = decodeCursor(q.cursor);
    if (offset === null) throw new InvalidInputError('cursor is not valid');
    let frameTypes: ImageSearch['frameTypes'];
    if (q.frameType !== undefined) {
      const list = (Array.isArray(q.frameType) ? q.frameType : [q.frameType]).flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
      if (list.includes('all')) frameTypes = 'all';
      else if (list.length) {
        const bad = list.filter((t) => !(FRAME_TYPES as readonly string[]).includes(t));
        if (bad.length) throw new InvalidInputError(`unknown frame type ${bad.join(', ')} (one of ${FRAME_TYPES.join(', ')}, or all)`);
        frameTypes = list;
      }
    }
    for (const [a, b] of [['integrationMin', 'integrationMax'], ['fieldMin', 'fieldMax'], ['scaleMin', 'scaleMax']] as const) {
      if (q[a] !== undefined && q[b] !== undefined && q[a]! > q[b]!) throw new InvalidInputError(`${a} is larger than ${b}`);
    }
    let cone: ImageSearch['cone'];
    if (q.ra !== undefined || q.dec !== undefined || q.radius !== undefined) {
      if (q.ra === undefined || q.dec === undefined || q.radius === undefined) throw new InvalidInputError('a cone search needs ra, dec and radius');
      if (q.ra < 0 || q.ra >= 360 || q.dec < -90 || q.dec > 90 || q.radius <= 0 || q.radius > 180) throw new InvalidInputError('ra must be 0–360, dec −90–90, radius 0–180 degrees');
      cone = { ra: q.ra, dec: q.dec, radius: q.radius };
    }
    const search: ImageSearch = {
      constellation: q.constellation ? this.constellationAbbr(q.constellation) : undefined,
      hemisphere: q.hemisphere,
      camera: q.camera,
      telescope: q.telescope,
      filter: q.filter,
      equipment: q.equipment === undefined ? undefined : Array.isArray(q.equipment) ? q.equipment : [q.equipment],
      integrationMin: q.integrationMin,
      integrationMax: q.integrationMax,
      capturedFrom: q.capturedFrom,
      capturedTo: q.capturedTo,
      frameTypes,
      solved: q.solved === undefined ? undefined : q.solved === 'true',
      duplicates: q.duplicates === undefined ? undefined : q.duplicates === 'true',
      fieldMin: q.fieldMin,
      fieldMax: q.fieldMax,
      scaleMin: q.scaleMin,
      scaleMax: q.scaleMax,
      cone,
      session: q.session,
      q: q.q,
      facts: parseFactFilters(input as Record<string, unknown>, this.deps.searchableFacts?.()),
      sort: q.sort ?? 'captured',
      limit,
      offset,
    };
    return { search, query: q };
  }

  private async resolveTarget(search: ImageSearch, target: string): Promise<void> {
    const t = await this.resolveTargetText(target);
    if (t.ids) search.targetIds = t.ids;
    else search.targetText = t.text;
  }

  /** The object ids a target filter means (any of them), or the raw text to match when it resolves to none. */
  async resolveTargetText(target: string): Promise<{ ids?: string[]; text?: string }> {
    const ids = new Set<string>();
    const hit = resolveName(target);
    if (hit) ids.add(hit.id);
    for (const id of await findObjectIds(this.deps.db, [searchKey(target)])) ids.add(id);
    return ids.size ? { ids: [...ids] } : { text: target };
  }

  async list(input: ImageQueryInput | Record<string, unknown>): Promise<ImagePage> {
    const { search, query } = this.parseQuery(input);
    if (query.target) await this.resolveTarget(search, query.target);
    const { items, total } = await searchImages(this.deps.db, search);
    const end = search.offset + items.length;
    return { items: items.map(publicRecord), total, next: end < total ? encodeCursor(end) : null, query };
  }

  async get(id: string): Promise<PublicRecord> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('no such image');
    const record = await getImageRecord(this.deps.db, id);
    if (!record) throw new NotFoundError('no such image');
    return publicRecord(record);
  }

  /** A derived file (thumbnail, preview…) as a stream. */
  async derivedFile(id: string, name: string): Promise<{ stream: Readable; contentType: string; size: number; etag: string }> {
    await this.get(id);
    const d = await loadDerived(this.deps.db, id, name);
    if (!d) throw new NotFoundError(`no ${name} for this image (yet)`);
    return { stream: await this.deps.derived.read(d.storage_key), contentType: d.content_type, size: d.size_bytes, etag: `"${d.storage_key.split('/').pop()}"` };
  }

  /**
   * An upload of one or more files, all or nothing: `add` streams each file to
   * a staging area (never buffered whole), `commit` moves them all to
   * uploads/YYYY/MM/DD/ and records them, `abort` removes them all. A file
   * whose content (sha256 computed while streaming, and size) is an image
   * already is not stored: the answer names that image (`existing`). A file
   * with the content of a recently vanished one takes its image over (a move).
   */
  beginUpload(): ImageUpload {
    const { storage, name } = this.deps.uploads;
    const { db } = this.deps;
    this.swept ??= UploadBatch.sweep(storage); // once per process: staging left by a crash
    const batch = new UploadBatch(storage);
    const order = new Map<string, number>(); // staged key → position in the request
    const existing: { at: number; id: string; path: string; name: string; existing: true }[] = [];
    let sent = 0;
    return {
      add: async (fileName, body) => {
        const at = sent++;
        const stored = normalizeUploadName(fileName);
        if (!isImageFile(stored)) {
          body.resume();
          throw new UnsupportedMediaTypeError(`"${fileName}" is not an image file Sidereal reads (FITS, XISF, TIFF, camera RAW, JPEG, PNG, WebP)`);
        }
        let truncated = false;
        body.once('limit', () => (truncated = true));
        const entry = await batch.stage(fileName, body);
        if (truncated || (body as { truncated?: boolean }).truncated) throw new PayloadTooLargeError(`"${fileName}" is larger than the upload limit of ${Math.round(this.deps.uploadMaxBytes / 1048576)} MB`);
        if (entry.size === 0) throw new InvalidInputError(`"${fileName}" is empty`);
        const found = await imageWithContent(db, entry.sha256, entry.size);
        if (found) {
          await batch.discard(entry.stagedKey);
          existing.push({ at, ...found, name: fileName, existing: true });
        } else order.set(entry.stagedKey, at);
      },
      commit: async () => {
        const staged = new Map(batch.files.map((f) => [f.key, f]));
        const entries = await batch.commit();
        try {
          const { adopted, rest } = await adoptMoves({ db, provider: name, storage, entries, log: rootLog.child({ component: 'upload' }) });
          const rows = await upsertFiles(db, name, storage.uri, rest.map((e) => ({ key: e.key, size: e.size, modifiedAt: e.modifiedAt, fingerprint: e.fingerprint })));
          if (rows.length !== rest.length) throw new Error('upload was not recorded');
          if (entries.length) this.deps.onDue?.();
          const byKey = new Map([...rows, ...adopted].map((r) => [r.key, r.id]));
          const stored = entries.map((e) => {
            const f = staged.get(e.key);
            return { at: order.get(f?.stagedKey ?? '') ?? 0, id: byKey.get(e.key)!, path: e.key, name: f?.originalName ?? e.key, existing: false };
          });
          return [...stored, ...existing].sort((a, b) => a.at - b.at).map(({ at: _at, ...r }) => r);
        } catch (err) {
          await batch.abort();
          throw err;
        }
      },
      abort: () => batch.abort(),
    };
  }

  /** Stores one uploaded file (an upload of one). */
  async storeUpload(fileName: string, body: Readable): Promise<{ id: string; path: string }> {
    const upload = this.beginUpload();
    try {
      await upload.add(fileName, body);
      const [r] = await upload.commit();
      return { id: r!.id, path: r!.path };
    } catch (err) {
      await upload.abort();
      throw err;
    }
  }

  /**
   * The rules of every edit, single or bulk (one home): a target that is a catalog name becomes
   * its canonical id (anything else — a comet, a planet, "Orion wide field" — is kept as
   * written), dates and frame types are checked, an empty text removes the edit.
   */
  private async cleanEdit(patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (typeof patch.target === 'string' && patch.target.trim()) {
      const text = patch.target.trim().replace(/\s+/g, ' ');
      if (text.length > 100) throw new InvalidInputError('target: at most 100 characters');
      const hit = resolveName(text, { exact: true });
      const ids = hit ? [hit.id] : await findObjectIds(this.deps.db, [searchKey(text)]);
      patch = { ...patch, target: ids[0] ?? text };
    }
    checkDate('captured', patch.captured);
    if (typeof patch.frameType === 'string' && patch.frameType.trim() && !(FRAME_TYPES as readonly string[]).includes(patch.frameType.trim())) {
      throw new InvalidInputError(`frameType: one of ${FRAME_TYPES.join(', ')}`);
    }
    if (typeof patch.notes === 'string' && patch.notes.length > 10_000) throw new InvalidInputError('notes: at most 10,000 characters');
    return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === 'string' && !v.trim() ? null : v]));
  }

  /**
   * Saves user edits (they win over agent facts) and makes the image due.
   * Members and admins may edit; a null value removes an edit.
   */
  async edit(actor: Actor | null, id: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    const a = requireActor(actor);
    await this.get(id);
    const clean = await this.cleanEdit(patch);
    const edits = await saveUserEdits(this.deps.db, id, clean, a.username);
    await markDue(this.deps.db, [id], 'edit');
    this.deps.onDue?.();
    return edits;
  }

  /** The images a bulk edit changes: a list of ids (each must exist), or every image a search matches. */
  private async selectionIds(selection: ImageSelection): Promise<string[]> {
    if ('ids' in selection) {
      const ids = [...new Set(selection.ids)];
      if (!ids.length) throw new InvalidInputError('ids: choose at least one image');
      if (ids.length > BULK_IDS_MAX) throw new InvalidInputError(`ids: at most ${BULK_IDS_MAX} (edit a whole query instead)`);
      const bad = ids.filter((id) => !UUID.test(id));
      if (bad.length) throw new InvalidInputError(`ids: not image ids: ${bad.slice(0, 3).join(', ')}`);
      const found = new Set(await existingImageIds(this.deps.db, ids));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) throw new InvalidInputError(`ids: no such image: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`);
      return ids;
    }
    // the whole query, not a page of it
    const { cursor: _c, limit: _l, sort: _s, ...raw } = selection.query as Record<string, unknown>;
    // JSON may say `"solved": false` where a query string says `solved=false`
    const query = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v]));
    const { search, query: q } = this.parseQuery(query);
    if (q.target) await this.resolveTarget(search, q.target);
    return searchImageIds(this.deps.db, search);
  }

  /** How many images a selection holds (the confirmation step says it before anything changes). */
  async countSelection(actor: Actor | null, selection: ImageSelection): Promise<number> {
    requireActor(actor);
    return (await this.selectionIds(selection)).length;
  }

  /**
   * The same edit on many images: the rules of a single edit (cleanEdit) checked once, then
   * every image's edits written in one transaction (all or nothing) and the images made due.
   * Equipment: a camera or telescope from the register replaces the image's item of that type
   * (its other equipment stays). Notes are replaced, or appended on a line of their own.
   * `dryRun` checks everything and counts, and writes nothing (the confirmation step).
   */
  async editMany(actor: Actor | null, selection: ImageSelection, patch: BulkEdit, options: { dryRun?: boolean } = {}): Promise<{ changed: number }> {
    const a = requireActor(actor);
    const gear: { type: 'camera' | 'telescope'; id: string; name: string }[] = [];
    for (const type of ['camera', 'telescope'] as const) {
      const id = patch[type];
      if (id === undefined || id === null || id === '') continue;
      const item = UUID.test(id) ? await getEquipment(this.deps.db, id) : null;
      if (!item || item.type !== type) throw new InvalidInputError(`${type}: not a ${type} of the equipment register`);
      gear.push({ type, id: item.id, name: item.name });
    }
    const mode = patch.notesMode ?? 'replace';
    if (mode !== 'replace' && mode !== 'append') throw new InvalidInputError('notesMode: replace or append');
    const common = await this.cleanEdit({ target: patch.target, frameType: patch.frameType, notes: mode === 'replace' ? patch.notes : undefined });
    const append = mode === 'append' && typeof patch.notes === 'string' && patch.notes.trim() ? patch.notes.trim() : null;
    if (append && append.length > 10_000) throw new InvalidInputError('notes: at most 10,000 characters');
    if (!Object.keys(common).length && !gear.length && !append) throw new InvalidInputError('nothing to change: set a target, frame type, camera, telescope or notes');
    const ids = await this.selectionIds(selection);
    if (!ids.length || options.dryRun) return { changed: ids.length };
    await this.deps.db.transaction(async (tx) => {
      const { longestNotes } = await saveBulkEdits(tx, ids, { set: common, appendNotes: append, equipment: gear.length ? { types: gear.map((g) => g.type), ids: gear.map((g) => g.id) } : null }, a.username);
      // throwing rolls the whole edit back
      if (longestNotes > 10_000) throw new InvalidInputError(`notes: at most 10,000 characters (an image would have ${longestNotes})`);
    });
    await markDue(this.deps.db, ids, 'edit');
    this.deps.onDue?.();
    return { changed: ids.length };
  }

  /**
   * Files catalogued but not yet fully processed, for the gallery and the upload page: the
   * queue counts of /status (one query; an image waiting only for a refresh counts as done), kept for two seconds so a busy gallery does not
   * count the queue on every request.
   */
  processing(): Promise<ProcessingProgress> {
    return this.progressValues.get();
  }

  /** Stack traces of the image's failed agent runs, by agent: for administrators (the page shows them only to them). */
  async errorStacks(id: string): Promise<Record<string, string>> {
    return loadErrorStacks(this.deps.db, id);
  }

  /** The file agent's facts (format, every header card), which the record leaves out. */
  async fileFacts(id: string): Promise<{ imageId: string; status: 'done' | 'failed' | 'skipped' | 'missing'; error: string | null; facts: Record<string, unknown> | null; headers: { key: string; value: string | number | boolean | null; comment?: string }[] }> {
    await this.get(id);
    const r = await agentResult(this.deps.db, id, 'file');
    if (!r) return { imageId: id, status: 'missing', error: null, facts: null, headers: [] };
    const facts = (r.facts ?? null) as Record<string, unknown> | null;
    const headers = Array.isArray(facts?.headers) ? (facts!.headers as { key: string; value: string | number | boolean | null; comment?: string }[]) : [];
    const { headers: _h, ...rest } = facts ?? {};
    return { imageId: id, status: r.status as 'done' | 'failed' | 'skipped', error: r.error, facts: facts ? rest : null, headers };
  }

  /** Whether an image is waiting for or in processing (for the progress of a re-run). */
  async processingState(id: string): Promise<ProcessingState> {
    const s = await stateOf(this.deps.db, id);
    if (!s) throw new NotFoundError('no such image');
    return processingStateOf(s.state);
  }

  /** Filter names and equipment in use (read again in the background after a minute). */
  facets(): Promise<ImageFacets> {
    return this.facetValues.get();
  }

  /** Calibration links for the image page: the frames that calibrate a light, the lights a calibration frame calibrates. */
  async calibration(id: string, limit = 24) {
    await this.get(id);
    const [frames, lights] = await Promise.all([calibrationFramesOf(this.deps.db, id), lightsCalibratedBy(this.deps.db, id, limit)]);
    return { frames: [...frames], lights: { ...lights, items: lights.items.map(publicRecord) } };
  }
}
