package verifier_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/verifier"
)

func probeDisclosure(salt string, arr ...any) (string, string) {
	b, _ := json.Marshal(append([]any{salt}, arr...))
	enc := base64.RawURLEncoding.EncodeToString(b)
	return enc, (sdjwt.Disclosure{Encoded: enc}).Digest()
}

func probeSign(t *testing.T, payload map[string]any, typ string, s keys.Signer) string {
	b, _ := json.Marshal(payload)
	jws, err := jose.SignDocument(b, typ, s, limits.MaxDocumentBytes)
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

func TestAuditProbesHoldUp(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t)
	w := newSDWallet(t)
	pol := verifier.Policy{Challenge: "c", Domain: "d"}
	kb := func(sd string) string {
		p, err := sdjwt.Present(sd, func(string) bool { return true }, &sdjwt.KeyBinding{Signer: w.signer, Audience: "d", Nonce: "c", IssuedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// cnf.jwk concealed inside cnf.
	dJWK, hJWK := probeDisclosure("s1", "jwk", w.jwk)
	p1 := map[string]any{"iss": f.kch.did, "vct": dbsVCT, "_sd_alg": "sha-256", "cnf": map[string]any{"_sd": []any{hJWK}}}
	sd1 := probeSign(t, p1, "dc+sd-jwt", f.kch.signer) + "~" + dJWK + "~"
	// exp concealed one level down, and an element of an array.
	dExp, hExp := probeDisclosure("s2", "exp", 1)
	p2 := map[string]any{"iss": f.kch.did, "vct": dbsVCT, "x": map[string]any{"_sd": []any{hExp}}}
	sd2 := probeSign(t, p2, "dc+sd-jwt", f.kch.signer) + "~" + dExp + "~"
	// one digest twice, at two depths.
	dA, hA := probeDisclosure("s3", "a", 1)
	p3 := map[string]any{"iss": f.kch.did, "vct": dbsVCT, "_sd": []any{hA}, "x": map[string]any{"_sd": []any{hA}}}
	sd3 := probeSign(t, p3, "dc+sd-jwt", f.kch.signer) + "~" + dA + "~"
	// an Issuer-signed JWT alone; a Key Binding JWT alone; a vc+jwt with ~.
	good, _, _ := sdjwt.Issue(sdClaims(f.kch.did, w, nil), sdDisclosable, sdjwt.TypeSDJWTVC, f.kch.signer)
	pres := kb(good)
	vcjwt := string(issue(t, f.kch, credentialJSON(f.kch.did, nil), "jwt"))
	// kid of another DID than iss.
	sd4, _, _ := sdjwt.Issue(sdClaims(f.kch.did, w, nil), nil, sdjwt.TypeSDJWTVC, f.p256.signer)
	for name, in := range map[string]string{
		"cnf.jwk concealed, with KB": kb(sd1),
		"exp concealed in x":         sd2,
		"digest at two depths":       sd3,
		"issuer JWT without ~":       strings.Split(good, "~")[0],
		"KB-JWT alone":               pres[strings.LastIndexByte(pres, '~')+1:],
		"vc+jwt with ~":              vcjwt + "~",
		"kid of another DID":         sd4,
		"KB after reordering":        reorder(pres),
	} {
		r, err := v.Verify(context.Background(), []byte(in), pol)
		t.Logf("%s: verified=%v err=%v", name, r.Verified, err)
		if name == "exp concealed in x" {
			continue // nested exp is an ordinary claim
		}
		if err == nil {
			t.Errorf("%s verified", name)
		}
	}
}

func reorder(p string) string {
	parts := strings.Split(p, "~")
	parts[1], parts[2] = parts[2], parts[1]
	return strings.Join(parts, "~")
}
