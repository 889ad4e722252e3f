/**
 * Reads single entries out of a ZIP archive kept in storage, by byte ranges:
 * the deep-zoom pyramid of an image is one file of thousands of tiles, and a
 * tile request must not read the whole archive. Only what libvips writes is
 * needed (stored entries, no ZIP64), and anything else is refused clearly.
 */

export interface ZipEntry {
  /** offset of the entry's local header */
  headerOffset: number;
  size: number;
}

/** Reads `length` bytes at `offset` of the archive. */
export type RangeReader = (offset: number, length: number) => Promise<Buffer>;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

/** The archive's central directory: entry name → where its data are. */
export async function readZipIndex(read: RangeReader, archiveSize: number): Promise<Map<string, ZipEntry>> {
  // the end-of-central-directory record is in the last 22 + 65535 (comment) bytes
  const tailLength = Math.min(archiveSize, 22 + 65535);
  const tail = await read(archiveSize - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('not a ZIP archive (no end-of-central-directory record)');
  const count = tail.readUInt16LE(eocd + 10);
  const dirSize = tail.readUInt32LE(eocd + 12);
  const dirOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirOffset === 0xffffffff) throw new ZipFormatError('ZIP64 archives are not supported');
  if (dirOffset + dirSize > archiveSize) throw new ZipFormatError('central directory outside the archive');
  const dir = await read(dirOffset, dirSize);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new ZipFormatError('damaged central directory');
    const method = dir.readUInt16LE(p + 10);
    const size = dir.readUInt32LE(p + 20);
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    const headerOffset = dir.readUInt32LE(p + 42);
    const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
    if (method === 0) entries.set(name, { headerOffset, size });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one stored entry. */
export async function readZipEntry(read: RangeReader, entry: ZipEntry): Promise<Buffer> {
  const header = await read(entry.headerOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipFormatError('damaged local header');
  const start = entry.headerOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  return read(start, entry.size);
}
