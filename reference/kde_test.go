package reference

import (
	"math"
	"math/rand/v2"
	"testing"
)

// threeBlobs returns n points of a well-separated 2-D mixture and its log-density.
func threeBlobs(rng *rand.Rand, n int) ([]float64, func(x, y float64) float64) {
	type comp struct{ w, mx, my, sx, sy, rho float64 }
	cs := []comp{{0.5, -4, 0, 1, 0.5, 0.3}, {0.3, 3, 3, 0.6, 0.8, -0.5}, {0.2, 3, -4, 0.4, 0.4, 0}}
	x := make([]float64, 2*n)
	for i := range n {
		u := unit(rng)
		c := cs[len(cs)-1]
		for _, cc := range cs {
			if u -= cc.w; u < 0 {
				c = cc
				break
			}
		}
		a, b := normal2(rng)
		x[2*i] = c.mx + c.sx*a
		x[2*i+1] = c.my + c.sy*(c.rho*a+math.Sqrt(1-c.rho*c.rho)*b)
	}
	logp := func(x, y float64) float64 {
		s := 0.0
		for _, c := range cs {
			u, v := (x-c.mx)/c.sx, (y-c.my)/c.sy
			q := (u*u - 2*c.rho*u*v + v*v) / (1 - c.rho*c.rho)
			s += c.w * math.Exp(-q/2) / (2 * math.Pi * c.sx * c.sy * math.Sqrt(1-c.rho*c.rho))
		}
		return math.Log(s)
	}
	return x, logp
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// gridMass integrates exp(logDensity) over [lo, hi]² by the midpoint rule with m×m cells.
func gridMass(t *testing.T, logDensity func([]float64) ([]float64, error), lo, hi float64, m int) float64 {
	step := (hi - lo) / float64(m)
	x := make([]float64, 0, 2*m*m)
	for i := range m {
		for j := range m {
			x = append(x, lo+(float64(i)+0.5)*step, lo+(float64(j)+0.5)*step)
		}
	}
	lp, err := logDensity(x)
	if err != nil {
		t.Fatal(err)
	}
	s := 0.0
	for _, v := range lp {
		s += math.Exp(v)
	}
	return s * step * step
}

// TestKDEGaussian fits 5000 standard normal points: the held-out NLL must be
// close to the entropy, and h close to the AMISE-optimal bandwidth.
func TestKDEGaussian(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	id := []float64{1, 0, 0, 1}
	train := gaussianSample(rng, 5000, []float64{0, 0}, id)
	val := gaussianSample(rng, 2000, []float64{0, 0}, id)
	test := gaussianSample(rng, 20000, []float64{0, 0}, id)
	k, err := FitKDE(train, val, 2)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := k.LogDensity(test)
	if err != nil {
		t.Fatal(err)
	}
	nll := -mean(lp)
	entropy := 1 + math.Log(2*math.Pi)
	// The true density's NLL on the same test points separates the KDE's
	// excess (≈ 0.02 nats) from the sampling noise of the test set.
	trueNLL := 0.0
	for i := range 20000 {
		trueNLL += (test[2*i]*test[2*i]+test[2*i+1]*test[2*i+1])/2 + math.Log(2*math.Pi)
	}
	trueNLL /= 20000
	hAMISE := math.Pow(5000, -1.0/6) // (4/(D+2))^(1/(D+4)) n^(−1/(D+4)) with D = 2
	t.Logf("h = %.4f (AMISE %.4f), test NLL %.4f, true NLL %.4f, entropy %.4f, val LL %.4f, %d evaluations",
		k.Bandwidth(), hAMISE, nll, trueNLL, entropy, k.ValidationLogLik(), len(k.Scan()))
	if gap := nll - trueNLL; gap < 0 || gap > 0.04 {
		t.Errorf("test NLL %.4f exceeds the true density's %.4f by %.4f, want within [0, 0.04]", nll, trueNLL, gap)
	}
	if math.Abs(nll-entropy) > 0.05 { // the excess (≈ 0.01) plus 5 standard errors (0.007) of the test mean
		t.Errorf("test NLL %.4f, entropy %.4f", nll, entropy)
	}
	// Held-out likelihood weighs the tails more than the mean integrated
	// squared error does: averaged over samples, the test NLL of n = 5000
	// points is lowest near 1.2·hAMISE and within 0.002 nats of it over
	// [1, 1.4]·hAMISE, so validation noise moves h by tens of percent.
	if r := k.Bandwidth() / hAMISE; r < 0.8 || r > 1.6 {
		t.Errorf("bandwidth %.4f is %.2f× the AMISE-optimal %.4f", k.Bandwidth(), r, hAMISE)
	}
	ka, err := NewKDE(train, 2, hAMISE)
	if err != nil {
		t.Fatal(err)
	}
	lpa, err := ka.LogDensity(test)
	if err != nil {
		t.Fatal(err)
	}
	if d := nll + mean(lpa); math.Abs(d) > 0.005 {
		t.Errorf("test NLL %.4f at the chosen h, %.4f at hAMISE", nll, -mean(lpa))
	}
	// The chosen bandwidth beats every other one tried.
	for _, s := range k.Scan() {
		if s.LogLik > k.ValidationLogLik() {
			t.Errorf("h = %v has validation LL %v > the chosen %v", s.H, s.LogLik, k.ValidationLogLik())
		}
	}
	sc := k.Scales()
	if math.Abs(sc[0]/k.Bandwidth()-1) > 0.05 || math.Abs(sc[1]/k.Bandwidth()-1) > 0.05 {
		t.Errorf("scales %v for h = %v and unit-variance data", sc, k.Bandwidth())
	}
}

// TestKDEExact compares LogDensity, which prunes with the k-d tree, with the
// plain log-sum-exp over all training points, near and far from the data.
func TestKDEExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	train, _ := threeBlobs(rng, 3000)
	q, _ := threeBlobs(rng, 300)
	q = append(q, 40, -30, 1e3, 1e3, 3, 3, train[0], train[1])
	for _, h := range []float64{0.003, 0.05, 0.3, 3} {
		k, err := NewKDE(train, 2, h)
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.LogDensity(q)
		if err != nil {
			t.Fatal(err)
		}
		sc := k.Scales()
		for i := range len(q) / 2 {
			e := make([]float64, 3000)
			top := math.Inf(-1)
			for j := range e {
				u, v := (q[2*i]-train[2*j])/sc[0], (q[2*i+1]-train[2*j+1])/sc[1]
				e[j] = -(u*u + v*v) / 2
				top = max(top, e[j])
			}
			s := 0.0
			for _, v := range e {
				s += math.Exp(v - top)
			}
			want := top + math.Log(s) - math.Log(3000) - math.Log(2*math.Pi*sc[0]*sc[1])
			if math.Abs(got[i]-want) > 1e-12*max(1, math.Abs(want)) {
				t.Fatalf("h = %v, point %v: log p = %v, brute force %v", h, q[2*i:2*i+2], got[i], want)
			}
		}
	}
}

// TestKDEIntegrates checks that the fitted density has unit mass (midpoint
// rule on a grid much finer than the kernel).
func TestKDEIntegrates(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	train, _ := threeBlobs(rng, 500)
	val, _ := threeBlobs(rng, 500)
	k, err := FitKDE(train, val, 2)
	if err != nil {
		t.Fatal(err)
	}
	sc := k.Scales()
	m := int(20/min(sc[0], sc[1])*3) + 1 // at least three cells per kernel width
	mass := gridMass(t, k.LogDensity, -10, 10, m)
	t.Logf("h = %.4f, scales %.4f: mass − 1 = %.1e on a %d² grid", k.Bandwidth(), sc, mass-1, m)
	if math.Abs(mass-1) > 1e-3 {
		t.Errorf("mass %v, want 1", mass)
	}
}

// TestKDESample checks the moments of samples: the KDE's mean is the data's,
// its covariance the data's plus h²·diag(s²).
func TestKDESample(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	train, _ := threeBlobs(rng, 1000)
	k, err := NewKDE(train, 2, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200000
	x, err := k.Sample(n, rand.New(rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatal(err)
	}
	for j := range 2 {
		var dm, dv, sm, sv float64
		for i := range 1000 {
			dm += train[2*i+j] / 1000
		}
		for i := range 1000 {
			dv += (train[2*i+j] - dm) * (train[2*i+j] - dm) / 1000
		}
		for i := range n {
			sm += x[2*i+j] / n
		}
		for i := range n {
			sv += (x[2*i+j] - sm) * (x[2*i+j] - sm) / n
		}
		want := dv * (1 + 0.25)
		if math.Abs(sm-dm) > 4*math.Sqrt(want/n) || math.Abs(sv/want-1) > 0.02 {
			t.Errorf("coordinate %d: sample mean %.4f var %.4f, want %.4f and %.4f", j, sm, sv, dm, want)
		}
	}
}
