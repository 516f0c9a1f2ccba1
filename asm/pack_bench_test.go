package asm

import (
	"fmt"
	"testing"
)

// BenchmarkPack packs one sliver per op, under every tier this machine
// supports, at the shapes the trainer's GEMMs pack on the avx2 tier (tiles
// 6×16 float32 and 6×8 float64; matrices 100 wide, so ld = 100):
//
//	go test -run '^$' -bench Pack -benchtime 200ms -count 3 -cpu 1 ./asm
//
// SetBytes counts the source elements read and the sliver written.
func BenchmarkPack(b *testing.B) {
	const ld = 100
	cases := []struct {
		name       string
		f64, inter bool // float64; packInterleave, not packRuns
		w, n, kc   int
	}{
		{"SpackRuns", false, false, 16, 16, 100},
		{"SpackRuns", false, false, 16, 16, 256},
		{"SpackRuns", false, false, 16, 4, 100}, // the last sliver of 100 columns
		{"SpackRuns", false, false, 6, 6, 100},
		{"SpackInterleave", false, true, 6, 6, 100},
		{"SpackInterleave", false, true, 16, 16, 100},
		{"DpackRuns", true, false, 8, 8, 100},
		{"DpackInterleave", true, true, 6, 6, 100},
	}
	orig := Tier()
	defer func() { _ = SetTier(orig) }()
	for _, c := range cases {
		var body func()
		size := 4
		if c.f64 {
			size = 8
			src, dst := benchData[float64](ld*max(ld, c.kc), 1)[0], make([]float64, c.kc*c.w)
			body = func() { DpackRuns(dst, c.w, src, ld, c.kc, c.n, 0.5) }
			if c.inter {
				body = func() { DpackInterleave(dst, c.w, src, ld, c.kc, c.n, 0.5) }
			}
		} else {
			src, dst := benchData[float32](ld*max(ld, c.kc), 1)[0], make([]float32, c.kc*c.w)
			body = func() { SpackRuns(dst, c.w, src, ld, c.kc, c.n, 0.5) }
			if c.inter {
				body = func() { SpackInterleave(dst, c.w, src, ld, c.kc, c.n, 0.5) }
			}
		}
		b.Run(fmt.Sprintf("%s/w=%d,n=%d,kc=%d", c.name, c.w, c.n, c.kc), func(b *testing.B) {
			for _, tier := range AvailableTiers() {
				if err := SetTier(tier); err != nil {
					b.Fatal(err)
				}
				b.Run(tier.String(), func(b *testing.B) {
					b.SetBytes(int64(c.kc*(c.n+c.w)) * int64(size))
					b.ReportAllocs()
					for b.Loop() {
						body()
					}
				})
			}
		})
	}
}
