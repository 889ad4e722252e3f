/** Normalized lookup key for object names and designations: "M 31" → "m31", "NGC-7000" → "ngc7000". */
export function searchKey(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/^messier\s*/, 'm')
    .replace(/[^a-z0-9+]/g, '');
}
