import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileLinearRegex, type LinearRegex } from './linear-regex.js';
import { MAX_CACHED_INSTRUCTIONS, MAX_DFA_STATES, MAX_SEARCH_STEPS } from './lazy-dfa.js';
import { PARSE_LIMITS } from './parse.js';
import { looksPastedWithSlashes, reduceIdentityEscapes } from './rule-dialect.js';
import { CASE_CLASSES } from './case-folding-data.js';

function compiled(source: string, ignoreCase = true): LinearRegex {
  const r = compileLinearRegex(source, { ignoreCase });
  if (!r.ok) assert.fail(`${source}: ${r.error}`);
  return r.regex;
}

function compiledM(source: string): LinearRegex {
  const r = compileLinearRegex(source, { multiline: true });
  if (!r.ok) assert.fail(`${source}: ${r.error}`);
  return r.regex;
}

/** Our answer and JavaScript's for the same pattern and text (only for patterns V8 runs quickly on that text). */
function agree(source: string, text: string, ignoreCase = true): void {
  const ours = compiled(source, ignoreCase).test(text);
  const v8 = new RegExp(source, ignoreCase ? 'iu' : 'u').test(text);
  assert.equal(ours, v8, `/${source}/${ignoreCase ? 'iu' : 'u'} on ${JSON.stringify(text)}`);
}

test('matches as a JavaScript RegExp with the i and u flags would, construct by construct', () => {
  const rows: Array<[string, string[]]> = [
    ['\\b(free|cash|\\$\\d+|money|loan|credit)\\b', ['get FREE stuff', 'freedom', 'only $500 today', '$ 5', 'Credit', 'discredit', 'money!']],
    ['^viagra', ['Viagra now', ' viagra', '']],
    ['now$', ['buy NOW', 'now.', 'now\n']],
    ['^$', ['', ' ']],
    ['a{2,3}b', ['ab', 'aab', 'aaaab', 'AAB']],
    ['x{3}', ['xx', 'xXx']],
    ['x{2,}y', ['xy', 'xxy', 'xxxxxxy']],
    ['colou?r', ['color', 'colour', 'colouur']],
    ['[^a-z0-9 ]', ['abc 123', 'abc!', 'ABC']],
    ['[a-f\\d]+-[\\w.]+', ['dead-beef.x', '-x', 'G-x']],
    ['[\\W\\d]', ['a', '!', '5', 'S']],
    ['\\Bcash\\B', ['cash', 'ecashe', 'e cash']],
    ['\\s\\S\\s', [' a ', '   ', 'a\u00a0b\u00a0']],
    ['.', ['', '\n', '\r\n', 'x', '\u2028']],
    ['a.c', ['abc', 'a\nc', 'a😀c']],
    ['\\u{1F600}|\\uD83D\\uDE01', ['😀', '😁', '😂']],
    ['\\x41\\u0042\\t\\cJ', ['ab\t\n', 'AB\tx']],
    ['(?:ab|cd)+e', ['ababcde', 'abce', 'e']],
    ['(?<word>pill)s?', ['PILLS', 'pi ll']],
    ['(a*)*b', ['aaab', 'aaaa']],
    ['(|a)+b', ['b', 'ab', '']],
    ['[\\-\\]\\\\]', ['-', ']', '\\', 'x']],
    ['[.*+?^$]', ['a', '*', '^']],
    ['\\[\\]\\{\\}\\(\\)\\|\\/', ['[]{}()|/']],
    ['σ', ['Σ', 'ς', 's']],
    ['ÉTÉ', ['été', 'ete']],
    ['[à-ÿ]', ['À', 'Ÿ', 'a']],
    ['\\w+@\\w+\\.com', ['alice@example.com', 'x@.com']],
    ['a+?b', ['aaab']],
    ['\\0', ['\u0000', '0']],
    ['\\B.', ['a😀a', '😀😀']],
  ];
  for (const [source, texts] of rows) for (const text of texts) agree(source, text);
  for (const [source, texts] of rows.slice(0, 8)) for (const text of texts) agree(source, text, false);
  // Multiline: ^ and $ at line ends too (\n, \r, U+2028, U+2029).
  for (const [source, texts] of [
    ['^x-mailer: microsoft', ['Subject: hi\nX-Mailer: Microsoft Outlook', 'X-Mailer: Microsoft', 'Subject: X-Mailer: Microsoft']],
    ['outlook$', ['X-Mailer: Outlook\nSubject: hi', 'Outlook\r\n', 'Outlook express']],
    ['^$', ['a\n\nb', 'a\nb', '']],
    ['^\\s*dear friend', ['Hello\n  Dear Friend,', 'Hello Dear Friend']],
  ] as Array<[string, string[]]>) {
    for (const text of texts) assert.equal(compiledM(source).test(text), new RegExp(source, 'imu').test(text), `/${source}/imu on ${JSON.stringify(text)}`);
  }
});

test('refuses, with the reason, what cannot run in linear time and what JavaScript refuses', () => {
  const refused: Array<[string, RegExp]> = [
    ['(a)\\1', /backreferences/],
    ['(?<x>a)\\k<x>', /named backreferences/],
    ['foo(?=bar)', /lookahead and lookbehind/],
    ['foo(?!bar)', /lookahead and lookbehind/],
    ['(?<=\\$)\\d+', /lookahead and lookbehind/],
    ['(?<!x)y', /lookahead and lookbehind/],
    ['\\p{Lu}', /property escapes/],
    ['a{1001}', /repetition count above 1000/],
    ['((a{100}){100}){100}', /states once its repetitions are expanded/],
    ['x'.repeat(PARSE_LIMITS.maxPatternLength + 1), /longer than 4096/],
    [`${'('.repeat(PARSE_LIMITS.maxNesting + 1)}a${')'.repeat(PARSE_LIMITS.maxNesting + 1)}`, /nested deeper than 64/],
    ['(unclosed', /^Unterminated group$/],
    ['a**', /^Nothing to repeat$/],
    ['\\q', /^Invalid escape$/],
  ];
  for (const [source, reason] of refused) {
    const r = compileLinearRegex(source);
    assert.equal(r.ok, false, source.slice(0, 40));
    if (!r.ok) assert.match(r.error, reason, source.slice(0, 40));
  }
});

test('what SpamAssassin administrators paste: Perl escapes of punctuation work, Perl-only syntax is refused with what to write, /…/i is recognised', () => {
  assert.ok(compiled('user\\@example\\.com').test('mail USER@example.com now'));
  assert.ok(!compiled('user\\@example\\.com').test('user@exampleXcom'));
  assert.ok(compiled('pre\\-approved').test('You are PRE-APPROVED'));
  assert.ok(compiled('mortgage\\ rates').test('low mortgage rates'));
  assert.ok(compiled('[\\-\\@]x').test('@x') && compiled('[\\-\\@]x').test('-x'));
  assert.ok(compiled('\\"free\\"').test('a "free" gift'));
  const refused: Array<[string, RegExp]> = [
    ['\\[\\@\\-x]', /^Lone quantifier brackets: a literal \{, \} or \] is written \\\{, \\\} or \\\] in JavaScript$/],
    ['(?i)viagra', /Invalid group: inline flags such as \(\?i\) are not JavaScript: rule regexes are always case-insensitive/],
    ['\\Afoo\\z', /Invalid escape: \\A, \\z and \\Z are not JavaScript: use \^ and \$/],
    ['[[:alpha:]]{20}', /POSIX classes such as \[\[:alpha:\]\] are not JavaScript/],
    ['\\bmoney(?! back)', /^lookahead and lookbehind .* \(at character 8: "\(\?! back"\)$/],
    ['a\\@b(\\w)\\1', /^backreferences .* \(at character 9: "\\1"\)$/],
  ];
  for (const [source, reason] of refused) {
    const r = compileLinearRegex(source);
    assert.equal(r.ok, false, source);
    if (!r.ok) assert.match(r.error, reason, source);
  }
  assert.ok(compiled('/images/').test('http://x.example/images/a.gif'), 'a path between slashes is a pattern (rule-set.ts warns that it looks pasted)');
  for (const [pattern, pasted] of [['/\\bcheap\\s+meds\\b/i', true], ['/lottery winner/', true], ['/cgi-bin/m', true], ['/foo\\\\/i', true], ['/foo\\/i', false], ['/', false], ['//', false], ['a/b/', false], ['/wp-admin/setup', false], ['/x/y/z', false]] as const)
    assert.equal(looksPastedWithSlashes(pattern), pasted, pattern);
});

test('case-insensitive matching is exactly /iu for every cased code point (Unicode simple case folding, as V8 applies it)', () => {
  const universe = new Set<number>();
  for (const members of CASE_CLASSES) for (const cp of members) universe.add(cp);
  const escape = (cp: number) => `\\u{${cp.toString(16)}}`;
  const related = (cp: number) => {
    const ch = String.fromCodePoint(cp);
    const out = new Set<number>([cp, 0x69, 0x49, 0x131, 0x130, 0x73, 0x17f, 0x3c3, 0x3c2]);
    for (const m of [ch.toLowerCase(), ch.toUpperCase(), ch.toLowerCase().toUpperCase(), ch.toUpperCase().toLowerCase()]) out.add(m.codePointAt(0)!);
    for (const members of CASE_CLASSES) if (members.includes(cp)) for (const m of members) out.add(m);
    return out;
  };
  let compared = 0;
  for (const cp of universe) {
    for (const source of [escape(cp), `[${escape(cp)}]`, `[^${escape(cp)}]`]) {
      const ours = compiled(source);
      const v8 = new RegExp(`^(?:${source})$`, 'iu');
      for (const other of related(cp)) {
        const text = String.fromCodePoint(other);
        assert.equal(ours.test(text), v8.test(text), `/${source}/iu on U+${other.toString(16)}`);
        compared++;
      }
    }
  }
  // The cases a review found with the lower/upper comparison this replaced.
  for (const [source, text] of [['ẞ', 'ß'], ['[^ẞ]', 'ß'], ['ᾼ', 'ᾳ'], ['\\u0390', '\u1fd3'], ['\\u03b0', '\u1fe3'], ['ﬅ', 'ﬆ'], ['i', 'ı'], ['I', 'ı'], ['\\w', 'ı'], ['v\\w+agra', 'vıagra'], ['\\bı', 'aı']] as const) agree(source, text);
  assert.ok(compared > 9000, `${compared} comparisons`);
  // And the committed classes are exactly what this Node's /iu does (all pairs of cased code
  // points, and nothing else folding with them): a newer Unicode would show here.
  const check = spawnSync(process.execPath, [fileURLToPath(new URL('../../../../scripts/gen-case-folding.mjs', import.meta.url)), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('a text in another script costs one lookup per character: a keyword after 256 KB of CJK is found, quickly', () => {
  const cjk = Array.from({ length: 256 * 1024 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 3000))).join('');
  const re = compiled('free|cash|money|loan|credit|viagra|cialis|pharmacy|casino|winner');
  assert.equal(re.search(`${cjk} viagra`), true, 'not given up');
  assert.ok(re.stats.statesBuilt < 20, `${re.stats.statesBuilt} DFA states`);
});

test('repeats of nothing compile to nothing; expansions past the limit are refused, quickly', { timeout: 30_000 }, () => {
  for (const source of ['(?:(?:(?:){1000}){1000}){1000}', '(?:(?:(?:a{0}){1000}){1000}){1000}x']) assert.ok(compiled(source).test('x'), source);
  for (const source of ['(?:(?:(?:^|){1000}){1000}){1000}', '(?:(?:(?:\\b){1000}){1000}){1000}', '(?:(?:(?:(?:a?){1000}){1000}){1000}){1000}']) {
    const r = compileLinearRegex(source);
    assert.ok(!r.ok && /states once its repetitions are expanded/.test(r.error), source);
  }
});

test('prefilter check: a text the regex matches without the literal, exact around \\b and \\B, never spelled by its own context', () => {
  const regex = (source: string) => compiledM(source);
  for (const [source, literal, expected] of [
    ['(massmail|bulk ?mailer|sendblaster)', 'mail', 'sendblaster'],
    ['\\b\\$\\d+|lottery', 'lottery', 'x$0'],
    ['\\Bfoo', 'xfoo', 'qfoo'],
    ['foo\\B', 'foox', 'fooq'],
    ['İb', 'ib', 'İb'],
  ] as const) assert.equal(regex(source).textWithout(literal), expected, `${source} / ${literal}`);
  for (const [source, literal] of [['v[i1!|]agra', 'agra'], ['casino\\s+bonus', 'CASINO'], ['\\bsex\\b', 'sex'], ['(?:foo)?bar', 'bar'], ['ΣΟΦΙΑ', 'σοφια'], ['\\bk\\b', 'k'], ['aab|a+ab', 'aab']] as const)
    assert.equal(regex(source).textWithout(literal), undefined, `${source} / ${literal}`);
  const huge = 'the quick brown fox jumped over the lazy dog 0123456';
  assert.equal(regex(`(?:[a-z0-9 ]{0,999}){9}${huge}`).textWithout(huge), false, 'too big a search to tell: said so, not taken for fine');
  assert.equal(regex('(?:viagra)?\\b').emptyMatchIn(), 'x');
  assert.equal(regex('x*').emptyMatchIn(), '');
  assert.equal(regex('\\bviagra\\b').emptyMatchIn(), undefined);
});

test('patterns that make a backtracking engine run for minutes take linear time here', { timeout: 60_000 }, () => {
  // Each of these takes V8 longer than the age of the universe on these texts (exponential) or
  // minutes (cubic); bench/antispam/rule-regex.ts times both side by side.
  const cases: Array<[string, string, boolean]> = [
    ['(a+)+$', `${'a'.repeat(100_000)}!`, false],
    ['(a|aa)+$', `${'a'.repeat(100_000)}!`, false],
    ['(\\w+\\s?)+$', `${'word '.repeat(20_000)}!`, false],
    ['\\s*\\s*\\s*x', `${' '.repeat(100_000)}y`, false],
    ['(.*a){20}', 'a'.repeat(100_000), true],
    ['(x+x+)+y', `${'x'.repeat(100_000)}`, false],
  ];
  for (const [source, text, expected] of cases) {
    const re = compiled(source);
    assert.equal(re.test(text), expected, source);
    assert.ok(re.stats.statesBuilt < 100, `${source}: ${re.stats.statesBuilt} DFA states`);
  }
});

test('a pattern whose DFA would be exponential empties its cache and stays right', () => {
  // (a|b)*a(a|b){12}: "the 13th character from the end is an a" needs 2^13 DFA states.
  const source = '(a|b)*a(a|b){12}$';
  const re = compiled(source);
  const random = fc.sample(fc.array(fc.constantFrom('a', 'b'), { minLength: 20_000, maxLength: 20_000 }), { numRuns: 1, seed: 7 })[0]!.join('');
  // RegExp is quadratic on this pattern when it fails (18 s on 20,000 characters), so the answer
  // is computed directly: the 13th character from the end is an a.
  for (const text of [random, `${random}a${'b'.repeat(12)}`, `${random}b${'b'.repeat(12)}`, random.slice(0, 5000), 'a'.repeat(12)])
    assert.equal(re.test(text), text.length >= 13 && text[text.length - 13] === 'a', `text of ${text.length} ending ${text.slice(-13)}`);
  assert.equal(re.test('xa'.padEnd(14, 'b')), new RegExp(source, 'iu').test('xa'.padEnd(14, 'b')));
  assert.ok(re.stats.cacheResets > 0, `the cache was emptied (${re.stats.statesBuilt} states built, at most ${MAX_DFA_STATES} kept)`);
});

test('the DFA cache is bounded by the instructions its states hold, not only by their number', () => {
  // Each state of this pattern holds thousands of NFA instructions: the 200,000-instruction bound
  // empties the cache long before 1,000 states.
  const re = compiled('(?:[ab]{0,99}a){100}x');
  const text = fc.sample(fc.array(fc.constantFrom('a', 'b'), { minLength: 500, maxLength: 500 }), { numRuns: 1, seed: 5 })[0]!.join('');
  assert.equal(re.search(text), false);
  assert.ok(re.stats.cacheResets > 0 && re.stats.statesBuilt < MAX_DFA_STATES, `${re.stats.statesBuilt} states built, ${re.stats.cacheResets} resets (bound: ${MAX_CACHED_INSTRUCTIONS.toLocaleString('en')} instructions)`);
});

test('a pattern with more code-point classes than a dense transition table holds matches as RegExp does', () => {
  // 300 separate CJK characters make ~600 classes: transitions go to a map instead of an array.
  const chars = Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x4e00 + 2 * i));
  const source = `[${chars.join('')}]{2}x|z[^${chars.slice(0, 150).join('')}]`;
  const texts = ['一丂x', '一丁x', 'z丁', 'z一', `${'丁'.repeat(1000)}一丂x`, `${'世界'.repeat(500)}`];
  for (const text of texts) agree(source, text);
});

test('a search that would take more than its step budget gives up and says so (search: undefined), within the budget it answers', () => {
  // Hundreds of counted repetitions behind a star: every character keeps ~500 NFA states alive.
  const source = '[ab]*a[ab]{500}x';
  const re = compiled(source);
  const random = fc.sample(fc.array(fc.constantFrom('a', 'b'), { minLength: 256 * 1024, maxLength: 256 * 1024 }), { numRuns: 1, seed: 11 })[0]!.join('');
  assert.equal(re.search(random), undefined, `gave up after ${MAX_SEARCH_STEPS.toLocaleString('en')} steps`);
  assert.equal(re.test(random), false, 'test() counts giving up as no match');
  assert.equal(re.stats.gaveUp, 2);
  assert.equal(re.search(random.slice(0, 4000)), false, 'a shorter text is answered');
  assert.equal(re.search(`${random.slice(0, 4000)}a${'b'.repeat(500)}x`), true);
  assert.equal(re.stats.gaveUp, 2, 'and neither gave up');
  assert.equal(compiled('(?:\\w+\\s*){300}x').search(random.replace(/b/g, ' ')), false, 'a pattern whose DFA stays small is never cut short');
});

/**
 * RegExp's answer, or undefined where V8 departs from the standard: it lets an empty match
 * (\\B alone, say) sit between the two halves of a surrogate pair under /u (/\\B/u.exec('a😀a')
 * is at index 2), where the standard and this matcher see one character.
 */
function regExpTest(source: string, flags: string, text: string): boolean | undefined {
  // Perl-style escapes of punctuation (\\-, \\@, \\ ) mean the character itself, as without /u.
  const m = new RegExp(reduceIdentityEscapes(source).source, flags).exec(text);
  if (m === null) return false;
  const low = text.charCodeAt(m.index);
  return m.index > 0 && low >= 0xdc00 && low <= 0xdfff && text.charCodeAt(m.index - 1) >= 0xd800 && text.charCodeAt(m.index - 1) <= 0xdbff ? undefined : true;
}

/** Random patterns built from the supported grammar, rendered as JavaScript source. */
const ALPHABET = ['a', 'b', 'A', 'é', 'É', ' ', '-', '1', '.', '\n', '\r', '\u2028', 'ß', 'Ж', 'ж', '😀'];
const patternArb: fc.Arbitrary<string> = fc.letrec<{ node: string; atom: string; term: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small' },
    { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'A', 'é', 'Ж', '1', '\\.', '\\-', ' ', '😀', '\\n', 'ß') },
    { weight: 2, arbitrary: fc.constantFrom('.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '[ab]', '[^a]', '[a-c1]', '[^\\w]', '[\\s\\d]', '[à-ÿ]', '[Ѐ-ӿ]', '\\u{1F600}') },
    { weight: 1, arbitrary: fc.constantFrom('^', '$', '\\b', '\\B') },
    { weight: 2, arbitrary: tie('node').map((n) => `(?:${n})`) },
  ),
  term: fc.tuple(tie('atom'), fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?')).map(([a, q]) => (/^(\^|\$|\\b|\\B)$/.test(a) ? a : a + q)),
  node: fc.oneof(
    { weight: 3, arbitrary: fc.array(tie('term'), { minLength: 1, maxLength: 4 }).map((ts) => ts.join('')) },
    { weight: 1, arbitrary: fc.array(tie('term'), { minLength: 2, maxLength: 3 }).map((ts) => ts.join('|')) },
  ),
})).node;
const textArb = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 14 }).map((cs) => cs.join(''));

test('property: on random patterns and texts, the same answer as RegExp (u flag, with and without i and m)', () => {
  fc.assert(
    fc.property(patternArb, fc.array(textArb, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), fc.constantFrom(undefined, 2, 3), (source, texts, ignoreCase, multiline, maxDfaStates) => {
      // A cache of 2 or 3 states sends most searches to the NFA fallback after a character or two.
      const r = compileLinearRegex(source, { ignoreCase, multiline, maxDfaStates });
      if (!r.ok) return; // a pattern too large once expanded, or one V8 refuses (a quantified assertion)
      for (const text of texts) {
        const expected = regExpTest(source, `${ignoreCase ? 'i' : ''}${multiline ? 'm' : ''}u`, text);
        if (expected !== undefined) assert.equal(r.regex.test(text), expected, `/${source}/ on ${JSON.stringify(text)} (${maxDfaStates ?? 'default'} DFA states)`);
      }
    }),
    { numRuns: 4000 },
  );
});

test('fuzz: arbitrary pattern text is either refused with a message or matched as RegExp matches it', () => {
  const patternText = fc.oneof(fc.string({ maxLength: 24 }), fc.array(fc.constantFrom('(', ')', '[', ']', '{', '}', '\\', '^', '$', '|', '*', '+', '?', '.', '-', ',', '1', '3', 'a', 'b', 'u', 'x', 'k', 'p', '<', '>', '=', '!', ':', 'w', 'B'), { maxLength: 20 }).map((cs) => cs.join('')));
  fc.assert(
    fc.property(patternText, textArb, (source, text) => {
      const r = compileLinearRegex(source);
      if (!r.ok) {
        assert.ok(r.error.length > 0);
        return;
      }
      const expected = regExpTest(source, 'iu', text);
      if (expected !== undefined) assert.equal(r.regex.test(text), expected, `/${source}/iu on ${JSON.stringify(text)}`);
    }),
    { numRuns: 20_000 },
  );
});
