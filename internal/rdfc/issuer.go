package rdfc

// issuer is a temporary identifier issuer (RDFC-1.0 sections 4.3 and 4.5)
// with prefix "b": the blank node nodes[i] was issued "b<i>". Blank nodes
// are indexes into the canonicalizer's tables.
//
// Issuers handed to or returned by hashNDegreeQuads are never modified
// afterwards; only the working copy of a permutation search grows and
// shrinks (issue and pop).
type issuer struct {
	nodes []int32
	index map[int32]int32 // built once nodes is long enough to need it
}

// issuerIndexMin is the size from which lookups use a map instead of a
// linear scan.
const issuerIndexMin = 24

func newIssuer(first int32) *issuer {
	return &issuer{nodes: append(make([]int32, 0, 4), first)}
}

// lookup returns the number issued to b, if any.
func (is *issuer) lookup(b int32) (int32, bool) {
	if len(is.nodes) >= issuerIndexMin {
		if is.index == nil {
			is.index = make(map[int32]int32, len(is.nodes)*2)
			for i, n := range is.nodes {
				is.index[n] = int32(i)
			}
		}
		v, ok := is.index[b]
		return v, ok
	}
	for i, n := range is.nodes {
		if n == b {
			return int32(i), true
		}
	}
	return 0, false
}

// issue issues the next number to b, which has none yet.
func (is *issuer) issue(b int32) int32 {
	id := int32(len(is.nodes))
	is.nodes = append(is.nodes, b)
	if is.index != nil {
		is.index[b] = id
	}
	return id
}

// pop withdraws the number issued last.
func (is *issuer) pop() {
	last := is.nodes[len(is.nodes)-1]
	is.nodes = is.nodes[:len(is.nodes)-1]
	if is.index != nil {
		delete(is.index, last)
	}
}

func (is *issuer) clone() *issuer {
	nodes := make([]int32, len(is.nodes), len(is.nodes)+4)
	copy(nodes, is.nodes)
	return &issuer{nodes: nodes}
}
