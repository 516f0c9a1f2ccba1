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
	cases := []packBenchCase{
		{false, false, 16, 16, 100},
		{false, false, 16, 16, 256},
		{false, false, 16, 4, 100}, // the last sliver of 100 columns
		{false, false, 6, 6, 100},
		{false, true, 6, 6, 100},
		{false, true, 16, 16, 100},
		{true, false, 8, 8, 100},
		{true, true, 6, 6, 100},
	}
	orig := Tier()
	defer func() { _ = SetTier(orig) }()
	for _, c := range cases {
		body, size := packBenchBody[float32](c, SpackRuns, SpackInterleave), 4
		if c.f64 {
			body, size = packBenchBody[float64](c, DpackRuns, DpackInterleave), 8
		}
		b.Run(c.String(), func(b *testing.B) {
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

// packBenchLD is the leading dimension of the benchmark's sources: the
// trainer's matrices are 100 wide.
const packBenchLD = 100

type packBenchCase struct {
	f64, inter bool // float64; packInterleave, not packRuns
	w, n, kc   int
}

// String names the case by its kernel and shape, e.g. SpackRuns/w=16,n=16,kc=100.
func (c packBenchCase) String() string {
	name := "SpackRuns"
	switch {
	case c.f64 && c.inter:
		name = "DpackInterleave"
	case c.f64:
		name = "DpackRuns"
	case c.inter:
		name = "SpackInterleave"
	}
	return fmt.Sprintf("%s/w=%d,n=%d,kc=%d", name, c.w, c.n, c.kc)
}

// packBenchBody packs one sliver of case c with runs or interleave.
func packBenchBody[T Float](c packBenchCase, runs, interleave func([]T, int, []T, int, int, int, T)) func() {
	src, dst := benchData[T](packBenchLD*max(packBenchLD, c.kc), 1)[0], make([]T, c.kc*c.w)
	pack := runs
	if c.inter {
		pack = interleave
	}
	return func() { pack(dst, c.w, src, packBenchLD, c.kc, c.n, 0.5) }
}
