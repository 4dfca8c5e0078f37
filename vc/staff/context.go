package staff

import "github.com/staffpass/staffpass/internal/ld"

// ContextURL is the URL of the staffpass JSON-LD context, the second entry
// of every staff credential's @context (after
// https://www.w3.org/ns/credentials/v2). The document behind it never
// changes: a change of meaning gets a new URL (v2).
const ContextURL = "https://w3id.org/staffpass/v1"

// VocabularyURL is the namespace of every term the context defines: the
// term "dbsLevel" means https://w3id.org/staffpass/vocab#dbsLevel.
const VocabularyURL = "https://w3id.org/staffpass/vocab#"

// ContextDocument returns the JSON-LD context document served at
// ContextURL, byte for byte, for a document loader or for publishing. It is
// embedded with the W3C contexts in internal/ld
// (contexts/w3id.org/staffpass/v1.jsonld), so every document loader serves
// it.
func ContextDocument() []byte {
	doc, _ := ld.EmbeddedContext(ContextURL)
	return doc
}
