package bounds

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/nn"
	"gonum.org/v1/gonum/mat"
)

// TestIWGaussian checks the importance-weighted bound on the SPEC §8 linear
// Gaussian case, where f is quadratic and log Z is known: on one pool of
// latents, L_1 is the exact singular-value bound (up to the prior's sample
// entropy), L_K never decreases along K = 1, 10, 100, 1000 (the groups are
// nested, and by Jensen the log-mean-exp of a union is at least the mean of
// the parts'), every L_K is below log Z, and L_1000 reaches it.
func TestIWGaussian(t *testing.T) {
	rng := nn.NewRNG(51)
	gc := randomGaussCase(rng.Stream("case"), 2)
	ex := gc.exact()
	nets := gc.nets(t)
	const d, N = 2, 100000
	z := normals(rng.Stream("z"), N*d)

	// L_1 against the bracket's ⌊log Z⌋ = E_q[−E] + Ĥ on the same latents:
	// they differ only in the prior term, mean ½‖z‖² against its
	// expectation d/2.
	br := must(NewBracket(nets, N, rng.Stream("br")))
	sv := must(NewSVEntropy(nets, SVConfig{Method: "exact"}, N, rng.Stream("sv")))
	r, err := br.Evaluate(sv, nil, z)
	if err != nil {
		t.Fatal(err)
	}
	var half float64
	for i := 0; i < N; i++ {
		zi := z[i*d : (i+1)*d]
		half += float64(asm.Dot(zi, zi)) / 2 / N
	}

	prev := math.Inf(-1)
	for _, K := range []int{1, 10, 100, 1000} {
		iw := must(NewImportanceWeighted(nets, IWConfig{K: K}, 4000, rng.Stream("iw"))) // chunks of 4000
		l, err := iw.LogZ(z)
		if err != nil {
			t.Fatal(err)
		}
		st := iw.Stats()
		t.Logf("%s: L_K = %v (log Z %.4f, E_p f %.4f), ESS %.1f of %d", iw.Name(), l, ex.logZ, ex.logZ-ex.KL, st.ESS, K)
		if st.Groups != N/K || st.ZeroWeight+st.Empty+st.Invalid != 0 || len(iw.PerGroup()) != N/K {
			t.Errorf("K = %d: stats %+v", K, st)
		}
		if K == 1 {
			if want := r.Lower.Value + half - d/2.0; math.Abs(l.Value-want) > 1e-10 {
				t.Errorf("L_1 = %v, ⌊log Z⌋ + mean ½‖z‖² − d/2 = %v", l.Value, want)
			}
			if !within(l.Value, ex.logZ-ex.KL, l.StdErr, 4, 0) {
				t.Errorf("L_1 = %v, E_p f = %v", l, ex.logZ-ex.KL)
			}
		}
		if !(l.Value >= prev-1e-12) {
			t.Errorf("L_%d = %v below the previous %v", K, l.Value, prev)
		}
		prev = l.Value
		if !(l.Value-3*l.StdErr <= ex.logZ) {
			t.Errorf("L_%d = %v above log Z = %v", K, l, ex.logZ)
		}
		if K == 1000 && !within(l.Value, ex.logZ, l.StdErr, 3, 0) {
			t.Errorf("L_1000 = %v, log Z = %v", l, ex.logZ)
		}
		if K != 100 {
			continue
		}
		// The surrogate d·log s_min ≤ ½ log det(AᵀA) lowers f by the same
		// constant at every latent, hence L_K by that constant.
		smin := must(NewImportanceWeighted(nets, IWConfig{K: K, LogDet: "smin", LOBPCGIters: 50, LOBPCGTol: 1e-12}, 4000, rng.Stream("iw")))
		ls, err := smin.LogZ(z)
		if err != nil {
			t.Fatal(err)
		}
		var svd mat.SVD
		svd.Factorize(gc.A, mat.SVDNone)
		sv := svd.Values(nil)
		shift := d*math.Log(sv[d-1]) - math.Log(sv[0]*sv[1])
		if math.Abs(ls.Value-(l.Value+shift)) > 1e-8 || !(smin.Stats().Residual < 1e-8) {
			t.Errorf("%s: L_K = %v, want %v + %v; LOBPCG residual %v", smin.Name(), ls.Value, l.Value, shift, smin.Stats().Residual)
		}
	}
}

// TestIWAtModel: with q = p_θ, f ≡ log Z, so L_K = log Z for every K with
// no spread and every weight counts (ESS = K).
func TestIWAtModel(t *testing.T) {
	for _, D := range []int{1, 3} {
		rng := nn.NewRNG(uint64(51 + D))
		gc := randomGaussCase(rng.Stream("case"), D)
		if err := gc.A.Inverse(gc.L); err != nil {
			t.Fatal(err)
		}
		copy(gc.b, gc.mu)
		ex := gc.exact()
		nets := gc.nets(t)
		z := normals(rng.Stream("z"), 600*D)
		for _, K := range []int{1, 7, 100} {
			iw := must(NewImportanceWeighted(nets, IWConfig{K: K}, 300, rng.Stream("iw")))
			l, err := iw.LogZ(z[:len(z)/(K*D)*K*D])
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(l.Value-ex.logZ) > 1e-12 || !(l.StdErr < 1e-12) || math.Abs(iw.Stats().ESS-float64(K)) > 1e-9 {
				t.Errorf("D = %d, K = %d: L_K = %v (SE %g), ESS %v; want log Z = %v, no spread, ESS = K", D, K, l.Value, l.StdErr, iw.Stats().ESS, ex.logZ)
			}
		}
	}
}

// TestIWSingular: latents where the Jacobian is singular (a ReLU generator,
// z < 0) have weight e^f = 0, counted in ZeroWeight; a group of such latents
// only is left out (Empty); a NaN energy makes every group invalid and the
// call an error.
func TestIWSingular(t *testing.T) {
	lin := nn.NewLinear[float64](1, 1, false, nil)
	lin.W.Value[0] = 1.5
	gen := must(nn.NewSequential[float64](lin, nn.NewActivation[float64](nn.ReLU, 1)))
	en := gaussCase{D: 1, A: eye(1), L: mat.NewDense(1, 1, []float64{0.8}), b: []float64{0}, mu: []float64{0.2}}.nets(t).Energy
	nets := Nets[float64]{Energy: en, Generator: gen}
	z := []float64{-1, 0.5, -0.2, -0.3, 1.1, 0.7}
	for _, c := range []struct{ K, groups, empty int }{{1, 3, 3}, {2, 2, 1}, {3, 2, 0}} {
		iw := must(NewImportanceWeighted(nets, IWConfig{K: c.K}, 6, nn.NewStream(1, "iw")))
		l, err := iw.LogZ(z)
		if err != nil {
			t.Fatal(err)
		}
		st := iw.Stats()
		if st.ZeroWeight != 3 || st.Groups != c.groups || st.Empty != c.empty || st.Invalid != 0 || !asm.Finite(l.Value) {
			t.Errorf("K = %d: L = %v, stats %+v", c.K, l, st)
		}
	}
	// K = 2: groups {−1, 0.5}, {−0.2, −0.3}, {1.1, 0.7}; the middle one is
	// empty.
	iw := must(NewImportanceWeighted(nets, IWConfig{K: 2}, 6, nn.NewStream(1, "iw")))
	if _, err := iw.LogZ(z); err != nil {
		t.Fatal(err)
	}
	if g := iw.PerGroup(); !math.IsInf(g[1], -1) || !asm.Finite(g[0]) || !asm.Finite(g[2]) {
		t.Errorf("per-group values %v, want the middle group −∞", g)
	}

	en.Params()[0].Value[0] = math.NaN()
	if _, err := iw.LogZ(z); err == nil || iw.Stats().Invalid != 3 {
		t.Errorf("NaN energy: err %v, stats %+v", err, iw.Stats())
	}
	if _, err := iw.LogZ(z[:3]); err == nil {
		t.Error("3 latents in groups of 2: no error")
	}
	if _, err := NewImportanceWeighted(nets, IWConfig{K: 8}, 6, nn.NewStream(1, "iw")); err == nil {
		t.Error("maxBatch < K: no error")
	}
}

// TestSelfNormalizedGaussian checks the self-normalised weights on the SPEC
// §8 linear Gaussian case: each weight is e^{−E(x)}/q(x) normalised, in
// closed form, and the weighted samples estimate the mean and covariance of
// p_θ = N(μ, P⁻¹), not those of the generator's N(b, AAᵀ).
func TestSelfNormalizedGaussian(t *testing.T) {
	rng := nn.NewRNG(53)
	gc := randomGaussCase(rng.Stream("case"), 2)
	nets := gc.nets(t)
	const d, N = 2, 40000
	z := normals(rng.Stream("z"), N*d)
	iw := must(NewImportanceWeighted(nets, IWConfig{K: N}, N, rng.Stream("iw")))
	w := make([]float64, N)
	x, ess, err := iw.SelfNormalized(z, w)
	if err != nil {
		t.Fatal(err)
	}

	// Closed form: log w_b = −½(x−μ)ᵀP(x−μ) + ½‖z‖² + const (the log-det of
	// a linear generator is a constant).
	P := gc.precision()
	logw := make([]float64, N)
	m := math.Inf(-1)
	for b := 0; b < N; b++ {
		var dx mat.VecDense
		dx.SubVec(mat.NewVecDense(d, x[b*d:(b+1)*d]), mat.NewVecDense(d, gc.mu))
		zb := mat.NewVecDense(d, z[b*d:(b+1)*d])
		logw[b] = -0.5*mat.Inner(&dx, P, &dx) + 0.5*mat.Dot(zb, zb)
		m = math.Max(m, logw[b])
	}
	var sum, sum2 float64
	for b := range logw {
		sum += math.Exp(logw[b] - m)
	}
	for b := range logw {
		want := math.Exp(logw[b]-m) / sum
		sum2 += want * want
		if math.Abs(w[b]-want) > 1e-9*want+1e-300 {
			t.Fatalf("w[%d] = %v, want %v", b, w[b], want)
		}
	}
	if math.Abs(ess-1/sum2) > 1e-6*ess || !(ess > N/20) {
		t.Fatalf("ESS %v, want 1/Σw² = %v (and not degenerate)", ess, 1/sum2)
	}

	// The weighted moments are those of p_θ, within 5 standard errors
	// (variance / ESS), and unlike the generator's.
	var cov mat.Dense // P⁻¹
	if err := cov.Inverse(P); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < d; i++ {
		var mean, second float64
		for b := 0; b < N; b++ {
			mean += w[b] * x[b*d+i]
			second += w[b] * (x[b*d+i] - gc.mu[i]) * (x[b*d+i] - gc.mu[i])
		}
		v := cov.At(i, i)
		if se := math.Sqrt(v / ess); math.Abs(mean-gc.mu[i]) > 5*se {
			t.Errorf("weighted mean[%d] = %v, μ = %v (se %v); the generator's is %v", i, mean, gc.mu[i], se, gc.b[i])
		}
		if se := v * math.Sqrt(2/ess); math.Abs(second-v) > 5*se {
			t.Errorf("weighted variance[%d] = %v, (P⁻¹)ᵢᵢ = %v (se %v)", i, second, v, se)
		}
	}

	// Sizes are checked, and a non-finite energy is an error, not a weight.
	if _, _, err := iw.SelfNormalized(make([]float64, (N+1)*d), make([]float64, N+1)); err == nil {
		t.Error("more latents than maxBatch: no error")
	}
	if _, _, err := iw.SelfNormalized(z[:4*d], w[:3]); err == nil {
		t.Error("fewer weights than latents: no error")
	}
	if _, _, err := iw.SelfNormalized(z[:3], w); err == nil {
		t.Error("a partial latent: no error")
	}
	nan := append([]float64(nil), z[:4*d]...)
	nan[3] = math.NaN()
	if _, _, err := iw.SelfNormalized(nan, w); err == nil {
		t.Error("a NaN latent (NaN energy): no error")
	}
}

// TestSystematicResample checks the defining property of systematic
// resampling on random weights, some of them 0: each row j is copied
// ⌊B·w_j⌋ or ⌈B·w_j⌉ times, whole and in order, and a row of weight 0
// never; with equal weights every row is copied once, for any draw u.
func TestSystematicResample(t *testing.T) {
	s := nn.NewStream(67, "resample")
	const B, D = 50, 3
	x := make([]float32, B*D)
	for j := range B {
		for k := range D {
			x[j*D+k] = float32(j) + float32(k)/10 // row j is recognisable by its first value
		}
	}
	dst := make([]float32, B*D)
	w := make([]float64, B)
	for trial := range 200 {
		var sum float64
		for j := range w {
			w[j] = 0
			if trial == 0 || s.Float64() > 0.3 {
				w[j] = s.ExpFloat64()
			}
			sum += w[j]
		}
		if sum == 0 {
			continue
		}
		for j := range w {
			w[j] /= sum
		}
		SystematicResample(dst, x, w, D, s.Float64())
		count := make([]int, B)
		prev := 0
		for b := range B {
			j := int(dst[b*D])
			for k := range D {
				if dst[b*D+k] != x[j*D+k] {
					t.Fatalf("trial %d: row %d is not a whole copy of row %d", trial, b, j)
				}
			}
			if j < prev {
				t.Fatalf("trial %d: row %d copies row %d after row %d", trial, b, j, prev)
			}
			prev = j
			count[j]++
		}
		for j, c := range count {
			lo, hi := math.Floor(B*w[j]-1e-9), math.Ceil(B*w[j]+1e-9)
			if float64(c) < lo || float64(c) > hi || (w[j] == 0 && c > 0) {
				t.Fatalf("trial %d: row %d (weight %.4f, B·w %.3f) copied %d times", trial, j, w[j], B*w[j], c)
			}
		}
	}
	for j := range w {
		w[j] = 1.0 / B
	}
	for _, u := range []float64{0, 0.5, 0.999999} {
		SystematicResample(dst, x, w, D, u)
		for b := range B {
			if dst[b*D] != float32(b) {
				t.Fatalf("equal weights, u = %g: row %d copies row %g", u, b, dst[b*D])
			}
		}
	}
}

// TestGPLatentValuesServeTheWeights: the weights built from the gradient
// penalty's f (Evaluate, LatentValues, SelfNormalizedWeights), which the
// trainer uses with upper gp, are SelfNormalized's weights bit for bit, at
// the same samples, on a nonlinear energy and generator; a sample the
// penalty leaves out (here a non-finite one) gets weight 0, not an error.
func TestGPLatentValuesServeTheWeights(t *testing.T) {
	rng := nn.NewRNG(59)
	energy := must(nn.BuildMLP[float32](nn.MLPSpec{Widths: []int{2, 16, 16, 1}, Activation: "prelu"}, rng.Stream("energy")))
	gen := must(nn.BuildMLP[float32](nn.MLPSpec{Widths: []int{2, 16, 16, 2}, Activation: "softplus"}, rng.Stream("gen")))
	nets := Nets[float32]{Energy: energy, Generator: gen}
	const B = 64
	z := make([]float32, B*2)
	nn.Normal(rng.Stream("z"), z)
	iw := must(NewImportanceWeighted(nets, IWConfig{K: B}, B, rng.Stream("iw")))
	gp := must(NewGradientPenalty(nets, GPConfig{Weight: 1}, B, rng.Stream("gp")))

	want := make([]float64, B)
	xWant, essWant, err := iw.SelfNormalized(z, want)
	if err != nil {
		t.Fatal(err)
	}
	if err := gp.Evaluate(z); err != nil {
		t.Fatal(err)
	}
	f, x := gp.LatentValues()
	got := make([]float64, B)
	ess, err := SelfNormalizedWeights(f, got)
	if err != nil {
		t.Fatal(err)
	}
	for b := range got {
		if got[b] != want[b] {
			t.Fatalf("w[%d] = %v from the penalty's f, %v from SelfNormalized", b, got[b], want[b])
		}
	}
	for i := range x {
		if x[i] != xWant[i] {
			t.Fatalf("x[%d] = %v, SelfNormalized's %v", i, x[i], xWant[i])
		}
	}
	if ess != essWant || !(ess > 1) {
		t.Fatalf("ESS %v, SelfNormalized's %v", ess, essWant)
	}

	z[3*2] = float32(math.NaN()) // sample 3's f is not finite: the penalty leaves it out
	if err := gp.Evaluate(z); err != nil {
		t.Fatal(err)
	}
	f, _ = gp.LatentValues()
	if _, err := SelfNormalizedWeights(f, got); err != nil || got[3] != 0 || gp.Skipped() != 1 || !(got[2] > 0) {
		t.Fatalf("a sample left out: weight %v (its neighbour's %v), error %v, %d skipped; want 0, > 0, none and 1", got[3], got[2], err, gp.Skipped())
	}
}
