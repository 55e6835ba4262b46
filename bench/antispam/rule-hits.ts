/**
 * How often each anti-spam rule fires on the TRAINING half of the corpus, per subset (the test
 * half of bench/antispam/run.ts is never read here). For writing and scoring rules: a rule that
 * fires on a noticeable share of ham (hard ham above all) must stay light or go.
 *
 *   node bin/moat-dev.js bench/antispam/rule-hits.ts [--rules FILE_OR_DIR] [--show RULE]
 *
 * --show RULE  also list the training messages the rule fires on (subset/id and Subject)
 */
import { parseArgs } from 'node:util';
import { loadRules } from '../../src/antispam/load-rules.js';
import { viewMessage } from '../../src/antispam/message-view.js';
import { SUBSETS, isTest, loadCorpus } from './corpus.js';

const { values } = parseArgs({ options: { rules: { type: 'string', multiple: true }, show: { type: 'string' } } });
const rules = await loadRules(values.rules ?? []);
const train = (await loadCorpus(Infinity)).filter((m) => !isTest(m));
const hits = new Map<string, Map<string, number>>();
const size = new Map<string, number>();
const shown: string[] = [];
for (const m of train) {
  size.set(m.subset, (size.get(m.subset) ?? 0) + 1);
  const view = viewMessage(Buffer.from(m.text));
  for (const s of rules.evaluate(view)) {
    const row = hits.get(s.name) ?? new Map<string, number>();
    row.set(m.subset, (row.get(m.subset) ?? 0) + 1);
    hits.set(s.name, row);
    if (s.name === values.show) shown.push(`${m.subset}/${m.id} ${view.subject.slice(0, 70)}`);
  }
}
console.log(`| rule | ${SUBSETS.map((s) => `${s} (${size.get(s) ?? 0})`).join(' | ')} |`);
console.log(`|---|${SUBSETS.map(() => '---').join('|')}|`);
for (const [name, row] of [...hits].sort((a, b) => a[0].localeCompare(b[0]))) console.log(`| ${name} | ${SUBSETS.map((s) => row.get(s) ?? 0).join(' | ')} |`);
if (values.show) console.log(`\n${values.show}:\n${shown.join('\n')}`);
