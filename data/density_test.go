package data

import (
	"math"
	"testing"
)

var densitySets = []string{"swissroll", "circles", "rings", "moons", "moons-raw", "8gaussians", "25gaussians", "checkerboard"}

func TestHasDensity(t *testing.T) {
	with := map[string]bool{}
	for _, n := range densitySets {
		with[n] = true
	}
	for _, name := range Toys() {
		toy := mustToy(t, name)
		_, ok := toy.LogDensity(0.1, 0.2)
		_, eok := toy.Entropy()
		if toy.HasDensity() != with[name] || ok != with[name] || eok != with[name] {
			t.Errorf("%s: HasDensity %v, LogDensity ok %v, Entropy ok %v; want %v",
				name, toy.HasDensity(), ok, eok, with[name])
		}
	}
}

// Each density integrates to 1, and the entropy quadrature has converged:
// smaller cells or a larger box change neither integral.
func TestDensityQuadrature(t *testing.T) {
	for _, name := range densitySets {
		toy := mustToy(t, name)
		H, _ := toy.Entropy()
		h, b := toy.dens.gridStep(), toy.Bounds()
		_, mass := gridEntropy(toy.dens.logDensity, b, h)
		if math.Abs(mass-1) > 1e-9 {
			t.Errorf("%s: density integrates to %.12f on Bounds", name, mass)
		}
		// The cells are σ/4 wide (σ the noise scale); Bounds has a 7σ margin,
		// grow it to 10σ.
		fineH, fineMass := gridEntropy(toy.dens.logDensity, b, h/1.5)
		bigH, bigMass := gridEntropy(toy.dens.logDensity, b.Grow(12*h), h)
		if math.Abs(fineH-H) > 1e-9 || math.Abs(bigH-H) > 1e-9 {
			t.Errorf("%s: entropy %.12f; finer grid %.12f, larger box %.12f", name, H, fineH, bigH)
		}
		if math.Abs(fineMass-1) > 1e-9 || math.Abs(bigMass-1) > 1e-9 {
			t.Errorf("%s: mass %.12f on a finer grid, %.12f on a larger box", name, fineMass, bigMass)
		}
	}
}

func TestEntropyKnownValues(t *testing.T) {
	// checkerboard: uniform on area 32.
	H, _ := mustToy(t, "checkerboard").Entropy()
	if math.Abs(H-math.Log(32)) > 1e-12 {
		t.Errorf("checkerboard entropy %.15f, want ln 32 = %.15f", H, math.Log(32))
	}
	// moons is moons-raw under x ↦ 2x + b, which adds ln |det 2I| = ln 4.
	hm, _ := mustToy(t, "moons").Entropy()
	hr, _ := mustToy(t, "moons-raw").Entropy()
	if math.Abs(hm-hr-math.Log(4)) > 2e-9 {
		t.Errorf("moons entropy %.12f, moons-raw %.12f + ln 4 = %.12f", hm, hr, hr+math.Log(4))
	}
	// 25gaussians: components 40σ apart, so H = ln 25 + ln(2πeσ²) up to e^(−200).
	toy := mustToy(t, "25gaussians")
	_, sigma, _ := toy.Modes()
	H, _ = toy.Entropy()
	want := math.Log(25) + math.Log(2*math.Pi*math.E*sigma*sigma)
	if math.Abs(H-want) > 1e-9 {
		t.Errorf("25gaussians entropy %.12f, want %.12f", H, want)
	}
	// 8gaussians: overlapping tails put H strictly between one component's
	// entropy and ln 8 more.
	toy = mustToy(t, "8gaussians")
	_, sigma, _ = toy.Modes()
	H, _ = toy.Entropy()
	hg := math.Log(2 * math.Pi * math.E * sigma * sigma)
	if !(H > hg && H < hg+math.Log(8)) || hg+math.Log(8)-H > 0.01 {
		t.Errorf("8gaussians entropy %.6f, not just below %.6f", H, hg+math.Log(8))
	}
	// A ring mixture with well separated rings: H ≈ ln K + mean ring entropy;
	// one blurred thin ring has entropy ≈ ln(2πR) + ½ ln(2πeσ²).
	H, _ = mustToy(t, "rings").Entropy()
	var approx float64
	for _, R := range []float64{3, 2.25, 1.5, 0.75} {
		approx += (math.Log(2*math.Pi*R) + 0.5*math.Log(2*math.Pi*math.E*0.08*0.08)) / 4
	}
	approx += math.Log(4)
	if math.Abs(H-approx) > 0.01 {
		t.Errorf("rings entropy %.6f, thin-ring approximation %.6f", H, approx)
	}
}

// The quadrature entropy agrees with the Monte Carlo estimate −mean log p
// over samples, which ties the densities to the samplers.
func TestEntropyMonteCarlo(t *testing.T) {
	for i, name := range densitySets {
		toy := mustToy(t, name)
		pts := sample(t, name, 100000, uint64(31+i))
		n := float64(len(pts) / 2)
		var s, s2 float64
		for k := 0; k < len(pts); k += 2 {
			lp, _ := toy.LogDensity(pts[k], pts[k+1])
			s -= lp
			s2 += lp * lp
		}
		m := s / n
		se := math.Sqrt(max(s2/n-m*m, 0) / n)
		H, _ := toy.Entropy()
		if math.Abs(m-H) > 5*se+1e-12 {
			t.Errorf("%s: Monte Carlo entropy %.5f (±%.2g), quadrature %.5f", name, m, se, H)
		}
	}
}

// histogramChi2 bins the samples on a bins×bins grid over box and compares
// the counts with n times the integral of exp(logp) over each bin (a midpoint
// rule with sub-cells of width ≤ sub). Bins expecting fewer than 10 points
// are pooled. It returns χ² and its degrees of freedom.
func histogramChi2(pts []float64, logp func(x, y float64) float64, box Box, bins int, sub float64) (chi2 float64, dof int) {
	w, h := box.Width()
	bw, bh := w/float64(bins), h/float64(bins)
	counts := make([]float64, bins*bins)
	var outside float64
	for k := 0; k < len(pts); k += 2 {
		i, j := int((pts[k]-box.Min[0])/bw), int((pts[k+1]-box.Min[1])/bh)
		if i < 0 || j < 0 || i >= bins || j >= bins {
			outside++
			continue
		}
		counts[i*bins+j]++
	}
	n := float64(len(pts) / 2)
	m := int(math.Ceil(math.Max(bw, bh) / sub))
	var poolObs, poolExp float64
	for i := 0; i < bins; i++ {
		for j := 0; j < bins; j++ {
			var p float64
			for a := 0; a < m; a++ {
				x := box.Min[0] + float64(i)*bw + (float64(a)+0.5)*bw/float64(m)
				for b := 0; b < m; b++ {
					p += math.Exp(logp(x, box.Min[1]+float64(j)*bh+(float64(b)+0.5)*bh/float64(m)))
				}
			}
			e := n * p * bw * bh / float64(m*m)
			o := counts[i*bins+j]
			if e < 10 {
				poolObs += o
				poolExp += e
				continue
			}
			chi2 += (o - e) * (o - e) / e
			dof++
		}
	}
	poolObs += outside // Bounds leaves out ~1e-11 of the mass: no expected count
	if poolExp > 0 {
		chi2 += (poolObs - poolExp) * (poolObs - poolExp) / math.Max(poolExp, 1)
	}
	return chi2, dof
}

func TestDensityMatchesHistogram(t *testing.T) {
	for i, name := range densitySets {
		toy := mustToy(t, name)
		pts := sample(t, name, 100000, uint64(41+i))
		chi2, dof := histogramChi2(pts, toy.dens.logDensity, toy.Bounds(), 20, toy.dens.gridStep())
		if lim := float64(dof) + 6*math.Sqrt(2*float64(dof)) + 10; chi2 > lim || dof < 8 {
			t.Errorf("%s: χ² = %.1f for %d bins (limit %.0f)", name, chi2, dof, lim)
		}
	}
	// The check has power: rings with a 20 % wider blur fail it.
	wrong := newRingMixture([]float64{3, 2.25, 1.5, 0.75}, 0.08*1.2)
	pts := sample(t, "rings", 100000, 41)
	chi2, dof := histogramChi2(pts, wrong.logDensity, wrong.bounds(), 20, wrong.gridStep())
	if chi2 < float64(dof)+6*math.Sqrt(2*float64(dof))+10 {
		t.Errorf("a 20%% wrong σ passed: χ² = %.1f for %d bins", chi2, dof)
	}
}

func TestLogDensityValues(t *testing.T) {
	// checkerboard: −ln 32 in even cells, −Inf elsewhere.
	cb := mustToy(t, "checkerboard")
	for _, c := range []struct {
		x, y float64
		in   bool
	}{{0.5, 0.5, true}, {-0.5, -0.5, true}, {-3, 3, false}, {3, -1, true}, {1, 3, false}, {4.5, 0.5, false}, {-3, -3.9, true}} {
		lp, ok := cb.LogDensity(c.x, c.y)
		want := math.Inf(-1)
		if c.in {
			want = -math.Log(32)
		}
		if !ok || lp != want {
			t.Errorf("checkerboard LogDensity(%v, %v) = %v, %v; want %v", c.x, c.y, lp, ok, want)
		}
	}
	// 8gaussians at a centre: dominated by one component.
	g := mustToy(t, "8gaussians")
	centres, sigma, _ := g.Modes()
	lp, _ := g.LogDensity(centres[0][0], centres[0][1])
	want := -math.Log(8 * 2 * math.Pi * sigma * sigma)
	if math.Abs(lp-want) > 1e-6 {
		t.Errorf("8gaussians at a centre: %.9f, want ≈ %.9f", lp, want)
	}
	// Far from the support the ring density stays finite (scaled Bessel).
	r := mustToy(t, "rings")
	if lp, _ := r.LogDensity(20, 0); math.IsInf(lp, 0) || math.IsNaN(lp) || lp > -1000 {
		t.Errorf("rings LogDensity(20, 0) = %v", lp)
	}
	if lp, ok := mustToy(t, "pinwheel").LogDensity(0, 0); ok || !math.IsNaN(lp) {
		t.Errorf("pinwheel LogDensity = %v, %v; want NaN, false", lp, ok)
	}
}

func BenchmarkLogDensity(b *testing.B) {
	for _, name := range densitySets {
		toy := mustToy(b, name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				toy.LogDensity(1.1, -0.7)
			}
		})
	}
}

// The curve densities have converged: twice as many quadrature panels
// change no log-density above −25 nats by more than 1e-9, on samples and on
// a line across the box. (Far in the tails the rule is less accurate, 1e-4
// at −100 nats, where p·log p is negligible.)
func TestCurveDensityConvergence(t *testing.T) {
	for _, c := range []struct {
		name         string
		coarse, fine *curveDensity
	}{
		{"moons", moonsDensity(true, 1), moonsDensity(true, 2)},
		{"moons-raw", moonsDensity(false, 1), moonsDensity(false, 2)},
		{"swissroll", swissrollDensity(1), swissrollDensity(2)},
	} {
		toy := mustToy(t, c.name)
		pts := sample(t, c.name, 2000, 3)
		b := toy.Bounds()
		for i := 0; i < 20; i++ { // a line across the box, off the data too
			f := float64(i) / 19
			pts = append(pts, b.Min[0]+f*(b.Max[0]-b.Min[0]), b.Max[1]-f*(b.Max[1]-b.Min[1]))
		}
		var worst float64
		for k := 0; k < len(pts); k += 2 {
			a, f := c.coarse.logDensity(pts[k], pts[k+1]), c.fine.logDensity(pts[k], pts[k+1])
			if f > -25 {
				worst = max(worst, math.Abs(a-f))
			}
		}
		if worst > 1e-9 {
			t.Errorf("%s: log-density changes by %.2g with twice the panels", c.name, worst)
		}
		H, _ := toy.Entropy()
		fineH, _ := gridEntropy(c.fine.logDensity, b, c.fine.gridStep())
		if math.Abs(H-fineH) > 1e-9 {
			t.Errorf("%s: entropy %.12f, with twice the panels %.12f", c.name, H, fineH)
		}
	}
}
