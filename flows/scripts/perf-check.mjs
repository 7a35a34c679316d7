// Quick speed check (not a test): validate, canonicalize and diff a 10,000-node document.
// Run after building: node flows/scripts/perf-check.mjs
import { canonicalize, diffFlows, parseFlowSet, validateFlowDocument } from '../dist/index.js';
import { largeFlows, withItem } from '../dist/testing/sample-flows.js';

const doc = largeFlows(10_000);
const text = JSON.stringify(doc);
const next = withItem(doc, 't42n7', (item) => ({ ...item, func: 'return null;' }));

function time(label, run, rounds = 20) {
  run(); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i++) run();
  console.log(`${label.padEnd(36)} ${((performance.now() - start) / rounds).toFixed(1)} ms`);
}

console.log(`document: ${doc.length} items, ${(text.length / 1024 / 1024).toFixed(1)} MiB of JSON`);
time('JSON.parse (for scale)', () => JSON.parse(text));
time('validateFlowDocument', () => {
  if (!validateFlowDocument(doc).ok) throw new Error('expected a valid document');
});
time('validateFlowDocument (fresh parse)', () => validateFlowDocument(JSON.parse(text)), 5);
time('diffFlows (one node changed)', () => diffFlows(doc, next));
time('diffFlows (fresh copies)', () => diffFlows(JSON.parse(text), JSON.parse(text)), 5);
time('parseFlowSet', () => parseFlowSet(doc));
time('canonicalize (whole document)', () => canonicalize(doc), 5);
