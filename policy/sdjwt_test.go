package policy_test

import (
	"context"
	"crypto/ed25519"
	"errors"
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
	"github.com/staffpass/staffpass/vc/staff"
	"github.com/staffpass/staffpass/verifier"
)

// A member of staff holds staff credentials as SD-JWT VCs and shows each
// with a Key Binding JWT, keeping the DBS certificate number back; the
// receiving trust judges a role across the presentations.
func TestRoleFromSDJWTPresentations(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	dir := filepath.Join(t.TempDir(), "kch")
	org, err := issuer.InitOrganisation(ctx, dir, "kch.nhs.example", issuer.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := org.Signer()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := org.OpenRegistry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	wallet := func(seed byte) (string, keys.Signer) {
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
	sam, samKey := wallet(1)
	other, otherKey := wallet(2)
	opts := issuer.BatchOptions{Format: issuer.FormatSDJWT, Actor: "hr", Clock: func() time.Time { return at }}
	issue := func(typ, subject string, cells map[string]string) []byte {
		cells["subject"] = subject
		rec, _, err := issuer.IssueOne(ctx, reg, signer, typ, staff.CSVRow{Cells: cells}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Credential
	}
	dbs := issue(staff.TypeDBSCheck, sam, map[string]string{"staff_id": "E1", "dbs_level": "enhanced-with-barred-lists",
		"dbs_workforce": "adult-and-child", "barred_lists_checked": "adults; children", "certificate_number": "001234567890",
		"certificate_issue_date": "04/11/2025", "update_service_subscribed": "no", "check_date": "2026-02-25"})
	training := issue(staff.TypeMandatoryTraining, sam, map[string]string{"staff_id": "E1", "training_provider": "KCH",
		"framework_version": "CSTF England v1.1", "fire_safety_level": "1", "fire_safety_completion_date": "20/02/2026"})
	othersDBS := issue(staff.TypeDBSCheck, other, map[string]string{"staff_id": "E2", "dbs_level": "enhanced-with-barred-lists",
		"dbs_workforce": "adult-and-child", "barred_lists_checked": "adults; children", "certificate_number": "009999999999",
		"certificate_issue_date": "04/11/2025", "update_service_subscribed": "no", "check_date": "2026-02-25"})

	doc, err := org.Document()
	if err != nil {
		t.Fatal(err)
	}
	static := &did.StaticResolver{}
	static.Add(doc.ID, doc)
	lists, _ := reg.StatusLists(ctx)
	var tokens [][]byte
	for _, l := range lists {
		tok, err := issuer.SignTokenList(ctx, reg, signer, l.ID, at, issuer.PublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	v, err := verifier.New(verifier.Trust{Issuers: []string{doc.ID}, StatusLists: tokens, StatusListsFetched: at,
		Resolver: did.Router{"web": static, didkey.Method: didkey.Resolver{}, didjwk.Method: didjwk.Resolver{}}})
	if err != nil {
		t.Fatal(err)
	}
	pol := verifier.Policy{Challenge: "c-7", Domain: "https://bank.gstt.nhs.uk", Now: at.Add(time.Minute)}
	show := func(cred []byte, s keys.Signer, keep ...string) *verifier.Result {
		p, err := sdjwt.Present(string(cred), func(p string) bool {
			for _, k := range keep {
				if p == k {
					return true
				}
			}
			return false
		}, &sdjwt.KeyBinding{Signer: s, Audience: pol.Domain, Nonce: pol.Challenge, IssuedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		r, err := v.Verify(ctx, []byte(p), pol)
		if err != nil {
			t.Fatalf("%v", err)
		}
		return r
	}
	role, err := policy.ParseRole([]byte(`{"role": "porter", "title": "Porter", "requirements": {
		"dbsCheck": {"minLevel": "enhanced-with-barred-lists", "workforce": "adult-and-child", "barredLists": ["adults", "children"]},
		"mandatoryTraining": {"subjects": [{"subject": "fire-safety", "level": 1}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	dbsShown, trainingShown := show(dbs, samKey), show(training, samKey)
	verdict, err := policy.EvaluateAll(role, []*verifier.Result{dbsShown, trainingShown})
	if err != nil {
		t.Fatalf("%v: %+v", err, verdict)
	}
	for _, q := range verdict.Requirements {
		if q.Source == nil || !strings.Contains(q.Source.Type, "Credential") || strings.HasPrefix(q.Source.Type, "https://") {
			t.Errorf("requirement %s rests on %+v", q.Name, q.Source)
		}
	}
	// One presentation alone leaves the other requirement missing.
	verdict, err = policy.Evaluate(role, dbsShown)
	if !errors.Is(err, policy.ErrNotMet) || verdict.Requirements[1].Outcome != policy.Missing {
		t.Fatalf("DBS alone: %v %+v", err, verdict)
	}
	// Another member of staff's presentation does not add to Sam's.
	if _, err := policy.EvaluateAll(role, []*verifier.Result{dbsShown, show(othersDBS, otherKey)}); !errors.Is(err, policy.ErrNotJudged) {
		t.Fatalf("two holders: %v", err)
	}
}
