/**
 * The services — what the web (HTML and API) calls — and their construction.
 * The web imports the `Services` type from here, never the composition root
 * (daemon/Daemon.ts), which builds them with `createServices`.
 */
import type { DatabasePool } from 'slonik';
import type { AgentRegistry } from '../agent-host/AgentRegistry.ts';
import type { StorageBackend } from '../storage/StorageBackend.ts';
import { AgentService } from './AgentService.ts';
import { AuthService } from './AuthService.ts';
import { EquipmentService } from './EquipmentService.ts';
import { ImageService } from './ImageService.ts';
import { ObjectService } from './ObjectService.ts';
import { SkyMapService } from './SkyMapService.ts';
import { StatusService, type StatusSources } from './StatusService.ts';
import { TargetService } from './TargetService.ts';
import { UserService } from './UserService.ts';
import { HeaderKeywordService } from './HeaderKeywordService.ts';
import { ZoomService } from './zoom/ZoomService.ts';
import { SessionService } from './SessionService.ts';
import { GalleryService } from './GalleryService.ts';
import type { Logger } from '../log.ts';

export interface Services {
  images: ImageService;
  status: StatusService;
  agents: AgentService;
  auth: AuthService;
  users: UserService;
  equipment: EquipmentService;
  objects: ObjectService;
  targets: TargetService;
  skymap: SkyMapService;
  keywords: HeaderKeywordService;
  zoom: ZoomService;
  sessions: SessionService;
  gallery: GalleryService;
}

export interface ServiceDeps {
  db: DatabasePool;
  registry: AgentRegistry;
  uploads: { name: string; storage: StorageBackend };
  derived: StorageBackend;
  uploadMaxBytes: number;
  /** provider name → its storage (the zoom viewer reads originals) */
  storages: ReadonlyMap<string, StorageBackend>;
  /** a folder of this host for the zoom viewer's temporary files */
  zoomTmpDir: string;
  log: Logger;
  /** called after images became due (wakes the processing loops of this host) */
  onDue: () => void;
  /** what /status reads besides the database */
  status: Omit<StatusSources, 'db'>;
}

export function createServices(d: ServiceDeps): Services {
  const { db, onDue } = d;
  const images = new ImageService({ db, uploads: d.uploads, derived: d.derived, uploadMaxBytes: d.uploadMaxBytes, onDue, searchableFacts: () => d.registry.searchableFacts() });
  const objects = new ObjectService({ db });
  return {
    images,
    status: new StatusService({ db, ...d.status }),
    agents: new AgentService({ db, registry: d.registry, onDue }),
    auth: new AuthService({ db }),
    users: new UserService({ db }),
    equipment: new EquipmentService({ db, onDue }),
    objects,
    targets: new TargetService({ db, images, objects }),
    skymap: new SkyMapService({ db }),
    keywords: new HeaderKeywordService({ db }),
    sessions: new SessionService({ db, images }),
    gallery: new GalleryService({ db, images }),
    zoom: new ZoomService({ db, derived: d.derived, storages: d.storages, tmpDir: d.zoomTmpDir, log: d.log.child({ component: 'zoom' }) }),
  };
}

export { SessionService, GalleryService };
export { AgentService, AuthService, EquipmentService, HeaderKeywordService, ImageService, ObjectService, SkyMapService, StatusService, TargetService, UserService, ZoomService };
export type { StatusSources };
/** The image record as the API serves it (owned by stitching). */
export { PublicRecord } from '../catalog/stitching/record.ts';
