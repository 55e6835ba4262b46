import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ObfuscatedWords } from './obfuscated-words.js';

const words = new ObfuscatedWords(['viagra', 'cialis', 'mortgage']);

test('hidden spellings are found, as written in the text', () => {
  for (const [text, found] of [
    ['Buy v1agra now', 'v1agra'],
    ['cheap V-I-A-G-R-A!', 'V-I-A-G-R-A'],
    ['V I A G R A', 'V I A G R A'],
    ['c!al1s for you', 'c!al1s'],
    ['vi@gra', 'vi@gra'],
    ['v i a g r a', 'v i a g r a'],
    ['v.i.a g-r-a', 'v.i.a g-r-a'], // every two letters apart, not all alike
    ['𝐱 v1agra', 'v1agra'],
    ['ciaIis', 'ciaIis'], // capital I for l
    ['vi\u00adagra', 'vi\u00adagra'], // soft hyphen
    ['vi\u200bagra', 'vi\u200bagra'], // zero-width space
    ['viаgra', 'viаgra'], // Cyrillic а
    ['m0rtg@ge rates', 'm0rtg@ge'],
    ['(v.i.a.g.r.a)', 'v.i.a.g.r.a'],
  ] as const)
    assert.equal(words.find(text), found, text);
});

test('plain words, longer words and words inside others are not hits', () => {
  for (const text of [
    'viagra VIAGRA ViAgRa', // the word itself, any case: a literals rule's job
    'specialist socialism', // inside other words
    'c1alisx', // a longer word
    'xv1agra', // starts inside a word
    'v . i . a . g . r . a', // three separators between letters: not one word
    'via grace', // "via gra" then more letters
    'cia lis', // one gap: two words
    'Re: Finance meeting', // one gap, "re" and "finance"
    'The pen is mightier', // two words
    'I lost my pen. Is it here?',
    'Casi no tengo tiempo', // Spanish
    'our re-finance offer', // a hyphenated word
    'le Vitra Design Museum',
    '𝐱v1agra', // starts inside a word (astral letter)
    'v1agra𝐱', // goes on into one
    'mortgages', // plain plural
    '',
  ])
    assert.equal(words.find(text), undefined, text);
});

test('property: text made only of plain words, halves of listed words and blanks never hits', () => {
  const plain = fc.constantFrom('viagra', 'Cialis', 'MORTGAGE', 'via', 'gra', 'cia', 'lis', 'mort', 'gage', 're', 'finance', 'pen', 'is', 'the', 'specialist', ' ', '\n', '. ', ': ', '-');
  fc.assert(fc.property(fc.array(plain, { maxLength: 30 }), (parts) => words.find(parts.join(' ')) === undefined));
});

test('property: a listed word with one letter swapped for a look-alike, or a separator between every two letters, is found between blanks', () => {
  const swaps: Record<string, string> = { i: '1', a: '@', o: '0', e: '3', s: '$', l: '|', g: '9', t: '7', c: 'ç' };
  fc.assert(
    fc.property(fc.constantFrom('viagra', 'cialis', 'mortgage'), fc.nat(), fc.boolean(), fc.constantFrom('-', '.', ' ', '_', '*', '\u200b'), (word, n, swap, sep) => {
      const k = n % word.length;
      let hidden: string;
      if (swap && swaps[word[k]!]) hidden = word.slice(0, k) + swaps[word[k]!] + word.slice(k + 1);
      else hidden = [...word].join(sep);
      assert.equal(words.find(`buy ${hidden} today`), hidden);
    }),
    { numRuns: 2000 },
  );
});

test('linear: a megabyte of near misses takes well under a second', () => {
  const many = new ObfuscatedWords(['viagra', 'cialis', 'mortgage', 'valium', 'vicodin', 'levitra', 'lottery', 'casino']);
  for (const text of ['v-i-a-g-r '.repeat(100_000), 'v'.repeat(1 << 20), ' v1agr'.repeat(170_000), 'c-i-a-l-i-'.repeat(100_000)]) {
    const t = performance.now();
    assert.equal(many.find(text), undefined);
    assert.ok(performance.now() - t < 1000, `${(performance.now() - t).toFixed(0)} ms`);
  }
});
