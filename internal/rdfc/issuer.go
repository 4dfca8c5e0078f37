package rdfc

// issuer is a temporary identifier issuer (RDFC-1.0 sections 4.3 and 4.5)
// with prefix "b": the blank node nodes[i] was issued "b<i>". Blank nodes
// are indexes into the canonicalizer's tables.
//
// Issuers are values. One handed to or returned by hashNDegreeQuads is
// never modified afterwards; only the working issuer of a permutation
// search, which its frame owns, grows and shrinks (issue and pop).
type issuer struct {
	nodes   []int32
	index   map[int32]int32 // for long issuers: blank node to number
	indexed bool            // index holds every node
}

// issuerIndexMin is the size from which lookups use a map instead of a
// linear scan.
const issuerIndexMin = 24

// lookup returns the number issued to b, if any.
func (is *issuer) lookup(b int32) (int32, bool) {
	if len(is.nodes) < issuerIndexMin {
		for i, n := range is.nodes {
			if n == b {
				return int32(i), true
			}
		}
		return 0, false
	}
	if !is.indexed {
		if is.index == nil {
			is.index = make(map[int32]int32, 2*len(is.nodes))
		}
		for i, n := range is.nodes {
			is.index[n] = int32(i)
		}
		is.indexed = true
	}
	v, ok := is.index[b]
	return v, ok
}

// issue issues the next number to b, which has none yet.
func (is *issuer) issue(b int32) int32 {
	id := int32(len(is.nodes))
	is.nodes = append(is.nodes, b)
	if is.indexed {
		is.index[b] = id
	}
	return id
}

// pop withdraws the number issued last.
func (is *issuer) pop() {
	last := is.nodes[len(is.nodes)-1]
	is.nodes = is.nodes[:len(is.nodes)-1]
	if is.indexed {
		delete(is.index, last)
	}
}

// reset makes is a copy of the issuer whose blank nodes are nodes, reusing
// its storage.
func (is *issuer) reset(nodes []int32) {
	is.nodes = append(is.nodes[:0], nodes...)
	if is.index != nil {
		clear(is.index)
	}
	is.indexed = false
}

// view returns an issuer sharing is's current blank nodes, to read while
// is does not change.
func (is *issuer) view() issuer {
	return issuer{nodes: is.nodes[:len(is.nodes):len(is.nodes)]}
}

// sameStorage reports whether a and b share their blank node storage.
func sameStorage(a, b issuer) bool {
	return len(a.nodes) > 0 && len(b.nodes) > 0 && &a.nodes[0] == &b.nodes[0]
}
