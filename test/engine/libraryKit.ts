// What the engine tests of a library share: a daemon with the file,
// integration and objects agents whose API answers are checked against the
// OpenAPI document, and small FITS frames written into its drop folder.
import { after, before } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fitsHdu, type CardSpec } from '../../agents/lib/formats/test-writers.ts';
import { createUser, startWebDaemon, type WebDaemon } from '../web/helpers.ts';
import { OpenApiValidator } from '../web/openapiValidator.ts';

export interface LibraryDaemon {
  /** GET as a member; JSON answers are checked against the OpenAPI document */
  call(path: string): Promise<{ status: number; body: any; type: string | null }>;
}

/** Starts the daemon before the file's tests (and hands it to `started`) and stops it after them. */
export function libraryDaemon(started?: (w: WebDaemon) => void): LibraryDaemon {
  let w: WebDaemon | undefined;
  let v: OpenApiValidator;
  let token: string;
  before(async () => {
    w = await startWebDaemon({ builtinAgents: ['file', 'integration', 'objects'] });
    v = new OpenApiValidator(await (await w.api('/api/openapi.json')).json());
    token = (await createUser(w, 'member')).token;
    started?.(w);
  });
  after(async () => {
    await w?.stop();
  });
  return {
    async call(path) {
      const res = await w!.api(path, { method: 'GET', token });
      const type = res.headers.get('content-type');
      const body = type?.includes('json') ? await res.json() : await res.text();
      if (type?.includes('json')) v.check('GET', path, res.status, type, body);
      return { status: res.status, body: body as any, type };
    },
  };
}

/** The cards every frame of these libraries has: its type, exposure and date, and one camera and optical train. */
export function frameCards(f: { type?: string; date: string; exposure: number }): CardSpec[] {
  return [
    ['IMAGETYP', f.type ?? 'LIGHT'],
    ['EXPOSURE', f.exposure],
    ['EXPTIME', f.exposure],
    ['DATE-OBS', f.date],
    ['XBINNING', 1],
    ['YBINNING', 1],
    ['INSTRUME', 'ZWO ASI2600MM Pro'],
    ['TELESCOP', 'Askar FRA400'],
    ['FOCALLEN', 400],
  ];
}

let seed = 0;
/** A 16×16 16-bit FITS frame with these cards and pixels of its own (so no two frames are equal). */
export async function smallFrame(path: string, cards: CardSpec[]): Promise<void> {
  seed++;
  const n = 16;
  const data = new Int16Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919 + seed * 104729) % 30000) - 15000;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, fitsHdu({ bitpix: 16, axes: [n, n], data, cards: [['BZERO', 32768], ...cards, ['SEED', seed]] }));
}
