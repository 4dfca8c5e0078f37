package vc_test

import (
	"errors"
	"fmt"

	"github.com/staffpass/staffpass/vc"
)

func ExampleParse() {
	data := []byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2"],
	  "type": ["VerifiableCredential", "DBSCheckCredential"],
	  "issuer": "did:web:kch.nhs.uk",
	  "validFrom": "2025-03-01T09:00:00Z",
	  "validUntil": "2028-03-01T09:00:00Z",
	  "credentialSubject": {"id": "did:example:alex", "dbsLevel": "enhanced"}
	}`)
	c, err := vc.Parse(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	from, until, _ := c.ValidityPeriod()
	fmt.Println("version:", c.Version())
	fmt.Println("issuer:", c.Issuer.ID)
	fmt.Println("DBS check:", c.HasType("DBSCheckCredential"))
	fmt.Println("subjects:", c.SubjectIDs())
	fmt.Println("valid:", from.Format("2006-01-02"), "to", until.Format("2006-01-02"))
	fmt.Println("claim:", string(c.CredentialSubject.Items[0].Claims["dbsLevel"]))
	// Output:
	// version: 2.0
	// issuer: did:web:kch.nhs.uk
	// DBS check: true
	// subjects: [did:example:alex]
	// valid: 2025-03-01 to 2028-03-01
	// claim: "enhanced"
}

func ExampleParse_problems() {
	data := []byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2"],
	  "type": ["VerifiableCredential"],
	  "issuer": null,
	  "validFrom": "2025-03-01T09:00:00Z",
	  "validUntil": "2024-03-01T09:00:00Z",
	  "credentialSubject": {}
	}`)
	_, err := vc.Parse(data)
	var ve *vc.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p)
		}
	}
	fmt.Println("issuer problem:", errors.Is(err, vc.ErrIssuer))
	// Output:
	// /issuer: issuer is null; it must be a URL or an object with an id URL
	// /credentialSubject: credentialSubject entry has no claims; each subject must be the subject of at least one claim
	// /validUntil: validUntil 2024-03-01T09:00:00Z is before validFrom 2025-03-01T09:00:00Z
	// issuer problem: true
}

func ExampleParseDocument() {
	data := []byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2"],
	  "type": "VerifiablePresentation",
	  "holder": "did:example:alex",
	  "verifiableCredential": [{
	    "@context": "https://www.w3.org/ns/credentials/v2",
	    "type": "EnvelopedVerifiableCredential",
	    "id": "data:application/vc+jwt,eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6d2ViOmtjaC5uaHMudWsifQ.c2ln"
	  }]
	}`)
	d, err := vc.ParseDocument(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("kind:", d.Kind)
	for _, pc := range d.Presentation.VerifiableCredential.Items {
		if pc.Envelope != nil {
			u, err := pc.Envelope.DataURL()
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Println("envelope:", u.MediaType, len(u.Data), "bytes")
		}
	}
	// Output:
	// kind: VerifiablePresentation
	// envelope: application/vc+jwt 64 bytes
}
