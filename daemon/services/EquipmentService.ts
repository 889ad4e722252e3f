/**
 * The equipment register: telescopes, cameras, mounts, filters, accessories
 * and software, with the header values (aliases) that map to them. Changes
 * make the affected images due, so that their records are stitched again
 * with the new names and links.
 */
import type { DatabasePool } from 'slonik';
import { requireActor, type Actor } from '../auth/permissions.ts';
import {
  aliasOwner,
  deleteEquipment,
  findEquipmentByName,
  getEquipment,
  imageRecordsForEquipment,
  imagesForEquipment,
  insertEquipment,
  listEquipment,
  mergeEquipment,
  setAliases,
  updateEquipment,
  type EquipmentRow,
} from '../db/equipment.ts';
import { markDue } from '../catalog/imageState.ts';
import { publicRecord } from '../catalog/stitching/record.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { decodeCursor, encodeCursor } from './imageQuery.ts';

/** The kinds of equipment (the `equipment.type` check in the schema). */
export const EQUIPMENT_TYPES = ['telescope', 'camera', 'mount', 'filter', 'accessory', 'software'] as const;
export type EquipmentType = (typeof EQUIPMENT_TYPES)[number];

export interface EquipmentItem {
  id: string;
  type: EquipmentType;
  name: string;
  notes: string | null;
  specs: Record<string, unknown>;
  auto: boolean;
  aliases: string[];
  imageCount: number;
  createdAt: string;
  updatedAt: string;
}

const toItem = (r: EquipmentRow): EquipmentItem => ({
  id: r.id,
  type: r.type as EquipmentType,
  name: r.name,
  notes: r.notes,
  specs: r.specs,
  auto: r.auto,
  aliases: r.aliases,
  imageCount: r.image_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface EquipmentInput {
  type?: string;
  name?: string;
  notes?: string | null;
  specs?: Record<string, unknown>;
  aliases?: string[];
}

export class EquipmentService {
  constructor(private readonly deps: { db: DatabasePool; onDue?: () => void }) {}

  readonly types = EQUIPMENT_TYPES;

  private checkType(type: string | undefined): EquipmentType {
    if (!type || !(EQUIPMENT_TYPES as readonly string[]).includes(type)) throw new InvalidInputError(`type must be one of ${EQUIPMENT_TYPES.join(', ')}`);
    return type as EquipmentType;
  }

  private checkName(name: string | undefined): string {
    const n = (name ?? '').trim();
    if (!n) throw new InvalidInputError('name: give a name');
    if (n.length > 200) throw new InvalidInputError('name: at most 200 characters');
    return n;
  }

  private async row(id: string): Promise<EquipmentRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('no such equipment');
    const r = await getEquipment(this.deps.db, id);
    if (!r) throw new NotFoundError('no such equipment');
    return r;
  }

  private async restitch(ids: string[], aliases: string[]): Promise<void> {
    const images = await imagesForEquipment(this.deps.db, ids, aliases);
    if (images.length) {
      await markDue(this.deps.db, images, 'edit');
      this.deps.onDue?.();
    }
  }

  /** Aliases that another item of the type already has: a conflict (merge instead). */
  private async checkAliases(type: string, id: string | null, aliases: string[]): Promise<void> {
    for (const a of aliases) {
      const owner = await aliasOwner(this.deps.db, type, a);
      if (owner && owner.id !== id) throw new ConflictError(`the alias "${a}" belongs to "${owner.name}": merge that item into this one instead`);
    }
  }

  async list(filter: { type?: string; q?: string } = {}): Promise<{ items: EquipmentItem[]; total: number }> {
    if (filter.type) this.checkType(filter.type);
    const items = (await listEquipment(this.deps.db, { type: filter.type, q: filter.q?.trim() || undefined })).map(toItem);
    return { items, total: items.length };
  }

  async get(id: string): Promise<EquipmentItem> {
    return toItem(await this.row(id));
  }

  /** An item with a page of the images that used it. */
  async detail(id: string, page: { limit?: number; cursor?: string } = {}) {
    const item = await this.get(id);
    const limit = page.limit ?? 50;
    const offset = decodeCursor(page.cursor);
    if (offset === null) throw new InvalidInputError('cursor is not valid');
    const { items, total } = await imageRecordsForEquipment(this.deps.db, id, limit, offset);
    return { ...item, images: { items: items.map(publicRecord), total, next: offset + items.length < total ? encodeCursor(offset + items.length) : null } };
  }

  async create(actor: Actor | null, input: EquipmentInput): Promise<EquipmentItem> {
    requireActor(actor);
    const type = this.checkType(input.type);
    const name = this.checkName(input.name);
    const aliases = [...new Set((input.aliases ?? []).map((a) => a.trim()).filter(Boolean))];
    await this.checkAliases(type, null, aliases);
    const id = await this.deps.db.transaction(async (tx) => {
      const created = await insertEquipment(tx, { type, name, notes: input.notes?.trim() || null, specs: input.specs ?? {} });
      if (!created) throw new ConflictError(`a ${type} named "${name}" exists already`);
      if (aliases.length) await setAliases(tx, created, type, aliases);
      return created;
    });
    if (aliases.length) await this.restitch([id], aliases);
    return this.get(id);
  }

  async update(actor: Actor | null, id: string, input: EquipmentInput): Promise<EquipmentItem> {
    requireActor(actor);
    const before = await this.row(id);
    if (input.type !== undefined && input.type !== before.type) throw new InvalidInputError('the type of an item cannot change: create a new item and merge');
    const name = input.name === undefined ? undefined : this.checkName(input.name);
    if (name && name.toLowerCase() !== before.name.toLowerCase()) {
      const other = await findEquipmentByName(this.deps.db, before.type, name);
      if (other && other.id !== id) throw new ConflictError(`a ${before.type} named "${name}" exists already: merge them instead`);
    }
    const aliases = input.aliases === undefined ? undefined : [...new Set(input.aliases.map((a) => a.trim()).filter(Boolean))];
    if (aliases) await this.checkAliases(before.type, id, aliases);
    await this.deps.db.transaction(async (tx) => {
      await updateEquipment(tx, id, { name, notes: input.notes === undefined ? undefined : input.notes?.trim() || null, specs: input.specs });
      if (aliases) await setAliases(tx, id, before.type, aliases);
    });
    await this.restitch([id], [...before.aliases, ...(aliases ?? [])]);
    return this.get(id);
  }

  /** Merges `id` into `into` (same type); returns the item that stays. */
  async merge(actor: Actor | null, id: string, into: string): Promise<EquipmentItem> {
    requireActor(actor);
    if (id === into) throw new InvalidInputError('an item cannot be merged into itself');
    const from = await this.row(id);
    const target = await this.row(into);
    if (from.type !== target.type) throw new InvalidInputError(`a ${from.type} cannot be merged into a ${target.type}`);
    const affected = await imagesForEquipment(this.deps.db, [id, into], from.aliases);
    await this.deps.db.transaction((tx) => mergeEquipment(tx, id, into));
    if (affected.length) {
      await markDue(this.deps.db, affected, 'edit');
      this.deps.onDue?.();
    }
    return this.get(into);
  }

  /** Deletes an item that no image uses (one that is used must be merged into another). */
  async remove(actor: Actor | null, id: string): Promise<void> {
    requireActor(actor);
    const r = await this.row(id);
    if (r.image_count > 0) throw new ConflictError(`"${r.name}" is used by ${r.image_count} image${r.image_count === 1 ? '' : 's'}: merge it into another item instead`);
    await deleteEquipment(this.deps.db, id);
  }
}
