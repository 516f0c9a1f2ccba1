package bounds

import (
	"math"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/nn"
)

// TestCheckC1 checks the verdict on every layer kind, alone and inside a
// network (the error names the first piecewise layer).
func TestCheckC1(t *testing.T) {
	s := nn.NewStream(60, "c1")
	act := func(k nn.ActKind, set func(*nn.Activation[float64])) nn.Layer[float64] {
		a := nn.NewActivation[float64](k, 3)
		if set != nil {
			set(a)
		}
		return a
	}
	for _, c := range []struct {
		name  string
		layer nn.Layer[float64]
		c1    bool
	}{
		{"linear", nn.NewLinear[float64](3, 3, true, s), true},
		{"linear-sn", nn.NewLinear[float64](3, 3, true, s).WithSpectralNorm(s), true},
		{"batchnorm", nn.NewBatchNorm[float64](3), true},
		{"scale", nn.NewScale[float64](3, s), true},
		{"halfsqnorm", nn.NewHalfSquaredNorm[float64](3), true},
		{"identity", act(nn.Identity, nil), true},
		{"silu", act(nn.SiLU, nil), true},
		{"softplus", act(nn.Softplus, nil), true},
		{"tanh", act(nn.Tanh, nil), true},
		{"sigmoid", act(nn.Sigmoid, nil), true},
		{"elu", act(nn.ELU, nil), true},
		{"elu-alpha", act(nn.ELU, func(a *nn.Activation[float64]) { a.Alpha = 0.5 }), false},
		{"relu", act(nn.ReLU, nil), false},
		{"leakyrelu", act(nn.LeakyReLU, nil), false},
		{"leakyrelu-1", act(nn.LeakyReLU, func(a *nn.Activation[float64]) { a.Slope = 1 }), true},
		{"prelu", act(nn.PReLU, nil), false},
		{"prelu-1", act(nn.PReLU, func(a *nn.Activation[float64]) { a.SlopeParam.Value[0] = 1 }), true},
	} {
		net := must(nn.NewSequential(c.layer))
		err := CheckC1(net)
		if c.c1 != (err == nil) {
			t.Errorf("%s: CheckC1 = %v, want C¹ %v", c.name, err, c.c1)
		}
		if err != nil && !strings.Contains(err.Error(), "layer 0 ("+c.layer.Kind()+")") {
			t.Errorf("%s: the error %q does not name the layer", c.name, err)
		}
	}
	// In a network: the first piecewise layer is named.
	net := must(nn.NewSequential[float64](nn.NewLinear[float64](2, 3, true, s), nn.NewActivation[float64](nn.Tanh, 3),
		nn.NewLinear[float64](3, 3, true, s), nn.NewActivation[float64](nn.PReLU, 3), nn.NewActivation[float64](nn.ReLU, 3)))
	if err := CheckC1(net); err == nil || !strings.Contains(err.Error(), "layer 3 (prelu)") {
		t.Errorf("CheckC1 = %v, want layer 3 (prelu) named", err)
	}
	// SPEC §5's toy generator is piecewise linear; the smooth generator of
	// the nonlinear test is C¹.
	toy := toyNets32(t, 1)
	if err := CheckC1(toy.Generator); err == nil {
		t.Error("the PReLU toy generator passed CheckC1")
	}
	if err := CheckC1(smoothBijection(t, s)); err != nil {
		t.Error(err)
	}
	if err := CheckC1[float64](nil); err == nil {
		t.Error("nil network passed CheckC1")
	}
}

// TestPiecewiseLinearFailure is the known answer of SPEC §4(e): d = D = 1,
// G(z) = z (z < 0), 4z (z ≥ 0) and E(x) = x²/2 (x < 0), x²/32 (x ≥ 0). f is
// ½ log 2π for z < 0 and ½ log 2π + log 4 for z ≥ 0, so ∇f = 0 wherever it
// exists: both "upper" bounds add Û = 0 to the sv bound E_p[f] =
// ½ log 2π + ½ log 4 ≈ 1.612 and stay far below log Z = log(2.5·√(2π)) ≈
// 1.8352, while the importance-weighted bound, valid for any bijective G,
// converges to log Z. CheckC1 flags the generator.
func TestPiecewiseLinearFailure(t *testing.T) {
	linear := func(w float64) *nn.Linear[float64] {
		l := nn.NewLinear[float64](1, 1, false, nil)
		l.W.Value[0] = w
		return l
	}
	leaky := func(slope float64) *nn.Activation[float64] {
		a := nn.NewActivation[float64](nn.LeakyReLU, 1)
		a.Slope = slope
		return a
	}
	gen := must(nn.NewSequential[float64](linear(1), leaky(0.25), linear(4)))
	en := must(nn.NewSequential[float64](linear(1), leaky(4), linear(0.25), nn.NewHalfSquaredNorm[float64](1)))
	nets := Nets[float64]{Energy: en, Generator: gen}
	logZ := math.Log(2.5 * math.Sqrt(2*math.Pi))
	lower := halfLog2Pi + 0.5*math.Log(4)
	if math.Abs(logZ-1.8352) > 5e-5 || math.Abs(lower-1.612) > 5e-4 {
		t.Fatalf("closed forms %v, %v", logZ, lower)
	}
	if err := CheckC1(gen); err == nil || !strings.Contains(err.Error(), "layer 1 (leakyrelu)") {
		t.Errorf("CheckC1(generator) = %v, want layer 1 (leakyrelu) named", err)
	}

	const N, C = 20000, 2000 // latents; diffusion chains
	rng := nn.NewRNG(61)
	z := normals(rng.Stream("z"), N)
	// f itself, from the K = 1 groups.
	iw1 := must(NewImportanceWeighted(nets, IWConfig{K: 1}, N, rng.Stream("iw")))
	l1, err := iw1.LogZ(z)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range iw1.PerGroup() {
		want := halfLog2Pi
		if z[i] >= 0 {
			want += math.Log(4)
		}
		if math.Abs(f-want) > 1e-12 {
			t.Fatalf("f(%v) = %v, want %v", z[i], f, want)
		}
	}

	br := must(NewBracket(nets, N, rng.Stream("br")))
	sv := must(NewSVEntropy(nets, SVConfig{Method: "exact"}, N, rng.Stream("sv")))
	gp := must(NewGradientPenalty(nets, GPConfig{}, N, rng.Stream("gp")))
	diff := must(NewDiffusion(nets, DiffusionConfig{MALA: true}, C, rng.Stream("diff")))
	for _, up := range []GapUpper[float64]{gp, diff} {
		zz := z
		if up == GapUpper[float64](diff) {
			zz = z[:C]
		}
		r, err := br.Evaluate(sv, up, zz)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: ⌊log Z⌋ = %v, Û = %v, ⌈log Z⌉ = %v; log Z = %.4f", up.Name(), r.Lower, r.Gap, r.Upper, logZ)
		if !within(r.Lower.Value, lower, r.Lower.StdErr, 4, 0) {
			t.Errorf("sv bound %v, want %v", r.Lower, lower)
		}
		if r.Gap.Value != 0 || r.Upper.Value != r.Lower.Value {
			t.Errorf("%s: Û = %v, want exactly 0", up.Name(), r.Gap)
		}
		if !(r.Upper.Value+10*r.Upper.StdErr < logZ) {
			t.Errorf("%s: ⌈log Z⌉ = %v not clearly below log Z = %v", up.Name(), r.Upper, logZ)
		}
	}
	if !within(l1.Value, lower, l1.StdErr, 4, 0) {
		t.Errorf("L_1 = %v, want %v", l1, lower)
	}
	prev := l1.Value
	for _, K := range []int{10, 1000} {
		iw := must(NewImportanceWeighted(nets, IWConfig{K: K}, N, rng.Stream("iw")))
		l, err := iw.LogZ(z)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: L_K = %v", iw.Name(), l)
		if !(l.Value >= prev) || !(l.Value-3*l.StdErr <= logZ) {
			t.Errorf("L_%d = %v: not between L_prev = %v and log Z = %v", K, l, prev, logZ)
		}
		prev = l.Value
		// The gap of L_K is about Var(w)/(2K·E[w]²) = 0.18/K.
		if K == 1000 && !within(l.Value, logZ, l.StdErr, 3, 0.18/float64(K)) {
			t.Errorf("L_1000 = %v, log Z = %v", l, logZ)
		}
	}
}
