package ld

import (
	"fmt"
	"strings"
)

// The names readers know
//
// A reader of a credential does not read JSON-LD: the data model (package
// vc), the status list reader (vc/status) and the Data Integrity proof
// reader give the members, types and values they read a fixed meaning, by
// name, whatever a document's contexts say. An -rdfc- proof does not sign
// the contexts, only the IRIs they make of the names, so a holder can swap
// them: make the name a reader reads stand for another IRI, or the IRI it
// reads go under another name (a proof's expires renamed by an inline term,
// proofPurpose's "assertionMethod" made to stand for authentication). Rule 7
// of the bound profile pins these names to the IRIs the W3C contexts give
// them: on a node of each type a reader reads, its members; everywhere,
// the types themselves and the proof purposes.

const (
	credNS   = "https://www.w3.org/2018/credentials#"
	statusNS = "https://www.w3.org/ns/credentials/status#"
	secNS    = "https://w3id.org/security#"
	// sl2021NS is the W3C CCG StatusList2021's vocabulary, which vc/status
	// reads for credentials of Microsoft Entra Verified ID.
	sl2021NS = "https://w3id.org/vc/status-list#"
)

// pins are names a reader reads with the IRIs it reads them as.
type pins struct {
	byName map[string]string // name -> IRI
	byIRI  map[string]string // IRI -> name
}

func newPins(byName map[string]string) *pins {
	p := &pins{byName: byName, byIRI: make(map[string]string, len(byName))}
	for n, iri := range byName {
		p.byIRI[iri] = n
	}
	return p
}

func namespaced(ns string, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = ns + n
	}
	return m
}

func merged(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

var (
	// readerTypes are the types readers tell documents and their parts
	// by, pinned wherever they are written.
	readerTypes = newPins(merged(
		namespaced(credNS, "VerifiableCredential", "VerifiablePresentation", "EnvelopedVerifiableCredential",
			"EnvelopedVerifiablePresentation", "JsonSchema", "JsonSchemaCredential"),
		namespaced(statusNS, "BitstringStatusListEntry", "BitstringStatusListCredential", "BitstringStatusList"),
		namespaced(sl2021NS, "StatusList2021Entry", "StatusList2021Credential", "StatusList2021"),
		namespaced(secNS, "DataIntegrityProof"),
	))

	// readerPurposes are the values of a proof's proofPurpose.
	readerPurposes = newPins(map[string]string{
		"assertionMethod":      secNS + "assertionMethod",
		"authentication":       secNS + "authenticationMethod",
		"capabilityInvocation": secNS + "capabilityInvocationMethod",
		"capabilityDelegation": secNS + "capabilityDelegationMethod",
		"keyAgreement":         secNS + "keyAgreementMethod",
	})

	// readerMembers are, by the type of a node, the members readers read
	// on it.
	readerMembers = map[string]*pins{
		credNS + "VerifiableCredential": newPins(merged(
			namespaced(credNS, "issuer", "credentialSubject", "credentialStatus", "credentialSchema", "validFrom",
				"validUntil", "issuanceDate", "expirationDate", "evidence", "termsOfUse", "refreshService",
				"relatedResource", "confidenceMethod", "renderMethod"),
			map[string]string{"proof": secNS + "proof"},
		)),
		credNS + "VerifiablePresentation": newPins(merged(
			namespaced(credNS, "holder", "verifiableCredential", "termsOfUse"),
			map[string]string{"proof": secNS + "proof"},
		)),
		statusNS + "BitstringStatusListEntry": newPins(namespaced(statusNS, "statusPurpose", "statusListIndex",
			"statusListCredential", "statusSize", "statusMessage", "statusReference")),
		statusNS + "BitstringStatusList": newPins(namespaced(statusNS, "statusPurpose", "encodedList", "ttl")),
		sl2021NS + "StatusList2021Entry": newPins(namespaced(sl2021NS, "statusPurpose", "statusListIndex",
			"statusListCredential")),
		sl2021NS + "StatusList2021": newPins(namespaced(sl2021NS, "statusPurpose", "encodedList")),
		secNS + "DataIntegrityProof": newPins(merged(
			namespaced(secNS, "cryptosuite", "verificationMethod", "proofPurpose", "challenge", "domain", "nonce",
				"previousProof", "proofValue"),
			map[string]string{"created": "http://purl.org/dc/terms/created", "expires": secNS + "expiration"},
		)),
	}
)

// nameProblem says why name, a member name, a type or a @vocab-coerced
// value that expands to iri, breaks rule 2, 4, 7 or 8 of the bound
// profile, or returns "". u is what the served contexts name; the active context gives n terms for iri, the first of
// them first, and vocab as its @vocab ("" for none); isTerm reports
// whether a string is a term of it. pinned are the reader's names where
// name stands.
//
// A name must be the one name the IRI has: the reader's name, where one
// is pinned; else its term; else the name @vocab makes of it; else the IRI
// itself (never a compact IRI). So a reader that knows a property by one
// name finds it under that name, and only there.
func nameProblem(u *universe, name, iri string, n int, first, vocab string, isTerm func(string) bool, pinned ...*pins) string {
	if isBlankNode(iri) {
		return "a blank node label: canonicalization renames blank nodes, so no proof signs the label"
	}
	if iri == rdfType {
		return "it stands for rdf:type: a node's types are written under \"type\" only, where readers read them"
	}
	for _, p := range pinned {
		if p == nil {
			continue
		}
		if want, ok := p.byName[name]; ok && want != iri {
			return fmt.Sprintf("readers read %q as %s, whatever a document's contexts say, and here it stands for %s", name, want, iri)
		}
		if want, ok := p.byIRI[iri]; ok {
			if want != name {
				return fmt.Sprintf("it stands for %s, which readers read under the name %q whatever a document's contexts say, so it must be written %q", iri, want, want)
			}
			return ""
		}
	}
	if reason := u.problem(name, iri); reason != "" {
		return reason
	}
	switch {
	case n > 1:
		return fmt.Sprintf("its contexts give %s %d names, so a reader may look for it under another", iri, n)
	case n == 1:
		if name != first {
			return fmt.Sprintf("it stands for %s, which the contexts name %q: a proof signs the IRI and a reader looks for the name, so it must be written %q", iri, first, first)
		}
		return ""
	}
	canonical := iri
	if vocab != "" && strings.HasPrefix(iri, vocab) {
		if s := iri[len(vocab):]; s != "" && !strings.Contains(s, ":") && !strings.HasPrefix(s, "@") && !isTerm(s) {
			canonical = s
		}
	}
	if name != canonical {
		return fmt.Sprintf("it stands for %s, which a reader finds under the name %q: a proof signs the IRI, not the name, so it must be written %q", iri, canonical, canonical)
	}
	return ""
}

// nodePins returns the reader's names for the members of a node of the
// given types (IRIs).
func nodePins(types []string) []*pins {
	var out []*pins
	for _, t := range types {
		if p := readerMembers[t]; p != nil {
			out = append(out, p)
		}
	}
	return out
}

// typePins appends to buf the reader's names for the members of a node
// whose @type member has the value v, its types expanding in c.
func typePins(c *fastContext, v any, buf []*pins) []*pins {
	add := func(t any) {
		s, ok := t.(string)
		if !ok {
			return
		}
		if e := c.expandVocab(s); e != nil {
			if p := readerMembers[e.iri]; p != nil {
				buf = append(buf, p)
			}
		}
	}
	if l, ok := v.([]any); ok {
		for _, t := range l {
			add(t)
		}
	} else {
		add(v)
	}
	return buf
}
