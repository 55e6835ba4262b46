/**
 * What the opt-in spam model costs, on the whole corpus (6,046 messages): features per message,
 * their stored size and decoded size, the time to compute features and score a message (tokens
 * given, as the scorer has them), and the time to fit the model on the training half. The figures in
 * docs/antispam.md ("Cost") come from this script.
 *
 *   node bin/moat-dev.js bench/antispam/model-cost.ts [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { tokenize } from '../../src/antispam/bayes/tokenizer.js';
import { viewMessage } from '../../src/antispam/message-view.js';
import { encodeFeatures } from '../../src/antispam/model/feature-codec.js';
import { fitModel, logit } from '../../src/antispam/model/logistic-model.js';
import { modelFeatures } from '../../src/antispam/model/model-features.js';
import { isTest, loadCorpus } from './corpus.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
const rounds = Number(values.rounds ?? 3);
const corpus = await loadCorpus(Infinity);
const messages = corpus.map((m) => ({ data: Buffer.from(m.text), spam: m.spam, train: !isTest(m) }));
const tokens = messages.map((m) => tokenize(viewMessage(m.data)));

let features = 0;
let most = 0;
let stored = 0;
messages.forEach((m, i) => {
  const f = modelFeatures(m.data, tokens[i]!);
  features += f.length;
  most = Math.max(most, f.length);
  stored += encodeFeatures(f).length;
});

const weights = new Float32Array(1 << 20);
let sink = 0;
const t0 = performance.now();
for (let r = 0; r < rounds; r++) messages.forEach((m, i) => (sink += logit(weights, modelFeatures(m.data, tokens[i]!))));
const perMessage = (performance.now() - t0) / (rounds * messages.length);

const examples = messages.flatMap((m, i) => (m.train ? [{ spam: m.spam, features: modelFeatures(m.data, tokens[i]!) }] : []));
const t1 = performance.now();
await fitModel(examples);
const fitMs = performance.now() - t1;

const n = messages.length;
console.log(`| measure (${n} corpus messages) | value |`);
console.log('|---|---|');
console.log(`| features per message, mean / max | ${(features / n).toFixed(0)} / ${most} |`);
console.log(`| stored per message (encoded) | ${(stored / n / 1024).toFixed(1)} KB (${(stored / features).toFixed(2)} bytes per feature) |`);
console.log(`| decoded per message while fitting | ${((4 * features) / n / 1024).toFixed(1)} KB |`);
console.log(`| features + score per message (${rounds} rounds) | ${perMessage.toFixed(3)} ms |`);
console.log(`| fit on the training half (${examples.length} messages) | ${fitMs.toFixed(0)} ms |`);
if (Number.isNaN(sink)) console.log('unreachable');
