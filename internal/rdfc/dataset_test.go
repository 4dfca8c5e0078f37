package rdfc

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// datasetOf builds a Dataset from quads, blank nodes known by label; the
// blank nodes it makes in extra are mentioned by no quad.
func datasetOf(quads []Quad, extra int) (*Dataset, error) {
	d := new(Dataset)
	blanks := map[string]TermID{}
	id := func(t Term) (TermID, error) {
		switch t.Kind {
		case IRI:
			return d.IRI(t.Value)
		case Literal:
			return d.Literal(t.Value, t.Datatype, t.Language)
		case BlankNode:
			if b, ok := blanks[t.Value]; ok {
				return b, nil
			}
			for range extra {
				d.BlankNode()
			}
			extra = 0
			b := d.BlankNode()
			blanks[t.Value] = b
			return b, nil
		}
		return DefaultGraphID, nil
	}
	for _, q := range quads {
		var ids [4]TermID
		for i, t := range [4]Term{q.Subject, q.Predicate, q.Object, q.Graph} {
			x, err := id(t)
			if err != nil {
				return nil, err
			}
			ids[i] = x
		}
		if err := d.Add(ids[0], ids[1], ids[2], ids[3]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// WriteCanonical gives every expected output of the RDFC-1.0 suite, also
// for shuffled and repeated quads and with blank nodes no quad mentions.
func TestWriteCanonicalPassesTheW3CVectors(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, e := range readManifest(t) {
		if e.Type != "rdfc:RDFC10EvalTest" {
			continue
		}
		t.Run(strings.TrimPrefix(e.ID, "#"), func(t *testing.T) {
			quads, err := ParseNQuads(readVector(t, e.Action))
			if err != nil {
				t.Fatal(err)
			}
			want := readVector(t, e.Result)
			shuffled := slices.Clone(quads)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			for _, in := range [][]Quad{quads, append(shuffled, quads...)} {
				d, err := datasetOf(in, 3)
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if err := WriteCanonical(&got, d, e.options(t)); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("canonical form differs\n got:\n%s\nwant:\n%s", got.Bytes(), want)
				}
			}
		})
	}
}

func TestDatasetRefusesWhatCanonicalizeRefuses(t *testing.T) {
	d := new(Dataset)
	s, err := d.IRI("a:s")
	if err != nil {
		t.Fatal(err)
	}
	lit, err := d.Literal("o", XSDString, "")
	if err != nil {
		t.Fatal(err)
	}
	b := d.BlankNode()
	tests := []struct {
		name string
		err  func() error
	}{
		{"a relative IRI", func() error { _, err := d.IRI("rel"); return err }},
		{"an IRI with a space", func() error { _, err := d.IRI("a:b c"); return err }},
		{"a literal with no datatype", func() error { _, err := d.Literal("x", "", ""); return err }},
		{"a language string with no language", func() error { _, err := d.Literal("x", RDFLangString, ""); return err }},
		{"a language tag on a typed literal", func() error { _, err := d.Literal("x", XSDString, "en"); return err }},
		{"a malformed language tag", func() error { _, err := d.Literal("x", RDFLangString, "en_GB"); return err }},
		{"a literal that is not UTF-8", func() error { _, err := d.Literal("\xff", XSDString, ""); return err }},
		{"a literal subject", func() error { return d.Add(lit, s, lit, DefaultGraphID) }},
		{"a blank node predicate", func() error { return d.Add(s, b, lit, DefaultGraphID) }},
		{"a literal graph", func() error { return d.Add(s, s, lit, lit) }},
		{"a default graph object", func() error { return d.Add(s, s, DefaultGraphID, DefaultGraphID) }},
		{"a term of no dataset", func() error { return d.Add(s, s, TermID(99), DefaultGraphID) }},
		{"a blank node of no dataset", func() error { return d.Add(^TermID(5), s, lit, DefaultGraphID) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.err(); !errors.Is(err, ErrInvalidTerm) {
				t.Fatalf("err = %v, want ErrInvalidTerm", err)
			}
		})
	}
	if d.Len() != 0 {
		t.Errorf("%d quads added by refused calls", d.Len())
	}
}

func TestDatasetInternsEachTermOnce(t *testing.T) {
	d := new(Dataset)
	a, _ := d.IRI("a:x")
	b, _ := d.IRI("a:x")
	l1, _ := d.Literal("a:x", XSDString, "")
	l2, _ := d.Literal("a:x", XSDString, "")
	l3, _ := d.Literal("a:x", RDFLangString, "en")
	l4, _ := d.Literal("a:x", "a:t", "")
	if a != b || l1 != l2 || a == l1 || l3 == l1 || l4 == l1 || l4 == l3 {
		t.Fatalf("ids %d %d %d %d %d %d", a, b, l1, l2, l3, l4)
	}
	if got := d.Term(l3); got != (Term{Kind: Literal, Value: "a:x", Datatype: RDFLangString, Language: "en"}) {
		t.Errorf("Term(l3) = %+v", got)
	}
	if got := d.Term(d.BlankNode()); got != (Term{Kind: BlankNode, Value: "b0"}) {
		t.Errorf("first blank node = %+v", got)
	}
	if got := d.Term(TermID(1000)); got != (Term{}) {
		t.Errorf("Term of an unknown id = %+v", got)
	}
	// Many datatypes, each literal interned once, distinct across them.
	seen := map[TermID]bool{}
	for round := range 2 {
		for i := range 20 {
			id, err := d.Literal("1", "a:t"+strconv.Itoa(i), "")
			if err != nil {
				t.Fatal(err)
			}
			if round == 0 && seen[id] || round == 1 && !seen[id] {
				t.Fatalf("datatype %d round %d: id %d", i, round, id)
			}
			seen[id] = true
			if got := d.Term(id); got.Datatype != "a:t"+strconv.Itoa(i) {
				t.Fatalf("Term(%d) = %+v", id, got)
			}
		}
	}
}

func TestDatasetQuadsAreTheQuadsAdded(t *testing.T) {
	quads, err := ParseNQuads(readVector(t, "rdfc10/test020-in.nq"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := datasetOf(quads, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != len(quads) {
		t.Fatalf("Len() = %d, want %d", d.Len(), len(quads))
	}
	want, err := Canonicalize(quads, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Canonicalize(d.Quads(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.NQuads, want.NQuads) {
		t.Fatalf("Quads() canonicalizes to\n%s\nwant\n%s", got.NQuads, want.NQuads)
	}
}

func TestDatasetResetEmptiesIt(t *testing.T) {
	d, err := datasetOf([]Quad{{Subject: bnode("x"), Predicate: iri("a:p"), Object: str("o")}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.Reset()
	if d.Len() != 0 || len(d.Quads()) != 0 || d.Term(1) != (Term{}) {
		t.Fatalf("after Reset: %d quads, term 1 %+v", d.Len(), d.Term(1))
	}
	var out bytes.Buffer
	if err := WriteCanonical(&out, d, Options{}); err != nil || out.Len() != 0 {
		t.Fatalf("empty dataset wrote %q, %v", out.Bytes(), err)
	}
	if err := d.Add(^TermID(0), iri0(t, d), iri0(t, d), DefaultGraphID); !errors.Is(err, ErrInvalidTerm) {
		t.Fatalf("a blank node made before Reset: err = %v, want ErrInvalidTerm", err)
	}
}

func iri0(t *testing.T, d *Dataset) TermID {
	id, err := d.IRI("a:p")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type failingWriter struct{ n int }

var errWrite = errors.New("test: write failed")

func (w *failingWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errWrite
}

func TestWriteCanonicalReturnsTheWritersError(t *testing.T) {
	d, err := datasetOf([]Quad{{Subject: iri("a:s"), Predicate: iri("a:p"), Object: str("o")}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteCanonical(&failingWriter{}, d, Options{}); !errors.Is(err, errWrite) {
		t.Fatalf("err = %v, want the writer's", err)
	}
}

// A large dataset is written in several pieces, which make the same text.
func TestWriteCanonicalWritesLargeDatasetsInPieces(t *testing.T) {
	var quads []Quad
	for i := range 2000 {
		quads = append(quads, Quad{Subject: bnode("s" + strings.Repeat("x", i%7)), Predicate: iri("a:p"), Object: str(strings.Repeat("v", i))})
	}
	d, err := datasetOf(quads, 0)
	if err != nil {
		t.Fatal(err)
	}
	w := &pieces{}
	if err := WriteCanonical(w, d, Options{}); err != nil {
		t.Fatal(err)
	}
	want, err := Canonicalize(quads, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w.n < 2 || !bytes.Equal(w.b, want.NQuads) {
		t.Fatalf("%d writes; same text: %v", w.n, bytes.Equal(w.b, want.NQuads))
	}
}

type pieces struct {
	b []byte
	n int
}

func (p *pieces) Write(b []byte) (int, error) {
	p.n++
	p.b = append(p.b, slices.Clone(b)...)
	return len(b), nil
}
