package reference

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpNeg compares expNeg with math.Exp on random and special arguments.
func TestExpNeg(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	worst := 0.0
	check := func(x float64) {
		want, got := math.Exp(x), expNeg(x)
		if want == 0 || got == 0 {
			if want > 1e-300 || got > 1e-300 {
				t.Fatalf("expNeg(%v) = %v, math.Exp %v", x, got, want)
			}
			return
		}
		ulp := math.Abs(got-want) / (math.Nextafter(want, math.Inf(1)) - want)
		worst = max(worst, ulp)
		if ulp > 2 {
			t.Fatalf("expNeg(%v) = %v, math.Exp %v: %.1f ulp", x, got, want, ulp)
		}
	}
	for range 1000000 {
		check(-60 * unit(rng))
		check(-1e-3 * unit(rng))
	}
	for range 100000 {
		check(-745 * unit(rng))
	}
	for _, x := range []float64{0, math.Copysign(0, -1), -1e-300, -math.Ln2 / 128, -math.Ln2, -700, -708.3, -709, -744, -745, -746, -1e300, math.Inf(-1)} {
		check(x)
	}
	if expNeg(0) != 1 || expNeg(math.Inf(-1)) != 0 || expNeg(math.NaN()) != 0 {
		t.Errorf("expNeg(0, -Inf, NaN) = %v, %v, %v", expNeg(0), expNeg(math.Inf(-1)), expNeg(math.NaN()))
	}
	t.Logf("worst error %.2f ulp", worst)
}

var sink float64

func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = -40 * float64(i) / 1024
	}
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := range b.N {
			s += math.Exp(xs[i&1023])
		}
		sink = s
	})
	b.Run("expNeg", func(b *testing.B) {
		s := 0.0
		for i := range b.N {
			s += expNeg(xs[i&1023])
		}
		sink = s
	})
}
