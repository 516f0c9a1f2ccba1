package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSaxpyMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(1, 2))
		lengthsAndOffsets(func(n, off int) {
			x := newGuarded[float32](n, off, 7)
			y := newGuarded[float32](n, (off+1)%4, 9)
			randomFill(rng, x.view())
			randomFill(rng, y.view())
			want := append([]float32(nil), y.view()...)
			saxpyGeneric(1.5, x.view(), want)
			Saxpy(1.5, x.view(), y.view())
			x.check(t, "Saxpy x")
			y.check(t, "Saxpy y")
			for i, v := range y.view() {
				// One FMA rounding versus a multiply and an add.
				if !closeTo(float64(v), float64(want[i]), 2e-7, math.Abs(float64(want[i]))+1) {
					t.Fatalf("n=%d off=%d: y[%d] = %v, want %v", n, off, i, v, want[i])
				}
			}
		})
	})
}

func TestSaxpyPropagatesNaNAndInf(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		for _, n := range []int{2, 15, 16, 17, 70} {
			x := make([]float32, n)
			y := make([]float32, n)
			x[n-1] = float32(math.NaN())
			x[0] = float32(math.Inf(1))
			Saxpy(2, x, y)
			if !math.IsNaN(float64(y[n-1])) || !math.IsInf(float64(y[0]), 1) {
				t.Fatalf("n=%d: NaN/Inf not propagated: %v", n, y)
			}
		}
	})
}
