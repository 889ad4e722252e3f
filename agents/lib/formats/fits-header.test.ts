import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Header, HeaderParser, parseCard, parseValueField } from './fits-header.ts';
import { headerCards } from './test-writers.ts';

function blocks(cards: string[]): Uint8Array {
  const all = [...cards, 'END'.padEnd(80)];
  const buf = new Uint8Array(Math.ceil(all.length / 36) * 2880).fill(32);
  all.forEach((c, i) => buf.set(Buffer.from(c.padEnd(80).slice(0, 80), 'latin1'), i * 80));
  return buf;
}

function parse(cards: string[]) {
  const p = new HeaderParser();
  const b = blocks(cards);
  for (let o = 0; o < b.length && !p.push(b.subarray(o, o + 2880)); o += 2880);
  return p.cards;
}

test('value field: strings with quotes, trailing blanks, comments', () => {
  assert.deepEqual(parseValueField(" 'O''Neil  '   / the observer"), { value: "O'Neil", comment: 'the observer' });
  assert.deepEqual(parseValueField(" '  leading'"), { value: '  leading' });
  assert.deepEqual(parseValueField(" 'a/b' / slash inside"), { value: 'a/b', comment: 'slash inside' });
  assert.deepEqual(parseValueField(" ''"), { value: '' });
});

test('value field: logical, integer, float with E and D exponents, empty', () => {
  assert.equal(parseValueField('                    T').value, true);
  assert.equal(parseValueField('                    F / no').value, false);
  assert.equal(parseValueField('                 -42').value, -42);
  assert.equal(parseValueField('   1.5D+03').value, 1500);
  assert.equal(parseValueField('   -2.5E-02 / x').value, -0.025);
  assert.equal(parseValueField('   20.').value, 20);
  assert.equal(parseValueField('   .5').value, 0.5);
  assert.equal(parseValueField('      / only a comment').value, null);
  assert.equal(parseValueField('   (1.0, 2.0)').value, '(1.0, 2.0)');
  assert.equal(parseValueField('   1E999').value, '1E999', 'no Infinity in JSON facts');
});

test('cards: END, blank, COMMENT/HISTORY text kept, HIERARCH, lenient "=" placement', () => {
  assert.equal(parseCard('END'.padEnd(80)), null);
  assert.equal(parseCard(' '.repeat(80)), undefined);
  assert.deepEqual(parseCard('COMMENT   hello world'.padEnd(80)), { key: 'COMMENT', value: '  hello world' });
  assert.deepEqual(parseCard('HISTORY ImageIntegration.numberOfImages: 25'.padEnd(80)), { key: 'HISTORY', value: 'ImageIntegration.numberOfImages: 25' });
  assert.deepEqual(parseCard('HIERARCH ESO DET CHIP TEMP = -120.5 / detector'.padEnd(80)), { key: 'ESO DET CHIP TEMP', value: -120.5, comment: 'detector' });
  assert.deepEqual(parseCard('EXPTIME= 300 / badly placed'.padEnd(80)), { key: 'EXPTIME', value: 300, comment: 'badly placed' });
  assert.deepEqual(parseCard("filter  = 'Ha'".padEnd(80)), { key: 'FILTER', value: 'Ha' });
});

test('CONTINUE long strings are merged (writer round trip)', () => {
  const long = "A long PixInsight-style history string with a quote ' inside that goes well past sixty-eight characters, twice over the limit of one card.";
  const cards = parse(headerCards([['OBJECT', 'M 31'], ['LONGSTR', long, 'long'], ['EXPTIME', 300]]));
  assert.deepEqual(cards.map((c) => c.key), ['OBJECT', 'LONGSTR', 'EXPTIME']);
  assert.equal(cards[1]!.value, long);
  assert.equal(cards[2]!.value, 300);
});

test('header lookup: first occurrence wins, numbers from numeric strings', () => {
  const h = new Header(parse(headerCards([['GAIN', 100], ['GAIN', 200], ['XPIXSZ', '3.76'], ['FLAG', true]])));
  assert.equal(h.number('GAIN'), 100);
  assert.equal(h.number('XPIXSZ'), 3.76);
  assert.equal(h.bool('FLAG'), true);
  assert.equal(h.number('MISSING'), undefined);
});

test('header parser rejects binary junk and endless headers', () => {
  const junk = new Uint8Array(2880).fill(0xff);
  assert.throws(() => new HeaderParser().push(junk), /non-ASCII/);
  const p = new HeaderParser(3);
  const noEnd = new Uint8Array(2880).fill(32);
  noEnd.set(Buffer.from('COMMENT x'), 0);
  assert.throws(() => {
    for (let i = 0; i < 10; i++) p.push(noEnd);
  }, /no END card within 3 blocks/);
});
