// Package holder is the member of staff's side: it builds a Verifiable
// Presentation (W3C VCDM 2.0 section 4.13) of credentials they hold and
// signs it with their wallet key (a did:key or did:jwk), bound to the
// challenge and domain of the verifier they present to.
//
// A presentation is secured as a vp+jwt (W3C VC-JOSE-COSE: the credentials
// inside as EnvelopedVerifiableCredential objects for vc+jwt ones and as
// they are for Data Integrity ones; the challenge in the nonce claim and
// the domain in aud) or with a Data Integrity proof (proofPurpose
// authentication, challenge, domain; VC Data Integrity 1.0 section 2.1).
// Credentials of both kinds may be mixed in either.
package holder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/staffpass/staffpass/did"
	"github.com/staffpass/staffpass/internal/dataintegrity"
	"github.com/staffpass/staffpass/internal/jose"
	"github.com/staffpass/staffpass/internal/limits"
	"github.com/staffpass/staffpass/keys"
	"github.com/staffpass/staffpass/vc"
)

// ErrOptions: Present was given too little to sign a presentation with.
var ErrOptions = errors.New("holder: invalid options")

// ErrCredential: a credential given to Present cannot go into a
// presentation (not a credential, or not secured).
var ErrCredential = errors.New("holder: not a secured credential")

// Options say how to secure a presentation.
type Options struct {
	// Format is vc.FormatJWT (a vp+jwt) or a Data Integrity cryptosuite.
	Format vc.Format
	// Challenge and Domain are the verifier's: its challenge, fresh for
	// this presentation, and its domain (who it is). Both are required:
	// a presentation bound to neither could be replayed to anyone.
	Challenge, Domain string
	// Created is when the presentation is made (required): the JWT's
	// iat, the proof's created.
	Created time.Time
	// Expires, if not zero, is when it stops being valid: the JWT's exp,
	// the proof's expires.
	Expires time.Time
	// ID, if not empty, is the presentation's id.
	ID string
}

// Holder returns the DID of a wallet signer: the DID of its key id.
func Holder(s keys.Signer) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%w: no signer", ErrOptions)
	}
	u, err := did.ParseURL(s.KeyID())
	if err != nil {
		return "", fmt.Errorf("%w: the signer's key id is not a DID URL: %w", ErrOptions, err)
	}
	return u.DID().String(), nil
}

// Present builds a presentation of creds (each a vc+jwt in compact form, a
// credential JSON with Data Integrity proofs, or an
// EnvelopedVerifiableCredential JSON), held by signer's DID, and secures it
// as opts say. It does not check that the holder is each credential's
// subject (see NotTheirs): a verifier's holder binding check decides.
func Present(creds [][]byte, signer keys.Signer, opts Options) ([]byte, error) {
	holderDID, err := Holder(signer)
	if err != nil {
		return nil, err
	}
	switch {
	case !slices.Contains(vc.Formats(), opts.Format):
		return nil, fmt.Errorf("%w: unknown format %q", ErrOptions, opts.Format)
	case opts.Challenge == "" || opts.Domain == "":
		return nil, fmt.Errorf("%w: a presentation needs the verifier's challenge and domain", ErrOptions)
	case opts.Created.IsZero():
		return nil, fmt.Errorf("%w: no creation time", ErrOptions)
	case !opts.Expires.IsZero() && !opts.Expires.After(opts.Created):
		return nil, fmt.Errorf("%w: expires before it is made", ErrOptions)
	case len(creds) == 0:
		return nil, fmt.Errorf("%w: no credential to present", ErrOptions)
	case len(creds) > limits.MaxPresentationCredentials:
		return nil, fmt.Errorf("%w: %d credentials, more than %d", ErrOptions, len(creds), limits.MaxPresentationCredentials)
	}
	entries := make([]json.RawMessage, len(creds))
	for i, c := range creds {
		if entries[i], err = entry(c); err != nil {
			return nil, fmt.Errorf("credential %d: %w", i+1, err)
		}
	}
	vp := presentation{
		Context: []string{vc.ContextV2},
		ID:      opts.ID,
		Type:    []string{vc.TypePresentation},
		Holder:  holderDID,
		VCs:     entries,
	}
	if opts.Format == vc.FormatJWT {
		vp.Nonce, vp.Aud = opts.Challenge, opts.Domain
		vp.Iat = opts.Created.Unix()
		if !opts.Expires.IsZero() {
			vp.Exp = opts.Expires.Unix()
		}
		payload, err := json.Marshal(vp)
		if err != nil {
			return nil, err
		}
		tok, err := jose.Sign(payload, jose.SignOptions{Kind: jose.KindPresentation, Signer: signer})
		if err != nil {
			return nil, err
		}
		return []byte(tok), nil
	}
	doc, err := json.Marshal(vp)
	if err != nil {
		return nil, err
	}
	return dataintegrity.Sign(doc, dataintegrity.SignOptions{
		Suite:     string(opts.Format),
		Signer:    signer,
		Purpose:   dataintegrity.Authentication,
		Created:   opts.Created,
		Expires:   opts.Expires,
		Challenge: opts.Challenge,
		Domain:    opts.Domain,
	}, nil)
}

// presentation is the JSON of a presentation, members in the order of the
// W3C examples; the JWT claims are written for vp+jwt only.
type presentation struct {
	Context []string          `json:"@context"`
	ID      string            `json:"id,omitempty"`
	Type    []string          `json:"type"`
	Holder  string            `json:"holder"`
	VCs     []json.RawMessage `json:"verifiableCredential"`
	Nonce   string            `json:"nonce,omitempty"`
	Aud     string            `json:"aud,omitempty"`
	Iat     int64             `json:"iat,omitempty"`
	Exp     int64             `json:"exp,omitempty"`
}

// entry returns a credential as an entry of verifiableCredential.
func entry(c []byte) (json.RawMessage, error) {
	c = bytes.TrimSpace(c)
	if len(c) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrCredential)
	}
	if c[0] != '{' {
		if _, err := jose.ParseUnverified(string(c)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCredential, err)
		}
		return json.Marshal(map[string]any{
			"@context": []string{vc.ContextV2},
			"id":       "data:" + vc.MediaTypeVCJWT + "," + string(c),
			"type":     vc.TypeEnvelopedCredential,
		})
	}
	doc, err := vc.ParseDocument(c)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCredential, err)
	}
	switch doc.Kind {
	case vc.KindEnvelopedCredential:
	case vc.KindCredential:
		if doc.Credential.Proof.Len() == 0 {
			return nil, fmt.Errorf("%w: it has no proof", ErrCredential)
		}
	default:
		return nil, fmt.Errorf("%w: a %v, not a credential", ErrCredential, doc.Kind)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, c); err != nil {
		return nil, err
	}
	return compact.Bytes(), nil
}

// NotTheirs returns the positions (from 1) of the credentials whose
// subjects do not include holder: a verifier's holder binding check
// refuses them in a presentation by holder.
func NotTheirs(creds [][]byte, holder string) []int {
	var out []int
	for i, c := range creds {
		if !subjectIs(c, holder) {
			out = append(out, i+1)
		}
	}
	return out
}

func subjectIs(c []byte, holder string) bool {
	payload, err := jose.PeekDocument(c)
	if err != nil {
		return false
	}
	doc, err := vc.ParseDocument(payload)
	if err != nil {
		return false
	}
	if doc.Kind == vc.KindEnvelopedCredential {
		u, err := doc.Envelope.DataURL()
		if err != nil {
			return false
		}
		return subjectIs(u.Data, holder)
	}
	return doc.Credential != nil && slices.Contains(doc.Credential.SubjectIDs(), holder)
}
