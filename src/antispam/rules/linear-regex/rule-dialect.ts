/**
 * What administrators paste into rule regexes that JavaScript's /u grammar refuses, made either
 * to work or to fail with a message that says what to write instead. SpamAssassin rules are
 * Perl regexes: Perl (and JavaScript without /u) accept a backslash before any punctuation
 * (`user\@example\.com`, `pre\-approved`, `mortgage\ rates`), which /u refuses as "Invalid
 * escape"; such escapes are reduced to the character itself. Perl-only syntax gets a hint.
 */

export interface Dialected {
  /** The pattern in JavaScript /u syntax. */
  source: string;
  /** For each code point of `source`, the index of the code point it came from in the original. */
  origin: number[];
}

/** Punctuation that /u accepts after a backslash (outside a class; inside, `-` too). */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

/** Reduces Perl-style identity escapes of punctuation and spaces (`\@`, `\-`, `\ `) to the character. */
export function reduceIdentityEscapes(pattern: string): Dialected {
  const cps = Array.from(pattern);
  const out: string[] = [];
  const origin: number[] = [];
  let inClass = false;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (ch === '\\' && i + 1 < cps.length) {
      const next = cps[i + 1]!;
      const keep = /^[A-Za-z0-9]$/.test(next) || SYNTAX.has(next) || (inClass && next === '-');
      if (keep) {
        out.push(ch, next);
        origin.push(i, i + 1);
      } else {
        out.push(next);
        origin.push(i + 1);
      }
      i++;
      continue;
    }
    if (ch === '[' && !inClass) inClass = true;
    else if (ch === ']' && inClass) inClass = false;
    out.push(ch);
    origin.push(i);
  }
  return { source: out.join(''), origin };
}

/**
 * A pattern that looks pasted with SpamAssassin's delimiters (/…/ or /…/i): it still loads (a
 * uri rule may mean the slashes, /cgi-bin/), but is warned about, since the slashes and flags
 * are then matched as characters. The last slash counts only when no backslash escapes it.
 */
export function looksPastedWithSlashes(pattern: string): boolean {
  const m = /^\/(.*)\/([gimsuyx]*)$/s.exec(pattern);
  if (!m || m[1]!.length === 0) return false;
  const backslashes = /\\*$/.exec(m[1]!)![0].length;
  return backslashes % 2 === 0;
}

/** Advice for Perl syntax JavaScript refuses (given its error message), or undefined. */
export function perlHint(pattern: string, error = ''): string | undefined {
  if (/\(\?[imsx-]+[:)]/.test(pattern)) return 'inline flags such as (?i) are not JavaScript: rule regexes are always case-insensitive, and ^ and $ match at line ends';
  if (/\\[AzZ]/.test(pattern)) return '\\A, \\z and \\Z are not JavaScript: use ^ and $ (which match at line ends too)';
  if (/\[\[:\^?[a-z]+:\]/.test(pattern)) return 'POSIX classes such as [[:alpha:]] are not JavaScript: use [a-z], \\w, \\d or \\s';
  if (/Lone quantifier brackets/.test(error)) return 'a literal {, } or ] is written \\{, \\} or \\] in JavaScript';
  if (/\(\?>/.test(pattern)) return 'atomic groups (?>…) are not JavaScript: write the group as (?:…)';
  if (/[*+?}][+]/.test(pattern)) return 'possessive quantifiers (a++, a*+) are not JavaScript: drop the second +';
  if (/\\[QE]/.test(pattern)) return '\\Q…\\E is not JavaScript: escape each special character with a backslash';
  if (/\\[hHK]/.test(pattern)) return '\\h, \\H and \\K are not JavaScript: use [ \\t] for horizontal space';
  return undefined;
}
