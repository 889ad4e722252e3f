/**
 * API operations on the object catalog, targets and the sky map.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { skyMapModel } from '../ui/skyMapSvg.ts';
import type { ApiRegistry } from './registry.ts';
import type { Views } from '../views.ts';
import { CatalogObject, ObjectList, ObjectQuery, SkyMap, TargetDetail, TargetList } from './schemas.ts';

const ObjectParams = z.object({ id: z.string().min(1).max(100).describe('catalog id: M31, NGC 7000, IC 434…') });

export function catalogOperations(api: ApiRegistry, s: Services, views: Views): void {
  api.add({
    method: 'get',
    path: '/api/v1/objects',
    operationId: 'listObjects',
    summary: 'Browse and search the deep-sky object catalog',
    tag: 'objects',
    access: 'user',
    query: ObjectQuery,
    responses: { 200: { description: 'A page of objects (exact matches, then imaged, then brightest first)', schema: ObjectList } },
    handler: (_ctx, { query }) => s.objects.list(query),
  });
  api.add({
    method: 'get',
    path: '/api/v1/objects/{id}',
    operationId: 'getObject',
    summary: 'One catalog object',
    tag: 'objects',
    access: 'user',
    params: ObjectParams,
    responses: { 200: { description: 'The object', schema: CatalogObject } },
    handler: (_ctx, { params }) => s.objects.get(params.id),
  });
  api.add({
    method: 'get',
    path: '/api/v1/targets',
    operationId: 'listTargets',
    summary: 'Targets: objects that are the primary target of images, newest first',
    tag: 'targets',
    access: 'user',
    query: z.object({ q: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(500).optional(), cursor: z.string().max(40).optional() }),
    responses: { 200: { description: 'Targets with image counts and integration', schema: TargetList } },
    handler: (_ctx, { query }) => s.targets.list(query),
  });
  api.add({
    method: 'get',
    path: '/api/v1/targets/{id}',
    operationId: 'getTarget',
    summary: 'A target: integration by filter across the library and its images',
    description: 'Integration sums the lights whose primary target this is (stacks of them would count twice); a target with no lights sums its masters and processed images.',
    tag: 'targets',
    access: 'user',
    params: ObjectParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().max(40).optional() }),
    responses: { 200: { description: 'The target', schema: TargetDetail } },
    handler: (_ctx, { params, query }) => s.targets.get(params.id, query),
  });
  api.add({
    method: 'get',
    path: '/api/v1/skymap',
    operationId: 'getSkyMap',
    summary: 'Footprints of plate-solved images (J2000 corners), newest first',
    tag: 'sky map',
    access: 'user',
    query: z.object({ limit: z.coerce.number().int().min(1).max(100000).optional() }),
    responses: { 200: { description: 'Footprints', schema: SkyMap } },
    handler: (_ctx, { query }) => s.skymap.footprints(query.limit ?? 5000),
  });
  api.add({
    method: 'get',
    path: '/api/v1/skymap.svg',
    operationId: 'getSkyMapSvg',
    summary: 'The all-sky map as SVG (Hammer–Aitoff), each footprint linking to its image',
    tag: 'sky map',
    access: 'user',
    query: z.object({ limit: z.coerce.number().int().min(1).max(100000).optional() }),
    responses: { 200: { description: 'SVG', contentType: 'image/svg+xml' } },
    handler: async (ctx, { query }) => {
      const { items } = await s.skymap.footprints(query.limit ?? 5000);
      ctx.type = 'image/svg+xml';
      ctx.body = views.render('partials/sky/map', { map: skyMapModel(items), standalone: true });
      return undefined;
    },
  });
}
