/**
 * Finds words written so that a word list or a reader's eye still reads them but a plain match
 * does not: letters spelled with look-alikes ("v1agra", "c!alis", "vi@gra", Cyrillic "а" for "a"),
 * or spread out with separators ("v-i-a-g-r-a", "V I A G R A", a zero-width space or soft hyphen
 * inside). The plain word ("viagra", in any case) is not a hit: rules for the vocabulary itself
 * are literals rules; this one finds the effort to hide it, which ham does not make.
 *
 * One pass over the text: only positions that start a word and whose character can begin a
 * listed word are tried, each for at most the word's length times three characters.
 */

/** Characters (lower-cased) taken for a letter besides the letter itself. */
const LOOK_ALIKES: Record<string, string> = {
  a: '@4àáâãäåаα',
  b: '8',
  c: 'ç¢с',
  e: '3€е',
  g: '9',
  i: '1!|líìîïіι',
  l: '1|i',
  o: '0оο',
  p: 'рρ',
  s: '$5ѕ',
  t: '7',
  x: 'х',
  y: 'у',
};

/**
 * What may stand between two letters of a hidden word: blanks and punctuation people use to
 * spread a word out, the soft hyphen and the zero-width characters. Disjoint from every look-alike.
 */
const SEPARATORS = new Set([' ', '.', '-', '_', '*', '~', '/', '\\', ',', ':', ';', "'", '"', '`', '=', '^', '#', '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff']);
/** Separators allowed between two letters ("v . i" has three: too spread to be one word). */
const MAX_GAP = 2;

/** A letter or digit just before a position, astral ones included. */
const WORD_CHAR_BEHIND = /[\p{L}\p{N}]$/u;

interface CompiledWord {
  word: string;
  /** Per letter of the word, every character (lower-cased) that stands for it. */
  accepts: Array<ReadonlySet<string>>;
}

export class ObfuscatedWords {
  private readonly byFirst = new Map<string, CompiledWord[]>();

  /** `words`: plain lower-case letters, at least 4 (checked when the rule file is read). */
  constructor(words: readonly string[]) {
    for (const word of words) {
      const accepts = [...word].map((letter) => new Set([letter, ...(LOOK_ALIKES[letter] ?? '')]));
      const compiled = { word, accepts };
      for (const c of accepts[0]!) this.byFirst.set(c, [...(this.byFirst.get(c) ?? []), compiled]);
    }
  }

  /** The first hidden listed word in `text`, as written there; undefined when there is none. */
  find(text: string): string | undefined {
    for (let i = 0; i < text.length; i++) {
      const candidates = this.byFirst.get(text[i]!.toLowerCase());
      if (!candidates || (i > 0 && WORD_CHAR_BEHIND.test(text.slice(Math.max(0, i - 2), i)))) continue;
      for (const candidate of candidates) {
        const end = matchAt(text, i, candidate);
        if (end !== undefined) return text.slice(i, end);
      }
    }
    return undefined;
  }
}

/** Invisible characters: one inside a word hides it by itself. */
const INVISIBLE = new Set(['\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff']);

/**
 * Where a hidden `word` that starts at `start` ends; undefined when none does, or it is written
 * plainly. Hidden means: a look-alike character, an invisible character, or separators between
 * *every* two letters ("v-i-a-g-r-a", "V I A G R A"). One gap alone is two words or a hyphenated
 * one ("pen is", "Re: Finance", "re-finance", Spanish "casi no"), which people write.
 */
function matchAt(text: string, start: number, { word, accepts }: CompiledWord): number | undefined {
  let at = start;
  let lookAlike = false;
  let invisible = false;
  let gaps = 0;
  for (let k = 0; k < accepts.length; k++) {
    if (k > 0) {
      let gap = 0;
      while (gap < MAX_GAP && at < text.length && SEPARATORS.has(text[at]!)) {
        if (INVISIBLE.has(text[at]!)) invisible = true;
        at++;
        gap++;
      }
      if (gap > 0) gaps++;
    }
    const c = text[at]?.toLowerCase();
    if (c === undefined || !accepts[k]!.has(c)) return undefined;
    if (c !== word[k]) lookAlike = true;
    at++;
  }
  const hidden = lookAlike || invisible || gaps === accepts.length - 1;
  // The hidden word must end there: "c1alisx" is not a hidden "cialis" (an astral letter counts).
  if (!hidden || LETTER_AHEAD.test(text.slice(at, at + 2))) return undefined;
  return at;
}

const LETTER_AHEAD = /^\p{L}/u;
