import { foldCase } from './linear-regex/fold-case.js';

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const isWordChar = (ch: string | undefined) => ch !== undefined && WORD_CHAR.test(ch);

/**
 * Aho–Corasick over case-folded text (fold-case.ts): all literals of one field are found in a single pass,
 * whatever their number (never one RegExp per rule per message). A literal marked whole-word
 * matches only where it is not part of a longer word ("cialis" not in "specialist").
 */
export class LiteralAutomaton {
  private readonly next: Array<Map<string, number>> = [new Map()];
  private readonly fail: number[] = [0];
  private readonly out: number[][] = [[]];
  private readonly lengths: number[];
  private readonly wholeWord: readonly boolean[];

  constructor(literals: readonly string[], wholeWord: readonly boolean[] = []) {
    this.wholeWord = wholeWord;
    this.lengths = literals.map((l) => foldCase(l).length);
    literals.forEach((lit, id) => {
      let s = 0;
      for (const ch of foldCase(lit)) {
        let t = this.next[s]!.get(ch);
        if (t === undefined) {
          t = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[s]!.set(ch, t);
        }
        s = t;
      }
      this.out[s]!.push(id);
    });
    const queue: number[] = [];
    for (const t of this.next[0]!.values()) queue.push(t);
    while (queue.length) {
      const s = queue.shift()!;
      for (const [ch, t] of this.next[s]!) {
        queue.push(t);
        let f = this.fail[s]!;
        while (f !== 0 && !this.next[f]!.has(ch)) f = this.fail[f]!;
        const target = this.next[f]!.get(ch);
        this.fail[t] = target !== undefined && target !== t ? target : 0;
        this.out[t]!.push(...this.out[this.fail[t]!]!);
      }
    }
  }

  /** Ids of the literals present in `text` (case-insensitive, folded as rule regexes fold). */
  find(text: string): Set<number> {
    const found = new Set<number>();
    const lower = foldCase(text);
    let s = 0;
    let end = 0;
    for (const ch of lower) {
      end += ch.length;
      while (s !== 0 && !this.next[s]!.has(ch)) s = this.fail[s]!;
      s = this.next[s]!.get(ch) ?? 0;
      for (const id of this.out[s]!) if (!this.wholeWord[id] || this.atWordBounds(lower, end - this.lengths[id]!, end)) found.add(id);
    }
    return found;
  }

  /** True when [start, end) is not glued to a word character on a side where the literal itself has one. */
  private atWordBounds(text: string, start: number, end: number): boolean {
    return !(isWordChar(text[start]) && isWordChar(text[start - 1])) && !(isWordChar(text[end - 1]) && isWordChar(text[end]));
  }
}
