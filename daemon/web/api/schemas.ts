/**
 * The shapes of the JSON API: request bodies (validated by these very
 * schemas) and responses (documented by them; tests validate real responses
 * against the OpenAPI document built from them). Unknown values are `null`.
 */
import { z } from 'zod';
import { Session, SessionPage } from '../../services/SessionService.ts';
import { DATE_MIN, dateProblem } from '../../services/validation.ts';
import { FRAME_TYPES } from '../../../agents/sdk/index.ts';
import { EQUIPMENT_TYPES } from '../../services/EquipmentService.ts';
import { PublicRecord } from '../../services/index.ts';

const n = z.number().nullable();
const s = z.string().nullable();
const uuid = z.string().uuid();
const iso = z.string().describe('ISO 8601 date-time');

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe('An error (RFC 9457 problem details)');

/** The image record: owned by stitching (daemon/catalog/stitching/record.ts), served as it is. */
export const ImageRecord = PublicRecord;

export const ImagePage = z.object({ items: z.array(ImageRecord), total: z.number().int(), next: s.describe('cursor of the next page') });

export const UploadResult = z.object({
  ids: z.array(uuid),
  items: z.array(
    z.object({
      id: uuid,
      path: z.string(),
      name: z.string(),
      existing: z.boolean().describe('true: a file of this content (size and sha256) is an image already; no copy was stored and `id` is that image'),
    }),
  ),
});

export const HeaderCard = z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean(), z.null()]), comment: z.string().optional() });
export const FileFacts = z
  .object({ imageId: uuid, status: z.enum(['done', 'failed', 'skipped', 'missing']), error: s, facts: z.record(z.unknown()).nullable(), headers: z.array(HeaderCard) })
  .describe('Facts of the file agent, with every header card');

export const ImageEdit = z
  .object({
    notes: z.string().max(10_000).nullable().optional(),
    target: z.string().max(100).nullable().optional().describe('the primary target: a catalog name (stored as its id) or free text (a comet, a planet), overriding the detected one'),
    frameType: z.enum(FRAME_TYPES).nullable().optional(),
    captured: z
      .string()
      .max(40)
      .nullable()
      .optional()
      .superRefine((v, ctx) => {
        const problem = v ? dateProblem(v) : null;
        if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .describe(`capture date-time override (ISO 8601, from ${DATE_MIN} to one year from now)`),
    equipment: z.array(uuid).max(50).nullable().optional().describe('equipment ids that replace those resolved from the headers'),
    acquisition: z.record(z.union([z.string(), z.number(), z.null()])).nullable().optional().describe('corrections of acquisition fields'),
  })
  .strict();

export const BulkImagePatch = z
  .object({
    target: z.string().max(100).nullable().optional().describe('the primary target for every image: a catalog name (stored as its id) or free text; null or "" removes the correction'),
    frameType: z.enum(FRAME_TYPES).nullable().optional(),
    camera: uuid.nullable().optional().describe("a camera of the equipment register: replaces each image's camera (its other equipment stays)"),
    telescope: uuid.nullable().optional().describe("a telescope of the equipment register: replaces each image's telescope"),
    notes: z.string().max(10_000).nullable().optional(),
    notesMode: z.enum(['replace', 'append']).optional().describe('replace (default) the notes, or append them on a line of their own'),
  })
  .strict()
  .describe('What changes; fields left out stay as they are');
const BulkQuery = z
  .record(z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
  .describe('the filters of `GET /api/v1/images` (same names and units); every matching image changes, not one page (limit, cursor and sort are ignored)');
export const BulkImageEdit = z.union([
  z.object({ ids: z.array(uuid).min(1).max(10_000).describe('the images to change (each must exist)'), patch: BulkImagePatch }).strict(),
  z.object({ query: BulkQuery, patch: BulkImagePatch }).strict(),
]);
export const BulkEditResult = z.object({ changed: z.number().int().describe('how many images were changed (and are now processed again)') });

export const RerunResult = z.object({ images: z.number().int() });

// equipment
export const EquipmentType = z.enum(EQUIPMENT_TYPES);
export const Equipment = z.object({
  id: uuid,
  type: EquipmentType,
  name: z.string(),
  notes: s,
  specs: z.record(z.unknown()),
  auto: z.boolean().describe('created from a header value, not by a user'),
  aliases: z.array(z.string()),
  imageCount: z.number().int(),
  createdAt: iso,
  updatedAt: iso,
});
export const EquipmentList = z.object({ items: z.array(Equipment), total: z.number().int() });
export const EquipmentDetail = Equipment.extend({ images: ImagePage });
const specValue = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
export const EquipmentCreate = z
  .object({
    type: EquipmentType,
    name: z.string().trim().min(1).max(200),
    notes: z.string().max(5000).nullable().optional(),
    specs: z.record(specValue).optional(),
    aliases: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
  })
  .strict();
export const EquipmentPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    notes: z.string().max(5000).nullable().optional(),
    specs: z.record(specValue).optional(),
    aliases: z.array(z.string().trim().min(1).max(200)).max(100).optional().describe('replaces the aliases'),
  })
  .strict();
export const EquipmentMerge = z.object({ into: uuid.describe('the item that stays') }).strict();
export const EquipmentQuery = z.object({
  type: EquipmentType.optional(),
  q: z.string().max(200).optional(),
});

// objects and targets
export const CatalogObject = z.object({
  id: z.string(),
  designations: z.array(z.string()),
  name: s,
  type: s,
  ra: z.number(),
  dec: z.number(),
  magnitude: n,
  majorArcmin: n,
  minorArcmin: n,
  constellation: s,
  imageCount: z.number().int(),
});
export const ObjectList = z.object({ items: z.array(CatalogObject), total: z.number().int(), next: s });
export const ObjectQuery = z.object({
  q: z.string().max(100).optional().describe('name or designation (prefix): M3, NGC 70, Orion'),
  type: z.string().max(40).optional().describe('object type: galaxy, nebula, open cluster…'),
  constellation: z.string().max(40).optional(),
  imaged: z.enum(['true', 'false']).optional().describe('only objects with images'),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(40).optional(),
});
export const FilterIntegration = z.object({ filter: z.string(), seconds: z.number(), frames: z.number().int().nullable(), images: z.number().int() });
export const Target = z.object({
  id: z.string(),
  object: CatalogObject.nullable(),
  totalSeconds: z.number(),
  lights: z.number().int(),
  imageCount: z.number().int(),
  byFilter: z.array(FilterIntegration),
  firstCaptured: s,
  lastCaptured: s,
});
export const TargetSummary = z.object({ id: z.string(), name: s, images: z.number().int(), totalSeconds: z.number(), lastCaptured: s, thumbnailUrl: s });
export const TargetList = z.object({ items: z.array(TargetSummary), total: z.number().int() });
export const TargetDetail = Target.extend({ images: ImagePage });

// agents and administration
export const AgentInfo = z
  .object({
    name: z.string(),
    version: z.string(),
    description: s,
    stages: z.array(z.string()),
    builtin: z.boolean(),
    source: z.string(),
    enabled: z.boolean(),
    position: z.number(),
    settings: z.record(z.unknown()),
    settingsSchema: z.record(z.unknown()),
    counts: z.object({ done: z.number().int(), failed: z.number().int(), skipped: z.number().int(), missing: z.number().int() }).passthrough(),
  })
  .passthrough();
export const AgentList = z.object({ items: z.array(AgentInfo), failures: z.array(z.object({ source: z.string(), error: z.string() })) });
export const AgentPatch = z
  .object({
    enabled: z.boolean().optional(),
    position: z.number().int().min(0).max(100000).nullable().optional(),
    settings: z.record(z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .strict();
export const AgentRun = z.object({ scope: z.enum(['all', 'missing', 'failed']).optional(), ids: z.array(uuid).max(10000).optional() }).strict();
export const QueueInfo = z.object({
  counts: z.object({ due: z.number(), in_progress: z.number(), failed: z.number(), done: z.number(), waiting: z.number(), total: z.number() }).passthrough(),
  inProgress: z.array(z.object({ id: uuid, path: z.string(), leaseOwner: s, since: s })),
  recentErrors: z.array(z.object({ imageId: uuid, path: z.string(), agent: z.string(), error: s, attempts: z.number().int(), finishedAt: s, nextAttemptAt: s })),
});

// accounts
export const Role = z.enum(['admin', 'member']);
export const User = z.object({
  id: uuid,
  username: z.string(),
  role: Role,
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  recoveryCodesLeft: z.number().int(),
  createdAt: iso,
  lastLoginAt: s,
});
export const UserList = z.object({ items: z.array(User) });
export const UserCreate = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024), role: Role.default('member') }).strict();
export const UserPatch = z.object({ role: Role.optional(), disabled: z.boolean().optional(), password: z.string().min(1).max(1024).optional() }).strict();
export const Login = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024), code: z.string().max(20).optional().describe('TOTP or recovery code, for accounts with a second factor') })
  .strict();
export const LoginResult = z.object({ token: z.string(), expiresAt: s });
export const Token = z.object({ id: uuid, name: z.string(), prefix: z.string(), username: z.string(), createdAt: iso, lastUsedAt: s, expiresAt: s });
export const TokenList = z.object({ items: z.array(Token) });
export const TokenCreate = z.object({ name: z.string().trim().min(1).max(100), expiresInDays: z.number().int().min(1).max(3650).nullable().optional() }).strict();
export const TokenCreated = z.object({ token: z.string().describe('shown only now'), info: Token });
export const PasswordChange = z.object({ current: z.string().min(1).max(1024), password: z.string().min(1).max(1024) }).strict();
export const PasswordChanged = z
  .object({
    sessionsEnded: z.number().int().describe('other browser sessions of the user that were ended'),
    tokensRevoked: z.number().int().describe('API tokens revoked (30-day login tokens included); the token making the change is kept'),
  })
  .describe('The password is changed; every other session and token is revoked');
export const TotpBegin = z.object({ secret: z.string(), uri: z.string(), qrSvg: z.string() });
export const TotpConfirm = z.object({ code: z.string().min(6).max(10) }).strict();
export const TotpConfirmed = z.object({ recoveryCodes: z.array(z.string()) });
export const TotpDisable = z.object({ password: z.string().min(1).max(1024) }).strict();

// sky map
export const Footprint = z.object({ id: uuid, target: s, ra: z.number(), dec: z.number(), corners: z.array(z.array(z.number())) });
export const SkyMap = z.object({ items: z.array(Footprint), total: z.number().int(), truncated: z.boolean() });

export const Health = z.object({ status: z.literal('ok') });
export const Status = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    database: z.object({ status: z.enum(['ok', 'degraded', 'down']) }).passthrough(),
    // absent in the 503 answered before the login check, when the database (needed to check it) is down
    storage: z.object({ status: z.enum(['ok', 'degraded', 'down']) }).passthrough().optional(),
    agents: z.object({ status: z.enum(['ok', 'degraded', 'down']) }).passthrough().optional(),
    queue: z.object({ due: z.number(), in_progress: z.number(), failed: z.number(), done: z.number() }).passthrough().nullable().optional(),
  })
  .passthrough();

/** Schemas listed by name under components.schemas (responses that are exactly one of these refer to it). */
export const NAMED_SCHEMAS: Record<string, z.ZodTypeAny> = {
  Problem,
  ImageRecord,
  ImagePage,
  UploadResult,
  FileFacts,
  ImageEdit,
  BulkImagePatch,
  BulkImageEdit,
  BulkEditResult,
  Equipment,
  EquipmentList,
  EquipmentDetail,
  CatalogObject,
  ObjectList,
  Target,
  TargetList,
  TargetDetail,
  AgentInfo,
  AgentList,
  QueueInfo,
  User,
  UserList,
  Token,
  TokenList,
  TokenCreated,
  SkyMap,
  Status,
  Session,
  SessionPage,
};
