// bench.mjs: times the JavaScript peer's verification in-process, for
// bench/compare (copied beside interop's lib.mjs and node_modules).
//
//   node bench.mjs --contexts DIR [--context URL=FILE]... NAME=KIND:FILE...
//
// KIND di: @digitalbazaar/vc verifyCredential of a Data Integrity credential
// (document loader as in interop, did:key resolved per call); KIND jwt: jose
// jwtVerify of a compact vc+jwt with its public key imported once. Each is
// warmed up for 2 s, then timed in batches of about 0.3 s; one line per NAME:
// "NAME MEDIAN_NS_PER_OP BATCHES x OPS (batches MIN..MAX ms)".
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';
import * as jose from 'jose';
import * as peer from './lib.mjs';

const BATCHES = 7;
const BATCH_NS = 3e8;
const WARMUP_NS = 2e9;

const {positionals, values: opt} = parseArgs({
  allowPositionals: true,
  options: {
    contexts: {type: 'string'},
    context: {type: 'string', multiple: true, default: []}
  }
});
const documentLoader = peer.makeLoader({
  contextsDir: opt.contexts,
  extraContexts: Object.fromEntries(opt.context.map(p => [
    p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]))
});

async function verifier(kind, file) {
  const text = readFileSync(file, 'utf8').trim();
  if(kind === 'di') {
    const credential = JSON.parse(text);
    return async () => {
      const {verified, error} = await peer.verifyDataIntegrity({credential, documentLoader});
      if(!verified) {
        throw new Error(`${file}: not verified: ${error?.message}`);
      }
    };
  }
  const key = await peer.jwtKey({
    header: jose.decodeProtectedHeader(text), payload: jose.decodeJwt(text), documentLoader
  });
  return async () => {
    await jose.jwtVerify(text, key, {algorithms: ['EdDSA', 'ES256'], typ: 'vc+jwt'});
  };
}

async function time(fn, n) {
  const start = process.hrtime.bigint();
  for(let i = 0; i < n; i++) {
    await fn();
  }
  return Number(process.hrtime.bigint() - start) / n;
}

for(const arg of positionals) {
  const [, name, kind, file] = arg.match(/^([^=]+)=(di|jwt):(.+)$/) ??
    (() => { throw new Error(`bench: ${arg}: want NAME=di|jwt:FILE`); })();
  const fn = await verifier(kind, file);
  // Warm up (V8 needs a few seconds of work to settle), then size the
  // batches from the last warm-up round.
  let perOp = Infinity;
  for(const start = process.hrtime.bigint(); process.hrtime.bigint() - start < WARMUP_NS;) {
    perOp = await time(fn, Math.max(3, Math.ceil(BATCH_NS / 4 / (perOp === Infinity ? BATCH_NS : perOp))));
  }
  const ops = Math.max(3, Math.ceil(BATCH_NS / perOp));
  const batches = [];
  for(let i = 0; i < BATCHES; i++) {
    batches.push(await time(fn, ops));
  }
  batches.sort((a, b) => a - b);
  const ms = ns => (ns / 1e6).toFixed(3);
  console.log(`${name} ${Math.round(batches[BATCHES >> 1])} ${BATCHES} x ${ops}` +
    ` (batches ${ms(batches[0])}..${ms(batches[BATCHES - 1])} ms)`);
}
