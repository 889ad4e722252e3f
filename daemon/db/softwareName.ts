/**
 * The register groups software by product, not by release: "N.I.N.A.
 * 3.0.0.1234" and "N.I.N.A. 3.1" are one item "N.I.N.A." whose aliases are
 * the versions seen in headers. The name is the header value up to its first
 * version-like token (3.1, v4.2.0.1009, 1.8.9-2, build 123), without
 * trailing separators; a value that is only a version stays as it is.
 */
const VERSION = /(?:^|[\s,;(\-_/])(?:v(?:er(?:sion)?)?\.?\s?\d+[\w.-]*|\d+(?:\.\d+)+[\w.-]*|build\s*\d+[\w.-]*)/i;

export function softwareName(value: string): string {
  const v = value.trim();
  const m = VERSION.exec(v);
  if (!m) return v;
  const name = v.slice(0, m.index).replace(/[\s,;:(\-–_/]+$/, '').trim();
  return name.length >= 2 ? name : v;
}
