// The JavaScript peer: keys, an offline closed document loader, and signing
// and verification with Digital Bazaar's VC libraries (Data Integrity) and
// jose (vc+jwt). peer.mjs is its command line; bench/bench.mjs times it.
import {createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign as cryptoSign, verify as cryptoVerify} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019} from
  '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import * as jose from 'jose';
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {ES256, digest, generateSalt} from '@sd-jwt/crypto-nodejs';
import {StatusList, createHeaderAndPayload} from '@sd-jwt/jwt-status-list';
import {Openid4vciClient, setGlobalConfig as setVciConfig} from '@openid4vc/openid4vci';
import {Openid4vpClient} from '@openid4vc/openid4vp';
import {clientAuthenticationAnonymous, setGlobalConfig as setOauthConfig} from '@openid4vc/oauth2';
import jsigs from 'jsonld-signatures';

export const SUITES = ['eddsa-rdfc-2022', 'ecdsa-rdfc-2019', 'jwt'];
const JWT_ALGS = ['EdDSA', 'ES256'];

const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
didKey.use({multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from});

const readJSON = file => JSON.parse(readFileSync(file, 'utf8'));

// makeLoader returns a JSON-LD document loader that serves only: the contexts
// listed in DIR/contexts.json (each checked against its sha256), the extra
// contexts given as {url: file}, did:key DID documents and their verification
// methods (built by @digitalbazaar/did-method-key), and the given DID
// documents (did:web) and their verification methods. Anything else throws.
export function makeLoader({contextsDir, extraContexts = {}, didDocs = []}) {
  const docs = new Map();
  const index = readJSON(join(contextsDir, 'contexts.json')).contexts;
  for(const [url, {file, sha256}] of Object.entries(index)) {
    const bytes = readFileSync(join(contextsDir, file));
    const got = createHash('sha256').update(bytes).digest('hex');
    if(got !== sha256) {
      throw new Error(`context ${url}: sha256 ${got}, contexts.json says ${sha256}`);
    }
    docs.set(url, JSON.parse(bytes));
  }
  for(const [url, file] of Object.entries(extraContexts)) {
    docs.set(url, readJSON(file));
  }
  const dids = new Map(didDocs.map(file => {
    const doc = readJSON(file);
    return [doc.id, doc];
  }));

  return async url => {
    if(docs.has(url)) {
      return {contextUrl: null, documentUrl: url, document: docs.get(url)};
    }
    if(url.startsWith('did:key:')) {
      const document = await didKey.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    const [did, fragment] = url.split('#');
    const doc = dids.get(did);
    if(doc) {
      const document = fragment === undefined ? doc : methodOf(doc, url);
      return {contextUrl: null, documentUrl: url, document};
    }
    throw new Error(`offline loader: no document for ${url}`);
  };
}

// methodOf returns the verification method url of a DID document, with the
// document's @context, as a JSON-LD loader would serve it.
function methodOf(doc, url) {
  const fragment = '#' + url.split('#')[1];
  const vm = (doc.verificationMethod || []).find(
    m => m.id === url || m.id === fragment);
  if(!vm) {
    throw new Error(`offline loader: ${doc.id} has no verification method ${url}`);
  }
  return {'@context': doc['@context'], ...vm, id: url};
}

// readKey reads a private key file, a Multikey pair (publicKeyMultibase +
// secretKeyMultibase) or a JWK, as the key pair of verification method id.
export async function readKey(file, id) {
  const key = readJSON(file);
  const controller = id.split('#')[0];
  if(key.kty) {
    const lib = key.kty === 'OKP' ? Ed25519Multikey : EcdsaMultikey;
    return lib.fromJwk({jwk: key, secretKey: true, id, controller});
  }
  const lib = key.publicKeyMultibase?.startsWith('z6Mk') ?
    Ed25519Multikey : EcdsaMultikey;
  return lib.from({...key, id, controller});
}

const multikeyLib = keyPair =>
  keyPair.publicKeyMultibase.startsWith('z6Mk') ? Ed25519Multikey : EcdsaMultikey;

// generateKey makes a new key pair: Ed25519 or P-256. It returns the Multikey
// pair (with its secret key) to store and its did:key DID and method id.
export async function generateKey(alg) {
  const keyPair = alg === 'Ed25519' ? await Ed25519Multikey.generate() :
    await EcdsaMultikey.generate({curve: alg});
  const {publicKeyMultibase, secretKeyMultibase} =
    await keyPair.export({publicKey: true, secretKey: true});
  const did = `did:key:${publicKeyMultibase}`;
  return {
    multikey: {type: 'Multikey', publicKeyMultibase, secretKeyMultibase},
    did, method: `${did}#${publicKeyMultibase}`
  };
}

// didWebDocument is the DID document of did with the Multikey of file as its
// one assertion and authentication method, in the form `staffpass org init`
// writes.
export async function didWebDocument(did, file) {
  const key = readJSON(file);
  const multibase = key.publicKeyMultibase ??
    (await readKey(file, `${did}#k`)).publicKeyMultibase;
  const method = `${did}#${multibase}`;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{
      id: method, type: 'Multikey', controller: did, publicKeyMultibase: multibase
    }],
    authentication: [method],
    assertionMethod: [method]
  };
}

const dataIntegritySuites = () => [
  new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
  new DataIntegrityProof({cryptosuite: ecdsaRdfc2019})
];

// sign secures credential (an object) with keyPair as suite: a Data
// Integrity credential (object) or a compact vc+jwt (string).
export async function sign({credential, keyPair, suite, documentLoader, created}) {
  if(suite === 'jwt') {
    const jwk = await multikeyLib(keyPair).toJwk({keyPair, secretKey: true});
    if(jwk.kty === 'OKP') {
      // ed25519-multikey keeps seed+public (64 bytes) as its secret key for
      // keys it generated; a JWK d is the 32-byte seed (RFC 8037).
      jwk.d = Buffer.from(jwk.d, 'base64url').subarray(0, 32).toString('base64url');
    }
    const alg = jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
    const key = await jose.importJWK(jwk, alg);
    return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
      .setProtectedHeader({alg, typ: 'vc+jwt', kid: keyPair.id})
      .sign(key);
  }
  const cryptosuite = {'eddsa-rdfc-2022': eddsaRdfc2022,
    'ecdsa-rdfc-2019': ecdsaRdfc2019}[suite];
  if(!cryptosuite) {
    throw new Error(`unknown suite ${suite}`);
  }
  const proof = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite, date: created
  });
  return vc.issue({credential: structuredClone(credential), suite: proof, documentLoader});
}

// present builds a presentation of credentials (objects) held by holder and
// signs it with keyPair as suite (eddsa-rdfc-2022 or ecdsa-rdfc-2019), for
// the verifier's challenge and domain (proofPurpose authentication), with
// @digitalbazaar/vc createPresentation and signPresentation.
export async function present({credentials, holder, keyPair, suite, challenge, domain, documentLoader, created}) {
  const cryptosuite = {'eddsa-rdfc-2022': eddsaRdfc2022,
    'ecdsa-rdfc-2019': ecdsaRdfc2019}[suite];
  if(!cryptosuite) {
    throw new Error(`unknown suite ${suite} for a presentation`);
  }
  const presentation = vc.createPresentation({
    verifiableCredential: structuredClone(credentials), holder, version: 2.0
  });
  const proof = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite, date: created});
  return vc.signPresentation({presentation, suite: proof, challenge, domain, documentLoader});
}

// verifyPresentation verifies a Data Integrity presentation with
// @digitalbazaar/vc verify: its proof (authentication, the challenge and
// domain given) and each credential in it (data model, dates, proof, issuer
// binding). Status lists are not part of these tests. It returns
// {verified, error}.
export async function verifyPresentation({presentation, challenge, domain, documentLoader}) {
  const result = await vc.verify({
    presentation, challenge, domain, documentLoader, suite: dataIntegritySuites(),
    checkStatus: async () => ({verified: true})
  });
  const errors = [result.error, result.presentationResult?.error,
    ...(result.presentationResult?.results ?? []).map(r => r.error),
    ...(result.credentialResults ?? []).map(r => r.error)]
    .flatMap(e => e?.errors ?? [e]).filter(Boolean);
  const error = errors.length ? new Error([...new Set(errors.map(e => e.message))].join('; ')) :
    (result.verified ? null : new Error('not verified'));
  return {verified: result.verified, error};
}

// verifyDataIntegrity verifies a Data Integrity credential with
// @digitalbazaar/vc verifyCredential (data model checks, dates, the proof, and
// the proof's controller being the issuer). With proofOnly the issuer binding
// is left out (the W3C vectors are signed by a did:key that is not their
// issuer); the method must still be an assertion method of its controller.
// Status lists are not part of these tests: a credentialStatus is not checked.
// It returns {verified, error}.
export async function verifyDataIntegrity({credential, documentLoader, suite, proofOnly}) {
  const result = await vc.verifyCredential({
    credential, documentLoader, suite: suite ?? dataIntegritySuites(),
    ...(proofOnly ? {purpose: new jsigs.purposes.AssertionProofPurpose()} : {}),
    ...(credential.credentialStatus ? {checkStatus: async () => ({verified: true})} : {})
  });
  const errors = [result.error, ...(result.results ?? []).map(r => r.error)]
    .flatMap(e => e?.errors ?? [e]).filter(Boolean);
  const error = errors.length ? new Error([...new Set(errors.map(e => e.message))].join('; ')) : null;
  return {verified: result.verified, error};
}

// jwtKey resolves the kid of a vc+jwt header to a public key through the
// loader and checks that its controller is the credential's issuer and that
// the issuer lists it as an assertion method.
export async function jwtKey({header, payload, documentLoader}) {
  if(!header.kid) {
    throw new Error('vc+jwt: no kid in the header');
  }
  const {document: vm} = await documentLoader(header.kid);
  const issuer = typeof payload.issuer === 'string' ? payload.issuer : payload.issuer?.id;
  if(vm.controller !== issuer) {
    throw new Error(`vc+jwt: kid ${header.kid} is not controlled by the issuer ${issuer}`);
  }
  const {document: controller} = await documentLoader(issuer);
  const listed = (controller.assertionMethod || []).some(
    m => (m.id ?? m) === vm.id || issuer + (m.id ?? m) === vm.id);
  if(!listed) {
    throw new Error(`vc+jwt: ${vm.id} is not an assertion method of ${issuer}`);
  }
  const keyPair = await multikeyLib(vm).from(vm);
  const jwk = await multikeyLib(vm).toJwk({keyPair});
  return jose.importJWK(jwk, jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');
}

// verifyJWT verifies a compact vc+jwt with jose jwtVerify (alg allow-list,
// typ vc+jwt), resolving its kid through the loader, and runs the
// @digitalbazaar/vc data model checks on the payload. It returns {verified, error}.
export async function verifyJWT({jwt, documentLoader}) {
  try {
    const {payload} = await jose.jwtVerify(jwt, async header => jwtKey({
      header, payload: jose.decodeJwt(jwt), documentLoader
    }), {algorithms: JWT_ALGS, typ: 'vc+jwt'});
    if('vc' in payload) {
      throw new Error('vc+jwt: a vc claim is not allowed');
    }
    vc._checkCredential({credential: payload});
    return {verified: true};
  } catch(error) {
    return {verified: false, error};
  }
}

// tamper changes one string claim of the credential subject (never an id or
// type) and returns its path. It prefers a digest-like value (20 or more
// base64url characters) and changes one character of it, so the credential
// still passes schema and data model checks and only the proof can catch it;
// otherwise it appends to the first string claim.
export function tamper(credential) {
  const claims = [];
  const walk = (node, path) => {
    for(const [k, v] of Object.entries(node)) {
      if(k === 'id' || k === 'type' || k.startsWith('@')) {
        continue;
      }
      if(typeof v === 'string') {
        claims.push({node, k, path: `${path}.${k}`});
      } else if(v && typeof v === 'object') {
        walk(v, `${path}.${k}`);
      }
    }
  };
  walk(credential.credentialSubject ?? {}, 'credentialSubject');
  const digest = claims.find(({node, k}) => /^[\w-]{20,}$/.test(node[k]));
  if(digest) {
    const {node, k} = digest;
    const i = node[k].length >> 1;
    node[k] = node[k].slice(0, i) + (node[k][i] === 'A' ? 'B' : 'A') + node[k].slice(i + 1);
    return digest.path;
  }
  if(!claims.length) {
    throw new Error('tamper: the credential subject has no string claim');
  }
  claims[0].node[claims[0].k] += ' (tampered)';
  return claims[0].path;
}

export const isCompactJWT = text => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(text.trim());

// entra: credentials shaped as Microsoft Entra Verified ID issues them (the
// NHS Digital Staff Passport): VC-JWT of VCDM 1.1 (typ JWT, the vc claim, a
// bare UUID jti, iss, sub, iat and exp, no nbf), status as a
// StatusList2021Entry in a StatusList2021Credential (also a VC-JWT), and the
// issuer's did:web document listing the key as Entra does. ES256K is signed
// with node:crypto (OpenSSL: jose 6 has no secp256k1), ES256 and EdDSA with
// jose. Returns the files to write: did.json, list.jwt (entry 42 set),
// cred.jwt (entry 7), revoked.jwt (entry 42), rl2021.jwt (an Entra
// RevocationList2021Status, which staffpass cannot check).
export async function entra({alg, did}) {
  const {publicKey, privateKey} = alg === 'EdDSA' ? generateKeyPairSync('ed25519') :
    generateKeyPairSync('ec', {namedCurve: {ES256K: 'secp256k1', ES256: 'prime256v1'}[alg]});
  const publicKeyJwk = publicKey.export({format: 'jwk'});
  const fragment = `#vcSigningKey-${randomUUID().slice(0, 8)}`;
  const kid = did + fragment;
  const document = {
    '@context': ['https://www.w3.org/ns/did/v1'], id: did,
    verificationMethod: [{
      id: fragment, controller: did, publicKeyJwk,
      type: alg === 'ES256K' ? 'EcdsaSecp256k1VerificationKey2019' : 'JsonWebKey2020'
    }],
    authentication: [fragment], assertionMethod: [fragment]
  };
  const header = {alg, kid, typ: 'JWT'};
  const signJWT = async claims => {
    if(alg !== 'ES256K') {
      return new jose.SignJWT(claims).setProtectedHeader(header).sign(privateKey);
    }
    const enc = o => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${enc(header)}.${enc(claims)}`;
    const signature = cryptoSign('sha256', Buffer.from(input), {key: privateKey, dsaEncoding: 'ieee-p1363'});
    return `${input}.${signature.toString('base64url')}`;
  };
  const now = Math.floor(Date.now() / 1000);
  const list = 'https://status.passport.interop.example.nhs.uk/lists/1';
  const bits = Buffer.alloc(16384);
  bits[42 >> 3] |= 0x80 >> (42 & 7); // entry 42: the first bit is the most significant
  const listJWT = await signJWT({
    iss: did, jti: list, iat: now - 60, nbf: now - 60, exp: now + 86400,
    vc: {
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://w3id.org/vc/status-list/2021/v1'],
      type: ['VerifiableCredential', 'StatusList2021Credential'],
      credentialSubject: {
        id: `${list}#list`, type: 'StatusList2021', statusPurpose: 'revocation',
        encodedList: gzipSync(bits).toString('base64url')
      }
    }
  });
  const credential = credentialStatus => signJWT({
    vc: {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential', 'NHSStaffPassportIdentity'],
      credentialSubject: {firstName: 'Sam', lastName: 'Example', employer: "King's College Hospital"},
      credentialStatus
    },
    jti: randomUUID(), iss: did, sub: 'did:example:sam',
    iat: now - 60, exp: now + 365 * 86400
  });
  const entry = index => ({
    id: `${list}#${index}`, type: 'StatusList2021Entry', statusPurpose: 'revocation',
    statusListIndex: String(index), statusListCredential: list
  });
  return {
    'did.json': JSON.stringify(document, null, 2) + '\n',
    'list.jwt': listJWT,
    'cred.jwt': await credential(entry(7)),
    'revoked.jwt': await credential(entry(42)),
    'rl2021.jwt': await credential({
      id: `urn:uuid:${randomUUID()}?bit-index=7`, type: 'RevocationList2021Status', statusListIndex: '7'
    })
  };
}

// sdjwtIssue: @sd-jwt/sd-jwt-vc issues an SD-JWT VC (ES256) of a did:web
// issuer about a holder whose key it binds in cnf, with given_name,
// birthdate and dbsCheck.certificateNumber selectively disclosable, and the
// holder presents it to aud with nonce, disclosing given_name only.
// Returns the files: did.json, cred.sdjwt, pres.sdjwt.
export async function sdjwtIssue({did, aud, nonce}) {
  const issuer = await ES256.generateKeyPair();
  const holder = await ES256.generateKeyPair();
  const document = {
    '@context': ['https://www.w3.org/ns/did/v1'], id: did,
    verificationMethod: [{id: '#key-1', type: 'JsonWebKey2020', controller: did, publicKeyJwk: issuer.publicKey}],
    authentication: ['#key-1'], assertionMethod: ['#key-1']
  };
  const sd = new SDJwtVcInstance({
    signer: await ES256.getSigner(issuer.privateKey), signAlg: 'ES256',
    hasher: digest, hashAlg: 'sha-256', saltGenerator: generateSalt,
    kbSigner: await ES256.getSigner(holder.privateKey), kbSignAlg: 'ES256'
  });
  const now = Math.floor(Date.now() / 1000);
  const uri = 'https://sdjwt.interop.example.nhs.uk/statuslists/1';
  const issue = idx => sd.issue({
    iss: did, iat: now, exp: now + 86400, vct: 'https://w3id.org/staffpass/vct/DBSCheckCredential',
    cnf: {jwk: holder.publicKey}, status: {status_list: {idx, uri}},
    given_name: 'Sam', birthdate: '1990-04-01',
    dbsCheck: {level: 'enhanced', certificateNumber: '001234567890'}
  }, {_sd: ['given_name', 'birthdate'], dbsCheck: {_sd: ['certificateNumber']}}, {header: {kid: `${did}#key-1`}});
  const credential = await issue(0);
  const presentation = await sd.present(credential, {given_name: true}, {kb: {payload: {iat: now, aud, nonce}}});
  // The issuer's Status List Token (@sd-jwt/jwt-status-list): entry 3
  // invalid (revoked), entry 5 suspended.
  const statuses = new Array(128).fill(0);
  statuses[3] = 1;
  statuses[5] = 2;
  const {header, payload} = createHeaderAndPayload(new StatusList(statuses, 2),
    {iss: did, sub: uri, iat: now, exp: now + 3600}, {alg: 'ES256', typ: 'statuslist+jwt', kid: `${did}#key-1`});
  const privateKey = await jose.importJWK(issuer.privateKey, 'ES256');
  const list = await new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey);
  return {
    'did.json': JSON.stringify(document, null, 2) + '\n', 'cred.sdjwt': credential, 'pres.sdjwt': presentation,
    'list.jwt': list, 'revoked.sdjwt': await issue(3), 'suspended.sdjwt': await issue(5)
  };
}

// jwsVerify checks a JWS signing input and signature with a public JWK, for
// the alg its header names (EdDSA, ES256, ES384).
function jwsVerifier(jwk) {
  const key = createPublicKey({key: jwk, format: 'jwk'});
  return (data, sig) => {
    const {alg} = JSON.parse(Buffer.from(data.split('.')[0], 'base64url'));
    const hash = {EdDSA: null, ES256: 'sha256', ES384: 'sha384'}[alg];
    if(hash === undefined) {
      throw new Error(`alg ${alg}`);
    }
    return cryptoVerify(hash, Buffer.from(data), {key, dsaEncoding: 'ieee-p1363'}, Buffer.from(sig, 'base64url'));
  };
}

// sdjwtVerify: @sd-jwt/sd-jwt-vc verifies an SD-JWT VC presented with a Key
// Binding JWT: the issuer's signature with issuerJwk, the Disclosures, the
// Key Binding JWT with the key cnf binds and the nonce; and its aud. Returns
// {verified, error, claims}.
export async function sdjwtVerify({text, issuerJwk, nonce, aud}) {
  try {
    const sd = new SDJwtVcInstance({
      verifier: jwsVerifier(issuerJwk), hasher: digest, hashAlg: 'sha-256',
      kbVerifier: (data, sig, payload) => jwsVerifier(payload.cnf.jwk)(data, sig)
    });
    const result = await sd.verify(text.trim(), {keyBindingNonce: nonce});
    if(result.kb?.payload?.aud !== aud) {
      throw new Error(`the Key Binding JWT's aud is ${result.kb?.payload?.aud}, not ${aud}`);
    }
    return {verified: true, claims: result.payload};
  } catch(error) {
    return {verified: false, error};
  }
}

// oid4vciReceive: a wallet of @openid4vc/openid4vci receives the credential
// an offer URI names (pre-authorized code flow, with txCode when given), its
// key (a new P-256 key, returned as a private JWK) proven with an
// openid4vci-proof+jwt over the issuer's c_nonce. Loopback http is allowed.
export async function oid4vciReceive({offerUri, txCode}) {
  setVciConfig({allowInsecureUrls: true});
  setOauthConfig({allowInsecureUrls: true});
  const {publicKey, privateKey} = await jose.generateKeyPair('ES256', {extractable: true});
  const publicJwk = await jose.exportJWK(publicKey);
  const privateJwk = await jose.exportJWK(privateKey);
  const client = new Openid4vciClient({callbacks: {
    fetch,
    hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    generateRandom: n => randomBytes(n),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, {header, payload}) => {
      const jwt = await new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey);
      return {jwt, signerJwk: publicJwk};
    }
  }});
  const credentialOffer = await client.resolveCredentialOffer(offerUri);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata, txCode
  });
  const [credentialConfigurationId] = credentialOffer.credential_configuration_ids;
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId, nonce,
    signer: {method: 'jwk', alg: 'ES256', publicJwk}
  });
  const {credentialResponse} = await client.retrieveCredentials({
    issuerMetadata, credentialConfigurationId, accessToken: accessTokenResponse.access_token,
    proofs: {jwt: [jwt]}
  });
  return {credential: credentialResponse.credentials[0].credential, privateJwk};
}

// oid4vpAnswer: an @openid4vc/openid4vp wallet answers a presentation
// request (by reference, signed by the verifier's did:web key, checked
// against didDoc; or by value): for each DCQL credential query it presents
// the SD-JWT VC it holds (credential, bound to privateJwk) with @sd-jwt
// and a Key Binding JWT for the request's client_id and nonce (nonce
// overridden, to test refusals, when given), and posts the response
// (direct_post). Returns the verifier's HTTP status.
export async function oid4vpAnswer({requestUri, credential, privateJwk, didDoc, nonce}) {
  setOauthConfig({allowInsecureUrls: true});
  const holderKey = await jose.importJWK(privateJwk, 'ES256');
  const callbacks = {
    fetch,
    hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    verifyJwt: async (signer, {compact}) => {
      const vm = (didDoc?.verificationMethod ?? []).find(m =>
        m.id === signer.didUrl || didDoc.id + m.id === signer.didUrl);
      if(!vm) {
        return {verified: false};
      }
      const jwk = vm.publicKeyJwk ?? multikeyToJwk(vm.publicKeyMultibase);
      try {
        await jose.compactVerify(compact, await jose.importJWK(jwk, jwk.crv === 'Ed25519' ? 'EdDSA' : 'ES256'));
        return {verified: true, signerJwk: jwk};
      } catch {
        return {verified: false};
      }
    },
    signJwt: () => { throw new Error('not needed'); },
    decryptJwe: () => { throw new Error('not needed'); },
    encryptJwe: () => { throw new Error('not needed'); }
  };
  const client = new Openid4vpClient({callbacks});
  const parsed = client.parseOpenid4vpAuthorizationRequest({authorizationRequest: requestUri});
  const resolved = await client.resolveOpenId4vpAuthorizationRequest({authorizationRequestPayload: parsed.params});
  const request = resolved.authorizationRequestPayload;
  const sd = new SDJwtVcInstance({
    hasher: digest, hashAlg: 'sha-256', kbSignAlg: 'ES256',
    kbSigner: async data => {
      const sig = cryptoSign('sha256', Buffer.from(data), {key: await importNode(privateJwk), dsaEncoding: 'ieee-p1363'});
      return sig.toString('base64url');
    }
  });
  const vpToken = {};
  for(const query of resolved.dcql.query.credentials) {
    const wanted = Object.fromEntries((query.claims ?? []).filter(c => c.path[0] !== 'vct').map(c => [c.path[0], true]));
    vpToken[query.id] = [await sd.present(credential.trim(), wanted, {
      kb: {payload: {iat: Math.floor(Date.now() / 1000), aud: request.client_id, nonce: nonce ?? request.nonce}}
    })];
  }
  const {authorizationResponsePayload} = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request, authorizationResponsePayload: {vp_token: vpToken}
  });
  const {response} = await client.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request, authorizationResponsePayload
  });
  return response.status;
}

async function importNode(jwk) {
  const {createPrivateKey} = await import('node:crypto');
  return createPrivateKey({key: jwk, format: 'jwk'});
}

// multikeyToJwk turns an Ed25519 Multikey (z6Mk...) into a public JWK.
function multikeyToJwk(multibase) {
  const raw = base58btcDecode(multibase.slice(1));
  return {kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw.slice(2)).toString('base64url')};
}

function base58btcDecode(s) {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = 0n;
  for(const c of s) {
    n = n * 58n + BigInt(alphabet.indexOf(c));
  }
  const bytes = [];
  while(n > 0n) {
    bytes.unshift(Number(n % 256n));
    n /= 256n;
  }
  for(const c of s) {
    if(c !== '1') {
      break;
    }
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

// checkPage: an HR officer uses staffpass serve's check page in headless
// Chromium (Debian's, driven by playwright-core): signs in with the token,
// chooses the role, and screenshots the QR code (before.png); the wallet
// (oid4vpAnswer) answers the request the page shows; the page shows the
// verdict (after.png). Returns the verdict's text and the requirement rows.
export async function checkPage({url, token, role, credential, privateJwk, didDoc, shots}) {
  const {chromium} = await import('playwright-core');
  const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']});
  try {
    const page = await browser.newPage();
    await page.goto(url + '/check');
    await page.fill('#token', token);
    await page.click('#signin');
    await page.selectOption('#role', role);
    await page.click('#ask');
    await page.waitForSelector('#qr');
    await page.screenshot({path: join(shots, 'before.png'), fullPage: true});
    const link = await page.getAttribute('#waiting', 'data-link');
    const status = await oid4vpAnswer({requestUri: link, credential, privateJwk, didDoc});
    if(status !== 200) {
      throw new Error(`the verifier answered the wallet ${status}`);
    }
    await page.waitForSelector('#verdict', {timeout: 20000});
    await page.screenshot({path: join(shots, 'after.png'), fullPage: true});
    const verdict = (await page.textContent('#verdict')).trim();
    const rows = await page.$$eval('#requirements tr', trs => trs.slice(1).map(tr =>
      [...tr.querySelectorAll('td')].map(td => td.textContent.trim()).join(' | ')));
    return {verdict, rows};
  } finally {
    await browser.close();
  }
}
