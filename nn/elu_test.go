package nn

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
)

// asm.Selu against float64 expm1 (a few float32 ulps everywhere; NaN, ±Inf
// and the positive side exact), and eluDerivs32 from its output.
func TestELU32MatchesExpm1(t *testing.T) {
	var h []float32
	for x := -20.0; x <= 2; x += 0.001 {
		h = append(h, float32(x))
	}
	for e := -40; e <= 0; e++ {
		h = append(h, -float32(math.Ldexp(1, e)), -float32(math.Ldexp(1.37, e)))
	}
	h = append(h, 0, float32(math.Copysign(0, -1)), float32(math.Inf(-1)), float32(math.Inf(1)), float32(math.NaN()), -1e30)
	for _, alpha := range []float32{1, 0.5} {
		y := make([]float32, len(h))
		asm.Selu(y, h, alpha)
		d1, d2 := make([]float32, len(h)), make([]float32, len(h))
		eluDerivs32(d1, d2, h, y, alpha)
		for i, v := range h {
			want := float64(v)
			if !(v > 0) {
				want = float64(alpha) * math.Expm1(float64(v))
			}
			got := float64(y[i])
			switch {
			case math.IsNaN(want):
				if !math.IsNaN(got) {
					t.Fatalf("elu(%v) = %v, want NaN", v, got)
				}
				continue
			case v > 0 || math.IsInf(want, 0):
				if got != want {
					t.Fatalf("elu(%v) = %v, want %v", v, got, want)
				}
			case math.Abs(got-want) > 4*0x1p-24*math.Abs(want):
				t.Fatalf("α=%v: elu(%v) = %v, want %v (relative error %.2g)", alpha, v, got, want, math.Abs(got-want)/math.Abs(want))
			}
			wd := float64(y[i]) + float64(alpha)
			if v > 0 {
				if d1[i] != 1 || d2[i] != 0 {
					t.Fatalf("derivatives at %v: %v, %v, want 1, 0", v, d1[i], d2[i])
				}
			} else if float64(d1[i]) != float64(float32(wd)) || d2[i] != d1[i] {
				t.Fatalf("derivatives at %v: %v, %v, want y + α = %v", v, d1[i], d2[i], float32(wd))
			}
		}
	}
}
