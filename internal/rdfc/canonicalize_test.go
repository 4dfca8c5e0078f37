package rdfc

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/staffpass/staffpass/internal/limits"
)

const diDir = "../../testdata/vectors/rdf-canon-bench"

// diDocuments are canonical N-Quads of W3C Data Integrity credentials and
// the hash used inside RDFC-1.0 to make them.
var diDocuments = []struct {
	path string
	hash crypto.Hash
}{
	{"vc-di-eddsa/eddsa-rdfc-2022/canonDocDataInt.txt", crypto.SHA256},
	{"vc-di-eddsa/eddsa-rdfc-2022/employ/canonDocDataInt.txt", crypto.SHA256},
	{"vc-di-ecdsa/ecdsa-rdfc-2019-p256/canonDocECDSAP256.txt", crypto.SHA256},
	{"vc-di-ecdsa/ecdsa-rdfc-2019-p384/employ/canonDocECDSAP384.txt", crypto.SHA384},
}

func TestDataIntegrityCanonicalDocumentsAreFixedPoints(t *testing.T) {
	for _, d := range diDocuments {
		t.Run(d.path, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join(diDir, d.path))
			if err != nil {
				t.Fatal(err)
			}
			res, err := CanonicalizeNQuads(doc, Options{Hash: d.hash})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(res.NQuads, doc) {
				t.Fatalf("canonical form differs\n got:\n%s\nwant:\n%s", res.NQuads, doc)
			}
		})
	}
}

// The P-384 document's blank node labels come from SHA-384 hashes, so
// canonicalizing it with SHA-256, as json-gold does, gives other labels.
func TestTheP384DocumentNeedsSHA384InsideRDFC(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(diDir, "vc-di-ecdsa/ecdsa-rdfc-2019-p384/employ/canonDocECDSAP384.txt"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := CanonicalizeNQuads(doc, Options{Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(res.NQuads, doc) {
		t.Fatal("SHA-256 gave the SHA-384 labelling")
	}
}

// relabel returns a copy of quads in a random order with every blank node
// renamed.
func relabel(quads []Quad, rng *rand.Rand) []Quad {
	names := map[string]string{}
	rename := func(t Term) Term {
		if t.Kind != BlankNode {
			return t
		}
		n, ok := names[t.Value]
		if !ok {
			n = "r" + strconv.Itoa(rng.IntN(1_000_000)) + "x" + strconv.Itoa(len(names))
			names[t.Value] = n
		}
		return Term{Kind: BlankNode, Value: n}
	}
	out := make([]Quad, len(quads))
	for i, j := range rng.Perm(len(quads)) {
		q := quads[j]
		out[i] = Quad{Subject: rename(q.Subject), Predicate: q.Predicate, Object: rename(q.Object), Graph: rename(q.Graph)}
	}
	return out
}

func TestCanonicalizeIgnoresQuadOrderAndBlankNodeLabels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, e := range readManifest(t) {
		if e.Type != "rdfc:RDFC10EvalTest" {
			continue
		}
		quads, err := ParseNQuads(readVector(t, e.Action))
		if err != nil {
			t.Fatal(err)
		}
		want := readVector(t, e.Result)
		for round := range 3 {
			res, err := Canonicalize(relabel(quads, rng), e.options(t))
			if err != nil {
				t.Fatalf("%s round %d: %v", e.ID, round, err)
			}
			if !bytes.Equal(res.NQuads, want) {
				t.Fatalf("%s round %d: shuffled and relabelled input gave\n%s\nwant\n%s", e.ID, round, res.NQuads, want)
			}
		}
	}
}

func TestCanonicalizeCountsDuplicateQuadsOnce(t *testing.T) {
	quads, err := ParseNQuads(readVector(t, "rdfc10/test021-in.nq"))
	if err != nil {
		t.Fatal(err)
	}
	doubled := append(slices.Clone(quads), quads...)
	doubled = append(doubled, quads[0], quads[len(quads)-1])
	res, err := Canonicalize(doubled, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := readVector(t, "rdfc10/test021-rdfc10.nq"); !bytes.Equal(res.NQuads, want) {
		t.Fatalf("got\n%s\nwant\n%s", res.NQuads, want)
	}
}

func TestCanonicalizeLeavesItsInputAlone(t *testing.T) {
	quads, err := ParseNQuads(readVector(t, "rdfc10/test044-in.nq"))
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(quads)
	if _, err := Canonicalize(quads, Options{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(quads, before) {
		t.Fatal("Canonicalize modified its input")
	}
}

func TestCanonicalizeOfAnEmptyDatasetIsEmpty(t *testing.T) {
	res, err := Canonicalize(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.NQuads) != 0 || len(res.IssuedIdentifiers()) != 0 {
		t.Fatalf("got %q and %v", res.NQuads, res.IssuedIdentifiers())
	}
}

func TestCanonicalizeRefusesUnsupportedHashes(t *testing.T) {
	for _, h := range []crypto.Hash{crypto.MD5, crypto.SHA1, crypto.SHA224, crypto.SHA512, crypto.SHA3_256, crypto.Hash(200)} {
		t.Run(fmt.Sprint(h), func(t *testing.T) {
			_, err := CanonicalizeNQuads([]byte("_:a <a:p> _:b .\n"), Options{Hash: h})
			if !errors.Is(err, ErrUnsupportedHash) {
				t.Fatalf("err = %v, want ErrUnsupportedHash", err)
			}
		})
	}
}

func TestCanonicalizeRefusesInvalidTerms(t *testing.T) {
	ok := Quad{Subject: bnode("x"), Predicate: iri("a:p"), Object: str("o")}
	for _, tt := range invalidQuads {
		t.Run(tt.name, func(t *testing.T) {
			// The bad quad comes after a good one so that terms already
			// seen are checked again in their new position.
			_, err := Canonicalize([]Quad{ok, tt.quad}, Options{})
			if !errors.Is(err, ErrInvalidTerm) {
				t.Fatalf("err = %v, want ErrInvalidTerm", err)
			}
		})
	}
	t.Run("a known term in a position it cannot hold", func(t *testing.T) {
		_, err := Canonicalize([]Quad{ok, {Subject: iri("a:s"), Predicate: iri("a:p"), Object: str("o"), Graph: str("o")}}, Options{})
		if !errors.Is(err, ErrInvalidTerm) {
			t.Fatalf("err = %v, want ErrInvalidTerm", err)
		}
	})
	t.Run("a known blank node as a predicate", func(t *testing.T) {
		_, err := Canonicalize([]Quad{ok, {Subject: iri("a:s"), Predicate: bnode("x"), Object: str("o")}}, Options{})
		if !errors.Is(err, ErrInvalidTerm) {
			t.Fatalf("err = %v, want ErrInvalidTerm", err)
		}
	})
}

func TestCanonicalizeStopsAtTheWorkLimits(t *testing.T) {
	quads, err := ParseNQuads(readVector(t, "rdfc10/test044-in.nq"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"the default limits let a hard but honest graph through", Options{}, nil},
		{"too few Hash N-Degree Quads calls", Options{MaxHashNDegreeCalls: 100}, ErrTooComplex},
		{"too few steps", Options{MaxHashNDegreeSteps: 1000}, ErrTooComplex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Canonicalize(quads, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// A star of identical leaves around two identical hubs makes every
// permutation of the leaves equally good: the search must give up, not run
// for 30! permutations.
func TestCanonicalizeGivesUpOnAPoisonStar(t *testing.T) {
	var quads []Quad
	for hub := range 2 {
		h := bnode("hub" + strconv.Itoa(hub))
		for leaf := range 30 {
			quads = append(quads, Quad{Subject: h, Predicate: iri("a:p"), Object: bnode(fmt.Sprintf("l%d-%d", hub, leaf))})
		}
	}
	_, err := Canonicalize(quads, Options{})
	if !errors.Is(err, ErrTooComplex) {
		t.Fatalf("err = %v, want ErrTooComplex", err)
	}
}

func TestCanonicalizeRefusesTooManyBlankNodes(t *testing.T) {
	quads := make([]Quad, limits.MaxBlankNodes+1)
	for i := range quads {
		quads[i] = Quad{Subject: bnode("b" + strconv.Itoa(i)), Predicate: iri("a:p"), Object: str("o")}
	}
	_, err := Canonicalize(quads, Options{})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestCanonicalizeRefusesTooManyQuads(t *testing.T) {
	quads := make([]Quad, limits.MaxQuads+1)
	_, err := Canonicalize(quads, Options{})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestCanonicalizeNQuadsReportsSyntaxErrors(t *testing.T) {
	_, err := CanonicalizeNQuads([]byte("_:a <a:p> .\n"), Options{})
	if !errors.Is(err, ErrSyntax) {
		t.Fatalf("err = %v, want ErrSyntax", err)
	}
}

// The same dataset as the RDFC-1.0 "shared hashes" example (section
// 4.4.2), with the labels the Recommendation gives.
func TestCanonicalizeMatchesTheSharedHashesExample(t *testing.T) {
	doc := []byte(`<http://example.com/#p> <http://example.com/#q> _:e0 .
<http://example.com/#p> <http://example.com/#q> _:e1 .
_:e0 <http://example.com/#p> _:e2 .
_:e1 <http://example.com/#p> _:e3 .
_:e2 <http://example.com/#r> _:e3 .
`)
	res, err := CanonicalizeNQuads(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"e0": "c14n3", "e1": "c14n2", "e2": "c14n0", "e3": "c14n1"}
	if !maps.Equal(res.IssuedIdentifiers(), want) {
		t.Fatalf("issued identifiers = %v, want %v", res.IssuedIdentifiers(), want)
	}
}

func TestDecimalOrderSortsNumbersAsTheirDecimalForms(t *testing.T) {
	for _, n := range []int32{0, 1, 2, 9, 10, 11, 99, 100, 101, 1000, 1234} {
		want := make([]string, n)
		for i := range n {
			want[i] = strconv.Itoa(int(i))
		}
		slices.Sort(want)
		var got []string
		for _, x := range decimalOrder(nil, n) {
			got = append(got, strconv.Itoa(int(x)))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d: got %v, want %v", n, got, want)
		}
	}
}

// Canonicalizers are pooled; goroutines canonicalizing at once must not
// see each other's state (run with -race).
func TestCanonicalizeIsSafeForConcurrentUse(t *testing.T) {
	names := []string{"rdfc10/test044-in.nq", "rdfc10/test060-in.nq", "rdfc10/test021-in.nq", "rdfc10/test075-in.nq"}
	type job struct {
		quads []Quad
		opts  Options
		want  []byte
	}
	var jobs []job
	for _, name := range names {
		quads, err := ParseNQuads(readVector(t, name))
		if err != nil {
			t.Fatal(err)
		}
		opts := Options{}
		if strings.Contains(name, "075") {
			opts.Hash = crypto.SHA384
		}
		res, err := Canonicalize(quads, opts)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job{quads, opts, res.NQuads})
	}
	errs := make(chan error, 4*len(jobs))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 20 {
				j := jobs[(w+i)%len(jobs)]
				res, err := Canonicalize(j.quads, j.opts)
				if err == nil && !bytes.Equal(res.NQuads, j.want) {
					err = errors.New("output differs from the sequential run")
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A long literal repeated over many quads could make the output huge.
func TestCanonicalizeRefusesAnOutputOverMaxCanonicalBytes(t *testing.T) {
	long := str(strings.Repeat("x", 1<<20))
	quads := make([]Quad, limits.MaxCanonicalBytes>>20+1)
	for i := range quads {
		quads[i] = Quad{Subject: iri("a:s" + strconv.Itoa(i)), Predicate: iri("a:p"), Object: long}
	}
	_, err := Canonicalize(quads, Options{})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

// The mention set of a blank node is a set of quads (RDFC-1.0 section 3,
// "mention set"), so a quad that mentions it twice is hashed once, as in
// the reference implementations (rdf-canonize, rdf-normalize). Here that
// gives _:b the smaller first degree hash (90cdfb92... against df25a147...
// for _:a); json-gold v0.9.1, which hashes such a quad twice, labels them
// the other way round.
func TestAQuadMentioningABlankNodeTwiceIsHashedOnce(t *testing.T) {
	doc := "_:a <urn:p> _:a .\n_:b <urn:p> _:b .\n_:b <urn:q> \"x\" .\n"
	res, err := CanonicalizeNQuads([]byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "_:c14n0 <urn:p> _:c14n0 .\n_:c14n0 <urn:q> \"x\" .\n_:c14n1 <urn:p> _:c14n1 .\n"
	if string(res.NQuads) != want {
		t.Fatalf("got\n%s\nwant\n%s", res.NQuads, want)
	}
}
