package rdfc

import (
	"bytes"
	"crypto"
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// addSeeds adds every input and expected output of the RDFC-1.0 suite,
// except the poison clique, which only spends the fuzzer's time.
func addSeeds(f *testing.F, add func(doc []byte)) {
	files, err := filepath.Glob(filepath.Join(vectorDir, "rdfc10", "*.nq"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, name := range files {
		if strings.Contains(name, "test074") {
			continue
		}
		add(readVector(f, filepath.Join("rdfc10", filepath.Base(name))))
	}
}

func FuzzParseNQuads(f *testing.F) {
	addSeeds(f, func(doc []byte) { f.Add(doc) })
	for _, s := range []string{
		"_:a.b <a:p> _:c. # x\r\n",
		`<a:s><a:p>"v"@en-GB<a:g>.`,
		`<a:\u0073> <a:p> "\U0001F303\u0000\t"^^<a:d> .`,
		"<a:s> <a:p> \"\x7f\" .\r",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		quads, err := ParseNQuads(doc)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error wraps neither ErrSyntax nor ErrTooLarge: %v", err)
			}
			return
		}
		var out []byte
		for _, q := range quads {
			if out, err = AppendQuad(out, q); err != nil {
				t.Fatalf("parsed quad %+v cannot be written: %v", q, err)
			}
		}
		again, err := ParseNQuads(out)
		if err != nil {
			t.Fatalf("written form does not parse: %v\n%s", err, out)
		}
		if !slices.Equal(quads, again) {
			t.Fatalf("round trip changed the quads\n first: %+v\nsecond: %+v", quads, again)
		}
	})
}

func FuzzCanonicalize(f *testing.F) {
	addSeeds(f, func(doc []byte) { f.Add(doc, false) })
	for _, name := range []string{"rdfc10/test075-in.nq", "rdfc10/test060-in.nq"} {
		f.Add(readVector(f, name), true)
	}
	f.Fuzz(func(t *testing.T, doc []byte, sha384 bool) {
		quads, err := ParseNQuads(doc)
		if err != nil {
			return
		}
		// Smaller limits than the defaults keep each run short; a poison
		// graph the fuzzer builds is refused, which is fine.
		opts := Options{MaxHashNDegreeCalls: 500, MaxHashNDegreeSteps: 50_000}
		if sha384 {
			opts.Hash = crypto.SHA384
		}
		res, err := Canonicalize(quads, opts)
		if errors.Is(err, ErrTooComplex) {
			return
		}
		if err != nil {
			t.Fatalf("parsed dataset refused: %v", err)
		}

		// Every distinct quad gives one line, and every blank node a
		// distinct canonical label.
		distinct := map[string]bool{}
		for _, q := range quads {
			line, _ := AppendQuad(nil, q)
			distinct[string(line)] = true
		}
		if n := bytes.Count(res.NQuads, []byte{'\n'}); n != len(distinct) {
			t.Fatalf("%d lines for %d distinct quads", n, len(distinct))
		}
		labels := map[string]bool{}
		for _, l := range res.IssuedIdentifiers() {
			labels[l] = true
		}
		if len(labels) != len(res.IssuedIdentifiers()) {
			t.Fatalf("two blank nodes share a canonical label: %v", res.IssuedIdentifiers())
		}

		// The same quads as a Dataset, written to a writer, give the
		// same output.
		d, err := datasetOf(quads, 1)
		if err != nil {
			t.Fatalf("parsed quads refused by a Dataset: %v", err)
		}
		var written bytes.Buffer
		if err := WriteCanonical(&written, d, opts); err != nil && !errors.Is(err, ErrTooComplex) {
			t.Fatalf("WriteCanonical: %v", err)
		} else if err == nil && !bytes.Equal(written.Bytes(), res.NQuads) {
			t.Fatalf("WriteCanonical differs\nCanonicalize:\n%s\nWriteCanonical:\n%s", res.NQuads, written.Bytes())
		}

		// Shuffled quads and renamed blank nodes give the same output.
		h := fnv.New64a()
		h.Write(doc)
		rng := rand.New(rand.NewPCG(h.Sum64(), 7))
		shuffled, err := Canonicalize(relabel(quads, rng), opts)
		if errors.Is(err, ErrTooComplex) {
			// The permutation search may explore in another order and do
			// more work on the relabelled copy.
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.NQuads, shuffled.NQuads) {
			t.Fatalf("shuffling and relabelling changed the output\nfirst:\n%s\nthen:\n%s", res.NQuads, shuffled.NQuads)
		}

		// The canonical form is a fixed point.
		again, err := CanonicalizeNQuads(res.NQuads, opts)
		if errors.Is(err, ErrTooComplex) {
			return
		}
		if err != nil {
			t.Fatalf("canonical form does not canonicalize: %v\n%s", err, res.NQuads)
		}
		if !bytes.Equal(res.NQuads, again.NQuads) {
			t.Fatalf("canonical form is not a fixed point\nfirst:\n%s\nthen:\n%s", res.NQuads, again.NQuads)
		}
	})
}
