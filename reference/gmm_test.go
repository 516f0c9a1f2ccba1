package reference

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGMMGaussian fits one correlated Gaussian: selection picks a small K,
// and K = 1 recovers the mean and covariance.
func TestGMMGaussian(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	mu := []float64{1, -2}
	L := []float64{2, 0, 0.9, 0.5} // Σ = [[4, 1.8], [1.8, 1.06]]
	train := gaussianSample(rng, 5000, mu, L)
	val := gaussianSample(rng, 2000, mu, L)
	g, err := FitGMM(train, val, 2, GMMOptions{KMax: 6, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range g.Scores() {
		t.Logf("K = %d: train %.4f val %.4f, %d restarts, %d iterations", s.K, s.TrainLL, s.ValLL, s.Restarts, s.Iters)
	}
	if g.K() != 1 {
		t.Errorf("chose K = %d for Gaussian data", g.K())
	}

	g1, err := FitGMMK(train, 2, 1, GMMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, c := g1.Mean(0), g1.Covariance(0)
	// The sample mean and covariance are the MLE; compare with them exactly
	// and with the truth statistically.
	var sm [2]float64
	var sc [4]float64
	for i := range 5000 {
		sm[0] += train[2*i] / 5000
		sm[1] += train[2*i+1] / 5000
	}
	for i := range 5000 {
		for a := range 2 {
			for b := range 2 {
				sc[2*a+b] += (train[2*i+a] - sm[a]) * (train[2*i+b] - sm[b]) / 5000
			}
		}
	}
	for j := range 2 {
		if math.Abs(m[j]-sm[j]) > 1e-9 {
			t.Errorf("mean %v, sample mean %v", m, sm)
		}
	}
	truth := []float64{4, 1.8, 1.8, 1.06}
	for j := range 4 {
		ridge := 0.0
		if j == 0 || j == 3 {
			ridge = 1e-6 * sc[j]
		}
		if math.Abs(c[j]-sc[j]-ridge) > 1e-9 {
			t.Errorf("covariance %v, sample covariance %v", c, sc)
		}
		if math.Abs(c[j]-truth[j]) > 0.1*math.Sqrt(truth[0]*truth[3]) {
			t.Errorf("covariance %v, true %v", c, truth)
		}
	}
	if math.Abs(m[0]-mu[0]) > 4*2/math.Sqrt(5000) || math.Abs(m[1]-mu[1]) > 4*1.03/math.Sqrt(5000) {
		t.Errorf("mean %v, true %v", m, mu)
	}
	if w := g1.Weights(); len(w) != 1 || w[0] != 1 {
		t.Errorf("weights %v", w)
	}
}

// TestSmallestClose checks the one-standard-error rule on synthetic
// validation log-densities: K = 1 and K = 2 fall short of K = 3 by means δ₁
// and δ₂ with pointwise spread 0.05 over 2000 points, a standard error of
// 0.0011.
func TestSmallestClose(t *testing.T) {
	const m = 2000
	rng := rand.New(rand.NewPCG(13, 13))
	noise := make([]float64, 2*m)
	normals(rng, noise)
	for _, z := range [][]float64{noise[:m], noise[m:]} { // exactly mean 0, variance 1
		mu := mean(z)
		var ss float64
		for i := range z {
			z[i] -= mu
			ss += z[i] * z[i]
		}
		for i := range z {
			z[i] /= math.Sqrt(ss / m)
		}
	}
	for _, c := range []struct {
		delta1, delta2 float64
		want           int
	}{
		{0.0003, 0.0002, 1}, // neither is significantly worse: the smallest
		{-0.01, 0.0002, 1},  // K = 1 is better than the top
		{0.005, 0.0002, 2},  // K = 1 is worse by 4.5 standard errors
		{0.005, 0.005, 3},
	} {
		got := smallestClose(3, m, func(k int, dst []float64) {
			for i := range dst {
				switch k {
				case 1:
					dst[i] = -1 - c.delta1 + 0.05*noise[i]
				case 2:
					dst[i] = -1 - c.delta2 + 0.05*noise[m+i]
				case 3:
					dst[i] = -1
				}
			}
		})
		if got != c.want {
			t.Errorf("δ = %v, %v: chose K = %d, want %d", c.delta1, c.delta2, got, c.want)
		}
	}
}

// TestGMMThreeBlobs fits a well-separated mixture of three Gaussians: K = 3
// is chosen and its test log-likelihood is close to the true density's.
func TestGMMThreeBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	train, logp := threeBlobs(rng, 6000)
	val, _ := threeBlobs(rng, 2000)
	test, _ := threeBlobs(rng, 20000)
	g, err := FitGMM(train, val, 2, GMMOptions{KMax: 8, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	lp, err := g.LogDensity(test)
	if err != nil {
		t.Fatal(err)
	}
	truth := 0.0
	for i := range 20000 {
		truth += logp(test[2*i], test[2*i+1]) / 20000
	}
	t.Logf("K = %d, test LL %.4f, true %.4f, weights %.3f", g.K(), mean(lp), truth, g.Weights())
	if g.K() != 3 {
		t.Errorf("chose K = %d, want 3", g.K())
	}
	if d := truth - mean(lp); d < 0 || d > 0.01 {
		t.Errorf("test LL %.4f, true density %.4f", mean(lp), truth)
	}
	if g.ValidationLogLik() != g.Scores()[g.K()-1].ValLL {
		t.Errorf("ValidationLogLik %v, score of K = %d %v", g.ValidationLogLik(), g.K(), g.Scores()[g.K()-1].ValLL)
	}
	mass := gridMass(t, g.LogDensity, -12, 12, 600)
	t.Logf("mass − 1 = %.1e on a 600² grid", mass-1)
	if math.Abs(mass-1) > 1e-4 {
		t.Errorf("mass %v, want 1", mass)
	}
}

// TestEMMonotone checks the EM property: with the ridge negligible, no
// iteration lowers the training log-likelihood.
func TestEMMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	x := ringSample(rng, 2000)
	n, _, z, err := gmmData(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []int{2, 3} { // 3 runs the generic code on (x, y, x·y)
		zz := z
		if d == 3 {
			zz = make([]float64, 0, 3*n)
			for i := range n {
				zz = append(zz, z[2*i], z[2*i+1], z[2*i]*z[2*i+1])
			}
		}
		opt, _ := GMMOptions{Ridge: 1e-12}.withDefaults()
		g := newMixture(8, d)
		st := newStats(8, d)
		a, delta := make([]float64, 8), make([]float64, 8*d)
		initKMeans(g, st, zz, n, stream(1, 2, 3), delta)
		g.mStep(st, n, opt.Ridge)
		prev := math.Inf(-1)
		for it := range 60 {
			g.eStep(st, zz, n, a, delta)
			if st.ll < prev-1e-9*math.Abs(prev) {
				t.Fatalf("d = %d, iteration %d: log-likelihood fell from %v to %v", d, it, prev, st.ll)
			}
			prev = st.ll
			g.mStep(st, n, opt.Ridge)
		}
	}
}

// TestGMMSample checks the moments of samples from a fitted two-component
// mixture against the mixture's own.
func TestGMMSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	train, _ := threeBlobs(rng, 3000)
	g, err := FitGMMK(train, 2, 2, GMMOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var mu [2]float64
	var second [4]float64 // E[x xᵀ]
	for c, w := range g.Weights() {
		m, cv := g.Mean(c), g.Covariance(c)
		for a := range 2 {
			mu[a] += w * m[a]
			for b := range 2 {
				second[2*a+b] += w * (cv[2*a+b] + m[a]*m[b])
			}
		}
	}
	const n = 200000
	x, err := g.Sample(n, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	for a := range 2 {
		var sm float64
		for i := range n {
			sm += x[2*i+a] / n
		}
		sd := math.Sqrt(second[3*a] - mu[a]*mu[a])
		if math.Abs(sm-mu[a]) > 4*sd/math.Sqrt(n) {
			t.Errorf("coordinate %d: sample mean %.4f, mixture %.4f", a, sm, mu[a])
		}
		for b := range 2 {
			var s2 float64
			for i := range n {
				s2 += x[2*i+a] * x[2*i+b] / n
			}
			if math.Abs(s2-second[2*a+b]) > 0.02*math.Sqrt(second[0]*second[3]) {
				t.Errorf("E[x%d x%d]: sample %.4f, mixture %.4f", a, b, s2, second[2*a+b])
			}
		}
	}
}

// TestLogTerms2 checks the unrolled 2-D path against the generic one on a
// fitted mixture with a dropped component.
func TestLogTerms2(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	x := ringSample(rng, 1000)
	g, err := FitGMMK(x, 2, 6, GMMOptions{Seed: 1, MaxIter: 20})
	if err != nil {
		t.Fatal(err)
	}
	mix := g.mix
	mix.drop(4)
	mix.pack()
	a1, a2 := make([]float64, 6), make([]float64, 6)
	d1, d2 := make([]float64, 12), make([]float64, 12)
	for i := range 50 {
		z := []float64{unit(rng)*6 - 3, unit(rng)*6 - 3}
		t1, t2 := mix.logTerms2(z, a1, d1), mix.logTermsD(z, a2, d2)
		if math.Abs(t1-t2) > 1e-12*math.Abs(t2) {
			t.Fatalf("point %d: top %v unrolled, %v generic", i, t1, t2)
		}
		for c := range 6 {
			if c == 4 {
				continue // dropped: checked below; its delta is unused
			}
			if math.Abs(a1[c]-a2[c]) > 1e-12*math.Abs(a2[c]) || d1[2*c] != d2[2*c] || d1[2*c+1] != d2[2*c+1] {
				t.Fatalf("point %d component %d: a %v, %v; delta %v, %v", i, c, a1[c], a2[c], d1[2*c:2*c+2], d2[2*c:2*c+2])
			}
		}
		if !math.IsInf(a1[4], -1) || !math.IsInf(a2[4], -1) {
			t.Fatalf("dropped component has a = %v, %v", a1[4], a2[4])
		}
	}
}
