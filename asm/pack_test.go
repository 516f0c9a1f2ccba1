package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// checkPack32 runs one packing kernel and its twin on the same input and
// compares the results bit for bit (the padding must be +0 even when alpha
// is negative), with guards around dst: the dst view is exactly kc·w long.
func checkPack32(t *testing.T, name string, kern, twin func([]float32, int, []float32, int, int, int, float32), w, n, kc, ld int, rng *rand.Rand) {
	t.Helper()
	srcLen := max(kc*ld, n*ld) + ld + 40
	src := make([]float32, srcLen)
	randomFill(rng, src)
	alpha := float32(1)
	if rng.IntN(2) == 0 {
		alpha = -1.5
	}
	got := newGuarded[float32](kc*w, rng.IntN(4), 3)
	want := make([]float32, kc*w)
	for i := range want {
		want[i] = 99 // must be overwritten, padding included
		got.view()[i] = 99
	}
	twin(want, w, src, ld, kc, n, alpha)
	kern(got.view(), w, src, ld, kc, n, alpha)
	got.check(t, name)
	for i, v := range got.view() {
		if math.Float32bits(v) != math.Float32bits(want[i]) {
			t.Fatalf("%s w=%d n=%d kc=%d ld=%d: dst[%d] = %v, want %v", name, w, n, kc, ld, i, v, want[i])
		}
	}
}

func checkPack64(t *testing.T, name string, kern, twin func([]float64, int, []float64, int, int, int, float64), w, n, kc, ld int, rng *rand.Rand) {
	t.Helper()
	src := make([]float64, max(kc*ld, n*ld)+ld+40)
	randomFill(rng, src)
	alpha := 0.5
	if rng.IntN(2) == 0 {
		alpha = -0.75
	}
	got := newGuarded[float64](kc*w, rng.IntN(4), 3)
	want := make([]float64, kc*w)
	twin(want, w, src, ld, kc, n, alpha)
	kern(got.view(), w, src, ld, kc, n, alpha)
	got.check(t, name)
	for i, v := range got.view() {
		if math.Float64bits(v) != math.Float64bits(want[i]) {
			t.Fatalf("%s w=%d n=%d kc=%d ld=%d: dst[%d] = %v, want %v", name, w, n, kc, ld, i, v, want[i])
		}
	}
}

// packKCs are the depths the packing tests sweep: every count of groups
// left after whole 8-wide (or 4-wide) tiles, for each number of trailing
// groups an avx2 kernel leaves to the twin (up to 7, see packSpill), and a
// long sliver.
var packKCs = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 24, 25, 67}

func TestPackMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(31, 32))
		for w := 1; w <= 32; w++ {
			for n := 0; n <= w; n++ {
				for _, kc := range packKCs {
					// The tightest ld half the time (every row ends where
					// the next begins), else up to 4 more, so odd too.
					ldRuns, ldInter := n, kc
					if rng.IntN(2) == 0 {
						ldRuns += 1 + rng.IntN(4)
						ldInter += 1 + rng.IntN(4)
					}
					checkPack32(t, "SpackRuns", SpackRuns, spackRunsGeneric, w, n, kc, max(ldRuns, 1), rng)
					checkPack32(t, "SpackInterleave", SpackInterleave, spackInterleaveGeneric, w, n, kc, max(ldInter, 1), rng)
					if w <= 16 {
						checkPack64(t, "DpackRuns", DpackRuns, dpackRunsGeneric, w, n, kc, max(ldRuns, 1), rng)
						checkPack64(t, "DpackInterleave", DpackInterleave, dpackInterleaveGeneric, w, n, kc, max(ldInter, 1), rng)
					}
				}
			}
		}
	})
}

// TestPackRejectsBadShapes needs no tier loop: the exported functions check
// the shapes before they dispatch.
func TestPackRejectsBadShapes(t *testing.T) {
	for name, f := range map[string]func(){
		"w too wide":       func() { SpackRuns(make([]float32, 33), 33, make([]float32, 33), 33, 1, 1, 1) },
		"w too wide (f64)": func() { DpackRuns(make([]float64, 17*9), 17, make([]float64, 17*9), 17, 9, 17, 1) },
		"n > w":            func() { DpackInterleave(make([]float64, 4), 2, make([]float64, 9), 3, 2, 3, 1) },
		"short dst":        func() { SpackRuns(make([]float32, 16*9-1), 16, make([]float32, 16*9), 16, 9, 16, 1) },
		"short src":        func() { SpackInterleave(make([]float32, 8), 4, make([]float32, 5), 4, 2, 3, 1) },
		"short src (runs)": func() { DpackRuns(make([]float64, 8*9), 8, make([]float64, 8*9-1), 8, 9, 8, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
