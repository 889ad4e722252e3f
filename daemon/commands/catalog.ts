/**
 * `sidereal catalog build`: writes the plate solver's star catalog file
 * (SIDEREAL_STAR_CATALOG) from the deepest installed Tycho-2 index plus the
 * Hipparcos stars. Without the file the solver builds the same catalog in
 * memory in every worker thread at first use; the container image builds it
 * once at image build time.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { buildStarCatalog, findTycho2Index } from '../../agents/lib/stars/buildStarCatalog.ts';
import { encodeStarCatalog } from '../../agents/lib/stars/starCatalog.ts';

const HELP = `usage: sidereal catalog build [--output FILE] [--tycho2 INDEX.fits | --no-tycho2]

Builds the plate solver's star catalog (default output: SIDEREAL_STAR_CATALOG,
else SIDEREAL_DATA_DIR/catalog/stars.bin) from the deepest installed
astrometry.net Tycho-2 index (Debian astrometry-data-tycho2-*) and Hipparcos.`;

export async function run(args: string[], config: Config): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { output: { type: 'string', short: 'o' }, tycho2: { type: 'string' }, 'no-tycho2': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals[0] !== 'build' || positionals.length > 2) {
    process.stderr.write(HELP + '\n');
    return 2;
  }
  const out = resolve(values.output ?? positionals[1] ?? config.starCatalog);
  const t0 = Date.now();
  const src = values['no-tycho2'] ? null : (values.tycho2 ?? findTycho2Index());
  if (!src) process.stdout.write('no Tycho-2 index: Hipparcos stars only (fields wider than ~3°)\n');
  else process.stdout.write(`reading ${src}\n`);
  try {
    const { catalog, tycho2Stars, hipparcosAdded } = buildStarCatalog({ tycho2Path: src });
    await mkdir(dirname(out), { recursive: true });
    const tmp = `${out}.tmp-${process.pid}`;
    await writeFile(tmp, encodeStarCatalog(catalog));
    await rename(tmp, out); // readers never see a half-written file
    process.stdout.write(`${out}: ${catalog.size} stars (${tycho2Stars} Tycho-2, ${hipparcosAdded} Hipparcos) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`catalog build failed: ${(err as Error).message}\n`);
    return 1;
  }
}

/**
 * Builds the catalog file once at daemon start-up when it is missing and a
 * Tycho-2 index is installed (about 1.5 s), instead of every worker thread
 * building it in memory.
 */
export async function ensureStarCatalog(config: Config, log: import('../log.ts').Logger): Promise<void> {
  const { existsSync } = await import('node:fs');
  const src = findTycho2Index();
  if (existsSync(config.starCatalog) || !src) return;
  try {
    const t0 = Date.now();
    const { catalog } = buildStarCatalog({ tycho2Path: src });
    await mkdir(dirname(config.starCatalog), { recursive: true });
    const tmp = `${config.starCatalog}.tmp-${process.pid}`;
    await writeFile(tmp, encodeStarCatalog(catalog));
    await rename(tmp, config.starCatalog);
    log.info({ path: config.starCatalog, stars: catalog.size, ms: Date.now() - t0 }, 'star catalog built');
  } catch (err) {
    log.warn({ err }, 'could not build the star catalog; the solver builds it in memory instead');
  }
}
