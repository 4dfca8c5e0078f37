package rdfc

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strconv"

	"github.com/staffpass/staffpass/internal/limits"
)

// Options tune Canonicalize. The zero value canonicalizes with SHA-256 and
// the default work limits.
type Options struct {
	// Hash is the hash algorithm used inside RDFC-1.0: crypto.SHA256 (also
	// when zero) or crypto.SHA384. Anything else fails with
	// ErrUnsupportedHash.
	Hash crypto.Hash

	// MaxHashNDegreeCalls caps the calls of Hash N-Degree Quads (RDFC-1.0
	// section 4.8). Zero or less means limits.MaxHashNDegreeCalls.
	MaxHashNDegreeCalls int

	// MaxHashNDegreeSteps caps the steps inside those calls: related blank
	// nodes hashed and blank nodes placed while trying permutations. Zero
	// or less means limits.MaxHashNDegreeSteps.
	MaxHashNDegreeSteps int
}

// Result is a canonicalized dataset.
type Result struct {
	// NQuads is the serialized canonical form (RDFC-1.0 section 5): one
	// line per distinct quad in canonical N-Quads form, each ending in
	// "\n", sorted in code point order. It is what Data Integrity hashes.
	NQuads []byte

	// IssuedIdentifiers is the canonical issuer's issued identifiers map:
	// each input blank node label (without "_:") to its canonical label
	// ("c14n0", "c14n1", ...).
	IssuedIdentifiers map[string]string
}

// CanonicalizeNQuads parses doc with ParseNQuads and canonicalizes it.
func CanonicalizeNQuads(doc []byte, opts Options) (*Result, error) {
	quads, err := ParseNQuads(doc)
	if err != nil {
		return nil, err
	}
	return Canonicalize(quads, opts)
}

// Canonicalize runs RDFC-1.0 (section 4.4.3) over the dataset made of
// quads and returns its serialized canonical form and issued identifiers
// map. The dataset is a set: duplicate quads count once. quads is not
// modified.
//
// Errors wrap ErrInvalidTerm (a term that cannot stand where it is),
// ErrTooLarge (more than limits.MaxQuads quads or limits.MaxBlankNodes
// blank nodes), ErrUnsupportedHash, or ErrTooComplex when the work limits
// of opts are exceeded.
func Canonicalize(quads []Quad, opts Options) (*Result, error) {
	c, err := newCanonicalizer(opts)
	if err != nil {
		return nil, err
	}
	if len(quads) > limits.MaxQuads {
		return nil, fmt.Errorf("%w: %d quads is over the limit of %d", ErrTooLarge, len(quads), limits.MaxQuads)
	}
	if err := c.load(quads); err != nil {
		return nil, err
	}
	if err := c.label(); err != nil {
		return nil, err
	}
	return c.result(), nil
}

// hexDigest holds a hash in lower-case hex; only the first hexLen bytes
// of the canonicalizer are used.
type hexDigest [2 * sha512.Size384]byte

// canonicalizer holds the canonicalization state (RDFC-1.0 section 4.2)
// in flat tables. Blank nodes are numbered in order of first mention;
// other terms are kept once, already in canonical N-Quads form.
type canonicalizer struct {
	h      hash.Hash
	hexLen int
	sum    [sha512.Size384]byte

	maxCalls, maxSteps int
	calls, steps       int

	// terms holds the canonical N-Quads form of each distinct non-blank
	// term; terms[0] is the default graph, written as nothing.
	terms []string
	// quads holds the distinct quads. A component >= 0 is an index into
	// terms, a component < 0 is blank node ^component.
	quads [][4]int32

	labels []string // input label of each blank node
	// The quads mentioning blank node b (its mention set, each quad once)
	// are mentions[mentionsAt[b]:mentionsAt[b+1]]; those also mentioning
	// another blank node are related[relatedAt[b]:relatedAt[b+1]].
	mentionsAt, mentions []int32
	relatedAt, related   []int32

	firstDegree []hexDigest // Hash First Degree Quads of each blank node
	canon       []int32     // canonical number of each blank node, or -1
	issued      int32       // canonical identifier counter

	scratch []byte
	frames  []*frame // per recursion depth of Hash N-Degree Quads
}

// frame is the scratch space of one active Hash N-Degree Quads call.
type frame struct {
	entries []relatedEntry // related blank nodes and their hashes
	data    []byte         // data to hash
	// Permutation search over one related hash's blank nodes.
	nodes        []int32 // distinct blank nodes
	left         []int32 // how many times each may still be placed
	index        map[int32]int32
	path, chosen []byte
	recursion    []int32
	work         *issuer
	haveChosen   bool
	chosenIssuer *issuer
}

type relatedEntry struct {
	hash hexDigest
	node int32
}

func newCanonicalizer(opts Options) (*canonicalizer, error) {
	c := &canonicalizer{
		maxCalls: opts.MaxHashNDegreeCalls,
		maxSteps: opts.MaxHashNDegreeSteps,
	}
	switch opts.Hash {
	case 0, crypto.SHA256:
		c.h, c.hexLen = sha256.New(), 2*sha256.Size
	case crypto.SHA384:
		c.h, c.hexLen = sha512.New384(), 2*sha512.Size384
	default:
		return nil, fmt.Errorf("%w: %v (RDFC-1.0 here takes SHA-256 or SHA-384)", ErrUnsupportedHash, opts.Hash)
	}
	if c.maxCalls <= 0 {
		c.maxCalls = limits.MaxHashNDegreeCalls
	}
	if c.maxSteps <= 0 {
		c.maxSteps = limits.MaxHashNDegreeSteps
	}
	return c, nil
}

// load validates and interns the terms of quads, drops duplicate quads and
// builds the blank node to quads map (section 4.4.3 step 2).
func (c *canonicalizer) load(quads []Quad) error {
	termIDs := make(map[Term]int32, 2*len(quads)+1)
	termIDs[Term{}] = 0
	c.terms = append(make([]string, 0, 2*len(quads)+1), "")
	bnodeIDs := make(map[string]int32)
	seen := make(map[[4]int32]struct{}, len(quads))
	c.quads = make([][4]int32, 0, len(quads))
	var buf []byte
	for i := range quads {
		q := &quads[i]
		var key [4]int32
		for p, t := range [4]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			if t.Kind == BlankNode {
				id, ok := bnodeIDs[t.Value]
				if !ok || !t.Kind.allowedIn(position(p)) || t.Datatype != "" || t.Language != "" {
					if msg := t.problem(position(p)); msg != "" {
						return fmt.Errorf("%w: quad %d %s: %s", ErrInvalidTerm, i, position(p), msg)
					}
				}
				if !ok {
					if len(c.labels) == limits.MaxBlankNodes {
						return fmt.Errorf("%w: more than %d blank nodes", ErrTooLarge, limits.MaxBlankNodes)
					}
					id = int32(len(c.labels))
					c.labels = append(c.labels, t.Value)
					bnodeIDs[t.Value] = id
				}
				key[p] = ^id
				continue
			}
			id, ok := termIDs[*t]
			if !ok || !t.Kind.allowedIn(position(p)) {
				if msg := t.problem(position(p)); msg != "" {
					return fmt.Errorf("%w: quad %d %s: %s", ErrInvalidTerm, i, position(p), msg)
				}
			}
			if !ok {
				buf = appendTerm(buf[:0], *t)
				id = int32(len(c.terms))
				c.terms = append(c.terms, string(buf))
				termIDs[*t] = id
			}
			key[p] = id
		}
		if _, dup := seen[key]; dup {
			continue
		}
		seen[key] = struct{}{}
		c.quads = append(c.quads, key)
	}
	c.indexMentions()
	return nil
}

// indexMentions fills mentions and related from quads.
func (c *canonicalizer) indexMentions() {
	n := len(c.labels)
	c.mentionsAt = make([]int32, n+1)
	c.relatedAt = make([]int32, n+1)
	forEach := func(visit func(b int32, qi int32, other bool)) {
		for qi, q := range c.quads {
			s, o, g := q[0], q[2], q[3]
			// distinct blank nodes of the quad
			var bs [3]int32
			k := 0
			for _, x := range [3]int32{s, o, g} {
				if x < 0 && !slices.Contains(bs[:k], ^x) {
					bs[k] = ^x
					k++
				}
			}
			for _, b := range bs[:k] {
				visit(b, int32(qi), k > 1)
			}
		}
	}
	forEach(func(b, _ int32, other bool) {
		c.mentionsAt[b+1]++
		if other {
			c.relatedAt[b+1]++
		}
	})
	for b := 0; b < n; b++ {
		c.mentionsAt[b+1] += c.mentionsAt[b]
		c.relatedAt[b+1] += c.relatedAt[b]
	}
	c.mentions = make([]int32, c.mentionsAt[n])
	c.related = make([]int32, c.relatedAt[n])
	nextM := slices.Clone(c.mentionsAt[:n])
	nextR := slices.Clone(c.relatedAt[:n])
	forEach(func(b, qi int32, other bool) {
		c.mentions[nextM[b]] = qi
		nextM[b]++
		if other {
			c.related[nextR[b]] = qi
			nextR[b]++
		}
	})
}

// label issues a canonical identifier to every blank node (section 4.4.3
// steps 3 to 5).
func (c *canonicalizer) label() error {
	n := len(c.labels)
	if n == 0 {
		return nil
	}
	c.firstDegree = make([]hexDigest, n)
	c.canon = make([]int32, n)
	for b := range n {
		c.canon[b] = -1
		c.hashFirstDegreeQuads(int32(b))
	}

	// Step 3: the hash to blank nodes map, as blank nodes sorted by first
	// degree hash; a stable sort keeps each list in order of first mention.
	order := make([]int32, n)
	for b := range order {
		order[b] = int32(b)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		return bytes.Compare(c.firstDegree[a][:c.hexLen], c.firstDegree[b][:c.hexLen])
	})
	groupEnd := func(i int) int {
		j := i + 1
		for j < n && c.firstDegree[order[j]] == c.firstDegree[order[i]] {
			j++
		}
		return j
	}

	// Step 4: unique hashes, in code point order of the hash.
	for i := 0; i < n; {
		j := groupEnd(i)
		if j == i+1 {
			c.canon[order[i]] = c.issued
			c.issued++
		}
		i = j
	}

	// Step 5: shared hashes, in code point order of the hash.
	type pathResult struct {
		hash hexDigest
		iss  *issuer
	}
	var results []pathResult
	for i := 0; i < n; {
		j := groupEnd(i)
		if j == i+1 {
			i = j
			continue
		}
		results = results[:0]
		for _, b := range order[i:j] {
			if c.canon[b] >= 0 {
				continue
			}
			h, iss, err := c.hashNDegreeQuads(b, newIssuer(b), 0)
			if err != nil {
				return err
			}
			results = append(results, pathResult{h, iss})
		}
		slices.SortStableFunc(results, func(a, b pathResult) int {
			return bytes.Compare(a.hash[:c.hexLen], b.hash[:c.hexLen])
		})
		for _, r := range results {
			for _, b := range r.iss.nodes {
				if c.canon[b] < 0 {
					c.canon[b] = c.issued
					c.issued++
				}
			}
		}
		i = j
	}
	return nil
}

// hashFirstDegreeQuads implements section 4.6 for blank node b.
func (c *canonicalizer) hashFirstDegreeQuads(b int32) {
	ms := c.mentions[c.mentionsAt[b]:c.mentionsAt[b+1]]
	buf := c.scratch[:0]
	var lines [][2]int32
	if len(ms) > 1 {
		lines = make([][2]int32, 0, len(ms))
	}
	for _, qi := range ms {
		start := len(buf)
		q := c.quads[qi]
		buf = c.appendFirstDegree(buf, q[0], b)
		buf = append(buf, ' ')
		buf = append(buf, c.terms[q[1]]...)
		buf = append(buf, ' ')
		buf = c.appendFirstDegree(buf, q[2], b)
		if q[3] != 0 {
			buf = append(buf, ' ')
			buf = c.appendFirstDegree(buf, q[3], b)
		}
		buf = append(buf, " .\n"...)
		if lines != nil {
			lines = append(lines, [2]int32{int32(start), int32(len(buf))})
		}
	}
	c.scratch = buf
	c.h.Reset()
	if lines == nil {
		c.h.Write(buf)
	} else {
		slices.SortFunc(lines, func(x, y [2]int32) int {
			return bytes.Compare(buf[x[0]:x[1]], buf[y[0]:y[1]])
		})
		for _, l := range lines {
			c.h.Write(buf[l[0]:l[1]])
		}
	}
	c.firstDegree[b] = c.sumHex()
}

// appendFirstDegree writes component x, a blank node as "_:a" if it is b
// and "_:z" otherwise (section 4.6 step 3.1.1).
func (c *canonicalizer) appendFirstDegree(dst []byte, x, b int32) []byte {
	switch {
	case x >= 0:
		return append(dst, c.terms[x]...)
	case ^x == b:
		return append(dst, "_:a"...)
	default:
		return append(dst, "_:z"...)
	}
}

func (c *canonicalizer) sumHex() hexDigest {
	var d hexDigest
	hex.Encode(d[:], c.h.Sum(c.sum[:0]))
	return d
}

func (c *canonicalizer) hashHex(data []byte) hexDigest {
	c.h.Reset()
	c.h.Write(data)
	return c.sumHex()
}

// hashRelatedBlankNode implements section 4.7: related appears at
// position pos ('s', 'o' or 'g') of quad q.
func (c *canonicalizer) hashRelatedBlankNode(related int32, q [4]int32, iss *issuer, pos byte) hexDigest {
	in := append(c.scratch[:0], pos)
	if pos != 'g' {
		in = append(in, c.terms[q[1]]...)
	}
	if cn := c.canon[related]; cn >= 0 {
		in = append(in, "_:c14n"...)
		in = strconv.AppendInt(in, int64(cn), 10)
	} else if id, ok := iss.lookup(related); ok {
		in = append(in, "_:b"...)
		in = strconv.AppendInt(in, int64(id), 10)
	} else {
		in = append(in, c.firstDegree[related][:c.hexLen]...)
	}
	c.scratch = in
	return c.hashHex(in)
}

func (c *canonicalizer) frame(depth int) *frame {
	for len(c.frames) <= depth {
		c.frames = append(c.frames, new(frame))
	}
	return c.frames[depth]
}

func (c *canonicalizer) step() error {
	c.steps++
	if c.steps > c.maxSteps {
		return fmt.Errorf("%w: more than %d steps inside Hash N-Degree Quads (RDFC-1.0 section 4.8); the dataset may be a poison graph", ErrTooComplex, c.maxSteps)
	}
	return nil
}

// hashNDegreeQuads implements section 4.8 for blank node n and the
// temporary issuer iss, which it does not modify. It returns the hash and
// the issuer to use from now on (iss itself or a new one).
func (c *canonicalizer) hashNDegreeQuads(n int32, iss *issuer, depth int) (hexDigest, *issuer, error) {
	c.calls++
	if c.calls > c.maxCalls {
		return hexDigest{}, nil, fmt.Errorf("%w: more than %d calls of Hash N-Degree Quads (RDFC-1.0 section 4.8); the dataset may be a poison graph", ErrTooComplex, c.maxCalls)
	}
	f := c.frame(depth)

	// Steps 1 to 3: hash to related blank nodes map, as entries sorted by
	// hash; the stable sort keeps each list in the order found.
	f.entries = f.entries[:0]
	for _, qi := range c.related[c.relatedAt[n]:c.relatedAt[n+1]] {
		q := c.quads[qi]
		for _, p := range [3]struct {
			i   int
			pos byte
		}{{0, 's'}, {2, 'o'}, {3, 'g'}} {
			x := q[p.i]
			if x >= 0 || ^x == n {
				continue
			}
			if err := c.step(); err != nil {
				return hexDigest{}, nil, err
			}
			f.entries = append(f.entries, relatedEntry{c.hashRelatedBlankNode(^x, q, iss, p.pos), ^x})
		}
	}
	slices.SortStableFunc(f.entries, func(a, b relatedEntry) int {
		return bytes.Compare(a.hash[:c.hexLen], b.hash[:c.hexLen])
	})

	// Steps 4 and 5.
	f.data = f.data[:0]
	for i := 0; i < len(f.entries); {
		j := i + 1
		for j < len(f.entries) && f.entries[j].hash == f.entries[i].hash {
			j++
		}
		f.data = append(f.data, f.entries[i].hash[:c.hexLen]...) // step 5.1
		if err := c.choosePath(f, f.entries[i:j], iss, depth); err != nil {
			return hexDigest{}, nil, err
		}
		f.data = append(f.data, f.chosen...) // step 5.5
		iss = f.chosenIssuer                 // step 5.6
		f.work, f.chosenIssuer = nil, nil
		i = j
	}
	return c.hashHex(f.data), iss, nil // step 6
}

// choosePath runs section 4.8.3 steps 5.2 to 5.4 for the blank nodes of
// one related hash, leaving the chosen path and issuer in f.
//
// Permutations are tried depth first, placing one blank node at a time.
// A partial path that is not less than the chosen path in code point order
// cannot lead to a new chosen path (step 5.4.6 needs a path strictly less),
// so the search skips every permutation that starts with it. This is the
// pruning of steps 5.4.4.3 and 5.4.5.5, applied earlier; the chosen path
// and issuer are the same as trying every permutation in turn.
func (c *canonicalizer) choosePath(f *frame, entries []relatedEntry, iss *issuer, depth int) error {
	f.nodes, f.left = f.nodes[:0], f.left[:0]
	if len(entries) >= issuerIndexMin {
		if f.index == nil {
			f.index = make(map[int32]int32)
		}
		clear(f.index)
	}
	for _, e := range entries {
		k := -1
		if len(entries) >= issuerIndexMin {
			if v, ok := f.index[e.node]; ok {
				k = int(v)
			} else {
				f.index[e.node] = int32(len(f.nodes))
			}
		} else {
			k = slices.Index(f.nodes, e.node)
		}
		if k >= 0 {
			f.left[k]++
			continue
		}
		f.nodes = append(f.nodes, e.node)
		f.left = append(f.left, 1)
	}
	f.path, f.chosen = f.path[:0], f.chosen[:0]
	f.recursion = f.recursion[:0]
	f.work = iss.clone()
	f.haveChosen, f.chosenIssuer = false, nil
	return c.permute(f, len(entries), depth)
}

// permute places the remaining blank nodes (step 5.4.4) and, once all are
// placed, finishes the permutation.
func (c *canonicalizer) permute(f *frame, remaining, depth int) error {
	if remaining == 0 {
		return c.finishPermutation(f, depth)
	}
	for i, r := range f.nodes {
		if f.left[i] == 0 {
			continue
		}
		if err := c.step(); err != nil {
			return err
		}
		mark := len(f.path)
		issuedNew := false
		if cn := c.canon[r]; cn >= 0 { // step 5.4.4.1
			f.path = append(f.path, "_:c14n"...)
			f.path = strconv.AppendInt(f.path, int64(cn), 10)
		} else { // step 5.4.4.2
			id, ok := f.work.lookup(r)
			if !ok {
				id = f.work.issue(r)
				issuedNew = true
				f.recursion = append(f.recursion, r)
			}
			f.path = append(f.path, "_:b"...)
			f.path = strconv.AppendInt(f.path, int64(id), 10)
		}
		if !f.haveChosen || bytes.Compare(f.path, f.chosen) < 0 {
			f.left[i]--
			err := c.permute(f, remaining-1, depth)
			f.left[i]++
			if err != nil {
				return err
			}
		}
		f.path = f.path[:mark]
		if issuedNew {
			f.work.pop()
			f.recursion = f.recursion[:len(f.recursion)-1]
		}
	}
	return nil
}

// finishPermutation runs steps 5.4.5 and 5.4.6 for the permutation placed
// in f.
func (c *canonicalizer) finishPermutation(f *frame, depth int) error {
	mark := len(f.path)
	defer func() { f.path = f.path[:mark] }()
	ic := f.work.clone() // step 5.4.1, the issuer copy
	for _, r := range f.recursion {
		h, next, err := c.hashNDegreeQuads(r, ic, depth+1) // step 5.4.5.1
		if err != nil {
			return err
		}
		id, _ := ic.lookup(r) // issued when r was placed
		f.path = append(f.path, "_:b"...)
		f.path = strconv.AppendInt(f.path, int64(id), 10)
		f.path = append(f.path, '<')
		f.path = append(f.path, h[:c.hexLen]...)
		f.path = append(f.path, '>')
		ic = next
		if f.haveChosen && bytes.Compare(f.path, f.chosen) >= 0 {
			return nil
		}
	}
	if !f.haveChosen || bytes.Compare(f.path, f.chosen) < 0 {
		f.chosen = append(f.chosen[:0], f.path...)
		f.chosenIssuer = ic
		f.haveChosen = true
	}
	return nil
}

// result serializes the canonical form (section 5) and the issued
// identifiers map.
func (c *canonicalizer) result() *Result {
	size := 0
	for _, q := range c.quads {
		size += c.componentLen(q[0]) + c.componentLen(q[1]) + c.componentLen(q[2]) + 4
		if q[3] != 0 {
			size += 1 + c.componentLen(q[3])
		}
	}
	lines := make([]byte, 0, size)
	offsets := make([]int32, len(c.quads)+1)
	for i, q := range c.quads {
		lines = c.appendCanonical(lines, q[0])
		lines = append(lines, ' ')
		lines = append(lines, c.terms[q[1]]...)
		lines = append(lines, ' ')
		lines = c.appendCanonical(lines, q[2])
		if q[3] != 0 {
			lines = append(lines, ' ')
			lines = c.appendCanonical(lines, q[3])
		}
		lines = append(lines, " .\n"...)
		offsets[i+1] = int32(len(lines))
	}
	order := make([]int32, len(c.quads))
	for i := range order {
		order[i] = int32(i)
	}
	line := func(i int32) []byte { return lines[offsets[i]:offsets[i+1]] }
	slices.SortFunc(order, func(a, b int32) int { return bytes.Compare(line(a), line(b)) })
	out := make([]byte, 0, len(lines))
	for _, i := range order {
		out = append(out, line(i)...)
	}

	ids := make(map[string]string, len(c.labels))
	for b, l := range c.labels {
		ids[l] = "c14n" + strconv.Itoa(int(c.canon[b]))
	}
	return &Result{NQuads: out, IssuedIdentifiers: ids}
}

func (c *canonicalizer) appendCanonical(dst []byte, x int32) []byte {
	if x >= 0 {
		return append(dst, c.terms[x]...)
	}
	dst = append(dst, "_:c14n"...)
	return strconv.AppendInt(dst, int64(c.canon[^x]), 10)
}

func (c *canonicalizer) componentLen(x int32) int {
	if x >= 0 {
		return len(c.terms[x])
	}
	n := 7 // "_:c14n" and one digit
	for v := c.canon[^x]; v >= 10; v /= 10 {
		n++
	}
	return n
}
