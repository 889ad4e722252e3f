/**
 * API operations on the equipment register.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { ApiRegistry } from './registry.ts';
import { Equipment, EquipmentCreate, EquipmentDetail, EquipmentList, EquipmentMerge, EquipmentPatch, EquipmentQuery } from './schemas.ts';

const IdParams = z.object({ id: z.string().uuid().describe('equipment id') });
const PageQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().max(40).optional() });

export function equipmentOperations(api: ApiRegistry, s: Services): void {
  api.add({
    method: 'get',
    path: '/api/v1/equipment',
    operationId: 'listEquipment',
    summary: 'List equipment (telescopes, cameras, mounts, filters, accessories, software)',
    tag: 'equipment',
    access: 'user',
    query: EquipmentQuery,
    responses: { 200: { description: 'Items with their aliases and image counts', schema: EquipmentList } },
    handler: (_ctx, { query }) => s.equipment.list(query),
  });
  api.add({
    method: 'post',
    path: '/api/v1/equipment',
    operationId: 'createEquipment',
    summary: 'Create an item',
    tag: 'equipment',
    access: 'user',
    body: EquipmentCreate,
    responses: { 201: { description: 'Created', schema: Equipment } },
    handler: (_ctx, { body, actor }) => s.equipment.create(actor, body),
  });
  api.add({
    method: 'get',
    path: '/api/v1/equipment/{id}',
    operationId: 'getEquipment',
    summary: 'One item with the images that used it',
    tag: 'equipment',
    access: 'user',
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'The item', schema: EquipmentDetail } },
    handler: (_ctx, { params, query }) => s.equipment.detail(params.id, query),
  });
  api.add({
    method: 'patch',
    path: '/api/v1/equipment/{id}',
    operationId: 'updateEquipment',
    summary: 'Rename, annotate or change the aliases of an item',
    description: 'Images that used the item, or whose header values match its aliases, are stitched again.',
    tag: 'equipment',
    access: 'user',
    params: IdParams,
    body: EquipmentPatch,
    responses: { 200: { description: 'The item', schema: Equipment } },
    handler: (_ctx, { params, body, actor }) => s.equipment.update(actor, params.id, body),
  });
  api.add({
    method: 'post',
    path: '/api/v1/equipment/{id}/merge',
    operationId: 'mergeEquipment',
    summary: 'Merge this item into another of the same type',
    description: 'Aliases and image links move to `into`; this item is deleted.',
    tag: 'equipment',
    access: 'user',
    params: IdParams,
    body: EquipmentMerge,
    responses: { 200: { description: 'The item that stays', schema: Equipment } },
    handler: (_ctx, { params, body, actor }) => s.equipment.merge(actor, params.id, body.into),
  });
  api.add({
    method: 'delete',
    path: '/api/v1/equipment/{id}',
    operationId: 'deleteEquipment',
    summary: 'Delete an item that no image uses',
    tag: 'equipment',
    access: 'user',
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'Images use it: merge it instead' } },
    handler: async (ctx, { params, actor }) => {
      await s.equipment.remove(actor, params.id);
      ctx.status = 204;
      return undefined;
    },
  });
}
