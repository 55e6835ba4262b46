/**
 * Rule regexes on Moat's linear-time matcher (src/antispam/rules/linear-regex/) beside
 * JavaScript's RegExp (V8's backtracking engine, what rules ran on before), in the same run:
 *
 *   1. ordinary rule patterns over the visible text of every corpus message (throughput, and
 *      every answer compared: the two must agree);
 *   2. patterns that backtrack, on texts made to trigger it. RegExp runs in a child process
 *      killed after --limit seconds (default 10).
 *
 *   node bin/moat-dev.js bench/antispam/rule-regex.ts [--limit 10]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compileLinearRegex } from '../../src/antispam/rules/linear-regex/linear-regex.js';
import { viewMessage } from '../../src/antispam/message-view.js';
import { loadCorpus } from './corpus.js';

const { values } = parseArgs({ options: { limit: { type: 'string' } } });
const limitMs = Number(values.limit ?? 10) * 1000;

// A collector to call, so the heap a regex keeps after a search can be read.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

const linear = (source: string) => {
  const r = compileLinearRegex(source);
  if (!r.ok) throw new Error(`${source}: ${r.error}`);
  return r.regex;
};
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)} s` : x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(2)} ms`);

// 1. Ordinary patterns, the kind administrators write (the first is the shipped rule's).
const ORDINARY = [
  '\\b(free|cash|\\$\\d+|money|loan|credit)\\b',
  '\\bv\\s*[i1!|]\\s*a\\s*g\\s*r\\s*a\\b',
  '\\$\\s?\\d{1,3}(,\\d{3})+',
  '\\b(click|tap)\\s+here\\b',
  '\\b\\d{3}[-.\\s]\\d{3}[-.\\s]\\d{4}\\b',
  'https?://\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}',
  '[A-Z]{12,}',
  '(unsubscribe|opt[- ]?out|remove)\\s+(me|from|yourself)',
  '^\\s*dear\\s+(friend|sir|madam)',
  'limited\\s+time(\\s+only|\\s+offer)?',
];
const corpus = await loadCorpus(Infinity);
const texts = corpus.map((m) => viewMessage(Buffer.from(m.text)).text);
const chars = texts.reduce((n, t) => n + t.length, 0);
console.log(`1. Ordinary rule patterns over the visible text of ${texts.length.toLocaleString('en')} corpus messages (${(chars / 1e6).toFixed(1)} M characters), case-insensitive\n`);
console.log('| pattern | messages matched | RegExp | Moat linear | answers that differ |\n|---|---|---|---|---|');
for (const source of ORDINARY) {
  const re = new RegExp(source, 'iu');
  const lin = linear(source);
  lin.test('warm');
  let t = performance.now();
  const v8 = texts.map((x) => re.test(x));
  const v8Ms = performance.now() - t;
  t = performance.now();
  const ours = texts.map((x) => lin.test(x));
  const oursMs = performance.now() - t;
  const differ = v8.filter((v, i) => v !== ours[i]).length;
  console.log(`| \`${source.replace(/\|/g, '\\|')}\` | ${ours.filter(Boolean).length} | ${ms(v8Ms)} (${(chars / 1e3 / v8Ms).toFixed(0)} MB/s) | ${ms(oursMs)} (${(chars / 1e3 / oursMs).toFixed(0)} MB/s) | ${differ} |`);
}

// 2. Backtracking patterns. Text is built by an expression so the child builds the same one.
const RANDOM_AB = "(() => { let x = 2463534242, s = ''; for (let i = 0; i < 262144; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; s += (x & 1) ? 'a' : 'b'; } return s; })()";
const HOSTILE: Array<[string, string, string]> = [
  ['(a+)+b', "'a'.repeat(30)", '30 a'],
  ['(a+)+b', "'a'.repeat(100000)", '100,000 a'],
  ['(a|aa)+b', "'a'.repeat(40)", '40 a'],
  ['(\\w+\\s?)+$', "'word '.repeat(6) + '!'", '"word " × 6 + !'],
  ['\\s*\\s*\\s*x', "' '.repeat(3000)", '3,000 spaces'],
  ['\\s*\\s*\\s*x', "' '.repeat(100000)", '100,000 spaces'],
  ['(a|b)*a(a|b){12}$', "Array.from({length: 20000}, (_, i) => 'ab'[(i * 7919) % 13 % 2]).join('') + 'b'.repeat(13)", '20,000 a/b'],
  ['<[^>]*\\s+href\\s*=', "'<a'.repeat(50000)", '"<a" × 50,000'],
  // The matcher's own worst cases: DFAs too big to cache, run on the NFA (the last one stops at its step budget).
  ['[ab]*a[ab]{12}x', RANDOM_AB, '256 KB random a/b'],
  ['[ab]*a[ab]{500}x', RANDOM_AB, '256 KB random a/b'],
  ['(?:[ab]{0,99}a){100}x', `${RANDOM_AB}.slice(0, 20000)`, '20 KB random a/b'],
  // Not backtracking: the cost of a text in another script (one code-point class for all of it).
  ['free|cash|money|loan|credit|viagra|cialis|pharmacy|casino|winner', "Array.from({ length: 262144 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 3000))).join('') + ' viagra'", '256 KB CJK + " viagra"'],
];
console.log(`\n2. Patterns that backtrack (RegExp in a child process, killed after ${limitMs / 1000} s)\n`);
console.log('| pattern | text | RegExp | Moat linear | same answer | heap the regex keeps |\n|---|---|---|---|---|---|');
for (const [source, make, label] of HOSTILE) {
  const child = spawnSync(process.execPath, ['-e', `const re = new RegExp(${JSON.stringify(source)}, 'iu'); const text = ${make}; const t = performance.now(); const r = re.test(text); console.log(JSON.stringify({ r, ms: performance.now() - t }));`], { timeout: limitMs, encoding: 'utf8' });
  const v8 = child.status === 0 ? (JSON.parse(child.stdout) as { r: boolean; ms: number }) : undefined;
  const text = new Function(`return ${make};`)() as string;
  text.indexOf('\u0000'); // flattens a text built by += now, not during the search (its pieces would be freed then)
  const before = heapMb();
  const lin = linear(source);
  const t = performance.now();
  const found = lin.search(text);
  const oursMs = performance.now() - t;
  const r = found ?? false;
  const how = found === undefined ? ' (gave up: RULE_REGEX_LIMIT)' : lin.stats.nfaFallbacks ? ' (on the NFA)' : '';
  // Compiled program and DFA cache, still referenced by `lin` (the text is counted in `before`).
  const kept = heapMb() - before;
  console.log(`| \`${source.replace(/\|/g, '\\|')}\` | ${label} | ${v8 ? ms(v8.ms) : `> ${limitMs / 1000} s (killed)`} | ${ms(oursMs)}${how} | ${v8 ? (v8.r === r ? 'yes' : 'NO') : `- (Moat: ${r})`} | ${kept < 0.1 ? '< 0.1' : kept.toFixed(1)} MB (${lin.stats.statesBuilt} states built) |`);
}
