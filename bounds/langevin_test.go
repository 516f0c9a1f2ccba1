package bounds

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/nn"
	"gonum.org/v1/gonum/mat"
)

// momentCheck compares the sample mean and covariance of the B×n chains z
// with the target's: each entry within 4.5 standard errors of its estimator.
// At B = 4000 the covariance tolerance is about ±10% of the variances, so a
// noise scale off by √2 (covariances ×2 or ×½) cannot pass.
func momentCheck(t *testing.T, what string, z []float64, n int, mean []float64, cov *mat.Dense) {
	t.Helper()
	B := len(z) / n
	m := make([]float64, n)
	for b := 0; b < B; b++ {
		for i := 0; i < n; i++ {
			m[i] += z[b*n+i] / float64(B)
		}
	}
	c := mat.NewDense(n, n, nil)
	for b := 0; b < B; b++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				c.Set(i, j, c.At(i, j)+(z[b*n+i]-m[i])*(z[b*n+j]-m[j])/float64(B-1))
			}
		}
	}
	for i := 0; i < n; i++ {
		se := math.Sqrt(cov.At(i, i) / float64(B))
		if math.Abs(m[i]-mean[i]) > 4.5*se {
			t.Errorf("%s: mean[%d] = %.4f, want %.4f (se %.4f)", what, i, m[i], mean[i], se)
		}
		for j := 0; j < n; j++ {
			sij := cov.At(i, j)
			se := math.Sqrt((cov.At(i, i)*cov.At(j, j) + sij*sij) / float64(B))
			if math.Abs(c.At(i, j)-sij) > 4.5*se {
				t.Errorf("%s: cov[%d,%d] = %.4f, want %.4f (se %.4f)", what, i, j, c.At(i, j), sij, se)
			}
		}
	}
	t.Logf("%s: mean %.3f (want %.3f), cov %.3f (want %.3f)", what, m, mean, mat.Formatted(c, mat.Squeeze()), mat.Formatted(cov, mat.Squeeze()))
}

// TestLangevinGaussian samples N(μ, P⁻¹) in data space, from the quadratic
// energy network, with Euler–Maruyama (small step) and with MALA (large
// step), starting from N(0, I).
func TestLangevinGaussian(t *testing.T) {
	gc := gaussCase{D: 2, A: eye(2), L: mat.NewDense(2, 2, []float64{1.2, 0.3, -0.4, 0.8}),
		b: []float64{0, 0}, mu: []float64{1.5, -0.7}, c: 0.3}
	nets := gc.nets(t)
	var cov mat.Dense
	if err := cov.Inverse(gc.precision()); err != nil {
		t.Fatal(err)
	}
	const B = 4000
	for _, c := range []struct {
		name  string
		h     float64
		steps int
		mala  bool
	}{{"ula", 0.01, 1500, false}, {"mala", 0.3, 300, true}} {
		rng := nn.NewRNG(40)
		target := must(NewEnergyTarget(nets.Energy, Base[float64]{}, B))
		l := must(NewLangevin[float64](target, B, c.h, c.mala, rng.Stream("langevin")))
		z := normals(rng.Stream("start"), B*2)
		acc := l.Run(z, c.steps)
		t.Logf("%s: acceptance %.3f", c.name, acc)
		if c.mala && !(acc > 0.5 && acc < 1) {
			t.Errorf("MALA acceptance %v", acc)
		}
		momentCheck(t, c.name, z, 2, gc.mu, &cov)
	}
}

// TestLangevinLatent samples the latent path distribution π_s of the linear
// Gaussian case, N(−sΛ⁻¹g, Λ⁻¹) with Λ = I + sK, with MALA.
func TestLangevinLatent(t *testing.T) {
	rng := nn.NewRNG(41)
	gc := randomGaussCase(rng.Stream("case"), 2)
	ex := gc.exact()
	const s, B = 0.6, 4000
	var lam, inv mat.Dense
	lam.Scale(s, ex.K)
	lam.Add(&lam, eye(2))
	if err := inv.Inverse(&lam); err != nil {
		t.Fatal(err)
	}
	var m mat.VecDense
	m.MulVec(&inv, ex.g)
	m.ScaleVec(-s, &m)
	target := must(NewLatentTarget(gc.nets(t), "", LOBPCGConfig{}, B, rng.Stream("t")))
	target.S = s
	l := must(NewLangevin[float64](target, B, 0.2, true, rng.Stream("langevin")))
	z := normals(rng.Stream("start"), B*2)
	acc := l.Run(z, 300)
	if !(acc > 0.5) {
		t.Errorf("acceptance %v", acc)
	}
	momentCheck(t, "latent π_s", z, 2, []float64{m.AtVec(0), m.AtVec(1)}, &inv)
}

// TestLangevinDeterministic: a run depends only on the stream state.
func TestLangevinDeterministic(t *testing.T) {
	nets := toyNets32(t, 1)
	run := func() []float32 {
		s := nn.NewStream(5, "l")
		target := must(NewEnergyTarget(nets.Energy, Base[float32]{Confine: 0.1}, 50))
		l := must(NewLangevin[float32](target, 50, 0.01, true, s))
		z := make([]float32, 100)
		nn.Normal(s, z)
		l.Run(z, 5)
		return z
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("runs differ at %d: %v vs %v", i, a[i], b[i])
		}
	}
}

// TestLangevinAllocs: a step allocates nothing, with and without MALA, in
// data and latent space.
func TestLangevinAllocs(t *testing.T) {
	nets := toyNets32(t, 2)
	const B = 200
	s := nn.NewStream(6, "allocs")
	// With both terms of the base: its quadratic must not allocate either.
	base := Base[float32]{Confine: 0.1, Mean: []float32{0.5, -0.25}, Precision: []float32{2, 0.5, 0.5, 1}}
	et := must(NewEnergyTarget(nets.Energy, base, B))
	lt := must(NewLatentTarget(nets, "", LOBPCGConfig{}, B, s))
	lt.S = 0.5
	for _, tg := range []Target[float32]{et, lt} {
		for _, mala := range []bool{false, true} {
			l := must(NewLangevin[float32](tg, B, 0.01, mala, s))
			z := make([]float32, B*tg.Dim())
			nn.Normal(s, z)
			l.Reset(z)
			l.Step(z)
			if a := testing.AllocsPerRun(5, func() { l.Step(z) }); a != 0 {
				t.Errorf("%T, MALA %v: %v allocations per step", tg, mala, a)
			}
		}
	}
}

// TestLangevinAcceptProb: the mean acceptance probability of the MALA
// steps estimates the same rate as the accepted count, with less noise;
// SetStepSize changes the rate and rejects bad steps.
func TestLangevinAcceptProb(t *testing.T) {
	gc := gaussCase{D: 2, A: eye(2), L: mat.NewDense(2, 2, []float64{1.2, 0.3, -0.4, 0.8}),
		b: []float64{0, 0}, mu: []float64{1.5, -0.7}}
	const B, steps = 2000, 40
	rng := nn.NewRNG(42)
	target := must(NewEnergyTarget(gc.nets(t).Energy, Base[float64]{}, B))
	l := must(NewLangevin[float64](target, B, 0.3, true, rng.Stream("langevin")))
	if !math.IsNaN(l.AcceptProb()) {
		t.Errorf("AcceptProb before a step = %v, want NaN", l.AcceptProb())
	}
	z := normals(rng.Stream("start"), B*2)
	l.Run(z, 50) // burn in
	rate := func(h float64) (prob, acc float64) {
		if err := l.SetStepSize(h); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < steps; i++ {
			acc += float64(l.Step(z)) / (B * steps)
			prob += l.AcceptProb() / steps
		}
		return prob, acc
	}
	p1, a1 := rate(0.3)
	p2, a2 := rate(1.5)
	t.Logf("h = 0.3: mean probability %.4f, accepted %.4f; h = 1.5: %.4f, %.4f", p1, a1, p2, a2)
	// The accepted fraction has a binomial standard error of about 0.002.
	if math.Abs(p1-a1) > 0.01 || math.Abs(p2-a2) > 0.01 || !(p2 < p1-0.1) || !(p1 <= 1) {
		t.Errorf("acceptance probabilities %v, %v vs rates %v, %v", p1, p2, a1, a2)
	}
	for _, h := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if l.SetStepSize(h) == nil {
			t.Errorf("SetStepSize(%v) accepted", h)
		}
	}
	ula := must(NewLangevin[float64](target, B, 0.1, false, rng.Stream("ula")))
	ula.Run(z, 1)
	if !math.IsNaN(ula.AcceptProb()) {
		t.Errorf("ULA AcceptProb = %v, want NaN", ula.AcceptProb())
	}
}
