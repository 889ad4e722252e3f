// A node:test reporter that counts skipped tests by their reason and writes
// one JSON object ({ reason: count }) at the end; scripts/run-tests.mjs reads
// it to print a one-line summary of what was not run and why.
export default async function* countSkips(source) {
  const counts = {};
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.skip) {
      const reason = typeof event.data.skip === 'string' ? event.data.skip : 'skipped';
      counts[reason] = (counts[reason] ?? 0) + 1;
    }
  }
  yield JSON.stringify(counts) + '\n';
}
