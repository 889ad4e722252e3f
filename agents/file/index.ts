/**
 * The `file` agent (stage `read`): what the file is and what its header says.
 * Format by content, size, streamed sha256, dates, dimensions, every header
 * card and the normalized acquisition facts (see agents/lib/formats).
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { AgentError, defineAgent, type Facts } from '../sdk/index.ts';
import type { FileFacts } from '../sdk/facts.ts';
import { describeFile } from '../lib/formats/index.ts';

/** Bytes read at a time while hashing: one reused buffer (a stream would allocate a new one per chunk). */
const HASH_BUFFER = 4 << 20;

async function sha256(path: string, signal: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(HASH_BUFFER);
    for (;;) {
      signal.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, HASH_BUFFER, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

export default defineAgent({
  name: 'file',
  // 2: capture-program conventions (dates with a zone, coordinates of date, longitude sign,
  // placeholders, stacks): existing files are read again once after an upgrade.
  // 3: `stack` (what a stack says about its subs: program, count, dates, sub file names)
  // 4: smart telescopes (Seestar subs are not stacks, DWARF stacks' total and count, device names,
  // DWARF's end-of-exposure dates, settings from file names): existing files are read again
  // 5: Unistellar and Celestron Origin (models, their optics, Origin's local DATE-OBS with TIMEZONE,
  // FOVRA/FOVDEC, CMOSTEMP, ALTITUDE), DATE-AVG as the middle of a frame, in-camera stacks by layout
  // (Origin colour planes; DWARF II's EXPTIME no total), FinalStackedMaster is a stacked light
  version: '5',
  description: 'File facts: format (by content), size, sha256, dates, dimensions, header cards and normalized acquisition facts.',
  stages: ['read'],
  async run(ctx) {
    const path = ctx.file.localPath;
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      throw new AgentError(`the file cannot be read: ${(err as Error).message}`, { permanent: false, cause: err });
    }
    if (!st.isFile()) throw new AgentError('not a regular file');
    if (st.size === 0) throw new AgentError('the file is empty');
    const parts = ctx.image.path.split('/');
    const [hash, described] = await Promise.all([
      sha256(path, ctx.signal).catch((err) => {
        throw new AgentError(`the file cannot be read: ${(err as Error).message}`, { permanent: false, cause: err });
      }),
      describeFile(path, { fileName: parts.at(-1) ?? '', folderPath: parts.slice(0, -1).join('/') }),
    ]);
    // the file changed while it was read: try again later rather than store a mix
    const after = await stat(path).catch(() => null);
    if (!after || after.size !== st.size || after.mtimeMs !== st.mtimeMs) throw new AgentError('the file changed while it was being read', { permanent: false });
    const facts: FileFacts = {
      ...described,
      sizeBytes: st.size,
      sha256: hash,
      dates: {
        captured: described.dates?.captured ?? null,
        created: (st.birthtimeMs > 0 ? st.birthtime : st.ctime).toISOString(),
        modified: st.mtime.toISOString(),
      },
    };
    return { facts: facts as unknown as Facts };
  },
});
