// summary.mjs OUT EXPECTED SUITE...: reads the mocha JSON results of each
// suite in OUT and the expected failures (tab-separated: suite, test title,
// why), prints passing, failing and pending per suite and each failing test
// with why it fails, and exits 1 when a test failed that is not expected to,
// or one expected to fail passed.
import {readFileSync, existsSync} from 'node:fs';

const [out, expectedFile, ...suites] = process.argv.slice(2);
const expected = new Map(); // "suite\ttitle" -> why
for (const line of readFileSync(expectedFile, 'utf8').split('\n')) {
  if (!line.trim() || line.startsWith('#')) continue;
  const [suite, title, why] = line.split('\t');
  if (!suite || !title || !why) throw new Error(`${expectedFile}: a line without three tab-separated fields: ${line}`);
  expected.set(`${suite}\t${title}`, why);
}

let bad = 0;
const seen = new Set();
const rows = [];
const details = [];
for (const suite of suites) {
  const file = `${out}/${suite}.json`;
  if (!existsSync(file)) {
    console.log(`${suite}: no results (see ${out}/${suite}.stderr)`);
    bad++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const passing = new Set(r.passes.map(p => p.fullTitle));
  let unexpected = 0, known = 0;
  for (const f of r.failures) {
    const k = `${suite}\t${f.fullTitle}`;
    seen.add(k);
    const why = expected.get(k);
    if (why) {
      known++;
      details.push(`  expected  ${suite}: ${f.fullTitle}\n            why: ${why}`);
    } else {
      unexpected++;
      details.push(`  FAILED    ${suite}: ${f.fullTitle}\n            ${String(f.err?.message ?? '').split('\n')[0].slice(0, 300)}`);
    }
  }
  for (const [k] of expected) {
    const [s, title] = k.split('\t');
    if (s === suite && passing.has(title)) {
      unexpected++;
      details.push(`  PASSED    ${suite}: ${title}\n            listed in expected-failures.tsv: take it out`);
    }
  }
  bad += unexpected;
  rows.push(`| ${suite} | ${r.stats.tests} | ${r.stats.passes} | ${r.stats.failures} | ${r.stats.pending} | ${known} |`);
}
for (const k of expected.keys()) {
  const [s] = k.split('\t');
  if (suites.includes(s) && !seen.has(k) && existsSync(`${out}/${s}.json`)) {
    const r = JSON.parse(readFileSync(`${out}/${s}.json`, 'utf8'));
    const title = k.split('\t')[1];
    if (!r.passes.some(p => p.fullTitle === title) && !r.pending.some(p => p.fullTitle === title)) {
      details.push(`  MISSING   ${s}: ${title}\n            listed in expected-failures.tsv but not run`);
      bad++;
    }
  }
}
console.log('| suite | tests | passing | failing | pending | of the failing, expected |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
if (details.length) console.log(details.join('\n'));
console.log(bad ? `conformance: ${bad} unexpected result(s)` : 'conformance: every result as expected');
process.exit(bad ? 1 : 0);
