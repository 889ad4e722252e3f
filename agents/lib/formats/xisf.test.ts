import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readXisfHeader, readXisfPixels, xisfCards } from './xisf.ts';
import { parseXml } from './xml.ts';
import { lz4DecodeBlock } from './xisf-codecs.ts';
import { tempDir, xisfFile, type XisfCodec, type XisfSpec } from './test-writers.ts';
import { FIXTURES, TESTDATA, corpus } from './test-data.ts';
import { fixtureValues } from './fixtures/values.ts';
import { AgentError } from '../../sdk/index.ts';

const tmp = tempDir();
test.after(() => tmp.cleanup());

function write(name: string, spec: XisfSpec): string {
  const p = tmp.path(name);
  writeFileSync(p, xisfFile(spec));
  return p;
}

const RANGE = { UInt8: 255, UInt16: 65535, UInt32: 4294967295, Float32: 1, Float64: 1 } as const;

/** repetitive test samples (so every codec really compresses) in storage order */
function samples(format: XisfSpec['sampleFormat'], n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const v = ((i * 37) % 50) + Math.floor(i / 97);
    if (format === 'Float32') return Math.fround(v / 256);
    if (format === 'Float64') return v / 256 + 1e-12;
    return format === 'UInt32' ? v * 8000000 : format === 'UInt16' ? v * 1000 : v;
  });
}

test('real XISF files: geometry, FITS keywords and properties', corpus, async () => {
  const a = await readXisfHeader(TESTDATA + 'xisf/wrenby-test.xisf');
  assert.deepEqual([a.image?.width, a.image?.height, a.image?.channels, a.image?.bitDepth], [8, 10, 1, 16]);
  const cards = xisfCards(a);
  assert.equal(cards.find((c) => c.key === 'IMAGETYP')?.value, 'Light Frame');
  assert.equal(cards.find((c) => c.key === 'OBJCTRA')?.value, '23 57 19.63');
  assert.equal(cards.find((c) => c.key === 'FOCALLEN')?.value, 800);
  assert.equal(cards.find((c) => c.key === 'FOCALLEN')?.comment, 'Focal Length (mm)');
  assert.ok(cards.some((c) => c.key === 'COMMENT' && String(c.value).includes('2001A&A...376..359H')));
  assert.equal(a.properties.get('XISF:BlockAlignmentSize'), 4096);
  assert.equal(a.properties.get('XISF:CreatorApplication'), 'PixInsight 1.8.9-1');

  const b = await readXisfHeader(TESTDATA + 'xisf/wrenby-2ch.xisf');
  assert.deepEqual([b.image?.width, b.image?.height, b.image?.channels], [4, 10, 2]);

  const e = await readXisfHeader(TESTDATA + 'xisf/exiftool-XISF.xisf');
  assert.deepEqual([e.image?.width, e.image?.height, e.image?.channels, e.image?.bitDepth], [256, 256, 1, 8]);
  assert.equal(e.properties.get('XISF:CompressionCodecs'), 'zlib+sh');
  assert.equal(e.properties.get('XISF:CompressionLevel'), 0);
});

test('real XISF pixels: embedded base64 UInt16 planar and zlib-compressed UInt8', corpus, async () => {
  const one = await readXisfPixels(TESTDATA + 'xisf/wrenby-test.xisf');
  const two = await readXisfPixels(TESTDATA + 'xisf/wrenby-2ch.xisf');
  // first samples of the base64 block: 5 7 4 2 1 1 1 5
  assert.deepEqual(Array.from(one.planes[0]!.subarray(0, 8)).map((v) => Math.round(v * 65535)), [5, 7, 4, 2, 1, 1, 1, 5]);
  assert.equal(two.channels, 2);
  // the same 80 samples, split into two 4×10 planes
  assert.deepEqual(Array.from(two.planes[1]!).map((v) => Math.round(v * 65535)), Array.from(one.planes[0]!.subarray(40)).map((v) => Math.round(v * 65535)));
  const ex = await readXisfPixels(TESTDATA + 'xisf/exiftool-XISF.xisf');
  assert.equal(ex.width, 256);
  assert.ok(ex.planes[0]!.every((v) => v === 1), 'the exiftool sample is a white 8-bit frame');
});

test('every sample format × codec ± shuffle round-trips exactly (attachment, planar)', async () => {
  const formats: XisfSpec['sampleFormat'][] = ['UInt8', 'UInt16', 'UInt32', 'Float32', 'Float64'];
  const codecs: (XisfCodec | undefined)[] = [undefined, 'zlib', 'lz4', 'lz4hc', 'zstd'];
  const w = 31;
  const h = 17;
  for (const fmt of formats) {
    for (const codec of codecs) {
      for (const shuffle of codec ? [false, true] : [false]) {
        const s = samples(fmt, w * h * 2);
        const p = write(`${fmt}-${codec}-${shuffle}.xisf`, { width: w, height: h, channels: 2, sampleFormat: fmt, samples: s, codec, shuffle });
        const px = await readXisfPixels(p);
        const got = [...px.planes[0]!, ...px.planes[1]!];
        const tol = fmt === 'UInt32' ? 1e-6 : fmt.startsWith('Float') ? 0 : 1e-7;
        for (let i = 0; i < s.length; i++) {
          const want = fmt.startsWith('Float') ? Math.fround(s[i]!) : s[i]! / RANGE[fmt];
          assert.ok(Math.abs(got[i]! - want) <= tol, `${fmt} ${codec} ${shuffle} #${i}: ${got[i]} vs ${want}`);
        }
      }
    }
  }
});

test('normal (interleaved) storage, inline base64/hex and embedded data blocks', async () => {
  const w = 5;
  const h = 4;
  const planar = samples('UInt16', w * h * 3);
  const interleaved: number[] = [];
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) interleaved.push(planar[c * w * h + i]!);
  const normal = await readXisfPixels(write('normal.xisf', { width: w, height: h, channels: 3, sampleFormat: 'UInt16', samples: interleaved, pixelStorage: 'Normal', codec: 'zlib' }));
  const ref = await readXisfPixels(write('planar.xisf', { width: w, height: h, channels: 3, sampleFormat: 'UInt16', samples: planar }));
  for (let c = 0; c < 3; c++) assert.deepEqual(Array.from(normal.planes[c]!), Array.from(ref.planes[c]!));
  for (const [location, encoding] of [['inline', 'base64'], ['inline', 'hex'], ['embedded', 'base64'], ['embedded', 'hex']] as const) {
    const px = await readXisfPixels(write(`${location}-${encoding}.xisf`, { width: w, height: h, channels: 3, sampleFormat: 'UInt16', samples: planar, location, encoding, codec: location === 'embedded' ? 'lz4' : undefined, shuffle: location === 'embedded' }));
    for (let c = 0; c < 3; c++) assert.deepEqual(Array.from(px.planes[c]!), Array.from(ref.planes[c]!), `${location} ${encoding}`);
  }
});

test('zstd-compressed fixtures made by the zstd tool decode to the known values', async () => {
  const { w, h, u16, f32 } = fixtureValues();
  const a = await readXisfPixels(FIXTURES + 'u16-zstd-sh.xisf');
  assert.equal(a.width, w);
  assert.equal(a.height, h);
  u16.forEach((v, i) => assert.ok(Math.abs(a.planes[0]![i]! * 65535 - v) < 0.01));
  const b = await readXisfPixels(FIXTURES + 'f32-zstd.xisf');
  assert.deepEqual(Array.from(b.planes[0]!), f32);
});

test('properties: scalars, strings, TimePoint, F64Vector and F64Matrix; FITS keywords parsed as FITS values', async () => {
  const vec = Buffer.from(new Float64Array([83.8221, -5.3911]).buffer).toString('base64');
  const mat = Buffer.from(new Float64Array([-2.7e-4, 1e-6, 1.1e-6, 2.7e-4]).buffer).toString('base64');
  const p = write('props.xisf', {
    width: 2, height: 2, channels: 1, sampleFormat: 'UInt16', samples: [1, 2, 3, 4],
    keywords: [['EXPTIME', '300.'], ['FILTER', "'Ha 7nm  '"], ['IMAGETYP', "'Master Dark'"], ['HISTORY', '', 'ImageIntegration.numberOfImages: 25']],
    imageAttrs: { imageType: 'MasterDark' },
    imageXml:
      '<Property id="Instrument:Telescope:FocalLength" type="Float32" value="0.53"/>' +
      '<Property id="Instrument:Sensor:Temperature" type="Float64" value="-10.2"/>' +
      '<Property id="Observation:Time:Start" type="TimePoint" value="2024-03-01T21:04:05.5Z"/>' +
      '<Property id="Observation:Object:Name" type="String">M 42 &amp; friends</Property>' +
      '<Property id="PCL:Flag" type="Boolean" value="true"/>' +
      `<Property id="PCL:AstrometricSolution:ReferenceCelestialCoordinates" type="F64Vector" length="2" location="inline:base64">${vec}</Property>` +
      `<Property id="PCL:AstrometricSolution:LinearTransformationMatrix" type="F64Matrix" rows="2" columns="2" location="inline:base64">${mat}</Property>`,
  });
  const x = await readXisfHeader(p);
  assert.equal(x.properties.get('Instrument:Telescope:FocalLength'), 0.53);
  assert.equal(x.properties.get('Observation:Time:Start'), '2024-03-01T21:04:05.5Z');
  assert.equal(x.properties.get('Observation:Object:Name'), 'M 42 & friends');
  assert.equal(x.properties.get('PCL:Flag'), true);
  assert.deepEqual(x.properties.get('PCL:AstrometricSolution:ReferenceCelestialCoordinates'), [83.8221, -5.3911]);
  assert.deepEqual(x.properties.get('PCL:AstrometricSolution:LinearTransformationMatrix'), [[-2.7e-4, 1e-6], [1.1e-6, 2.7e-4]]);
  const cards = xisfCards(x);
  assert.equal(cards.find((c) => c.key === 'EXPTIME')?.value, 300);
  assert.equal(cards.find((c) => c.key === 'FILTER')?.value, 'Ha 7nm');
  assert.equal(cards.find((c) => c.key === 'HISTORY')?.value, 'ImageIntegration.numberOfImages: 25');
  assert.equal(cards.find((c) => c.key === 'XISF:ImageType')?.value, 'MasterDark');
  assert.equal(cards.find((c) => c.key === 'PCL:AstrometricSolution:ReferenceCelestialCoordinates')?.value, '[83.8221,-5.3911]');
});

test('XML parser: entities, CDATA, comments, namespaces; rejects malformed input', () => {
  const r = parseXml('<?xml version="1.0"?><!-- c --><x:a xmlns:x="u" k=\'v&lt;\'><b>t&#65;&#x42;<![CDATA[<raw>]]></b><c/></x:a>');
  assert.equal(r.name, 'a');
  assert.equal(r.attrs.k, 'v<');
  assert.equal(r.children[0]!.text, 'tAB<raw>');
  assert.equal(r.children[1]!.name, 'c');
  for (const bad of ['<a><b></a>', '<a', '<a k=v/>', '<a></a><b/>', '', '<a><!-- x</a>', '<a>' + '<b>'.repeat(100) + '</b>'.repeat(100) + '</a>']) {
    assert.throws(() => parseXml(bad), AgentError, bad.slice(0, 20));
  }
});

test('LZ4 decoder rejects corrupt blocks instead of reading out of bounds', () => {
  assert.throws(() => lz4DecodeBlock(new Uint8Array([0x1f, 1, 0xff, 0xff]), 100), AgentError); // offset beyond output
  assert.throws(() => lz4DecodeBlock(new Uint8Array([0xf0, 0xff]), 100), AgentError); // literal run past input
  // 1 literal, then an overlapping match of 8 (RLE), then a final literal
  assert.deepEqual(Array.from(lz4DecodeBlock(new Uint8Array([0x14, 7, 1, 0, 0x10, 9]), 10)), [7, 7, 7, 7, 7, 7, 7, 7, 7, 9]);
});

test('broken XISF files: clear AgentErrors', async () => {
  const good = xisfFile({ width: 8, height: 8, channels: 1, sampleFormat: 'UInt16', samples: samples('UInt16', 64) });
  const cases: [string, Uint8Array, RegExp][] = [
    ['bad-signature', Buffer.concat([Buffer.from('XISF0200'), good.subarray(8)]), /no XISF0100 signature/],
    ['huge-header-length', xisfFile({ width: 2, height: 2, channels: 1, sampleFormat: 'UInt8', samples: [1, 2, 3, 4], headerLength: 2 ** 31 }), /header length \d+ is invalid/],
    ['truncated-attachment', good.subarray(0, good.length - 20), /extends past the end of the file/],
    ['bad-geometry', xisfFile({ width: 2, height: 2, channels: 1, sampleFormat: 'UInt8', samples: [1, 2, 3, 4], imageAttrs: { geometry: '0:-4:1' } }), /invalid geometry/],
    ['bad-sample-format', xisfFile({ width: 2, height: 2, channels: 1, sampleFormat: 'UInt8', samples: [1, 2, 3, 4], imageAttrs: { sampleFormat: 'Complex64' } }), /unsupported XISF sampleFormat/],
    ['lying-geometry', xisfFile({ width: 2, height: 2, channels: 1, sampleFormat: 'UInt8', samples: [1, 2, 3, 4], imageAttrs: { geometry: '30000:30000:1' } }), /block holds 4 bytes but the geometry needs 900000000/],
    ['over-pixel-ceiling', xisfFile({ width: 2, height: 2, channels: 1, sampleFormat: 'UInt8', samples: [1, 2, 3, 4], imageAttrs: { geometry: '60000:60000:1' } }), /60000×60000 pixels is more than this server accepts/],
    ['unknown-codec', xisfFile({ width: 4, height: 4, channels: 1, sampleFormat: 'UInt8', samples: new Array(16).fill(3), codec: 'zlib', imageAttrs: { compression: 'bzip2:16' } }), /unsupported compression bzip2/],
    ['wrong-uncompressed-size', xisfFile({ width: 4, height: 4, channels: 1, sampleFormat: 'UInt8', samples: new Array(16).fill(3), codec: 'zlib', imageAttrs: { compression: 'zlib:99999' } }), /compressed size 99999 does not match geometry/],
    ['bad-base64', xisfFile({ width: 2, height: 2, channels: 1, sampleFormat: 'UInt8', samples: [1, 2, 3, 4], location: 'inline', encoding: 'hex', imageAttrs: { location: 'inline:base64' } }), /holds 6 bytes but the geometry needs 4/],
    ['bad-encoding', xisfFile({ width: 2, height: 2, channels: 1, sampleFormat: 'UInt8', samples: [1, 2, 3, 4], location: 'inline', imageAttrs: { location: 'inline:base85' } }), /unsupported XISF data encoding 'base85'/],
    ['not-xml', Buffer.concat([Buffer.from('XISF0100'), Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('<xisf><Im')]), /invalid XML header/],
  ];
  for (const [name, bytes, re] of cases) {
    const p = tmp.path(`${name}.xisf`);
    writeFileSync(p, bytes);
    await assert.rejects(
      (async () => {
        await readXisfHeader(p);
        await readXisfPixels(p);
      })(),
      (e: unknown) => e instanceof AgentError && re.test(e.message),
      name,
    );
  }
  // corrupt compressed payload
  const z = xisfFile({ width: 16, height: 16, channels: 1, sampleFormat: 'UInt16', samples: samples('UInt16', 256), codec: 'zstd' });
  // the raw-block zstd frame is 13 + 3 header bytes before 512 data bytes: break the frame header
  z.fill(0x33, z.length - 528, z.length - 500);
  const zp = tmp.path('corrupt-zstd.xisf');
  writeFileSync(zp, z);
  await assert.rejects(readXisfPixels(zp), (e: unknown) => e instanceof AgentError);
});

test('binning bounds the output for XISF too', async () => {
  const w = 40;
  const h = 30;
  const s = Array.from({ length: w * h }, (_, i) => Math.fround(i / (w * h)));
  const px = await readXisfPixels(write('bin.xisf', { width: w, height: h, channels: 1, sampleFormat: 'Float32', samples: s, codec: 'lz4', shuffle: true }), { maxPixels: 299 });
  assert.equal(px.binned, 3);
  assert.equal(px.width, 14);
  assert.equal(px.height, 10);
  // first block: rows 0..2, cols 0..2
  const want = [0, 1, 2, 40, 41, 42, 80, 81, 82].reduce((a, i) => a + s[i]!, 0) / 9;
  assert.ok(Math.abs(px.planes[0]![0]! - want) < 1e-6);
});
