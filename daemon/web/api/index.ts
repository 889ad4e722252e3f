/**
 * The whole JSON API: every operation, in one registry that both serves the
 * requests and describes them (OpenAPI at /api/openapi.json, read at /api/docs).
 */
import type { Services } from '../../services/index.ts';
import type { Config } from '../../config.ts';
import type { Views } from '../views.ts';
import { ApiRegistry } from './registry.ts';
import { accountOperations } from './account.ts';
import { imageOperations } from './images.ts';
import { equipmentOperations } from './equipment.ts';
import { catalogOperations } from './catalog.ts';
import { adminOperations } from './admin.ts';
import { sessionOperations } from './sessions.ts';

export function createApi(services: Services, config: Config, views: Views): ApiRegistry {
  const api = new ApiRegistry();
  accountOperations(api, services);
  imageOperations(api, services, config);
  equipmentOperations(api, services);
  catalogOperations(api, services, views);
  adminOperations(api, services);
  sessionOperations(api, services);
  return api;
}
