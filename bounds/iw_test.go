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
