package staff

import (
	"slices"
	"testing"
)

// Each type's rows read exactly the columns RowColumns lists for it, so
// that the help, the header check and the mapping cannot drift apart.
func TestEachRowMappingReadsExactlyItsListedColumns(t *testing.T) {
	for _, typ := range Types() {
		spec := rowSpecFor(typ)
		if spec == nil {
			continue
		}
		// A value in every column makes every optional group read.
		cells := map[string]string{}
		for _, c := range RowColumns(typ) {
			cells[c.Name] = "x"
		}
		r := &Row{Type: typ, spec: spec, cells: cells}
		var errs cellErrors
		_, b := r.buildWith(&rowBuilder{cells: cells, errs: &errs, ptrs: map[string]string{}, read: map[string]bool{},
			hash: func(string, string, string) (SaltedHash, error) { return placeholderHash(), nil }})
		var read []string
		for c := range b.read {
			read = append(read, c)
		}
		slices.Sort(read)
		var listed []string
		for _, c := range spec.columns {
			listed = append(listed, c.Name)
		}
		slices.Sort(listed)
		if !slices.Equal(read, listed) {
			t.Errorf("%s reads %q\nbut lists %q", typ, read, listed)
		}
	}
}
