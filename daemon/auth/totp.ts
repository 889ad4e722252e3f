/**
 * TOTP (RFC 6238, SHA-1, 6 digits, 30 s) for the optional second factor,
 * compatible with every authenticator app. Small enough to keep in-house.
 */
import { createHmac, randomBytes } from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = B32.indexOf(ch);
    if (i < 0) throw new Error('invalid base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The code for a time step (counter). */
export function hotp(secret: string, counter: number): string {
  const key = base32Decode(secret);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1]! & 15;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

export function totpAt(secret: string, timeMs: number): string {
  return hotp(secret, Math.floor(timeMs / 30_000));
}

/**
 * The time step a code belongs to, accepting the current one and one step
 * either side (clock drift), or null. Callers refuse a step at or before the
 * last one used (replay; see db/users.ts useTotpStep).
 */
export function totpStep(secret: string, code: string, timeMs = Date.now()): number | null {
  const c = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(c)) return null;
  const step = Math.floor(timeMs / 30_000);
  for (const d of [0, -1, 1]) if (hotp(secret, step + d) === c) return step + d;
  return null;
}

/** Accepts the current code and one step either side (clock drift). */
export function verifyTotp(secret: string, code: string, timeMs = Date.now()): boolean {
  return totpStep(secret, code, timeMs) !== null;
}

/** otpauth:// URI that authenticator apps read from the QR code. */
export function totpUri(secret: string, account: string, issuer = 'Sidereal'): string {
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
