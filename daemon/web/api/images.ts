/**
 * API operations on images: search, one image, its derived files and file
 * facts, upload, edit (one image or many), re-run an agent.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { Config } from '../../config.ts';
import { ImageQuery } from '../../services/imageQuery.ts';
import type { ApiRegistry } from './registry.ts';
import { BulkEditResult, BulkImageEdit, FileFacts, ImageEdit, ImagePage, ImageRecord, RerunResult, UploadResult } from './schemas.ts';
import { receiveUpload } from './upload.ts';

export const IdParams = z.object({ id: z.string().uuid().describe('image id') });

/**
 * The search parameters on agents' facts (services/factFilters.ts). Their
 * names depend on the agents installed, so the document describes them as
 * patterns: `{agent}` and `{path}` stand for an agent's name and a searchable
 * fact's dot path, as GET /api/v1/agents lists them (`searchable`).
 */
export const FactSearchQuery = z.object({
  'facts.{agent}.{path}': z
    .string()
    .optional()
    .describe(
      'Pattern: a keyword fact an agent declares searchable equals this value, e.g. `facts.star-quality.shape=round` (a fact with an `enum` in the agent\'s factsSchema accepts only those values). An unknown fact is a 400 listing the searchable ones.',
    ),
  'facts.{agent}.{path}.min': z.string().optional().describe('Pattern: a number fact an agent declares searchable is at least this, e.g. `facts.star-quality.starCount.min=100`'),
  'facts.{agent}.{path}.max': z.string().optional().describe('Pattern: a number fact an agent declares searchable is at most this, e.g. `facts.star-quality.medianFwhmArcsec.max=2.5`'),
});

export function imageOperations(api: ApiRegistry, s: Services, config: Config): void {
  api.add({
    method: 'get',
    path: '/api/v1/images',
    operationId: 'listImages',
    summary: 'Search images',
    description:
      'All filters are optional and combine with AND. Calibration frames are left out unless `frameType` asks for them. Facts of installed agents are searched with `facts.{agent}.{path}` (keywords) and `facts.{agent}.{path}.min`/`.max` (numbers): the parameter names are patterns; GET /api/v1/agents lists each agent\'s searchable facts.',
    tag: 'images',
    access: 'user',
    query: ImageQuery.merge(FactSearchQuery).passthrough(),
    responses: { 200: { description: 'A page of images', schema: ImagePage } },
    handler: async (ctx) => {
      const page = await s.images.list(ctx.query as Record<string, unknown>);
      return { items: page.items, total: page.total, next: page.next };
    },
  });
  api.add({
    method: 'post',
    path: '/api/v1/images',
    operationId: 'uploadImages',
    summary: 'Upload image files',
    description:
      'Multipart upload of one or more files (any field name). Answers at once; processing happens in the background and the images appear when stitched. ' +
      'A file whose content (size and sha256, computed while it streams) is an image already is not stored again: its item has `existing: true` and the id of that image.',
    tag: 'images',
    access: 'user',
    rawBody: { contentType: 'multipart/form-data', schema: { type: 'object', properties: { files: { type: 'array', items: { type: 'string', format: 'binary' } } } } },
    responses: { 202: { description: 'Stored (or already there: `existing`); the image ids, in the order of the files', schema: UploadResult }, 413: { description: 'A file is larger than the upload limit' } },
    handler: async (ctx) => {
      const items = await receiveUpload(ctx, s, { maxBytes: config.uploadMaxBytes, concurrency: config.uploadConcurrency });
      return { ids: items.map((r) => r.id), items };
    },
  });
  api.add({
    method: 'get',
    path: '/api/v1/images/{id}',
    operationId: 'getImage',
    summary: 'One image',
    tag: 'images',
    access: 'user',
    params: IdParams,
    responses: { 200: { description: 'The image record', schema: ImageRecord } },
    handler: (_ctx, { params }) => s.images.get(params.id),
  });
  api.add({
    method: 'patch',
    path: '/api/v1/images/{id}',
    operationId: 'editImage',
    summary: 'Correct an image (notes, target, frame type, capture date, equipment, acquisition fields)',
    description: 'Edits are kept apart from agent facts and win over them; the image is stitched again. A null value removes an edit.',
    tag: 'images',
    access: 'user',
    params: IdParams,
    body: ImageEdit,
    responses: { 200: { description: 'The edits now in force', schema: z.record(z.unknown()) } },
    handler: async (ctx, { params, body, actor }) => s.images.edit(actor, params.id, body as Record<string, unknown>),
  });
  api.add({
    method: 'post',
    path: '/api/v1/images/bulk-edit',
    operationId: 'bulkEditImages',
    summary: 'Correct many images at once (target, frame type, camera, telescope, notes)',
    description:
      'The same rules and permissions as editing one image. `ids` names the images (at most 10,000, each must exist); `query` takes the filters of `GET /api/v1/images` and changes every image they match. All or nothing: one transaction; the changed images are stitched again.',
    tag: 'images',
    access: 'user',
    body: BulkImageEdit,
    responses: { 200: { description: 'How many images changed', schema: BulkEditResult } },
    handler: (_ctx, { body, actor }) => s.images.editMany(actor, 'ids' in body ? { ids: body.ids } : { query: body.query }, body.patch),
  });
  api.add({
    method: 'get',
    path: '/api/v1/images/{id}/file',
    operationId: 'getImageFile',
    summary: 'File facts and every header card (FITS keywords, XISF properties, EXIF)',
    tag: 'images',
    access: 'user',
    params: IdParams,
    responses: { 200: { description: 'The file agent facts', schema: FileFacts } },
    handler: (_ctx, { params }) => s.images.fileFacts(params.id),
  });
  for (const name of ['thumbnail', 'preview'] as const) {
    api.add({
      method: 'get',
      path: `/api/v1/images/{id}/${name}`,
      operationId: name === 'thumbnail' ? 'getThumbnail' : 'getPreview',
      summary: name === 'thumbnail' ? 'Thumbnail (JPEG or WebP, ~400 px)' : 'Auto-stretched preview (JPEG or WebP, ~2048 px)',
      tag: 'images',
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'Image bytes', contentType: 'image/*' }, 304: { description: 'Not modified (ETag)' } },
      handler: async (ctx, { params }) => {
        const f = await s.images.derivedFile(params.id, name);
        ctx.set('ETag', f.etag);
        ctx.set('Cache-Control', 'private, max-age=86400');
        if (ctx.get('if-none-match') === f.etag) {
          f.stream.destroy();
          ctx.status = 304;
          return undefined;
        }
        ctx.type = f.contentType;
        ctx.length = f.size;
        ctx.body = f.stream;
        return undefined;
      },
    });
  }
  api.add({
    method: 'post',
    path: '/api/v1/images/{id}/agents/{agent}/run',
    operationId: 'rerunImageAgent',
    summary: 'Run one agent again on one image (admin)',
    tag: 'images',
    access: 'admin',
    params: IdParams.extend({ agent: z.string().max(64).describe('agent name') }),
    responses: { 202: { description: 'The image is due', schema: RerunResult } },
    handler: async (_ctx, { params, actor }) => {
      await s.images.get(params.id);
      return s.agents.rerun(actor, params.agent, { ids: [params.id] });
    },
  });
}
