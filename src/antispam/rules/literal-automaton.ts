/**
 * Aho–Corasick over lower-cased text: all literals of one field are found in a single pass,
 * whatever their number (never one RegExp per rule per message).
 */
export class LiteralAutomaton {
  private readonly next: Array<Map<string, number>> = [new Map()];
  private readonly fail: number[] = [0];
  private readonly out: number[][] = [[]];

  constructor(literals: readonly string[]) {
    literals.forEach((lit, id) => {
      let s = 0;
      for (const ch of lit.toLowerCase()) {
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

  /** Ids of the literals present in `text` (case-insensitive). */
  find(text: string): Set<number> {
    const found = new Set<number>();
    let s = 0;
    for (const ch of text.toLowerCase()) {
      while (s !== 0 && !this.next[s]!.has(ch)) s = this.fail[s]!;
      s = this.next[s]!.get(ch) ?? 0;
      for (const id of this.out[s]!) found.add(id);
    }
    return found;
  }
}
