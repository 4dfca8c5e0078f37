package dataintegrity

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/multiformats/go-multibase"

	"github.com/staffpass/staffpass/keys"
)

// vector is one folder of the W3C cryptosuite test vectors.
type vector struct {
	name     string
	dir      string // under testdata/vectors
	suffix   string // of the file names: canonDoc<suffix>.txt ...
	keyPair  string // under testdata/vectors
	unsigned string // the document that was signed, under testdata/vectors
	suite    string
}

var vectors = []vector{
	{"eddsa-rdfc-2022 alumni credential", "vc-di-eddsa/eddsa-rdfc-2022", "DataInt", "vc-di-eddsa/keyPair.json", "vc-di-eddsa/unsigned.json", EdDSARDFC2022},
	{"eddsa-rdfc-2022 employment authorization", "vc-di-eddsa/eddsa-rdfc-2022/employ", "DataInt", "vc-di-eddsa/keyPair.json", "vc-di-eddsa/employmentAuth.json", EdDSARDFC2022},
	{"eddsa-jcs-2022 alumni credential", "vc-di-eddsa/eddsa-jcs-2022", "JCS", "vc-di-eddsa/keyPair.json", "vc-di-eddsa/unsigned.json", EdDSAJCS2022},
	{"ecdsa-rdfc-2019 P-256 alumni credential", "vc-di-ecdsa/ecdsa-rdfc-2019-p256", "ECDSAP256", "vc-di-ecdsa/p256KeyPair.json", "vc-di-ecdsa/unsigned.json", ECDSARDFC2019},
	{"ecdsa-rdfc-2019 P-256 employment authorization", "vc-di-ecdsa/ecdsa-rdfc-2019-p256/employ", "ECDSAP256", "vc-di-ecdsa/p256KeyPair.json", "vc-di-ecdsa/employmentAuth.json", ECDSARDFC2019},
	{"ecdsa-rdfc-2019 P-384 alumni credential", "vc-di-ecdsa/ecdsa-rdfc-2019-p384", "ECDSAP384", "vc-di-ecdsa/p384KeyPair.json", "vc-di-ecdsa/unsigned.json", ECDSARDFC2019},
	{"ecdsa-rdfc-2019 P-384 employment authorization", "vc-di-ecdsa/ecdsa-rdfc-2019-p384/employ", "ECDSAP384", "vc-di-ecdsa/p384KeyPair.json", "vc-di-ecdsa/employmentAuth.json", ECDSARDFC2019},
	{"ecdsa-jcs-2019 P-256 alumni credential", "vc-di-ecdsa/ecdsa-jcs-2019-p256", "JCSECDSAP256", "vc-di-ecdsa/p256KeyPair.json", "vc-di-ecdsa/unsigned.json", ECDSAJCS2019},
	{"ecdsa-jcs-2019 P-384 alumni credential", "vc-di-ecdsa/ecdsa-jcs-2019-p384", "JCSECDSAP384", "vc-di-ecdsa/p384KeyPair.json", "vc-di-ecdsa/unsigned.json", ECDSAJCS2019},
}

func (v vector) file(t testing.TB, stage, ext string) []byte {
	return readVector(t, path.Join(v.dir, stage+v.suffix+ext))
}

// hexFile reads a file of hex digits.
func (v vector) hexFile(t testing.TB, stage string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimSpace(string(v.file(t, stage, ".txt"))))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every stage of every W3C vector, computed by the code Sign and Verify
// run, equals the published bytes.
func TestVectorsEveryStage(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			s, _ := lookupSuite(v.suite)
			signer := keyPair(t, readVector(t, v.keyPair))
			fit, err := s.fit(signer.Public())
			if err != nil {
				t.Fatal(err)
			}
			signed := decodeObject(t, v.file(t, "signed", ".json"))
			tr := &transformer{}

			// The document without its proof transforms to canonDoc, as
			// does the unsigned document it was made from.
			unsecured := withoutProof(signed)
			canonDoc, err := tr.canonical(s, unsecured, fit.hash)
			if err != nil {
				t.Fatal(err)
			}
			if want := v.file(t, "canonDoc", ".txt"); !bytes.Equal(canonDoc, want) {
				t.Fatalf("canonical document:\ngot  %s\nwant %s", canonDoc, want)
			}
			docHash := appendHash(nil, fit.hash, canonDoc)
			fromUnsigned, err := tr.documentHash(nil, s, decodeObject(t, readVector(t, v.unsigned)), fit.hash)
			if err != nil || !bytes.Equal(fromUnsigned, docHash) {
				t.Errorf("the unsigned document hashes to %x (%v), want %x", fromUnsigned, err, docHash)
			}
			if want := v.hexFile(t, "docHash"); !bytes.Equal(docHash, want) {
				t.Errorf("document hash %x, want %x", docHash, want)
			}

			// The proof configuration a verifier builds from the signed
			// proof is the published one, and transforms to proofCanon.
			proof := signed["proof"].(map[string]any)
			config := proofConfig(s, proof, signed["@context"], true)
			if want := decodeObject(t, v.file(t, "proofConfig", ".json")); !reflect.DeepEqual(config, want) {
				t.Errorf("proof configuration:\ngot  %s\nwant %s", mustJSON(t, config), mustJSON(t, want))
			}
			proofCanon, err := tr.canonical(s, config, fit.hash)
			if err != nil {
				t.Fatal(err)
			}
			if want := v.file(t, "proofCanon", ".txt"); !bytes.Equal(proofCanon, want) {
				t.Fatalf("canonical proof configuration:\ngot  %s\nwant %s", proofCanon, want)
			}
			proofHash := appendHash(nil, fit.hash, proofCanon)
			if want := v.hexFile(t, "proofHash"); !bytes.Equal(proofHash, want) {
				t.Errorf("proof hash %x, want %x", proofHash, want)
			}

			// hashData = proofHash || docHash.
			combined, err := tr.configHash(nil, s, config, fit.hash)
			if err == nil {
				combined, err = tr.documentHash(combined, s, unsecured, fit.hash)
			}
			if want := v.hexFile(t, "combinedHash"); err != nil || !bytes.Equal(combined, want) {
				t.Fatalf("combined hash %x (%v), want %x", combined, err, want)
			}

			// The signature: Ed25519 is deterministic, so signing again
			// gives the published bytes; ECDSA's published signature
			// verifies. Either way its base58btc is the proofValue.
			sig := v.hexFile(t, "sigHex")
			if err := keys.VerifyP1363(signer.Public(), combined, sig); err != nil {
				t.Errorf("the published signature does not verify: %v", err)
			}
			if !s.ecdsa {
				k, err := keys.ParseMultikeyPair(readVector(t, v.keyPair))
				if err != nil {
					t.Fatal(err)
				}
				if got := ed25519.Sign(k.(ed25519.PrivateKey), combined); !bytes.Equal(got, sig) {
					t.Errorf("Ed25519 signature %x, want %x", got, sig)
				}
			}
			mb, err := multibase.Encode(multibase.Base58BTC, sig)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSpace(string(v.file(t, "sigBTC58", ".txt"))); mb != want || proof["proofValue"] != want {
				t.Errorf("proofValue %s, sigBTC58 %s, signed proof %s", mb, want, proof["proofValue"])
			}
		})
	}
}

// Verify accepts every signed vector document, and Sign with the vector's
// key and proof options makes the same proof (for EdDSA, byte for byte in
// its value; for ECDSA, one that verifies).
func TestVectorsSignAndVerify(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			signedBytes := v.file(t, "signed", ".json")
			results, err := Verify(context.Background(), signedBytes, verifyOptions())
			if err != nil || len(results) != 1 {
				t.Fatalf("the signed vector does not verify: %v", err)
			}

			config := decodeObject(t, v.file(t, "proofConfig", ".json"))
			signer := keyPair(t, readVector(t, v.keyPair))
			if signer.KeyID() != config["verificationMethod"] {
				t.Fatalf("key pair method %s, vector method %s", signer.KeyID(), config["verificationMethod"])
			}
			out, err := Sign(readVector(t, v.unsigned), SignOptions{
				Suite:   v.suite,
				Signer:  signer,
				Purpose: config["proofPurpose"].(string),
				Created: parseTime(t, config["created"].(string)),
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := decodeObject(t, out)
			want := decodeObject(t, signedBytes)
			if keys.Ed25519 != mustType(t, signer) {
				// ECDSA signatures are randomised: compare the rest.
				delete(got["proof"].(map[string]any), "proofValue")
				delete(want["proof"].(map[string]any), "proofValue")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("signed document:\ngot  %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
			}
			if _, err := Verify(context.Background(), out, verifyOptions()); err != nil {
				t.Errorf("our signature does not verify: %v", err)
			}
		})
	}
}

func mustType(t testing.TB, s keys.Signer) keys.KeyType {
	kt, err := keys.TypeOf(s)
	if err != nil {
		t.Fatal(err)
	}
	return kt
}
