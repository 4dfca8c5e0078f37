package staff

import (
	"bytes"
	_ "embed"
)

// ContextURL is the URL of the staffpass JSON-LD context, the second entry
// of every staff credential's @context (after
// https://www.w3.org/ns/credentials/v2). The document behind it never
// changes: a change of meaning gets a new URL (v2).
const ContextURL = "https://w3id.org/staffpass/v1"

// VocabularyURL is the namespace of every term the context defines: the
// term "dbsLevel" means https://w3id.org/staffpass/vocab#dbsLevel.
const VocabularyURL = "https://w3id.org/staffpass/vocab#"

//go:embed context/v1.jsonld
var contextV1 []byte

// ContextDocument returns the JSON-LD context document served at
// ContextURL, byte for byte, for a document loader or for publishing.
func ContextDocument() []byte { return bytes.Clone(contextV1) }
