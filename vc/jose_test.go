package vc

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// Examples of VC-JOSE-COSE (vc-jose-cose/examples) that are valid JSON but
// not credentials, presentations or envelopes.
var joseNotDocuments = map[int]string{
	10: "a JOSE header",
	16: "a controlled identifier document",
	17: "a controlled identifier document",
	18: "a controlled identifier document (a DID document)",
}

// joseEnvelopes gives, for each example that is or holds envelopes, the
// media types of the envelopes in order.
var joseEnvelopes = map[int][]string{
	2:  {MediaTypeVCJWT},
	3:  {MediaTypeVPJWT},
	5:  {MediaTypeVCSDJWT},
	6:  {MediaTypeVPSDJWT},
	8:  {MediaTypeVCSDJWT},
	9:  {MediaTypeVPSDJWT},
	21: {MediaTypeVCCOSE, MediaTypeVCJWT, MediaTypeVCSDJWT},
}

func TestJOSEExamplesParse(t *testing.T) {
	idx := readExampleIndex(t, joseDir)
	seen := 0
	for _, e := range idx {
		if !e.ValidJSON {
			continue
		}
		t.Run(fmt.Sprintf("example %d %s", e.N, e.Title), func(t *testing.T) {
			data := readFile(t, filepath.Join(joseDir, "examples", e.File))
			kind := kindByType(t, data)
			if why, ok := joseNotDocuments[e.N]; ok {
				if kind != 0 {
					t.Fatalf("listed as %s but has a credential or presentation type", why)
				}
				t.Skipf("not a credential or presentation: %s", why)
			}
			seen++
			d, err := ParseDocument(data)
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind != kind {
				t.Fatalf("Kind = %v, want %v", d.Kind, kind)
			}
			var envelopes []*Envelope
			var out []byte
			switch d.Kind {
			case KindCredential:
				out = roundTrip(t, data, d.Credential)
			case KindPresentation:
				out = roundTrip(t, data, d.Presentation)
				for _, pc := range d.Presentation.VerifiableCredential.Items {
					if pc.Envelope == nil {
						t.Fatal("a presented credential is not an envelope")
					}
					envelopes = append(envelopes, pc.Envelope)
				}
			case KindEnvelopedPresentation:
				out = roundTrip(t, data, d.Envelope)
				envelopes = append(envelopes, d.Envelope)
			default:
				t.Fatalf("unexpected kind %v", d.Kind)
			}
			if _, err := ParseDocument(out); err != nil {
				t.Errorf("the marshalled form does not parse: %v", err)
			}
			want := joseEnvelopes[e.N]
			if len(envelopes) != len(want) {
				t.Fatalf("%d envelopes, want %d", len(envelopes), len(want))
			}
			for i, env := range envelopes {
				if got := env.MediaType(); got != want[i] {
					t.Errorf("envelope %d: media type %q, want %q", i, got, want[i])
				}
				u, err := env.DataURL()
				if e.N == 21 && i == 0 {
					// The spec elides the COSE payload ("0oREo...+Q=="),
					// so it is not base64; only its form is checked.
					if err == nil {
						t.Error("the elided COSE payload decodes")
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if u.MediaType != want[i] || len(u.Data) == 0 {
					t.Errorf("envelope %d: DataURL() = %q with %d bytes", i, u.MediaType, len(u.Data))
				}
			}
		})
	}
	if seen != 12 {
		t.Errorf("checked %d examples, want 12", seen)
	}
}

// TestJOSEEnvelopePayloadIsTheCredentialItself follows VC-JOSE-COSE
// section 3.1.1: the payload of a vc+jwt is the credential, with no vc
// claim, and it parses as one.
func TestJOSEEnvelopePayloadIsTheCredentialItself(t *testing.T) {
	for _, tt := range []struct {
		name string
		file string
		kind Kind
	}{
		{"the vc+jwt of example 2 holds a credential", "example-02-a-simple-example-of-a-verifiable-presentation-secured-with-j.json", KindCredential},
		{"the vp+jwt of example 3 holds a presentation", "example-03-a-simple-example-of-a-verifiable-presentation-secured-with-j.json", KindPresentation},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDocument(readFile(t, filepath.Join(joseDir, "examples", tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			env := d.Envelope
			if env == nil {
				env = d.Presentation.VerifiableCredential.Items[0].Envelope
			}
			u, err := env.DataURL()
			if err != nil {
				t.Fatal(err)
			}
			parts := bytes.Split(u.Data, []byte("."))
			if len(parts) != 3 {
				t.Fatalf("payload has %d dot-separated parts, want a compact JWS", len(parts))
			}
			payload, err := base64.RawURLEncoding.DecodeString(string(parts[1]))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(payload, []byte(`"vc":`)) || bytes.Contains(payload, []byte(`"vp":`)) {
				t.Error("payload has a vc or vp claim")
			}
			inner, err := ParseDocument(payload)
			if err != nil {
				t.Fatal(err)
			}
			if inner.Kind != tt.kind {
				t.Errorf("payload kind %v, want %v", inner.Kind, tt.kind)
			}
		})
	}
}

func TestParsePresentationRefusesAnEnvelopedPresentation(t *testing.T) {
	data := readFile(t, filepath.Join(joseDir, "examples", "example-03-a-simple-example-of-a-verifiable-presentation-secured-with-j.json"))
	if _, err := ParsePresentation(data); !errors.Is(err, ErrType) {
		t.Errorf("ParsePresentation = %v, want ErrType", err)
	}
}
