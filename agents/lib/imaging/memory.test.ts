import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// In a child process: the peak RSS of this test process would include other tests.
test('an 8000×6000 frame renders within bounded memory', () => {
  const script = fileURLToPath(new URL('./measure.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, '8000', '6000', 'u16', 'mono'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  console.log(`8000×6000 u16 mono: ${JSON.stringify(r)}`);
  assert.equal(r.preview, '2048x1536');
  assert.equal(r.stretched, true);
  // the source plane is 183 MB of float; rendering may add preview-sized buffers only
  // (one binned copy ≈ 16 MB, the 16-bit buffer, sharp's working memory), never a second full copy
  assert.ok(r.peakGrowthMB < 120, `peak RSS grew by ${r.peakGrowthMB} MB`);
});
