/**
 * The messages between a pool thread running an agent (agentWorker.ts) and
 * the host (AgentHost.ts), over the MessagePort of one task: the one
 * definition both sides type their port with.
 */
import type { Json, PixelImage } from '../../agents/sdk/index.ts';
import type { PixelRequest } from './roundPixels.ts';

/** A request the thread waits for: the host answers with a {@link HostReply} of the same id. */
export type WorkerCall =
  | { type: 'cache-get'; key: string }
  | { type: 'cache-set'; key: string; value: Json; ttlSeconds?: number }
  /** the round's pixels for this request, if an earlier decode answers it */
  | { type: 'pixels-get'; request: PixelRequest };

/** Everything a thread posts to the host. */
export type WorkerMessage =
  /** memory this run holds (heap + ArrayBuffers beyond the thread's low-water mark) */
  | { type: 'memory'; bytes: number }
  /** the agent's module is loaded: its time limit starts */
  | { type: 'started' }
  | { type: 'progress'; fraction: number; message?: string }
  /** pixels this thread decoded, planes shared, for the next agents of the round */
  | { type: 'pixels-put'; request: PixelRequest; image: PixelImage }
  | (WorkerCall & { id: number });

/** The host's answer to a {@link WorkerCall}: a cached value, the round's pixels, or nothing. */
export interface HostReply {
  id: number;
  value?: Json | PixelImage;
}
