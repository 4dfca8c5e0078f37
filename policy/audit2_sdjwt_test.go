package policy_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffpass/staffpass/did"
	didjwk "github.com/staffpass/staffpass/did/jwk"
	didkey "github.com/staffpass/staffpass/did/key"
	"github.com/staffpass/staffpass/internal/sdjwt"
	"github.com/staffpass/staffpass/issuer"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/policy"
	"github.com/staffpass/staffpass/registry"
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

type audit2Env struct {
	t      *testing.T
	at     time.Time
	org    *issuer.Organisation
	reg    *registry.Registry
	signer keys.Signer
	v      *verifier.Verifier
	pol    verifier.Policy
}

func audit2Wallet(t *testing.T, seed byte) (string, keys.Signer) {
	s := make([]byte, 32)
	s[0] = seed
	key := ed25519.NewKeyFromSeed(s)
	kid, _ := didkey.KeyID(key.Public())
	signer, err := keys.NewSigner(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := strings.Cut(kid, "#")
	return id, signer
}

func newAudit2Env(t *testing.T) *audit2Env {
	ctx := context.Background()
	e := &audit2Env{t: t, at: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	var err error
	e.org, err = issuer.InitOrganisation(ctx, filepath.Join(t.TempDir(), "kch"), "kch.nhs.example", issuer.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e.signer, err = e.org.Signer(); err != nil {
		t.Fatal(err)
	}
	if e.reg, err = e.org.OpenRegistry(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.reg.Close() })
	e.pol = verifier.Policy{Challenge: "c-7", Domain: "https://bank.gstt.nhs.uk", Now: e.at.Add(time.Minute)}
	return e
}

func (e *audit2Env) issue(typ, subject string, cells map[string]string) []byte {
	cells["subject"] = subject
	rec, _, err := issuer.IssueOne(context.Background(), e.reg, e.signer, typ, staff.CSVRow{Cells: cells},
		issuer.BatchOptions{Format: issuer.FormatSDJWT, Actor: "hr", Clock: func() time.Time { return e.at }})
	if err != nil {
		e.t.Fatal(err)
	}
	return rec.Credential
}

// verifier trusts the organisation and holds its Token Status Lists as now.
func (e *audit2Env) verifier() *verifier.Verifier {
	ctx := context.Background()
	doc, err := e.org.Document()
	if err != nil {
		e.t.Fatal(err)
	}
	static := &did.StaticResolver{}
	static.Add(doc.ID, doc)
	lists, _ := e.reg.StatusLists(ctx)
	var tokens [][]byte
	for _, l := range lists {
		if l.Purpose != "revocation" {
			continue
		}
		tok, err := issuer.SignTokenList(ctx, e.reg, e.signer, l.ID, e.at, issuer.PublishOptions{})
		if err != nil {
			e.t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	v, err := verifier.New(verifier.Trust{Issuers: []string{doc.ID}, StatusLists: tokens, StatusListsFetched: e.at,
		Resolver: did.Router{"web": static, didkey.Method: didkey.Resolver{}, didjwk.Method: didjwk.Resolver{}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *audit2Env) show(v *verifier.Verifier, cred []byte, s keys.Signer, keep ...string) *verifier.Result {
	p, err := sdjwt.Present(string(cred), func(p string) bool {
		for _, k := range keep {
			if p == k {
				return true
			}
		}
		return false
	}, &sdjwt.KeyBinding{Signer: s, Audience: e.pol.Domain, Nonce: e.pol.Challenge, IssuedAt: e.at})
	if err != nil {
		e.t.Fatal(err)
	}
	r, _ := v.Verify(context.Background(), []byte(p), e.pol)
	return r
}

// reissue signs the claims of an issued SD-JWT VC again, with the
// organisation's key, making the claims at disclosable selectively
// disclosable instead (as another trusted issuer's software might).
func (e *audit2Env) reissue(cred []byte, change func(map[string]any), disclosable ...string) []byte {
	c, err := sdjwt.Split(string(cred))
	if err != nil {
		e.t.Fatal(err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(c.JWT, ".")[1])
	var p map[string]any
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		e.t.Fatal(err)
	}
	claims, _, err := sdjwt.Process(p, c.Disclosures)
	if err != nil {
		e.t.Fatal(err)
	}
	if change != nil {
		change(claims)
	}
	out, _, err := sdjwt.Issue(claims, disclosable, sdjwt.TypeSDJWTVC, e.signer)
	if err != nil {
		e.t.Fatal(err)
	}
	return []byte(out)
}

// A registration with conditions of practice, from a trusted issuer whose
// SD-JWT VC makes the conditions selectively disclosable: the holder keeps
// them back, and a role that refuses conditions is met.
func TestAudit2WithheldConditionsMeetARoleThatRefusesThem(t *testing.T) {
	e := newAudit2Env(t)
	sam, samKey := audit2Wallet(t, 1)
	reg := e.issue(staff.TypeProfessionalRegistration, sam, map[string]string{"staff_id": "E1", "regulator": "NMC",
		"registration_number": "12A3456E", "register_name": "Registered Nurse - Adult", "registration_status": "registered",
		"registration_conditions": "supervised practice only", "renewal_date": "2027-01-31", "check_date": "2026-02-25"})
	role, err := policy.ParseRole([]byte(`{"role": "nurse", "title": "Nurse", "requirements": {
		"professionalRegistration": {"regulators": ["NMC"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	v := e.verifier()
	// As the organisation issued it: not met (conditions).
	if verdict, err := policy.Evaluate(role, e.show(v, reg, samKey)); err == nil || verdict.Met {
		t.Fatalf("as issued: %v %+v", err, verdict)
	}
	sd := e.reissue(reg, nil, "/registrationConditions")
	shown := e.show(v, sd, samKey)
	if !shown.Verified {
		t.Fatalf("the reissued credential does not verify: %v", shown.Err())
	}
	verdict, err := policy.Evaluate(role, shown)
	if err == nil || verdict.Met {
		t.Errorf("conditions kept back: role met: %+v", verdict.Requirements)
	}
}

// Judging a role must not change what the verifier's Result says was
// disclosed: the document number the holder showed stays readable in
// SDJWTClaims (CredentialFromSDJWT: "a disclosed one is the verifier's to
// read in the claims").
func TestAudit2EvaluateLeavesTheDisclosedClaimsAlone(t *testing.T) {
	e := newAudit2Env(t)
	sam, samKey := audit2Wallet(t, 1)
	id := e.issue(staff.TypeIdentityCheck, sam, map[string]string{"staff_id": "E1", "given_name": "Sam", "family_name": "Example",
		"date_of_birth": "15/10/1990", "document1_type": "Passport", "document1_issuing_country": "GBR", "document1_number": "123 456 789",
		"document1_expiry_date": "30/06/2031", "check_method": "in-person", "checked_by": "KCH", "check_date": "24/02/2026"})
	role, err := policy.ParseRole([]byte(`{"role": "porter", "title": "Porter", "requirements": {"identityCheck": {}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := e.show(e.verifier(), id, samKey, "/documentsSeen/0/documentNumber", "/dateOfBirth")
	if !r.Verified {
		t.Fatalf("%v", r.Err())
	}
	before, _ := json.Marshal(r.Credentials[0].SDJWTClaims)
	if verdict, err := policy.Evaluate(role, r); err != nil {
		t.Fatalf("%v %+v", err, verdict)
	}
	after, _ := json.Marshal(r.Credentials[0].SDJWTClaims)
	if string(before) != string(after) {
		t.Errorf("Evaluate changed the Result's disclosed claims:\nbefore %s\nafter  %s", before, after)
	}
}

// A jti is any string (RFC 7519 4.1.7); an SD-JWT VC whose jti is not a URL
// still counts for a role.
func TestAudit2AJTIThatIsNotAURLStillCounts(t *testing.T) {
	e := newAudit2Env(t)
	sam, samKey := audit2Wallet(t, 1)
	dbs := e.issue(staff.TypeDBSCheck, sam, map[string]string{"staff_id": "E1", "dbs_level": "enhanced-with-barred-lists",
		"dbs_workforce": "adult-and-child", "barred_lists_checked": "adults; children", "certificate_number": "001234567890",
		"certificate_issue_date": "04/11/2025", "update_service_subscribed": "no", "check_date": "2026-02-25"})
	sd := e.reissue(dbs, func(c map[string]any) { c["jti"] = "4f1c2a9e" }, "/certificateNumber")
	role, err := policy.ParseRole([]byte(`{"role": "porter", "title": "Porter", "requirements": {
		"dbsCheck": {"minLevel": "enhanced-with-barred-lists", "workforce": "adult-and-child", "barredLists": ["adults", "children"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := e.show(e.verifier(), sd, samKey)
	if !r.Verified {
		t.Fatalf("%v", r.Err())
	}
	if verdict, err := policy.Evaluate(role, r); err != nil {
		t.Errorf("%v %+v", err, verdict.Requirements[0])
	}
}
