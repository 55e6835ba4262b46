/**
 * Thompson construction: a parsed rule regex becomes a program of NFA instructions that the
 * lazy DFA (lazy-dfa.ts) runs in time linear in the text. Counted repetition is expanded, so
 * the program's size is capped.
 */
import type { CharSet } from './char-set.js';
import { RegexUnsupported, type AssertKind, type RegexNode } from './parse.js';

export type Instruction =
  | { op: 'set'; set: CharSet; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'assert'; kind: AssertKind; next: number }
  | { op: 'match' };

export interface Program {
  readonly insts: readonly Instruction[];
  readonly start: number;
  /** Whether any \b or \B is used (the matcher then tracks whether the previous character was a word character). */
  readonly usesWordBoundary: boolean;
}

/** Instructions in a program once repetitions are expanded (a{1000} is 1,000). */
export const MAX_INSTRUCTIONS = 20_000;

export function compileProgram(root: RegexNode): Program {
  const insts: Instruction[] = [{ op: 'match' }];
  let usesWordBoundary = false;
  // Expansion that adds no instruction (repeats of zero-width groups) is counted too.
  let calls = 0;
  const tooLarge = () => new RegexUnsupported(`more than ${MAX_INSTRUCTIONS} states once its repetitions are expanded: use smaller {n,m} counts`);
  const push = (inst: Instruction): number => {
    if (insts.length >= MAX_INSTRUCTIONS) throw tooLarge();
    insts.push(inst);
    return insts.length - 1;
  };
  /** Instructions for `node` that continue at `next` when it has matched; returns the entry. */
  const build = (node: RegexNode, next: number): number => {
    if (++calls > 4 * MAX_INSTRUCTIONS) throw tooLarge();
    switch (node.t) {
      case 'empty':
        return next;
      case 'set':
        return push({ op: 'set', set: node.set, next });
      case 'assert':
        if (node.kind === 'word' || node.kind === 'nonword') usesWordBoundary = true;
        return push({ op: 'assert', kind: node.kind, next });
      case 'cat': {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--) entry = build(node.items[i]!, entry);
        return entry;
      }
      case 'alt': {
        let entry = build(node.items[node.items.length - 1]!, next);
        for (let i = node.items.length - 2; i >= 0; i--) entry = push({ op: 'split', a: build(node.items[i]!, next), b: entry });
        return entry;
      }
      case 'rep': {
        let tail: number;
        if (node.max === Infinity) {
          const loop = push({ op: 'split', a: -1, b: next });
          (insts[loop] as { a: number }).a = build(node.node, loop);
          tail = loop;
        } else {
          tail = next;
          for (let i = node.min; i < node.max; i++) tail = push({ op: 'split', a: build(node.node, tail), b: next });
        }
        for (let i = 0; i < node.min; i++) tail = build(node.node, tail);
        return tail;
      }
    }
  };
  const start = build(root, 0);
  return { insts, start, usesWordBoundary };
}
