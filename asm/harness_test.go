package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// forEachTier runs fn once per tier this machine supports, with that tier
// active, and restores the original tier afterwards.
func forEachTier(t *testing.T, fn func(t *testing.T, tier SIMDTier)) {
	t.Helper()
	orig := Tier()
	defer func() { _ = SetTier(orig) }()
	for _, tier := range AvailableTiers() {
		if err := SetTier(tier); err != nil {
			t.Fatal(err)
		}
		t.Run(tier.String(), func(t *testing.T) { fn(t, tier) })
	}
}

// maxTestLen is the longest vector the sweeps use: it covers every tail of
// every unroll factor.
const maxTestLen = 300

// guarded is a vector with sentinel values on both sides, to catch kernels
// that write out of bounds.
type guarded[T Float] struct {
	buf  []T
	lo   int // index of the first element of the view
	n    int
	mark T
}

const guardLen = 67

func newGuarded[T Float](n, offset int, mark T) guarded[T] {
	buf := make([]T, n+offset+2*guardLen)
	for i := range buf {
		buf[i] = mark
	}
	return guarded[T]{buf: buf, lo: guardLen + offset, n: n, mark: mark}
}

func (g guarded[T]) view() []T { return g.buf[g.lo : g.lo+g.n : g.lo+g.n] }

func (g guarded[T]) check(t *testing.T, what string) {
	t.Helper()
	for i, v := range g.buf {
		if (i < g.lo || i >= g.lo+g.n) && v != g.mark {
			t.Fatalf("%s: wrote outside the vector at offset %d (n=%d)", what, i-g.lo, g.n)
		}
	}
}

// randomFill fills x with values in [-2, 2), a few of them exactly zero.
func randomFill[T Float](rng *rand.Rand, x []T) {
	for i := range x {
		x[i] = T(4*rng.Float64() - 2)
		if rng.IntN(17) == 0 {
			x[i] = 0
		}
	}
}

// closeTo reports whether got is within tol of want, relative to scale,
// treating NaN as equal to NaN and infinities as equal only to themselves.
func closeTo(got, want, tol, scale float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(scale, 1e-30)
}

// lengthsAndOffsets calls fn for every length 0..maxTestLen and element
// offsets 0..3 (so vectors start unaligned).
func lengthsAndOffsets(fn func(n, off int)) {
	for n := 0; n <= maxTestLen; n++ {
		for off := 0; off < 4; off++ {
			fn(n, off)
		}
	}
}
