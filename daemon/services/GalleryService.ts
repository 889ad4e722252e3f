/**
 * The gallery's default view, "Sessions & stacks": one card per imaging
 * session and one per image in no session (stacks, masters, processed
 * images, lights without a session), with the image filters of the frames
 * view and keyset paging (db/galleryGroups.ts). Also the session page's
 * paged subs and the target page's timeline. Reads only.
 */
import type { DatabasePool } from 'slonik';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import {
  GROUP_SORTS,
  imageRecords,
  searchGroups,
  sessionCards,
  sessionSubsPage,
  sessionTotalsByTarget,
  stacksOfTarget,
  type GroupCursor,
  type GroupSort,
} from '../db/galleryGroups.ts';
import type { AcquisitionRow } from '../db/imagingSessions.ts';
import { derivedUrl, publicRecord, type PublicRecord } from '../catalog/stitching/record.ts';
import type { ImageQuery } from './imageQuery.ts';
import type { ImageService } from './ImageService.ts';

/** A session's card. */
export interface SessionCard {
  kind: 'session';
  id: string;
  night: string;
  /** the target's designation, else the header's object name; null when neither is known */
  target: string | null;
  targetName: string | null;
  camera: string | null;
  telescope: string | null;
  frames: number;
  totalSeconds: number;
  acquisition: AcquisitionRow[];
  /** the sub whose thumbnail the card shows */
  coverId: string | null;
  thumbnailUrl: string | null;
}

export type GalleryItem = SessionCard | { kind: 'image'; image: PublicRecord };

export interface GalleryGroupPage {
  items: GalleryItem[];
  /** sessions and single images that match */
  total: number;
  next: string | null;
  prev: string | null;
  query: ImageQuery;
  sort: GroupSort;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// a key as PostgreSQL prints a timestamptz: 2024-10-01 21:13:05.123+00, or ±infinity
const KEY = /^(-?infinity|\d{4,5}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d){0,2})$/;

/** The session view's cursor: opaque base64url of "g|after|<key>|<id>". */
export function encodeGroupCursor(c: GroupCursor): string {
  return Buffer.from(`g|${c.dir}|${c.at}|${c.id}`).toString('base64url');
}

export function decodeGroupCursor(cursor: string | undefined): GroupCursor | null {
  if (!cursor) return null;
  const [g, dir, at, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (g !== 'g' || (dir !== 'after' && dir !== 'before') || !at || !KEY.test(at) || !id || !UUID.test(id) || rest.length) throw new InvalidInputError('cursor is not valid');
  return { dir, at, id };
}

/** Whether the session view can show a sort order (the others are orders of files). */
export function isGroupSort(sort: string | undefined): sort is GroupSort {
  return sort === undefined || (GROUP_SORTS as readonly string[]).includes(sort);
}

export class GalleryService {
  constructor(private readonly deps: { db: DatabasePool; images: ImageService }) {}

  /** A page of the session view with the image filters (the same parameters as GET /api/v1/images). */
  async groups(input: Record<string, unknown>): Promise<GalleryGroupPage> {
    const { cursor, ...rest } = input;
    // the frames view's offset cursor is not ours: parse the filters without it
    const { search, query } = this.deps.images.parseQuery(rest);
    const sort = query.sort ?? 'captured';
    if (!isGroupSort(sort)) throw new InvalidInputError(`sort: the session view sorts by ${GROUP_SORTS.join(', ')}`);
    if (query.target) {
      const t = await this.deps.images.resolveTargetText(query.target);
      if (t.ids) search.targetIds = t.ids;
      else search.targetText = t.text;
    }
    const page = await searchGroups(this.deps.db, search, { sort, limit: search.limit, cursor: decodeGroupCursor(typeof cursor === 'string' ? cursor : undefined) });
    const sessionIds = page.items.filter((i) => i.kind === 'session').map((i) => i.id);
    const imageIds = page.items.filter((i) => i.kind === 'image').map((i) => i.id);
    const [cards, records] = await Promise.all([sessionCards(this.deps.db, sessionIds), imageRecords(this.deps.db, imageIds)]);
    const cardById = new Map(cards.map((c) => [c.id, c]));
    const recordById = new Map(records.map((r) => [String(r.id), r]));
    const items: GalleryItem[] = [];
    for (const ref of page.items) {
      if (ref.kind === 'session') {
        const c = cardById.get(ref.id);
        if (!c) continue; // deleted between the two reads
        items.push({
          kind: 'session',
          id: c.id,
          night: c.night,
          target: c.target_id ?? c.object_name,
          targetName: c.target_name,
          camera: c.camera,
          telescope: c.telescope,
          frames: c.frames,
          totalSeconds: c.total_seconds,
          acquisition: c.acquisition,
          coverId: c.cover_id,
          thumbnailUrl: c.cover_id ? derivedUrl(c.cover_id, 'thumbnail') : null,
        });
      } else {
        const r = recordById.get(ref.id);
        if (r) items.push({ kind: 'image', image: publicRecord(r) });
      }
    }
    return { items, total: page.total, next: page.next && encodeGroupCursor(page.next), prev: page.prev && encodeGroupCursor(page.prev), query, sort };
  }

  /** A page of a session's subs by capture time (the session page's grid). */
  async sessionSubs(sessionId: string, o: { cursor?: string; limit?: number } = {}): Promise<{ items: PublicRecord[]; next: string | null }> {
    if (!UUID.test(sessionId)) throw new NotFoundError('no such session');
    let after: { at: string; id: string } | null = null;
    if (o.cursor) {
      const c = decodeGroupCursor(o.cursor);
      if (c?.dir !== 'after') throw new InvalidInputError('cursor is not valid');
      after = { at: c.at, id: c.id };
    }
    const { records, next } = await sessionSubsPage(this.deps.db, sessionId, { limit: o.limit ?? 60, after });
    return { items: records.map(publicRecord), next: next && encodeGroupCursor({ dir: 'after', ...next }) };
  }

  /** A target's stacks and processed images, oldest first (the target page's timeline). */
  async stacksOfTarget(targetId: string): Promise<PublicRecord[]> {
    return (await stacksOfTarget(this.deps.db, targetId)).map(publicRecord);
  }

  /** Per target: its sessions, nights and their total integration (the targets list). */
  async sessionTotals(targetIds: readonly string[]): Promise<Map<string, { sessions: number; nights: number; totalSeconds: number }>> {
    const rows = await sessionTotalsByTarget(this.deps.db, targetIds);
    return new Map([...rows].map(([id, r]) => [id, { sessions: r.sessions, nights: r.nights, totalSeconds: r.total_seconds }]));
  }
}
