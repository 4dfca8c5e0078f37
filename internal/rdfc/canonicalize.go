package rdfc

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"

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

	labels []string // input blank node labels
	canon  []int32  // their canonical numbers
}

// IssuedIdentifiers returns the canonical issuer's issued identifiers map:
// each input blank node label (without "_:") to its canonical label
// ("c14n0", "c14n1", ...). It is built on each call.
func (r *Result) IssuedIdentifiers() map[string]string {
	ids := make(map[string]string, len(r.labels))
	for b, l := range r.labels {
		ids[l] = "c14n" + strconv.Itoa(int(r.canon[b]))
	}
	return ids
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
	if len(quads) > limits.MaxQuads {
		return nil, fmt.Errorf("%w: %d quads is over the limit of %d", ErrTooLarge, len(quads), limits.MaxQuads)
	}
	c := canonicalizers.Get().(*canonicalizer)
	defer c.release()
	if err := c.reset(opts); err != nil {
		return nil, err
	}
	if err := c.load(quads); err != nil {
		return nil, err
	}
	if err := c.label(); err != nil {
		return nil, err
	}
	return c.result()
}

// WriteCanonical runs RDFC-1.0 over d, as Canonicalize does over quads,
// and writes the serialized canonical form to w in pieces, without holding
// all of it: w is typically a hash.Hash. It fails as Canonicalize does,
// or with w's error. d is not modified.
func WriteCanonical(w io.Writer, d *Dataset, opts Options) error {
	c := canonicalizers.Get().(*canonicalizer)
	defer c.release()
	if err := c.reset(opts); err != nil {
		return err
	}
	if err := c.loadDataset(d); err != nil {
		return err
	}
	if err := c.label(); err != nil {
		return err
	}
	_, err := c.serialize(w)
	return err
}

// canonicalizers keeps the tables and buffers of earlier calls, so that
// the many small datasets of Data Integrity allocate little.
var canonicalizers = sync.Pool{New: func() any { return new(canonicalizer) }}

// Sizes above which a canonicalizer is not kept for reuse, so that one
// large dataset does not keep memory for good.
const (
	poolMaxQuads      = 8192
	poolMaxBlankNodes = 2048
	poolMaxTermBytes  = 1 << 20
)

// hexDigest holds a hash in lower-case hex; only the first hexLen bytes
// of the canonicalizer are used.
type hexDigest [2 * sha512.Size384]byte

// canonicalizer holds the canonicalization state (RDFC-1.0 section 4.2)
// in flat tables. Blank nodes are numbered in order of first mention;
// other terms are kept once, already in canonical N-Quads form.
type canonicalizer struct {
	sha384 bool
	hexLen int

	maxCalls, maxSteps int
	calls, steps       int

	// d is the dataset being canonicalized: the caller's, or own.
	d *Dataset
	// own holds the quads given to Canonicalize, ownLabels the label of
	// each of its blank nodes, bnodeIDs their TermIDs.
	own       Dataset
	ownLabels []string
	bnodeIDs  map[string]TermID

	// termText[termAt[i]:termAt[i+1]] is the canonical N-Quads form of
	// d's term i; term 0 is the default graph, written as nothing.
	termText []byte
	termAt   []int32
	// quads holds the distinct quads. A component >= 0 is a term of d, a
	// component < 0 is blank node ^component, numbered in order of first
	// mention: blankOf[b] is the number d gave blank node b.
	quads    [][4]int32
	blankOf  []int32
	renumber []int32 // d's blank node number -> ours, or -1
	table    []int32 // open addressing set of quads (index+1), for duplicates

	// The quads mentioning blank node b (its mention set, each quad once)
	// are mentions[mentionsAt[b]:mentionsAt[b+1]]; those also mentioning
	// another blank node are related[relatedAt[b]:relatedAt[b+1]].
	mentionsAt, mentions []int32
	relatedAt, related   []int32

	firstDegree []hexDigest // Hash First Degree Quads of each blank node
	canon       []int32     // canonical number of each blank node, or -1
	issued      int32       // canonical identifier counter

	// Scratch space, kept between calls.
	scratch, scratch2 []byte
	lines             [][2]int32
	ints              []int32
	keys              [][4]int32
	results           []pathResult
	frames            []*frame // per recursion depth of Hash N-Degree Quads
}

// pathResult is an entry of the hash path list (section 4.4.3 step 5.1).
type pathResult struct {
	hash hexDigest
	iss  issuer
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
	work         issuer // the issuer copy of the permutation being placed
	haveChosen   bool
	chosenIssuer issuer
}

type relatedEntry struct {
	hash hexDigest
	node int32
	seq  int32 // order found, to keep equal hashes in that order
}

// reset prepares c, new or reused, for a dataset.
func (c *canonicalizer) reset(opts Options) error {
	switch opts.Hash {
	case 0, crypto.SHA256:
		c.sha384, c.hexLen = false, 2*sha256.Size
	case crypto.SHA384:
		c.sha384, c.hexLen = true, 2*sha512.Size384
	default:
		return fmt.Errorf("%w: %v (RDFC-1.0 here takes SHA-256 or SHA-384)", ErrUnsupportedHash, opts.Hash)
	}
	c.maxCalls, c.maxSteps = opts.MaxHashNDegreeCalls, opts.MaxHashNDegreeSteps
	if c.maxCalls <= 0 {
		c.maxCalls = limits.MaxHashNDegreeCalls
	}
	if c.maxSteps <= 0 {
		c.maxSteps = limits.MaxHashNDegreeSteps
	}
	c.calls, c.steps, c.issued = 0, 0, 0
	c.termText, c.termAt = c.termText[:0], append(c.termAt[:0], 0, 0) // term 0: the default graph
	c.quads, c.blankOf, c.ownLabels = c.quads[:0], c.blankOf[:0], c.ownLabels[:0]
	if c.bnodeIDs == nil {
		c.bnodeIDs = make(map[string]TermID)
	}
	return nil
}

// release drops every reference to the caller's data and puts c back in
// the pool unless it grew large.
func (c *canonicalizer) release() {
	c.d = nil
	c.own.Reset()
	clear(c.bnodeIDs)
	clear(c.ownLabels)
	clear(c.results)
	for _, f := range c.frames {
		f.chosenIssuer = issuer{}
	}
	if cap(c.quads) > poolMaxQuads || cap(c.blankOf) > poolMaxBlankNodes || cap(c.own.quads) > poolMaxQuads || cap(c.termText) > poolMaxTermBytes {
		return
	}
	canonicalizers.Put(c)
}

// grow returns s with length n, reusing its storage if it can; the
// contents are not cleared.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, n+n/4)
}

// load interns the terms of quads into c's own Dataset, validating each
// term in its position, and loads that.
func (c *canonicalizer) load(quads []Quad) error {
	d := &c.own
	for i := range quads {
		q := &quads[i]
		var key [4]TermID
		for p, t := range [4]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			id, err := c.termID(t)
			if err == nil {
				if msg := d.problem(id, position(p)); msg != "" {
					err = fmt.Errorf("%w: %s", ErrInvalidTerm, msg)
				}
			}
			if err != nil {
				return fmt.Errorf("quad %d %s: %w", i, position(p), err)
			}
			key[p] = id
		}
		d.quads = append(d.quads, key)
	}
	return c.loadDataset(d)
}

// termID interns t into c's own Dataset. A blank node is known by its
// label.
func (c *canonicalizer) termID(t *Term) (TermID, error) {
	d := &c.own
	switch t.Kind {
	case IRI:
		if t.Datatype == "" && t.Language == "" {
			return d.IRI(t.Value)
		}
	case Literal:
		return d.Literal(t.Value, t.Datatype, t.Language)
	case BlankNode:
		if id, ok := c.bnodeIDs[t.Value]; ok {
			return id, nil
		}
		if t.Datatype == "" && t.Language == "" {
			if msg := labelProblem(t.Value); msg != "" {
				return 0, fmt.Errorf("%w: %s", ErrInvalidTerm, msg)
			}
			id := d.BlankNode()
			c.bnodeIDs[t.Value] = id
			c.ownLabels = append(c.ownLabels, t.Value)
			return id, nil
		}
	case DefaultGraph:
		if *t == (Term{}) {
			return DefaultGraphID, nil
		}
	}
	return 0, fmt.Errorf("%w: %s", ErrInvalidTerm, t.problem(posObject))
}

// loadDataset takes the terms and the distinct quads of d, numbering its
// blank nodes in order of first mention, and builds the blank node to quads
// map (section 4.4.3 step 2). Blank nodes that no quad mentions are not
// part of the dataset.
func (c *canonicalizer) loadDataset(d *Dataset) error {
	c.d = d
	if len(d.quads) > limits.MaxQuads {
		return fmt.Errorf("%w: %d quads is over the limit of %d", ErrTooLarge, len(d.quads), limits.MaxQuads)
	}
	// The canonical N-Quads form of each term.
	nt := max(len(d.terms), 1)
	c.termAt = grow(c.termAt, nt+1)
	c.termAt[0], c.termAt[1] = 0, 0
	text := c.termText[:0]
	for i := 1; i < len(d.terms); i++ {
		text = appendTerm(text, d.terms[i])
		if len(text) > limits.MaxCanonicalBytes {
			c.termText = text
			return fmt.Errorf("%w: the distinct terms take more than %d bytes", ErrTooLarge, limits.MaxCanonicalBytes)
		}
		c.termAt[i+1] = int32(len(text))
	}
	c.termText = text

	// Blank nodes renumbered in order of first mention; distinct quads.
	c.blankOf = c.blankOf[:0]
	c.renumber = grow(c.renumber, int(d.blanks))
	for i := range c.renumber {
		c.renumber[i] = -1
	}
	size := 1
	for size < 2*len(d.quads) {
		size <<= 1
	}
	c.table = grow(c.table, size)
	clear(c.table)
	mask := uint64(size - 1)
	c.quads = c.quads[:0]
	for _, q := range d.quads {
		var key [4]int32
		for p, x := range q {
			if x >= 0 {
				key[p] = int32(x)
				continue
			}
			b := c.renumber[^x]
			if b < 0 {
				if len(c.blankOf) == limits.MaxBlankNodes {
					return fmt.Errorf("%w: more than %d blank nodes", ErrTooLarge, limits.MaxBlankNodes)
				}
				b = int32(len(c.blankOf))
				c.renumber[^x] = b
				c.blankOf = append(c.blankOf, int32(^x))
			}
			key[p] = ^b
		}
		for h := quadHash(key) & mask; ; h = (h + 1) & mask {
			e := c.table[h]
			if e == 0 {
				c.quads = append(c.quads, key)
				c.table[h] = int32(len(c.quads))
				break
			}
			if c.quads[e-1] == key {
				break // a duplicate
			}
		}
	}
	c.indexMentions()
	return nil
}

// quadHash mixes the components of a quad for the duplicate table.
func quadHash(q [4]int32) uint64 {
	a := uint64(uint32(q[0])) | uint64(uint32(q[1]))<<32
	b := uint64(uint32(q[2])) | uint64(uint32(q[3]))<<32
	h := a*0x9E3779B97F4A7C15 ^ b
	h *= 0xC2B2AE3D27D4EB4F
	return h ^ h>>29
}

// indexMentions fills mentions and related from quads.
func (c *canonicalizer) indexMentions() {
	n := len(c.blankOf)
	c.mentionsAt = grow(c.mentionsAt, n+1)
	c.relatedAt = grow(c.relatedAt, n+1)
	clear(c.mentionsAt)
	clear(c.relatedAt)
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
	c.mentions = grow(c.mentions, int(c.mentionsAt[n]))
	c.related = grow(c.related, int(c.relatedAt[n]))
	c.ints = grow(c.ints, 2*n)
	nextM, nextR := c.ints[:n], c.ints[n:]
	copy(nextM, c.mentionsAt[:n])
	copy(nextR, c.relatedAt[:n])
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
	n := len(c.blankOf)
	if n == 0 {
		return nil
	}
	c.firstDegree = grow(c.firstDegree, n)
	c.canon = grow(c.canon, n)
	for b := range n {
		c.canon[b] = -1
		c.hashFirstDegreeQuads(int32(b))
	}

	// Step 3: the hash to blank nodes map, as blank nodes sorted by first
	// degree hash, each list in order of first mention.
	c.ints = grow(c.ints, 2*n)
	order, byHash := c.ints[:n], c.ints[n:n]
	for b := range order {
		order[b] = int32(b)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if d := bytes.Compare(c.firstDegree[a][:c.hexLen], c.firstDegree[b][:c.hexLen]); d != 0 {
			return d
		}
		return int(a - b)
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
	results := c.results[:0]
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
			h, iss, err := c.hashNDegreeQuads(b, issuer{nodes: []int32{b}}, 0)
			if err != nil {
				return err
			}
			results = append(results, pathResult{h, iss})
		}
		byHash = byHash[:0]
		for k := range results {
			byHash = append(byHash, int32(k))
		}
		slices.SortFunc(byHash, func(a, b int32) int {
			if d := bytes.Compare(results[a].hash[:c.hexLen], results[b].hash[:c.hexLen]); d != 0 {
				return d
			}
			return int(a - b)
		})
		for _, k := range byHash {
			for _, b := range results[k].iss.nodes {
				if c.canon[b] < 0 {
					c.canon[b] = c.issued
					c.issued++
				}
			}
		}
		i = j
	}
	c.results = results
	return nil
}

// hashFirstDegreeQuads implements section 4.6 for blank node b.
func (c *canonicalizer) hashFirstDegreeQuads(b int32) {
	ms := c.mentions[c.mentionsAt[b]:c.mentionsAt[b+1]]
	buf, lines := c.scratch[:0], c.lines[:0]
	for _, qi := range ms {
		start := len(buf)
		q := c.quads[qi]
		buf = c.appendFirstDegree(buf, q[0], b)
		buf = append(buf, ' ')
		buf = append(buf, c.term(q[1])...)
		buf = append(buf, ' ')
		buf = c.appendFirstDegree(buf, q[2], b)
		if q[3] != 0 {
			buf = append(buf, ' ')
			buf = c.appendFirstDegree(buf, q[3], b)
		}
		buf = append(buf, " .\n"...)
		lines = append(lines, [2]int32{int32(start), int32(len(buf))})
	}
	c.scratch, c.lines = buf, lines
	if len(lines) > 1 {
		slices.SortFunc(lines, func(x, y [2]int32) int {
			return bytes.Compare(buf[x[0]:x[1]], buf[y[0]:y[1]])
		})
		sorted := c.scratch2[:0]
		for _, l := range lines {
			sorted = append(sorted, buf[l[0]:l[1]]...)
		}
		c.scratch2, buf = sorted, sorted
	}
	c.firstDegree[b] = c.digest(buf)
}

// term returns the canonical N-Quads form of non-blank term x.
func (c *canonicalizer) term(x int32) []byte {
	return c.termText[c.termAt[x]:c.termAt[x+1]]
}

// appendFirstDegree writes component x, a blank node as "_:a" if it is b
// and "_:z" otherwise (section 4.6 step 3.1.1).
func (c *canonicalizer) appendFirstDegree(dst []byte, x, b int32) []byte {
	switch {
	case x >= 0:
		return append(dst, c.term(x)...)
	case ^x == b:
		return append(dst, "_:a"...)
	default:
		return append(dst, "_:z"...)
	}
}

// digest returns the hash of data in lower-case hex.
func (c *canonicalizer) digest(data []byte) hexDigest {
	var d hexDigest
	if c.sha384 {
		sum := sha512.Sum384(data)
		hex.Encode(d[:], sum[:])
	} else {
		sum := sha256.Sum256(data)
		hex.Encode(d[:], sum[:])
	}
	return d
}

// hashRelatedBlankNode implements section 4.7: related appears at
// position pos ('s', 'o' or 'g') of quad q.
func (c *canonicalizer) hashRelatedBlankNode(related int32, q [4]int32, iss *issuer, pos byte) hexDigest {
	in := append(c.scratch[:0], pos)
	if pos != 'g' {
		in = append(in, c.term(q[1])...)
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
	return c.digest(in)
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
// the issuer to use from now on.
func (c *canonicalizer) hashNDegreeQuads(n int32, iss issuer, depth int) (hexDigest, issuer, error) {
	c.calls++
	if c.calls > c.maxCalls {
		return hexDigest{}, issuer{}, fmt.Errorf("%w: more than %d calls of Hash N-Degree Quads (RDFC-1.0 section 4.8); the dataset may be a poison graph", ErrTooComplex, c.maxCalls)
	}
	f := c.frame(depth)

	// Steps 1 to 3: hash to related blank nodes map, as entries sorted by
	// hash, each list in the order found.
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
				return hexDigest{}, issuer{}, err
			}
			f.entries = append(f.entries, relatedEntry{c.hashRelatedBlankNode(^x, q, &iss, p.pos), ^x, int32(len(f.entries))})
		}
	}
	slices.SortFunc(f.entries, func(a, b relatedEntry) int {
		if d := bytes.Compare(a.hash[:c.hexLen], b.hash[:c.hexLen]); d != 0 {
			return d
		}
		return int(a.seq - b.seq)
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
			return hexDigest{}, issuer{}, err
		}
		f.data = append(f.data, f.chosen...) // step 5.5
		iss = f.chosenIssuer                 // step 5.6
		f.chosenIssuer = issuer{}
		i = j
	}
	return c.digest(f.data), iss, nil // step 6
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
func (c *canonicalizer) choosePath(f *frame, entries []relatedEntry, iss issuer, depth int) error {
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
	f.work.reset(iss.nodes)
	f.haveChosen, f.chosenIssuer = false, issuer{}
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
// in f. The issuer copy starts as a view of f.work, which does not change
// until this returns, and is copied only if it is chosen.
func (c *canonicalizer) finishPermutation(f *frame, depth int) error {
	mark := len(f.path)
	defer func() { f.path = f.path[:mark] }()
	ic := f.work.view() // step 5.4.1, the issuer copy
	for _, r := range f.recursion {
		h, next, err := c.hashNDegreeQuads(r, ic, depth+1) // step 5.4.5.1
		if err != nil {
			return err
		}
		id, _ := f.work.lookup(r) // issued when r was placed
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
		if sameStorage(ic, f.work) {
			ic = issuer{nodes: slices.Clone(ic.nodes)}
		}
		f.chosen = append(f.chosen[:0], f.path...)
		f.chosenIssuer = ic
		f.haveChosen = true
	}
	return nil
}

// serialize writes the canonical form (section 5): to w if it is not nil,
// otherwise to the slice it returns.
//
// Sorting the lines in code point order is the same as sorting the quads
// by their components' canonical forms, compared one after the other: where
// one term is a proper prefix of another (_:c14n1 and _:c14n12, "a" and
// "a"@en), the longer one continues with a character above the space that
// follows the shorter one in its line. So each distinct component is ranked
// once, and the quads are sorted by ranks.
func (c *canonicalizer) serialize(w io.Writer) ([]byte, error) {
	nt, nb := int32(len(c.termAt)-1), int32(len(c.blankOf))
	// ranks[t] for term t, ranks[nt+k] for canonical label c14n<k>.
	c.ints = grow(c.ints, int(nt+nb+max(nt, nb)))
	ranks, order := c.ints[:nt+nb], c.ints[nt+nb:]
	for i := range nt {
		order[i] = i
	}
	slices.SortFunc(order[:nt], func(a, b int32) int { return bytes.Compare(c.term(a), c.term(b)) })
	for r, t := range order[:nt] {
		ranks[t] = int32(r)
	}
	// Blank node labels ("_:") sort after IRIs ("<") and literals ("\""),
	// and among themselves as their numbers' decimal forms.
	for r, k := range decimalOrder(order[:0], nb) {
		ranks[nt+k] = nt + int32(r)
	}
	rank := func(x int32) int32 {
		if x >= 0 {
			return ranks[x]
		}
		return ranks[nt+c.canon[^x]]
	}

	// Radix sort of the quads by ranks: a stable counting sort on the
	// graph, then the object, the predicate and the subject.
	n := len(c.quads)
	c.keys = grow(c.keys, n)
	keyed := c.keys
	size := 0
	for i, q := range c.quads {
		keyed[i] = [4]int32{rank(q[0]), rank(q[1]), rank(q[2]), rank(q[3])}
		size += c.componentLen(q[0]) + c.componentLen(q[1]) + c.componentLen(q[2]) + 4
		if q[3] != 0 {
			size += 1 + c.componentLen(q[3])
		}
	}
	if size > limits.MaxCanonicalBytes {
		return nil, fmt.Errorf("%w: the canonical form would take %d bytes, more than %d", ErrTooLarge, size, limits.MaxCanonicalBytes)
	}
	c.ints = grow(c.ints, 2*n+int(nt+nb)+1) // ranks are not needed any more
	sorted, spare, count := c.ints[:n], c.ints[n:2*n], c.ints[2*n:]
	for i := range sorted {
		sorted[i] = int32(i)
	}
	for comp := 3; comp >= 0 && n > 1; comp-- {
		clear(count)
		for _, i := range sorted {
			count[keyed[i][comp]+1]++
		}
		if count[keyed[0][comp]+1] == int32(n) {
			continue // all equal
		}
		for r := 1; r < len(count); r++ {
			count[r] += count[r-1]
		}
		for _, i := range sorted {
			r := keyed[i][comp]
			spare[count[r]] = i
			count[r]++
		}
		sorted, spare = spare, sorted
	}
	var out []byte
	if w == nil {
		out = make([]byte, 0, size)
	} else {
		out = c.scratch[:0]
	}
	for _, i := range sorted {
		q := c.quads[i]
		out = c.appendCanonical(out, q[0])
		out = append(out, ' ')
		out = append(out, c.term(q[1])...)
		out = append(out, ' ')
		out = c.appendCanonical(out, q[2])
		if q[3] != 0 {
			out = append(out, ' ')
			out = c.appendCanonical(out, q[3])
		}
		out = append(out, " .\n"...)
		if w != nil && len(out) >= writeChunk {
			if _, err := w.Write(out); err != nil {
				return nil, err
			}
			out = out[:0]
		}
	}
	if w == nil {
		return out, nil
	}
	c.scratch = out
	if len(out) > 0 {
		if _, err := w.Write(out); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// writeChunk is how much canonical N-Quads serialize gathers before each
// write to a writer.
const writeChunk = 16 << 10

// result serializes the canonical form (section 5) and keeps what the
// issued identifiers map needs.
func (c *canonicalizer) result() (*Result, error) {
	out, err := c.serialize(nil)
	if err != nil {
		return nil, err
	}
	nb := len(c.blankOf)
	labels := make([]string, nb)
	for b, orig := range c.blankOf {
		if c.d == &c.own {
			labels[b] = c.ownLabels[orig]
		} else {
			labels[b] = "b" + strconv.Itoa(int(orig))
		}
	}
	return &Result{NQuads: out, labels: labels, canon: slices.Clone(c.canon[:nb])}, nil
}

// decimalOrder appends 0 to n-1 to dst in the code point order of their
// decimal forms (0, 1, 10, 100, 11, ..., 2, 20, ...): a walk of the trie
// of decimal digits.
func decimalOrder(dst []int32, n int32) []int32 {
	if n <= 0 {
		return dst
	}
	dst = append(dst, 0)
	x := int32(1)
	for int32(len(dst)) < n {
		dst = append(dst, x)
		if x*10 < n && x <= (1<<31-1)/10 {
			x *= 10 // next: the first child
			continue
		}
		for x%10 == 9 || x+1 >= n {
			x /= 10 // climb while there is no next sibling
		}
		x++
	}
	return dst
}

func (c *canonicalizer) appendCanonical(dst []byte, x int32) []byte {
	if x >= 0 {
		return append(dst, c.term(x)...)
	}
	dst = append(dst, "_:c14n"...)
	return strconv.AppendInt(dst, int64(c.canon[^x]), 10)
}

func (c *canonicalizer) componentLen(x int32) int {
	if x >= 0 {
		return int(c.termAt[x+1] - c.termAt[x])
	}
	n := 7 // "_:c14n" and one digit
	for v := c.canon[^x]; v >= 10; v /= 10 {
		n++
	}
	return n
}
