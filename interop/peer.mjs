// peer.mjs: the JavaScript peer's command line. Run by interop/run and
// bench/compare from a temporary folder holding node_modules.
//
//   keygen   --alg Ed25519|P-256 --out FILE     Multikey pair (0600); prints "DID METHOD"
//   did-web  --did DID --key FILE                prints a DID document for the key
//   prepare  --issuer DID [--subject DID] FILE   prints the credential with that issuer
//                                                (and subject id), no proof
//   subjects --count N FILE                      prints it with N copies of its subject
//   sign     --key FILE --method URL --suite eddsa-rdfc-2022|ecdsa-rdfc-2019|jwt [--created T] FILE
//   verify   [--proof-only] FILE...              exit 0 when all verify, 1 otherwise
//   tamper   FILE                                prints a copy with one subject claim changed
//                                                (of its first credential, for a presentation;
//                                                stderr: "peer: tampered PATH")
//   present  --key FILE --method URL --suite eddsa-rdfc-2022|ecdsa-rdfc-2019
//            --challenge C --domain D FILE...     prints a presentation of the credentials
//                                                by the method's DID, signed for C and D
//   verify-presentation --challenge C --domain D FILE
//                                                exit 0 when the presentation and every
//                                                credential in it verify, 1 otherwise
//   sdjwt-issue --did DID --challenge C --domain D --out DIR
//                                                @sd-jwt/sd-jwt-vc issues an SD-JWT VC and its
//                                                holder presents it (did.json, cred.sdjwt,
//                                                pres.sdjwt; see lib.mjs)
//   sdjwt-verify --issuer-jwk FILE --challenge C --domain D FILE
//                                                exit 0 when @sd-jwt/sd-jwt-vc verifies the
//                                                SD-JWT VC presentation; prints its claims
//   oid4vci-receive --offer URI [--tx-code C] --out FILE --key-out FILE
//                                                an @openid4vc/openid4vci wallet receives the
//                                                offered credential (FILE) with a new key (its
//                                                private JWK in --key-out, 0600)
//   oid4vp-answer --request URI --credential FILE --key FILE [--did-doc FILE] [--nonce N]
//                                                an @openid4vc/openid4vp wallet answers the
//                                                request with the SD-JWT VC it holds; prints
//                                                the verifier's HTTP status
//   check-page --url U --token-file F --role ID --credential FILE --key FILE --did-doc FILE --out DIR
//                                                an HR officer uses serve's /check page in
//                                                headless Chromium while the wallet answers;
//                                                screenshots in DIR; exit 0 when it shows MET
//   entra    --alg ES256K|ES256|EdDSA --did DID --out DIR
//                                                writes Entra Verified ID-shaped VC-JWT 1.1
//                                                credentials, their StatusList2021 list and
//                                                the did:web document into DIR (see lib.mjs)
//
// sign and verify take --contexts DIR (a contexts.json folder), and any
// number of --context URL=FILE and --did-doc FILE; nothing else is loaded.
import {readFileSync, writeFileSync} from 'node:fs';
import {parseArgs} from 'node:util';
import * as peer from './lib.mjs';

const usage = message => {
  console.error(`peer: ${message}`);
  process.exit(2);
};

const {positionals, values: opt} = parseArgs({
  allowPositionals: true,
  options: {
    alg: {type: 'string'}, out: {type: 'string'}, did: {type: 'string'},
    key: {type: 'string'}, issuer: {type: 'string'}, count: {type: 'string'},
    method: {type: 'string'}, suite: {type: 'string'}, created: {type: 'string'},
    contexts: {type: 'string'}, 'proof-only': {type: 'boolean'},
    subject: {type: 'string'}, challenge: {type: 'string'}, domain: {type: 'string'},
    'issuer-jwk': {type: 'string'}, offer: {type: 'string'}, 'tx-code': {type: 'string'},
    'key-out': {type: 'string'}, request: {type: 'string'}, credential: {type: 'string'},
    nonce: {type: 'string'}, url: {type: 'string'}, 'token-file': {type: 'string'}, role: {type: 'string'},
    context: {type: 'string', multiple: true, default: []},
    'did-doc': {type: 'string', multiple: true, default: []}
  }
});
const [command, ...files] = positionals;
const need = (...names) => names.forEach(n => opt[n] || usage(`${command} needs --${n}`));
const readText = file => readFileSync(file, 'utf8');
const readJSON = file => JSON.parse(readText(file));
const print = value => process.stdout.write(
  (typeof value === 'string' ? value : JSON.stringify(value, null, 2)) + '\n');
const loader = () => {
  need('contexts');
  const extraContexts = Object.fromEntries(opt.context.map(pair => {
    const at = pair.indexOf('=');
    return at > 0 ? [pair.slice(0, at), pair.slice(at + 1)] :
      usage(`--context ${pair}: want URL=FILE`);
  }));
  return peer.makeLoader({
    contextsDir: opt.contexts, extraContexts, didDocs: opt['did-doc']
  });
};
const one = () => files.length === 1 ? files[0] : usage(`${command} takes one FILE`);

// Exit codes as staffpass: 0 done or verified, 1 not verified, 2 usage or
// input error (any exception).
process.on('uncaughtException', error => {
  console.error(`peer: error: ${error.message}`);
  process.exit(2);
});

switch(command) {
case 'keygen': {
  need('alg', 'out');
  const {multikey, did, method} = await peer.generateKey(opt.alg);
  writeFileSync(opt.out, JSON.stringify(multikey, null, 2) + '\n', {mode: 0o600, flag: 'wx'});
  print(`${did} ${method}`);
  break;
}
case 'did-web':
  need('did', 'key');
  print(await peer.didWebDocument(opt.did, opt.key));
  break;
case 'prepare': {
  need('issuer');
  const credential = readJSON(one());
  delete credential.proof;
  credential.issuer = typeof credential.issuer === 'object' ?
    {...credential.issuer, id: opt.issuer} : opt.issuer;
  if(opt.subject) {
    credential.credentialSubject = {...credential.credentialSubject, id: opt.subject};
  }
  print(credential);
  break;
}
case 'subjects': {
  need('count');
  const credential = readJSON(one());
  const [subject] = [credential.credentialSubject].flat();
  credential.credentialSubject = Array.from({length: Number(opt.count)}, (_, i) => ({
    ...structuredClone(subject), id: `urn:staffpass:interop:subject:${i + 1}`
  }));
  print(credential);
  break;
}
case 'sign': {
  need('key', 'method', 'suite');
  const keyPair = await peer.readKey(opt.key, opt.method);
  print(await peer.sign({
    credential: readJSON(one()), keyPair, suite: opt.suite,
    documentLoader: loader(), created: opt.created
  }));
  break;
}
case 'verify': {
  if(files.length === 0) {
    usage('verify needs FILE...');
  }
  const documentLoader = loader();
  let failed = 0;
  for(const file of files) {
    const text = readText(file);
    const {verified, error} = peer.isCompactJWT(text) ?
      await peer.verifyJWT({jwt: text.trim(), documentLoader}) :
      await peer.verifyDataIntegrity({
        credential: JSON.parse(text), documentLoader, proofOnly: opt['proof-only']
      });
    console.error(verified ? `peer: ${file}: verified` :
      `peer: ${file}: not verified: ${error?.message ?? error}`);
    failed += verified ? 0 : 1;
  }
  process.exit(failed ? 1 : 0);
}
case 'present': {
  need('key', 'method', 'suite', 'challenge', 'domain');
  if(files.length === 0) {
    usage('present needs FILE...');
  }
  const keyPair = await peer.readKey(opt.key, opt.method);
  print(await peer.present({
    credentials: files.map(readJSON), holder: opt.method.split('#')[0], keyPair,
    suite: opt.suite, challenge: opt.challenge, domain: opt.domain,
    documentLoader: loader(), created: opt.created
  }));
  break;
}
case 'verify-presentation': {
  need('challenge', 'domain');
  const file = one();
  const {verified, error} = await peer.verifyPresentation({
    presentation: readJSON(file), challenge: opt.challenge, domain: opt.domain,
    documentLoader: loader()
  });
  console.error(verified ? `peer: ${file}: verified` :
    `peer: ${file}: not verified: ${error?.message ?? error}`);
  process.exit(verified ? 0 : 1);
}
case 'tamper': {
  const text = readText(one());
  if(peer.isCompactJWT(text)) {
    const [header, payload, signature] = text.trim().split('.');
    const credential = JSON.parse(Buffer.from(payload, 'base64url'));
    // A VC-JWT 1.1 holds the credential in its vc claim.
    console.error(credential.vc ? `peer: tampered vc.${peer.tamper(credential.vc)}` :
      `peer: tampered ${peer.tamper(credential)}`);
    print([header, Buffer.from(JSON.stringify(credential)).toString('base64url'),
      signature].join('.'));
  } else {
    const doc = JSON.parse(text);
    const vcs = [doc.verifiableCredential ?? []].flat();
    if(vcs.length) {
      console.error(`peer: tampered verifiableCredential[0].${peer.tamper(vcs[0])}`);
    } else {
      console.error(`peer: tampered ${peer.tamper(doc)}`);
    }
    print(doc);
  }
  break;
}
case 'sdjwt-issue': {
  need('did', 'challenge', 'domain', 'out');
  const files = await peer.sdjwtIssue({did: opt.did, aud: opt.domain, nonce: opt.challenge});
  for(const [name, data] of Object.entries(files)) {
    writeFileSync(`${opt.out}/${name}`, data.endsWith('\n') ? data : data + '\n', {mode: 0o600});
  }
  break;
}
case 'sdjwt-verify': {
  need('issuer-jwk', 'challenge', 'domain');
  const file = one();
  const jwk = readJSON(opt['issuer-jwk']);
  delete jwk.d;
  const {verified, error, claims} = await peer.sdjwtVerify({
    text: readText(file), issuerJwk: jwk, nonce: opt.challenge, aud: opt.domain
  });
  console.error(verified ? `peer: ${file}: verified` : `peer: ${file}: not verified: ${error?.message ?? error}`);
  if(verified) {
    print(claims);
  }
  process.exit(verified ? 0 : 1);
}
case 'oid4vci-receive': {
  need('offer', 'out', 'key-out');
  const {credential, privateJwk} = await peer.oid4vciReceive({offerUri: opt.offer, txCode: opt['tx-code']});
  writeFileSync(opt.out, credential + '\n', {mode: 0o600});
  writeFileSync(opt['key-out'], JSON.stringify(privateJwk) + '\n', {mode: 0o600, flag: 'wx'});
  break;
}
case 'oid4vp-answer': {
  need('request', 'credential', 'key');
  const status = await peer.oid4vpAnswer({
    requestUri: opt.request, credential: readText(opt.credential), privateJwk: readJSON(opt.key),
    didDoc: opt['did-doc'][0] ? readJSON(opt['did-doc'][0]) : undefined, nonce: opt.nonce
  });
  print(String(status));
  process.exit(status === 200 ? 0 : 1);
}
case 'check-page': {
  need('url', 'token-file', 'role', 'credential', 'key', 'out');
  const {verdict, rows} = await peer.checkPage({
    url: opt.url, token: readText(opt['token-file']).trim(), role: opt.role, credential: readText(opt.credential),
    privateJwk: readJSON(opt.key), didDoc: readJSON(opt['did-doc'][0]), shots: opt.out
  });
  print(verdict);
  rows.forEach(r => print('  ' + r));
  process.exit(verdict.startsWith('Can start') ? 0 : 1);
}
case 'entra': {
  need('alg', 'did', 'out');
  const files = await peer.entra({alg: opt.alg, did: opt.did});
  for(const [name, data] of Object.entries(files)) {
    writeFileSync(`${opt.out}/${name}`, data.endsWith('\n') ? data : data + '\n', {mode: 0o600});
  }
  break;
}
default:
  usage(`unknown command ${command ?? '(none)'}; see the top of peer.mjs`);
}
