package status

import (
	"math/rand/v2"
	"testing"
)

func benchmarkLists(b *testing.B) []struct {
	name string
	list *List
} {
	rng := rand.New(rand.NewPCG(7, 11))
	var out []struct {
		name string
		list *List
	}
	for _, n := range []int{MinEntries, 2_000_000} {
		sparse, _ := New(n)
		// 0.1% of entries set, at random.
		for range n / 1000 {
			sparse.Set(rng.IntN(n), true)
		}
		half, _ := New(n)
		setRandom(half, rng)
		out = append(out,
			struct {
				name string
				list *List
			}{name(n) + "/sparse", sparse},
			struct {
				name string
				list *List
			}{name(n) + "/half", half})
	}
	return out
}

func name(n int) string {
	if n == MinEntries {
		return "131072"
	}
	return "2000000"
}

func BenchmarkEncode(b *testing.B) {
	for _, tt := range benchmarkLists(b) {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(tt.list.Len() / 8))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tt.list.Encode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, tt := range benchmarkLists(b) {
		s, err := tt.list.Encode()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(tt.list.Len() / 8))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(s)), "encoded-bytes")
		})
	}
}
