import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mixedScriptWord, wordsSplitByMarkup } from './hidden-text-checks.js';
import { dateInFuture, receivedDate } from './date-checks.js';

test('wordsSplitByMarkup counts markup that shows nothing inside a word, once per place', () => {
  assert.equal(wordsSplitByMarkup('vi<!-- x -->agra'), 1);
  assert.equal(wordsSplitByMarkup('vi<!-->agra vi<!--->agra'), 2, 'abruptly closed comments are closed');
  assert.equal(wordsSplitByMarkup('V<b></b>iagra c<span style="x">i</span>alis mo<font color=#fff>z</font>ney'), 3);
  assert.equal(wordsSplitByMarkup('v<b><i></i></b>iagra'), 1, 'a run of tags is one split');
  assert.equal(wordsSplitByMarkup('v<b></b>&#105;agra c<b></b>&iacute;alis'), 2, 'a letter written as an entity');
  assert.equal(wordsSplitByMarkup('Java<sup>TM</sup> and H<sub>2</sub>O'), 0, 'sup and sub set text apart');
  assert.equal(wordsSplitByMarkup('<p>one</p><p>two</p> a<br>b a<div>b</div>'), 0, 'block elements break words');
  assert.equal(wordsSplitByMarkup('vi<!-- unclosed agra'), 0);
  assert.equal(wordsSplitByMarkup('a < b and c<d'), 0, 'a lone < is text');
});

test('wordsSplitByMarkup: emphasis of part of a word and one element ending where the next starts are layout, not counted', () => {
  for (const html of [
    '<b>bold</b> <i>italic</i>',
    '<font size=4>W</font>elcome to <b>our</b> list',
    '<font size=5>S</font>UMMER <font size=5>S</font>ALE ... <b>N</b>OW <b>O</b>N',
    '<b>Winter</b>reifen, <b>Gratis</b>versand, <strong>Frühbucher</strong>rabatt',
    '<i>un</i>believable, <b>re</b>ally, <em>in</em>credible',
    'Her</span><span style="font-size:11pt">ren, Unterl</span><span lang=DE>agen',
  ])
    assert.equal(wordsSplitByMarkup(html), 0, html);
});

test('property: wordsSplitByMarkup never throws, counts at most one split per "<", and stays linear', () => {
  const piece = fc.constantFrom('<', '>', '<!--', '-->', 'a', 'b', ' ', '<b>', '</b>', '<span x="y">', '<p>', 'é', '<sup>');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const html = parts.join('');
      const n = wordsSplitByMarkup(html);
      assert.ok(n >= 0 && n <= html.split('<').length - 1);
    }),
    { numRuns: 3000 },
  );
  for (const html of ['<'.repeat(1 << 19), '<!--'.repeat(1 << 17), 'a<b>'.repeat(1 << 17), 'a<!-- -->'.repeat(1 << 16)]) {
    const t = performance.now();
    wordsSplitByMarkup(html);
    assert.ok(performance.now() - t < 1000, `${(performance.now() - t).toFixed(0)} ms`);
  }
});

test('mixedScriptWord: Latin words with Cyrillic or Greek look-alikes, not text in two languages or mojibake', () => {
  assert.equal(mixedScriptWord('log in to your pаypal account'), 'pаypal'); // Cyrillic а
  assert.equal(mixedScriptWord('Miсrosoft'), 'Miсrosoft'); // Cyrillic с
  assert.equal(mixedScriptWord('gοοgle'), 'gοοgle'); // Greek ο
  assert.equal(mixedScriptWord('Привет, hello, Ελληνικά'), undefined, 'separate words in each script');
  assert.equal(mixedScriptWord('bisonпїЅone'), undefined, 'UTF-8 read as Windows-1251');
  assert.equal(mixedScriptWord('café naïve résumé'), undefined, 'accents are Latin');
  assert.equal(mixedScriptWord('xа'), undefined, 'shorter than three letters');
});

test('dateInFuture: more than 12 hours after the top Received date, or after now without one', () => {
  const received = ['from a.example by mx.example; Mon, 7 Dec 2026 10:00:00 +0000', 'from b by a; Mon, 7 Dec 2026 09:59:00 +0000'];
  assert.equal(receivedDate(received[0]!), Date.UTC(2026, 11, 7, 10));
  assert.equal(dateInFuture('Tue, 8 Dec 2026 10:00:00 +0000', received, 0), true, '24 h ahead of arrival');
  assert.equal(dateInFuture('Mon, 7 Dec 2026 21:00:00 +0000', received, 0), false, '11 h ahead: clocks are wrong that much');
  assert.equal(dateInFuture('Mon, 7 Dec 2026 23:30:00 +0100', received, 0), true, 'zones are taken into account (22:30 UTC)');
  assert.equal(dateInFuture('Thu, 1 Jan 2099 00:00:00 +0000', [], Date.UTC(2026, 11, 7)), true, 'no Received: now');
  assert.equal(dateInFuture('Sun, 6 Dec 2026 10:00:00 +0000', received, 0), false, 'in the past');
  assert.equal(dateInFuture('not a date', received, 0), false);
  assert.equal(dateInFuture('Tue, 8 Dec 2026 10:00:00', received, 0), false, 'no zone: unreadable, whatever this host\'s zone');
  assert.equal(dateInFuture('Tue, 8 Dec 126 10:00:00 +0000', [], Date.UTC(2026, 11, 7)), false, 'a three-digit year: unreadable');
  assert.equal(dateInFuture('Tue, 8 Dec 2026 10:00:00 EST', received, 0), true, 'a named zone');
  assert.equal(dateInFuture(undefined, received, 0), false);
  assert.equal(dateInFuture('Tue, 8 Dec 2026 10:00:00 +0000 (UTC)', ['from x; garbage'], Date.UTC(2026, 11, 7, 10)), true, 'unreadable Received: now');
});
