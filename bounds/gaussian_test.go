package bounds

import (
	"fmt"
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/nn"
	"gonum.org/v1/gonum/mat"
)

// Known-answer tests of SPEC §8: linear generator, quadratic energy.

func TestGaussLegendre(t *testing.T) {
	for K := 1; K <= 12; K++ {
		nodes, wts := gaussLegendre(K)
		// Exact for polynomials of degree ≤ 2K−1 on [0, 1]: ∫ s^p = 1/(p+1).
		for p := 0; p <= 2*K-1; p++ {
			var q float64
			for i, s := range nodes {
				q += wts[i] * math.Pow(s, float64(p))
			}
			if math.Abs(q-1/float64(p+1)) > 1e-13 {
				t.Errorf("K = %d: ∫s^%d = %v, want %v", K, p, q, 1/float64(p+1))
			}
		}
		for i := 1; i < K; i++ {
			if !(nodes[i] > nodes[i-1]) {
				t.Errorf("K = %d: nodes not ascending: %v", K, nodes)
			}
		}
	}
	// Riemann sums bracket a monotone integrand and average to the trapezoid.
	nodes, wts, _ := quadrature("trapezoid", 5)
	vals := make([]float64, 5)
	var trap float64
	for i, s := range nodes {
		vals[i] = math.Exp(s)
		trap += wts[i] * vals[i]
	}
	l, r := riemannSums(nodes, vals)
	if !(l < math.E-1 && math.E-1 < r) || math.Abs((l+r)/2-trap) > 1e-15 {
		t.Errorf("left %v, right %v, trapezoid %v, exact %v", l, r, trap, math.E-1)
	}
}

// TestClosedForms checks the closed forms against each other: the KL from
// log Z − lower equals the direct Gaussian KL, and Û_d ≥ KL, for the test
// cases of every dimension.
func TestClosedForms(t *testing.T) {
	s := nn.NewStream(1, "closed")
	for _, D := range []int{1, 2, 5} {
		for rep := 0; rep < 5; rep++ {
			ex := randomGaussCase(s, D).exact()
			if math.Abs(ex.KL-ex.KLdirect) > 1e-12 {
				t.Errorf("D = %d: KL %v vs direct %v", D, ex.KL, ex.KLdirect)
			}
			if !(ex.Ud >= ex.KL) || !(ex.KL >= 0) {
				t.Errorf("D = %d: Û_d = %v < KL = %v", D, ex.Ud, ex.KL)
			}
		}
	}
}

// TestOneDimExample reproduces SPEC §8's 1-D example: k = −0.9, g = 0
// (A = 1, P = 0.1, b = μ). The closed forms come from the general formulas
// (Gaussian KL, ½(‖g‖² + tr K²), the integral of the closed-form integrand)
// and are then compared with the stated numbers; the estimators are
// compared with the closed forms.
func TestOneDimExample(t *testing.T) {
	const k = -0.9
	gc := gaussCase{D: 1, A: mat.NewDense(1, 1, []float64{1}), L: mat.NewDense(1, 1, []float64{math.Sqrt(1 + k)}),
		b: []float64{0.3}, mu: []float64{0.3}, c: 0.2}
	ex := gc.exact()
	if math.Abs(ex.K.At(0, 0)-k) > 1e-15 {
		t.Fatalf("K = %v", ex.K.At(0, 0))
	}
	// The 1-D forms of SPEC §8.
	gap := k/2 - 0.5*math.Log(1+k)
	if math.Abs(ex.KL-gap) > 1e-12 || math.Abs(ex.Uc-k*k/2) > 1e-15 || math.Abs(ex.Ud-0.5*k*math.Log(1+k)) > 1e-12 {
		t.Errorf("KL %v (%v), Û_c %v (%v), Û_d %v (%v)", ex.KL, gap, ex.Uc, k*k/2, ex.Ud, 0.5*k*math.Log(1+k))
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"gap", ex.KL, 0.701}, {"Û_c", ex.Uc, 0.405}, {"Û_d", ex.Ud, 1.036}} {
		if r := math.Round(c.got*1000) / 1000; r != c.want {
			t.Errorf("%s = %.4f, SPEC states %.3f", c.name, c.got, c.want)
		}
	}
	if !(ex.Uc < ex.KL && ex.KL <= ex.Ud) {
		t.Errorf("want Û_c < gap ≤ Û_d: %v, %v, %v", ex.Uc, ex.KL, ex.Ud)
	}

	// Estimators.
	nets := gc.nets(t)
	const B = 4000
	rng := nn.NewRNG(2)
	z := normals(rng.Stream("z"), B)
	gp := must(NewGradientPenalty(nets, GPConfig{}, B, rng.Stream("gp")))
	uc, _, err := gp.Gap(z, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	gpf := must(NewGradientPenalty(nets, GPConfig{FullGradient: true}, B, rng.Stream("gp")))
	ucf, _, _ := gpf.Gap(z, 0, 0)
	diff := must(NewDiffusion(nets, DiffusionConfig{Nodes: 8, Rule: "gauss-legendre", StepsPerNode: 60, StepSize: 0.4, MALA: true},
		B, rng.Stream("diff")))
	ud, _, err := diff.Gap(z, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	st := diff.Stats()
	t.Logf("Û_c: hutchinson %v, full %v (exact %.4f); Û_d %v (exact %.4f), left/right %.3f/%.3f, acceptance %.2f",
		uc, ucf, ex.Uc, ud, ex.Ud, st.Left, st.Right, st.Acceptance)
	if !within(uc.Value, ex.Uc, uc.StdErr, 4, 0) || !within(ucf.Value, ex.Uc, ucf.StdErr, 4, 0) {
		t.Errorf("Û_c estimates %v, %v, want %v", uc, ucf, ex.Uc)
	}
	if !within(ud.Value, ex.Ud, ud.StdErr, 4, 0.01) {
		t.Errorf("Û_d estimate %v, want %v", ud, ex.Ud)
	}
	if !(ud.Value-3*ud.StdErr > ex.KL) {
		t.Errorf("Û_d estimate %v does not exceed the gap %v", ud, ex.KL)
	}
}

// TestGaussianBracket checks, for d = D ∈ {1, 2, 5}, every estimator against
// its closed form and the bracket: lower bounds ≤ log Z ≤ (d).
func TestGaussianBracket(t *testing.T) {
	for _, D := range []int{1, 2, 5} {
		t.Run(fmt.Sprintf("D=%d", D), func(t *testing.T) {
			if raceEnabled && D == 5 {
				t.Skip("statistical test, slow under the race detector")
			}
			rng := nn.NewRNG(uint64(10 + D))
			gc := randomGaussCase(rng.Stream("case"), D)
			ex := gc.exact()
			nets := gc.nets(t)
			const B = 3000
			z := normals(rng.Stream("z"), B*D)
			br := must(NewBracket(nets, B, rng.Stream("bracket")))

			// Singular values of A, for the s_min and top-k closed forms.
			var svd mat.SVD
			svd.Factorize(gc.A, mat.SVDNone)
			sv := svd.Values(nil)
			h0 := gaussEntropy(D)
			hSMin := h0 + float64(D)*math.Log(sv[D-1])
			lowers := []struct {
				name string
				lo   EntropyLower[float64]
				want float64 // closed-form Ĥ (NaN: only ≤ H is known)
			}{
				{"exact", must(NewSVEntropy(nets, SVConfig{Method: "exact"}, B, rng.Stream("sv"))), ex.H},
				{"smin", must(NewSVEntropy(nets, SVConfig{Method: "smin", LOBPCGIters: 50, LOBPCGTol: 1e-12}, B, rng.Stream("sv"))), hSMin},
				{"mi-ba", must(NewMIEntropy(nets, MIConfig{Sigma: 0.2, Hidden: []int{8}}, B, rng.Stream("mi"))), math.NaN()},
				{"mi-nwj", must(NewMIEntropy(nets, MIConfig{Estimator: "nwj", Sigma: 0.2, Hidden: []int{8}}, B, rng.Stream("mi"))), math.NaN()},
				{"mi-infonce", must(NewMIEntropy(nets, MIConfig{Estimator: "infonce", Sigma: 0.2, Hidden: []int{8}}, B, rng.Stream("mi"))), math.NaN()},
			}
			if D == 5 {
				top := h0 + math.Log(sv[0]) + math.Log(sv[1]) + 3*math.Log(sv[D-1])
				lowers = append(lowers, struct {
					name string
					lo   EntropyLower[float64]
					want float64
				}{"top2", must(NewSVEntropy(nets, SVConfig{Method: "topk", K: 2, LOBPCGIters: 50, LOBPCGTol: 1e-12}, B, rng.Stream("sv"))), top})
				if !(hSMin < top && top < ex.H) {
					t.Errorf("top-k closed form %v not between s_min %v and exact %v", top, hSMin, ex.H)
				}
			}
			uppers := []struct {
				name string
				up   GapUpper[float64]
				want float64
			}{
				{"gp", must(NewGradientPenalty(nets, GPConfig{}, B, rng.Stream("gp"))), ex.Uc},
				{"gp-smin", must(NewGradientPenalty(nets, GPConfig{LogDet: "smin", LOBPCGIters: 50, LOBPCGTol: 1e-12}, B, rng.Stream("gp"))), ex.Uc},
				{"diffusion", must(NewDiffusion(nets, DiffusionConfig{Nodes: 6, Rule: "gauss-legendre", StepsPerNode: 40, StepSize: 0.1, MALA: true},
					B, rng.Stream("diff"))), ex.Ud},
			}
			for _, lo := range lowers {
				r, err := br.Evaluate(lo.lo, nil, z)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%-10s Ĥ %v (H %.4f); ⌊log Z⌋ %v, log Z %.4f", lo.name, r.Entropy, ex.H, r.Lower, ex.logZ)
				if !math.IsNaN(lo.want) && math.Abs(r.Entropy.Value-lo.want) > 1e-8 {
					t.Errorf("%s: Ĥ = %v, closed form %v", lo.name, r.Entropy.Value, lo.want)
				}
				if r.Entropy.Value-3*r.Entropy.StdErr > ex.H+1e-9 && lo.lo.Noise() == 0 {
					t.Errorf("%s: Ĥ %v above H[q] = %v", lo.name, r.Entropy, ex.H)
				}
				if !(r.Lower.Value-3*r.Lower.StdErr <= ex.logZ) {
					t.Errorf("%s: ⌊log Z⌋ = %v above log Z = %v", lo.name, r.Lower, ex.logZ)
				}
				if lo.lo.Noise() == 0 && !within(r.EnergyTerm.Value, ex.energyTerm, r.EnergyTerm.StdErr, 4, 0) {
					t.Errorf("E_q[−E] = %v, closed form %v", r.EnergyTerm, ex.energyTerm)
				}
			}
			for _, up := range uppers {
				r, err := br.Evaluate(lowers[0].lo, up.up, z)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%-10s Û %v (closed form %.4f, KL %.4f); ⌈log Z⌉ %v, log Z %.4f", up.name, r.Gap, up.want, ex.KL, r.Upper, ex.logZ)
				if !within(r.Gap.Value, up.want, r.Gap.StdErr, 4, 0.01*up.want) {
					t.Errorf("%s: Û = %v, closed form %v", up.name, r.Gap, up.want)
				}
				if up.name == "diffusion" && !(r.Upper.Value+3*r.Upper.StdErr >= ex.logZ) {
					t.Errorf("⌈log Z⌉ = %v below log Z = %v", r.Upper, ex.logZ)
				}
			}
		})
	}
}

// TestEqualityAtModel sets q = p_θ (A = L⁻¹, b = μ): the exact lower bound
// equals log Z up to Monte Carlo error, and ∇_z f ≡ 0 makes both upper
// bounds vanish.
func TestEqualityAtModel(t *testing.T) {
	for _, D := range []int{1, 2, 5} {
		rng := nn.NewRNG(uint64(20 + D))
		gc := randomGaussCase(rng.Stream("case"), D)
		if err := gc.A.Inverse(gc.L); err != nil {
			t.Fatal(err)
		}
		copy(gc.b, gc.mu)
		ex := gc.exact()
		if math.Abs(ex.KL) > 1e-10 || math.Abs(ex.Uc) > 1e-10 || math.Abs(ex.Ud) > 1e-10 {
			t.Fatalf("D = %d: closed forms KL %v, Û_c %v, Û_d %v, want 0", D, ex.KL, ex.Uc, ex.Ud)
		}
		nets := gc.nets(t)
		const B = 2000
		z := normals(rng.Stream("z"), B*D)
		br := must(NewBracket(nets, B, rng.Stream("br")))
		sv := must(NewSVEntropy(nets, SVConfig{Method: "exact"}, B, rng.Stream("sv")))
		for _, up := range []GapUpper[float64]{
			must(NewGradientPenalty(nets, GPConfig{}, B, rng.Stream("gp"))),
			must(NewDiffusion(nets, DiffusionConfig{MALA: true}, B, rng.Stream("diff"))),
		} {
			r, err := br.Evaluate(sv, up, z)
			if err != nil {
				t.Fatal(err)
			}
			if !within(r.Lower.Value, ex.logZ, r.Lower.StdErr, 4, 0) || !within(r.Upper.Value, ex.logZ, r.Upper.StdErr, 4, 0) {
				t.Errorf("D = %d, %s: bracket [%v, %v], log Z = %v", D, up.Name(), r.Lower, r.Upper, ex.logZ)
			}
			if math.Abs(r.Gap.Value) > 1e-18 {
				t.Errorf("D = %d, %s: Û = %v, want 0", D, up.Name(), r.Gap)
			}
		}
	}
}

// TestBarberAgakovTight uses the exact posterior as the BA encoder for a
// 1-D noisy linear generator: Ĥ then equals H[q_σ] = ½ log(2πe(a² + σ²)) in
// expectation.
func TestBarberAgakovTight(t *testing.T) {
	const a, bias, sigma, B = 1.3, 0.4, 0.5, 20000
	gc := gaussCase{D: 1, A: mat.NewDense(1, 1, []float64{a}), L: mat.NewDense(1, 1, []float64{1}),
		b: []float64{bias}, mu: []float64{0}}
	nets := gc.nets(t)
	rng := nn.NewRNG(3)
	mi := must(NewMIEntropy(nets, MIConfig{Sigma: sigma, Hidden: []int{}}, B, rng.Stream("mi")))
	lin := mi.AuxNetworks()[0].Layers()[0].(*nn.Linear[float64])
	// Posterior: precision 1 + a²/σ², mean (a/σ²)(x − b)/(1 + a²/σ²).
	prec := 1 + a*a/(sigma*sigma)
	w := a / (sigma * sigma) / prec
	copy(lin.W.Value, []float64{w, 0})
	copy(lin.B.Value, []float64{-w * bias, -0.5 * math.Log(prec)})
	z := normals(rng.Stream("z"), B)
	h, err := mi.Entropy(z, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.5 * math.Log(2*math.Pi*math.E*(a*a+sigma*sigma))
	if !within(h.Value, want, h.StdErr, 4, 0) {
		t.Errorf("Ĥ_BA = %v, H[q_σ] = %v", h, want)
	}
	if !(h.StdErr < 0.02) {
		t.Errorf("standard error %v", h.StdErr)
	}
}
