package eval

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/nn"
)

// TestModesDropped: samples on 6 of 8 centres, a token few on a seventh,
// none on the eighth, and outliers: 6 modes covered, the counts and the
// high-quality share exact.
func TestModesDropped(t *testing.T) {
	var centres [][2]float64
	for k := range 8 {
		s, c := math.Sincos(float64(k) * math.Pi / 4)
		centres = append(centres, [2]float64{2 * c, 2 * s})
	}
	const sigma = 0.1
	var x []float64
	put := func(k, n int, r float64) {
		for i := range n {
			s, c := math.Sincos(float64(i))
			x = append(x, centres[k][0]+r*c, centres[k][1]+r*s)
		}
	}
	for k := range 6 {
		put(k, 100, 2.9*sigma) // inside 3σ
	}
	put(6, 3, 0.5*sigma)  // too few to count as covered
	put(7, 40, 3.1*sigma) // outside 3σ: not high quality, not covering
	for i := range 50 {   // far outliers
		x = append(x, 10+float64(i), -10)
	}
	r, err := Modes(x, centres, sigma, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 600 + 3 + 40 + 50
	if r.MinCount != int(math.Ceil(0.2*float64(n)/8)) {
		t.Errorf("min count %d", r.MinCount)
	}
	if r.Covered != 6 {
		t.Errorf("covered %d modes, want 6 (per mode %v)", r.Covered, r.PerMode)
	}
	want := []int{100, 100, 100, 100, 100, 100, 3, 0}
	for k, c := range r.PerMode {
		if c != want[k] {
			t.Errorf("mode %d: %d samples within 3σ, want %d", k, c, want[k])
		}
	}
	if hq := float64(r.HighQuality); math.Abs(hq-603.0/float64(n)) > 1e-12 {
		t.Errorf("high quality %v, want %v", hq, 603.0/float64(n))
	}
}

// TestModesOnData: samples of the toy mixtures themselves cover every
// mode, with 1 − e^{−4.5} of them within 3σ.
func TestModesOnData(t *testing.T) {
	for _, name := range []string{"8gaussians", "25gaussians"} {
		toy, err := data.NewToy(name)
		if err != nil {
			t.Fatal(err)
		}
		centres, sigma, ok := toy.Modes()
		if !ok {
			t.Fatalf("%s has no modes", name)
		}
		const n = 5000
		x := make([]float64, 2*n)
		toy.Sample(nn.NewStream(1, "modes").Rand, x, n)
		r, err := Modes(x, centres, sigma, 0)
		if err != nil {
			t.Fatal(err)
		}
		p := 1 - math.Exp(-4.5)
		if r.Covered != len(centres) || math.Abs(float64(r.HighQuality)-p) > 4*math.Sqrt(p*(1-p)/n) {
			t.Errorf("%s data: %d of %d modes, high quality %v (want ≈ %v)", name, r.Covered, len(centres), r.HighQuality, p)
		}
	}
}

func TestModesErrors(t *testing.T) {
	if _, err := Modes([]float64{1}, [][2]float64{{0, 0}}, 1, 0); err == nil {
		t.Error("odd sample length accepted")
	}
	if _, err := Modes([]float64{1, 2}, [][2]float64{{0, 0}}, 0, 0); err == nil {
		t.Error("σ = 0 accepted")
	}
}
