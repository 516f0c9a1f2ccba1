package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestLinCombMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(21, 22))
		for n := 0; n <= maxTestLen; n += 1 + n/40 {
			for _, rows := range []int{0, 1, 2, 3, 5, 9} {
				for _, beta := range []float64{0, 1, 0.5} {
					ld := n + rng.IntN(3)
					coef32, coef64 := make([]float32, rows), make([]float64, rows)
					randomFill(rng, coef32)
					for i, v := range coef32 {
						coef64[i] = float64(v)
					}
					src32 := make([]float32, rows*ld)
					randomFill(rng, src32)
					src64 := make([]float64, len(src32))
					for i, v := range src32 {
						src64[i] = float64(v)
					}
					d32 := newGuarded[float32](n, n%4, -7)
					d64 := newGuarded[float64](n, n%3, -7)
					randomFill(rng, d32.view())
					for i, v := range d32.view() {
						d64.view()[i] = float64(v)
					}
					if n > 0 && beta == 0 {
						d32.view()[0], d64.view()[0] = float32(math.NaN()), math.NaN()
					}
					want32 := append([]float32(nil), d32.view()...)
					want64 := append([]float64(nil), d64.view()...)
					slincombGeneric(want32, float32(beta), coef32, src32, ld)
					dlincombGeneric(want64, beta, coef64, src64, ld)
					SlinComb(d32.view(), float32(beta), coef32, src32, ld)
					DlinComb(d64.view(), beta, coef64, src64, ld)
					d32.check(t, "SlinComb")
					d64.check(t, "DlinComb")
					for i := range want32 {
						scale := 4 * float64(rows+1) // bound on |beta·d| + Σ|coef·src|
						if !closeTo(float64(d32.view()[i]), float64(want32[i]), 3e-7, scale) ||
							!closeTo(d64.view()[i], want64[i], 1e-15, scale) {
							t.Fatalf("n=%d rows=%d beta=%g: [%d] = %v / %v, want %v / %v", n, rows, beta, i,
								d32.view()[i], d64.view()[i], want32[i], want64[i])
						}
					}
				}
			}
		}
	})
}

func TestLinCombPropagatesNaN(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		for _, n := range []int{3, 16, 70} {
			src := make([]float32, 2*n)
			src[n+n-1] = float32(math.NaN())
			dst := make([]float32, n)
			SlinComb(dst, 1, []float32{1, 1}, src, n)
			if !math.IsNaN(float64(dst[n-1])) {
				t.Fatalf("n=%d: NaN in src lost", n)
			}
		}
	})
}
