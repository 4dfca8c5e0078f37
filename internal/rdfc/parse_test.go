package rdfc

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
)

func iri(v string) Term   { return Term{Kind: IRI, Value: v} }
func bnode(v string) Term { return Term{Kind: BlankNode, Value: v} }
func str(v string) Term   { return Term{Kind: Literal, Value: v, Datatype: XSDString} }
func typed(v, dt string) Term {
	return Term{Kind: Literal, Value: v, Datatype: dt}
}
func lang(v, tag string) Term {
	return Term{Kind: Literal, Value: v, Datatype: RDFLangString, Language: tag}
}

func TestParseNQuadsAccepts(t *testing.T) {
	s, p, o := iri("http://a.example/s"), iri("http://a.example/p"), iri("http://a.example/o")
	tests := []struct {
		name string
		doc  string
		want []Quad
	}{
		{"an empty document has no quads", "", []Quad{}},
		{"comments and blank lines are skipped", "# c\n\n  \t\n# d", []Quad{}},
		{"a triple is in the default graph",
			"<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n",
			[]Quad{{Subject: s, Predicate: p, Object: o}}},
		{"a quad keeps its graph IRI",
			"<http://a.example/s> <http://a.example/p> <http://a.example/o> <http://a.example/g> .",
			[]Quad{{Subject: s, Predicate: p, Object: o, Graph: iri("http://a.example/g")}}},
		{"blank nodes may be subject, object and graph",
			"_:x <http://a.example/p> _:y _:g .",
			[]Quad{{Subject: bnode("x"), Predicate: p, Object: bnode("y"), Graph: bnode("g")}}},
		{"a plain literal gets xsd:string",
			`<http://a.example/s> <http://a.example/p> "v" .`,
			[]Quad{{Subject: s, Predicate: p, Object: str("v")}}},
		{"an explicit xsd:string is the same literal",
			`<http://a.example/s> <http://a.example/p> "v"^^<http://www.w3.org/2001/XMLSchema#string> .`,
			[]Quad{{Subject: s, Predicate: p, Object: str("v")}}},
		{"a language tag keeps its case and makes an rdf:langString",
			`<http://a.example/s> <http://a.example/p> "v"@en-GB .`,
			[]Quad{{Subject: s, Predicate: p, Object: lang("v", "en-GB")}}},
		{"a datatype IRI is kept",
			`<http://a.example/s> <http://a.example/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .`,
			[]Quad{{Subject: s, Predicate: p, Object: typed("1", "http://www.w3.org/2001/XMLSchema#integer")}}},
		{"string escapes are decoded",
			`<http://a.example/s> <http://a.example/p> "\t\b\n\r\f\"\'\\ \u00e9\U0001F303\u0000" .`,
			[]Quad{{Subject: s, Predicate: p, Object: str("\t\b\n\r\f\"'\\ é🌃\x00")}}},
		{"IRI escapes are decoded",
			`<http://a.example/\u0073> <http://a.example/p> <http://a.example/\U0000221E> .`,
			[]Quad{{Subject: s, Predicate: p, Object: iri("http://a.example/∞")}}},
		{"terms need no white space between them",
			`<http://a.example/s><http://a.example/p>"v"@en.`,
			[]Quad{{Subject: s, Predicate: p, Object: lang("v", "en")}}},
		{"tabs and spaces separate terms and a comment may follow the dot",
			"\t<http://a.example/s>\t<http://a.example/p>  \"v\" \t. # done\n",
			[]Quad{{Subject: s, Predicate: p, Object: str("v")}}},
		{"a blank node label may hold dots but not end with one",
			"_:a.b <http://a.example/p> _:c.",
			[]Quad{{Subject: bnode("a.b"), Predicate: p, Object: bnode("c")}}},
		{"blank node labels may use digits, dashes and non-ASCII letters",
			"_:0-é·x <http://a.example/p> _:_:y .",
			[]Quad{{Subject: bnode("0-é·x"), Predicate: p, Object: bnode("_:y")}}},
		{"CR LF and lone CR end lines",
			"<http://a.example/s> <http://a.example/p> \"1\" .\r\n<http://a.example/s> <http://a.example/p> \"2\" .\r<http://a.example/s> <http://a.example/p> \"3\" .",
			[]Quad{{Subject: s, Predicate: p, Object: str("1")}, {Subject: s, Predicate: p, Object: str("2")}, {Subject: s, Predicate: p, Object: str("3")}}},
		{"duplicate statements are kept",
			"<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n",
			[]Quad{{Subject: s, Predicate: p, Object: o}, {Subject: s, Predicate: p, Object: o}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNQuads([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseNQuadsRejects(t *testing.T) {
	const s, p = "<http://a.example/s> ", "<http://a.example/p> "
	tests := []struct {
		name     string
		doc      string
		line     int
		column   int
		contains string
	}{
		{"a statement must end with a dot", s + p + `"v"`, 1, 46, "expected '.'"},
		{"a relative IRI is refused", "<s> " + p + `"v" .`, 1, 1, "relative"},
		{"an IRI may not hold a space", "<http://a.example/ s> " + p + `"v" .`, 1, 19, "not allowed in an IRI"},
		{"an escape in an IRI may not stand for a space", `<http://a.example/\u0020> ` + p + `"v" .`, 1, 19, "not allowed in an IRI"},
		{"an IRI escape must be a UCHAR", `<http://a.example/\n> ` + p + `"v" .`, 1, 19, "invalid escape"},
		{"an IRI must be closed", "<http://a.example/s", 1, 1, "not closed"},
		{"an IRI must be closed on its line", "<http://a.example/s\n> " + p + `"v" .`, 1, 1, "not closed"},
		{"a string must be closed", s + p + `"v .`, 1, 43, "not closed"},
		{"a string must be closed on its line", s + p + "\"v\n\" .", 1, 43, "end of the line"},
		{"an unknown string escape is refused", s + p + `"\q" .`, 1, 44, `invalid escape \'q'`},
		{"a UCHAR needs all its hex digits", s + p + `"\u12" .`, 1, 44, "4 hex digits"},
		{"a UCHAR may not be a surrogate", s + p + `"\uD800" .`, 1, 44, "not a Unicode scalar value"},
		{"a UCHAR may not be above U+10FFFF", s + p + `"\U00110000" .`, 1, 44, "not a Unicode scalar value"},
		{"a literal cannot be a subject", `"v" ` + p + `"v" .`, 1, 1, "expected a subject"},
		{"a blank node cannot be a predicate", s + `_:p "v" .`, 1, 22, "expected a predicate"},
		{"a literal cannot be a graph", s + p + `"v" "g" .`, 1, 47, "expected '.'"},
		{"rdf:langString needs a language tag", s + p + `"v"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> .`, 1, 48, "needs a language tag"},
		{"a language tag cannot start with a digit", s + p + `"v"@1en .`, 1, 46, "language tag"},
		{"a language tag cannot end with a dash", s + p + `"v"@en- .`, 1, 46, "language tag"},
		{"a datatype needs two carets", s + p + `"v"^<http://a.example/d> .`, 1, 46, `"^^"`},
		{"a datatype must be an IRI", s + p + `"v"^^"d" .`, 1, 48, "expected a datatype IRI"},
		{"a blank node needs a label", "_: " + p + `"v" .`, 1, 3, "cannot start with"},
		{"a blank node needs a colon", "_x " + p + `"v" .`, 1, 1, `"_:"`},
		{"two statements cannot share a line", s + p + `"v" . ` + s + p + `"v" .`, 1, 49, "end of the line"},
		{"errors name the right line", "# one\n" + s + p + "\"v\" .\r\n\n" + s + `"v" .`, 4, 22, "expected a predicate"},
		{"columns count characters, not bytes", `<http://a.example/é> <http://a.example/p> "é"@€ .`, 1, 46, "language tag"},
		{"the document must be valid UTF-8", s + p + "\"v\" .\n" + s + p + "\"\xff\" .", 2, 44, "invalid UTF-8"},
		{"a statement needs an object", s + p + ".", 1, 43, "expected an object"},
		{"a statement needs a predicate", s + ".", 1, 22, "expected a predicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNQuads([]byte(tt.doc))
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("err = %v, want ErrSyntax", err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %T, want *SyntaxError", err)
			}
			if se.Line != tt.line || se.Column != tt.column || !strings.Contains(se.Msg, tt.contains) {
				t.Fatalf("got line %d column %d %q, want line %d column %d containing %q", se.Line, se.Column, se.Msg, tt.line, tt.column, tt.contains)
			}
		})
	}
}

func TestParseNQuadsRefusesDocumentsOverTheLimits(t *testing.T) {
	tests := []struct {
		name string
		doc  []byte
	}{
		{"more bytes than MaxNQuadsBytes", bytes.Repeat([]byte{'#'}, limits.MaxNQuadsBytes+1)},
		{"more statements than MaxQuads", bytes.Repeat([]byte("<a:s> <a:p> <a:o> .\n"), limits.MaxQuads+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNQuads(tt.doc)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestAppendQuadWritesCanonicalNQuads(t *testing.T) {
	s, p := iri("http://a.example/s"), iri("http://a.example/p")
	tests := []struct {
		name string
		quad Quad
		want string
	}{
		{"a triple has no graph label", Quad{Subject: s, Predicate: p, Object: iri("http://a.example/o")},
			"<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n"},
		{"a graph label follows the object", Quad{Subject: bnode("b0"), Predicate: p, Object: bnode("b1"), Graph: bnode("g")},
			"_:b0 <http://a.example/p> _:b1 _:g .\n"},
		{"xsd:string is left out", Quad{Subject: s, Predicate: p, Object: str("v")},
			`<http://a.example/s> <http://a.example/p> "v" .` + "\n"},
		{"a language tag is written as given", Quad{Subject: s, Predicate: p, Object: lang("v", "en-GB")},
			`<http://a.example/s> <http://a.example/p> "v"@en-GB .` + "\n"},
		{"another datatype is written", Quad{Subject: s, Predicate: p, Object: typed("1", "http://www.w3.org/2001/XMLSchema#integer")},
			`<http://a.example/s> <http://a.example/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .` + "\n"},
		{"control characters use ECHAR where one exists and upper-case UCHAR otherwise",
			Quad{Subject: s, Predicate: p, Object: str("\x00\x07\b\t\n\x0b\f\r\x1f\"\\\x7f'é🌃")},
			`<http://a.example/s> <http://a.example/p> "\u0000\u0007\b\t\n\u000B\f\r\u001F\"\\\u007F'é🌃" .` + "\n"},
		{"IRIs are written without escapes", Quad{Subject: iri("urn:ex:∞"), Predicate: p, Object: iri("urn:ex:\u00a0")},
			"<urn:ex:∞> <http://a.example/p> <urn:ex:\u00a0> .\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendQuad([]byte("x"), tt.quad)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "x"+tt.want {
				t.Fatalf("got  %s\nwant %s", got, "x"+tt.want)
			}
		})
	}
}

// invalidQuads hold terms that cannot be written as canonical N-Quads.
var invalidQuads = []struct {
	name string
	quad Quad
}{
	{"a literal subject", Quad{Subject: str("s"), Predicate: iri("a:p"), Object: str("o")}},
	{"a blank node predicate", Quad{Subject: iri("a:s"), Predicate: bnode("p"), Object: str("o")}},
	{"a default graph object", Quad{Subject: iri("a:s"), Predicate: iri("a:p")}},
	{"a literal graph", Quad{Subject: iri("a:s"), Predicate: iri("a:p"), Object: str("o"), Graph: str("g")}},
	{"an unknown kind", Quad{Subject: Term{Kind: 9, Value: "a:s"}, Predicate: iri("a:p"), Object: str("o")}},
	{"a relative IRI", Quad{Subject: iri("s"), Predicate: iri("a:p"), Object: str("o")}},
	{"an empty IRI", Quad{Subject: iri(""), Predicate: iri("a:p"), Object: str("o")}},
	{"an IRI with a space", Quad{Subject: iri("a:s t"), Predicate: iri("a:p"), Object: str("o")}},
	{"an IRI with a '>'", Quad{Subject: iri("a:s> <a:x"), Predicate: iri("a:p"), Object: str("o")}},
	{"an IRI that is not UTF-8", Quad{Subject: iri("a:\xff"), Predicate: iri("a:p"), Object: str("o")}},
	{"an IRI with a language", Quad{Subject: Term{Kind: IRI, Value: "a:s", Language: "en"}, Predicate: iri("a:p"), Object: str("o")}},
	{"a blank node with a datatype", Quad{Subject: Term{Kind: BlankNode, Value: "b", Datatype: XSDString}, Predicate: iri("a:p"), Object: str("o")}},
	{"an empty blank node label", Quad{Subject: bnode(""), Predicate: iri("a:p"), Object: str("o")}},
	{"a blank node label with a space", Quad{Subject: bnode("a b"), Predicate: iri("a:p"), Object: str("o")}},
	{"a blank node label ending in a dot", Quad{Subject: bnode("a."), Predicate: iri("a:p"), Object: str("o")}},
	{"a literal without a datatype", Quad{Subject: iri("a:s"), Predicate: iri("a:p"), Object: Term{Kind: Literal, Value: "o"}}},
	{"a literal that is not UTF-8", Quad{Subject: iri("a:s"), Predicate: iri("a:p"), Object: str("\xc3")}},
	{"a literal with a relative datatype", Quad{Subject: iri("a:s"), Predicate: iri("a:p"), Object: typed("o", "int")}},
	{"an rdf:langString without a tag", Quad{Subject: iri("a:s"), Predicate: iri("a:p"), Object: typed("o", RDFLangString)}},
	{"a language tag on an xsd:string", Quad{Subject: iri("a:s"), Predicate: iri("a:p"), Object: Term{Kind: Literal, Value: "o", Datatype: XSDString, Language: "en"}}},
	{"a language tag that could break the line", Quad{Subject: iri("a:s"), Predicate: iri("a:p"), Object: lang("o", "en .\n<a:x>")}},
	{"a default graph with a value", Quad{Subject: iri("a:s"), Predicate: iri("a:p"), Object: str("o"), Graph: Term{Value: "a:g"}}},
}

func TestAppendQuadRefusesInvalidTerms(t *testing.T) {
	for _, tt := range invalidQuads {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AppendQuad(nil, tt.quad)
			if !errors.Is(err, ErrInvalidTerm) {
				t.Fatalf("err = %v, want ErrInvalidTerm", err)
			}
		})
	}
}

// TestParseThenAppendRoundTrips writes every quad of every suite input and
// parses it back.
func TestParseThenAppendRoundTrips(t *testing.T) {
	for _, e := range readManifest(t) {
		if e.Type != "rdfc:RDFC10EvalTest" {
			continue
		}
		quads, err := ParseNQuads(readVector(t, e.Action))
		if err != nil {
			t.Fatalf("%s: %v", e.Action, err)
		}
		var doc []byte
		for _, q := range quads {
			if doc, err = AppendQuad(doc, q); err != nil {
				t.Fatalf("%s: %v", e.Action, err)
			}
		}
		again, err := ParseNQuads(doc)
		if err != nil {
			t.Fatalf("%s: reparsing: %v", e.Action, err)
		}
		if !slices.Equal(quads, again) {
			t.Fatalf("%s: round trip changed the quads", e.Action)
		}
	}
}
