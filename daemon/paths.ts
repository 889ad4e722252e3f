/**
 * Where the package's own files are (sql/, views/, static/), from the sources
 * (daemon/…) and from a build (dist/daemon/…) alike: the nearest folder above
 * this module that has Sidereal's package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sidereal') return dir;
      } catch {
        // not ours: keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Sidereal package root');
    dir = up;
  }
}

export const ROOT = findRoot();
export const paths = {
  root: ROOT,
  migrations: join(ROOT, 'sql', 'migrations'),
  views: join(ROOT, 'views'),
  static: join(ROOT, 'static'),
};
