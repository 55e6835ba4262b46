import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecutableInfo, MatchContext } from '../contracts.js';
import type { FileType } from '../filetype/file-types.js';
import type { BodySignatureRecord, LogicalSignatureRecord } from '../sigdb/records.js';
import { compileMatcher } from './compile-matcher.js';
import { loadMatcher } from './load-matcher.js';

const src = { file: 'test.ndb', line: 1 };
const ndb = (name: string, hex: string, offset = '*', target = 0): BodySignatureRecord => ({ name, target, offset, hex, source: src });
const ldb = (name: string, tdb: Record<string, string>, expression: string, subsigs: string[]): LogicalSignatureRecord => ({
  name, tdb, expression, subsigs, source: src,
});
const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const hexOf = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const ctx = (type: FileType = 'CL_TYPE_BINARY_DATA', extra: Partial<MatchContext> = {}): MatchContext => ({ type, containers: [], allMatch: true, ...extra });

function names(body: BodySignatureRecord[], logical: LogicalSignatureRecord[], data: string | Uint8Array, c = ctx()): string[] {
  const { matcher, rejected } = compileMatcher(body, logical);
  assert.deepEqual(rejected, []);
  return matcher.scan(typeof data === 'string' ? bytes(data) : data, c).names.sort();
}

const one = (hex: string, data: string, offset = '*', c = ctx()): boolean => names([ndb('S', hex, offset)], [], data, c).includes('S');

test('literals, ?? and nibble wildcards', () => {
  assert.equal(one('41424344', '..ABCD..'), true);
  assert.equal(one('41424344', '..ABCE..'), false);
  assert.equal(one('4142??4445', 'xABzDEx'), true);
  assert.equal(one('414243?4', 'ABCt'), true); // ?4 = low nibble 4 (t = 0x74)
  assert.equal(one('414243?4', 'ABCu'), false);
  assert.equal(one('4142434?', 'ABCO'), true); // 4? = high nibble 4
  assert.equal(one('4142434?', 'ABC_'), false);
});

test('alternates: single byte, negated, fixed multi-byte, generic', () => {
  assert.equal(one('414243(44|45)', 'ABCE'), true);
  assert.equal(one('414243(44|45)', 'ABCF'), false);
  assert.equal(one('414243!(44|45)', 'ABCF'), true);
  assert.equal(one('414243!(44|45)', 'ABCD'), false);
  assert.equal(one('4142(4344|5859)4546', 'ABXYEF'), true);
  assert.equal(one('4142!(4344|5859)4546', 'ABXYEF'), false);
  assert.equal(one('4142!(4344|5859)4546', 'ABXZEF'), true);
  assert.equal(one('4142(43|5859??)4546', 'ABXY!EF'), true);
  assert.equal(one('4142(43|5859??)4546', 'ABCEF'), true);
  assert.equal(one('4142(43|5859??)4546', 'ABXYEF'), false);
});

test('gaps: {n}, {n-m}, {-n}, {n-}, * and ClamAV maxdist 0 = unbounded', () => {
  assert.equal(one('41424344{3}45464748', 'ABCDxyzEFGH'), true);
  assert.equal(one('41424344{3}45464748', 'ABCDxyEFGH'), false);
  assert.equal(one('41424344{2-4}45464748', 'ABCDxyzwEFGH'), true);
  assert.equal(one('41424344{2-4}45464748', 'ABCDxyzwvEFGH'), false);
  assert.equal(one('41424344{-2}45464748', 'ABCDEFGH'), true);
  assert.equal(one('41424344{-2}45464748', 'ABCDxyzEFGH'), false);
  assert.equal(one('41424344{3-}45464748', 'ABCD......EFGH'), true);
  assert.equal(one('41424344{3-}45464748', 'ABCDxyEFGH'), false);
  assert.equal(one('41424344*45464748', `ABCD${'.'.repeat(5000)}EFGH`), true);
  assert.equal(one('41424344*45464748', 'EFGH...ABCD'), false);
  assert.equal(one('41424344{0}45464748', 'ABCD....EFGH'), true);
  assert.equal(one('41424344{200}45464748', `ABCD${'.'.repeat(200)}EFGH`), true);
  assert.equal(one('41424344{200}45464748', `ABCD${'.'.repeat(199)}EFGH`), false);
});

test('[x-y] char anchors and (B)/(L)/(W) classes', () => {
  assert.equal(one('5a[1-3]41424344', 'Z..ABCD'), true);
  assert.equal(one('5a[1-3]41424344', 'Z....ABCD'), false);
  assert.equal(one('41424344[0-2]5a', 'ABCD.Z'), true);
  assert.equal(one('41424344[0-2]5a', 'ABCD...Z'), false);
  assert.equal(one('(B)41424344', 'x ABCD'), true);
  assert.equal(one('(B)41424344', 'xABCD'), false);
  assert.equal(one('(B)41424344', 'ABCD'), true); // file start is a boundary
  assert.equal(one('41424344(B)', 'ABCD='), true);
  assert.equal(one('41424344(B)', 'ABCD.'), false); // '.' may only precede a word
  assert.equal(one('41424344!(B)', 'ABCDx'), true);
  assert.equal(one('41424344(L)', 'ABCD\r\n'), true);
  assert.equal(one('41424344(L)', 'ABCD\r'), false);
  assert.equal(one('414243(L)444546', 'ABC\r\nDEF'), true);
  assert.equal(one('414243(W)444546', 'ABC!DEF'), true);
  assert.equal(one('414243(W)444546', 'ABC1DEF'), false);
});

const exe: ExecutableInfo = {
  format: 'pe',
  entryPoint: 100,
  sections: [
    { rawOffset: 50, rawSize: 40, virtualAddress: 0x1000, virtualSize: 0x1000 },
    { rawOffset: 200, rawSize: 30, virtualAddress: 0x2000, virtualSize: 0x1000 },
  ],
};

test('offsets: absolute, maxshift, EOF, EP, Sx, SEx, SL', () => {
  const at = (pos: number, size = 300): string => `${'.'.repeat(pos)}WXYZ`.padEnd(size, '.');
  const pe = ctx('CL_TYPE_MSEXE', { exe });
  const tgt = (hex: string, offset: string, data: string): boolean => names([ndb('S', hex, offset, 1)], [], data, pe).includes('S');
  assert.equal(one('5758595a', at(10), '10'), true);
  assert.equal(one('5758595a', at(11), '10'), false);
  assert.equal(one('5758595a', at(14), '10,4'), true);
  assert.equal(one('5758595a', at(15), '10,4'), false);
  assert.equal(one('5758595a', at(290), 'EOF-10'), true);
  assert.equal(one('5758595a', at(289), 'EOF-10'), false);
  assert.equal(tgt('5758595a', 'EP+5', at(105)), true);
  assert.equal(tgt('5758595a', 'EP-5', at(95)), true);
  assert.equal(tgt('5758595a', 'EP+5', at(106)), false);
  assert.equal(tgt('5758595a', 'S1+3', at(203)), true);
  assert.equal(tgt('5758595a', 'S1+3', at(204)), false);
  assert.equal(tgt('5758595a', 'SE0', at(70)), true);
  assert.equal(tgt('5758595a', 'SE0', at(120)), false);
  assert.equal(tgt('5758595a', 'SL+0', at(200)), true);
  // EP offsets need executable facts: without them nothing matches.
  assert.equal(names([ndb('S', '5758595a', 'EP+5', 1)], [], at(105), ctx('CL_TYPE_MSEXE')).length, 0);
});

test('targets: per-type roots and ASCII normalisation', () => {
  assert.deepEqual(names([ndb('PE', '41424344', '*', 1)], [], 'ABCD', ctx('CL_TYPE_BINARY_DATA')), []);
  assert.deepEqual(names([ndb('PE', '41424344', '*', 1)], [], 'ABCD', ctx('CL_TYPE_MSEXE')), ['PE']);
  // Target 7 sees lower-cased, whitespace-collapsed text; generic sigs see raw and normalised.
  const text = 'Hello   WORLD\tof Mail';
  assert.deepEqual(names([ndb('T', hexOf('hello world of'), '*', 7)], [], text, ctx('CL_TYPE_TEXT_ASCII')), ['T']);
  assert.deepEqual(names([ndb('T', hexOf('hello world of'), '*', 7)], [], text, ctx('CL_TYPE_BINARY_DATA')), []);
  assert.deepEqual(names([ndb('G', hexOf('world of'), '*', 0)], [], text, ctx('CL_TYPE_TEXT_ASCII')), ['G']);
  assert.deepEqual(names([ndb('G', hexOf('WORLD'), '*', 0)], [], text, ctx('CL_TYPE_TEXT_ASCII')), ['G']);
});

test('logical signatures: operators, counts, distinct-subsig blocks', () => {
  const subs = [hexOf('AAAA1'), hexOf('BBBB2'), hexOf('CCCC3')];
  const L = (expr: string, data: string): boolean => names([], [ldb('L', { Target: '0' }, expr, subs)], data).includes('L');
  assert.equal(L('0&1', 'AAAA1 BBBB2'), true);
  assert.equal(L('0&1', 'AAAA1 CCCC3'), false);
  assert.equal(L('0|1', 'CCCC3 BBBB2'), true);
  assert.equal(L('0=2', 'AAAA1 AAAA1'), true);
  assert.equal(L('0=2', 'AAAA1 AAAA1 AAAA1'), false);
  assert.equal(L('0>1', 'AAAA1 AAAA1'), true);
  assert.equal(L('0>1', 'AAAA1'), false);
  assert.equal(L('0<2&1', 'AAAA1 BBBB2'), true);
  assert.equal(L('0&1=0', 'AAAA1'), true);
  assert.equal(L('0&1=0', 'AAAA1 BBBB2'), false);
  assert.equal(L('(0|1|2)>2,2', 'AAAA1 AAAA1 BBBB2'), true);
  assert.equal(L('(0|1|2)>2,2', 'AAAA1 AAAA1 AAAA1'), false);
  assert.equal(L('(0&1)|2', 'CCCC3'), true);
  assert.equal(L('0&(1|2)', 'AAAA1 CCCC3'), true);
});

test('logical signatures: target description conditions', () => {
  const sub = [hexOf('QWERTY')];
  const run = (tdb: Record<string, string>, data: string, c: MatchContext): boolean => names([], [ldb('L', tdb, '0', sub)], data, c).includes('L');
  assert.equal(run({ Engine: '51-255', Target: '0', FileSize: '5-10' }, 'QWERTY', ctx()), true);
  assert.equal(run({ Engine: '51-255', Target: '0', FileSize: '5-10' }, 'QWERTY.....', ctx()), false);
  const pe = ctx('CL_TYPE_MSEXE', { exe });
  assert.equal(run({ Engine: '51-255', Target: '1', EntryPoint: '100-200' }, 'QWERTY', pe), true);
  assert.equal(run({ Engine: '51-255', Target: '1', NumberOfSections: '3-4' }, 'QWERTY', pe), false);
  assert.equal(run({ Engine: '51-255', Target: '0', Container: 'CL_TYPE_ZIP' }, 'QWERTY', ctx('CL_TYPE_BINARY_DATA', { containers: ['CL_TYPE_ZIP'] })), true);
  assert.equal(run({ Engine: '51-255', Target: '0', Container: 'CL_TYPE_ZIP' }, 'QWERTY', ctx()), false);
  assert.equal(run({ Engine: '51-255', Target: '0', Container: 'CL_TYPE_ANY' }, 'QWERTY', ctx()), true);
  const nested = ctx('CL_TYPE_BINARY_DATA', { containers: ['CL_TYPE_MAIL', 'CL_TYPE_ZIP', 'CL_TYPE_GZ'] });
  assert.equal(run({ Engine: '51-255', Target: '0', Intermediates: 'CL_TYPE_ZIP>CL_TYPE_GZ' }, 'QWERTY', nested), true);
  assert.equal(run({ Engine: '51-255', Target: '0', Intermediates: 'CL_TYPE_ANY>CL_TYPE_ZIP' }, 'QWERTY', nested), false);
});

test('subsignature modifiers ::i ::w ::a ::f and offsets', () => {
  const L = (sub: string, data: string | Uint8Array): boolean => names([], [ldb('L', { Target: '0' }, '0', [sub])], data).includes('L');
  const wide = (s: string): Uint8Array => Uint8Array.from([...Buffer.from(s, 'latin1')].flatMap((b) => [b, 0]));
  assert.equal(L(`${hexOf('secret')}::i`, 'xx SeCrEt xx'), true);
  assert.equal(L(`${hexOf('secret')}`, 'xx SeCrEt xx'), false);
  assert.equal(L(`${hexOf('secret')}::w`, wide('a secret')), true);
  assert.equal(L(`${hexOf('secret')}::w`, 'a secret'), false);
  assert.equal(L(`${hexOf('secret')}::wa`, 'a secret'), true);
  assert.equal(L(`${hexOf('secret')}::f`, 'a secret!'), true);
  assert.equal(L(`${hexOf('secret')}::f`, 'a secrets'), false);
  assert.equal(L(`${hexOf('secret')}::iw`, wide('a SECRET')), true);
  assert.equal(L(`EOF-6:${hexOf('secret')}`, '....secret'), true);
  assert.equal(L(`EOF-6:${hexOf('secret')}`, '....secret.'), false);
  assert.equal(L(`2:${hexOf('secret')}`, '..secret'), true);
});

test('unsupported and malformed signatures are rejected, never thrown or dropped', () => {
  const { rejected, matcher } = compileMatcher(
    [
      ndb('VI', '41424344', 'VI'),
      ndb('Macro', '41424344', '$3'),
      ndb('BadHex', '4142zz44'),
      ndb('NoStatic', '41??42??43'),
      ndb('EpGeneric', '41424344', 'EP+0', 0),
      ndb('StarInAlt', '4142(43*|44)4546'),
      ndb('Good', '41424344'),
    ],
    [
      ldb('Pcre', { Engine: '81-255', Target: '0' }, '0&1', ['41424344', '0/abc[de]/i']),
      ldb('Bcomp', { Engine: '81-255', Target: '0' }, '0&1', ['41424344', '0(>>4#ib2#>512)']),
      ldb('MacroSub', { Engine: '51-255', Target: '0' }, '0&1', ['41424344', '${6-7}12$']),
      ldb('Icon', { Engine: '51-255', Target: '1', IconGroup1: 'x' }, '0', ['41424344']),
      ldb('BadExpr', { Target: '0' }, '0&5', ['41424344']),
      ldb('NoEngine', { Target: '0', FileSize: '1-2' }, '0', ['41424344']),
    ],
  );
  const by = new Map(rejected.map((r) => [r.message.split(':')[0], r.reason]));
  assert.equal(by.get('VI'), 'unsupported');
  assert.equal(by.get('Macro'), 'unsupported');
  assert.equal(by.get('BadHex'), 'malformed');
  assert.equal(by.get('NoStatic'), 'malformed');
  assert.equal(by.get('EpGeneric'), 'malformed');
  assert.equal(by.get('StarInAlt'), 'malformed');
  assert.equal(by.get('Pcre'), 'unsupported');
  assert.equal(by.get('Bcomp'), 'unsupported');
  assert.equal(by.get('MacroSub'), 'unsupported');
  assert.equal(by.get('Icon'), 'unsupported');
  assert.equal(by.get('BadExpr'), 'malformed');
  assert.equal(by.get('NoEngine'), 'malformed');
  assert.equal(rejected.length, 12);
  assert.equal(matcher.signatureCount, 1);
  assert.deepEqual(matcher.scan(bytes('xABCDx'), ctx()).names, ['Good']);
});

test('first match only unless allMatch; transferable round trip', () => {
  const { transferable } = compileMatcher([ndb('A', '41414141'), ndb('B', '42424242')], [ldb('L', { Target: '0' }, '0', ['43434343'])]);
  const clone = structuredClone(transferable);
  assert.ok(clone.buffers.every((b) => b instanceof SharedArrayBuffer));
  const m = loadMatcher(clone);
  assert.equal(m.signatureCount, 3);
  assert.deepEqual(m.scan(bytes('AAAA BBBB CCCC'), ctx()).names.sort(), ['A', 'B', 'L']);
  assert.equal(m.scan(bytes('AAAA BBBB CCCC'), ctx('CL_TYPE_BINARY_DATA', { allMatch: false })).names.length, 1);
});

test('hostile input: verification budget stops the pass and reports it', () => {
  // 300 signatures whose only static bytes are 'A', failing on their last byte, over 4 MiB of
  // 'A': every position is a candidate for all of them, each verified for 200+ steps.
  const sigs = Array.from({ length: 300 }, (_, i) => ndb(`F${i}`, `${'41'.repeat(200 + i)}?0`));
  const { matcher } = compileMatcher(sigs, []);
  const data = new Uint8Array(4 << 20).fill(0x41);
  const t0 = performance.now();
  const res = matcher.scan(data, ctx());
  const ms = performance.now() - t0;
  assert.equal(res.limitExceeded, true);
  assert.deepEqual(res.names, []);
  assert.ok(ms < 10_000, `took ${ms} ms`);
});

test('pathological signature texts compile in bounded time', () => {
  const t0 = performance.now();
  const manyGaps = `41424344${'{1}45'.repeat(20000)}`;
  const manyAlts = `41424344${'(45|4647)'.repeat(1000)}`;
  const { rejected, matcher } = compileMatcher([ndb('Gaps', manyGaps), ndb('Alts', manyAlts)], []);
  assert.ok(performance.now() - t0 < 5000);
  assert.deepEqual(rejected.map((r) => r.reason), ['unsupported']);
  assert.equal(matcher.signatureCount, 1);
  assert.deepEqual(matcher.scan(bytes(`ABCD${'.E'.repeat(20000)}`), ctx()).names, ['Gaps']);
});

test('an aborted signal stops the scan with ABORTED; sessions refuse misuse', () => {
  const { matcher } = compileMatcher([ndb('A', '41424344')], []);
  const ac = new AbortController();
  ac.abort();
  assert.throws(() => matcher.scan(new Uint8Array(1 << 16), ctx('CL_TYPE_BINARY_DATA', { signal: ac.signal })), { code: 'ABORTED' });
  const s = matcher.createScan(ctx(), 4);
  s.write(bytes('ABCD'));
  assert.deepEqual(s.end().names, ['A']);
  assert.throws(() => s.write(bytes('x')), { code: 'SCAN_FAILED' });
  assert.throws(() => matcher.createScan(ctx(), Number.NaN), { code: 'SCAN_FAILED' });
});
