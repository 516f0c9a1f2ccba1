package bounds

import (
	"fmt"
	"testing"

	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
	"github.com/ebmcpu/ebmcpu/nn"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
)

// Finite-difference checks of every bound's gradient, in float64, with the
// random draws fixed: the bound's stream is restored to the same state
// before every evaluation. Quantities the definitions hold constant (the
// LOBPCG pair at convergence, J·v and b_i of bound (c), the Langevin samples
// of bound (d)) are held constant in the finite differences too.

const (
	fdStep = 1e-5
	fdTol  = 2e-6
)

func mlp(t testing.TB, spec nn.MLPSpec, s *nn.Stream) *nn.Network[float64] {
	n, err := nn.BuildMLP[float64](spec, s)
	if err != nil {
		t.Fatal(err)
	}
	// Generic BatchNorm statistics and PReLU slopes, so that no term hides
	// behind a one or a zero.
	for _, l := range n.Layers() {
		switch l := l.(type) {
		case *nn.BatchNorm[float64]:
			nn.Uniform(s, l.Gamma.Value, 0.5, 1.5)
			nn.Uniform(s, l.Beta.Value, -0.5, 0.5)
			nn.Uniform(s, l.Mean.Value, -0.3, 0.3)
			nn.Uniform(s, l.Var.Value, 0.5, 2)
		case *nn.Activation[float64]:
			if l.SlopeParam != nil {
				l.SlopeParam.Value[0] = 0.1 + 0.4*s.Float64()
			}
		}
	}
	return n
}

// fdNets returns small smooth networks with d latents and D outputs.
func fdNets(t testing.TB, seed uint64, d, D int, genAct string) Nets[float64] {
	s := nn.NewStream(seed, "fd-nets")
	return Nets[float64]{
		Energy:    mlp(t, nn.MLPSpec{Widths: []int{D, 6, 5, 1}, Activation: "silu", SpectralNorm: true, OutputScale: true}, s),
		Generator: mlp(t, nn.MLPSpec{Widths: []int{d, 6, 5, D}, Activation: genAct, BatchNorm: true}, s),
		Base:      testBase(D, 0.3, s),
	}
}

// testBase is a base with confinement c and a Gaussian quadratic: a random
// mean and the precision P = AAᵀ/D + I/2 of a random A, symmetric positive
// definite.
func testBase(D int, c float64, s *nn.Stream) Base[float64] {
	a := make([]float64, D*D)
	nn.Normal(s, a)
	b := Base[float64]{Confine: c, Mean: make([]float64, D), Precision: make([]float64, D*D)}
	nn.Normal(s, b.Mean)
	for i := 0; i < D; i++ {
		for j := 0; j <= i; j++ {
			var v float64
			for k := 0; k < D; k++ {
				v += a[i*D+k] * a[j*D+k]
			}
			v /= float64(D)
			if i == j {
				v += 0.5
			}
			b.Precision[i*D+j], b.Precision[j*D+i] = v, v
		}
	}
	return b
}

func zeroGrads(ps []*nn.Param[float64]) {
	for _, p := range ps {
		clear(p.Grad)
	}
}

func flatGrads(ps []*nn.Param[float64]) []float64 {
	var g []float64
	for _, p := range ps {
		g = append(g, p.Grad...)
	}
	return g
}

// fdParams returns the central-difference gradient of f with respect to
// every value of ps.
func fdParams(ps []*nn.Param[float64], f func() float64) []float64 {
	var xs [][]float64
	for _, p := range ps {
		xs = append(xs, p.Value)
	}
	return fdcheck.Grad(f, fdStep, xs...)
}

// checkGrad compares the gradient that run(weight) accumulates into ps (run
// returns the objective) with finite differences of run(0), the stream
// restored before every call. untouched must keep zero gradients.
func checkGrad(t *testing.T, name string, stream *nn.Stream, ps, untouched []*nn.Param[float64], weight float64, run func(weight float64) float64) {
	t.Helper()
	state, err := stream.MarshalBinary()
	require.NoError(t, err)
	restore := func() { require.NoError(t, stream.UnmarshalBinary(state)) }
	zeroGrads(ps)
	zeroGrads(untouched)
	restore()
	run(weight)
	got := flatGrads(ps)
	for _, g := range flatGrads(untouched) {
		if g != 0 {
			t.Errorf("%s: a gradient outside the trained networks was touched", name)
			break
		}
	}
	want := fdParams(ps, func() float64 { restore(); return weight * run(0) })
	require.NotZero(t, floats.Norm(want, 2), "%s: zero FD gradient, the check would be vacuous", name)
	fdcheck.Close(t, name, got, want, fdTol)
}

func TestGradSVEntropy(t *testing.T) {
	for _, c := range []struct {
		name string
		d, D int
		act  string
		cfg  SVConfig
	}{
		{"exact-square-prelu", 2, 2, "prelu", SVConfig{Method: "exact"}},
		{"exact-tall", 2, 3, "tanh", SVConfig{Method: "exact"}},
		{"smin", 3, 4, "softplus", SVConfig{Method: "smin", LOBPCGIters: 200, LOBPCGTol: 1e-14}},
		{"top2", 4, 5, "tanh", SVConfig{Method: "topk", K: 2, LOBPCGIters: 200, LOBPCGTol: 1e-14, PowerIters: 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			nets := fdNets(t, 1, c.d, c.D, c.act)
			const B = 4
			s := nn.NewStream(2, c.name)
			z := normals(s, B*c.d)
			sv := must(NewSVEntropy(nets, c.cfg, B, s))
			checkGrad(t, sv.Name(), s, nets.Generator.Params(), nets.Energy.Params(), -0.7, func(w float64) float64 {
				h, err := sv.Entropy(z, w)
				if err != nil {
					t.Fatal(err)
				}
				return h.Value
			})
		})
	}
}

func TestGradMIEntropy(t *testing.T) {
	for _, est := range []string{"ba", "infonce", "nwj"} {
		for _, learn := range []bool{false, true} {
			name := fmt.Sprintf("%s-learn=%v", est, learn)
			t.Run(name, func(t *testing.T) {
				nets := fdNets(t, 3, 2, 3, "tanh")
				const B = 5
				s := nn.NewStream(4, name)
				z := normals(s, B*2)
				mi := must(NewMIEntropy(nets, MIConfig{Estimator: est, Sigma: 0.3, LearnSigma: learn, Hidden: []int{5}, Activation: "tanh", Features: 3}, B, s))
				ps := append(append([]*nn.Param[float64]{}, nets.Generator.Params()...), mi.AuxParams()...)
				aux := mi.AuxParams()
				if has := aux[len(aux)-1] == mi.logSigma; has != learn {
					t.Fatalf("log σ among the auxiliary parameters: %v", has)
				}
				checkGrad(t, mi.Name(), s, ps, nets.Energy.Params(), -1.3, func(w float64) float64 {
					h, err := mi.Entropy(z, w)
					if err != nil {
						t.Fatal(err)
					}
					return h.Value
				})
			})
		}
	}
}

// TestGradNoisyGenerator checks Perturb and BackwardNoise: the gradient of
// L(x) = Σ a∘(x + σε) with respect to log σ.
func TestGradNoisyGenerator(t *testing.T) {
	nets := fdNets(t, 5, 2, 3, "tanh")
	s := nn.NewStream(6, "noise")
	mi := must(NewMIEntropy(nets, MIConfig{Sigma: 0.4, LearnSigma: true, Hidden: []int{}}, 4, s))
	var _ NoisyGenerator[float64] = mi
	x0 := normals(s, 12)
	a := normals(s, 12)
	ls := mi.AuxParams()[len(mi.AuxParams())-1]
	checkGrad(t, "perturb", s, []*nn.Param[float64]{ls}, nil, 1, func(w float64) float64 {
		x := append([]float64(nil), x0...)
		mi.Perturb(x)
		if w != 0 {
			mi.BackwardNoise(a)
		}
		var l float64
		for i := range x {
			l += a[i] * x[i]
		}
		return l
	})
}

func TestGradGradientPenalty(t *testing.T) {
	for _, c := range []struct {
		name string
		d, D int
		cfg  GPConfig
	}{
		{"exact", 2, 3, GPConfig{Weight: 0.5}},
		{"exact-full", 2, 2, GPConfig{Weight: 0.5, FullGradient: true}},
		{"smin", 3, 4, GPConfig{Weight: 0.5, LogDet: "smin", LOBPCGIters: 200, LOBPCGTol: 1e-14}},
		{"smin-full", 3, 4, GPConfig{Weight: 0.5, LogDet: "smin", LOBPCGIters: 200, LOBPCGTol: 1e-14, FullGradient: true}},
		{"decay-hinge", 2, 3, GPConfig{Schedule: "decay", Hinge: 1e-4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			nets := fdNets(t, 7, c.d, c.D, "softplus")
			const B = 4
			s := nn.NewStream(8, c.name)
			z := normals(s, B*c.d)
			gp := must(NewGradientPenalty(nets, c.cfg, B, s))
			checkGrad(t, gp.Name(), s, nets.Energy.Params(), nets.Generator.Params(), 2, func(w float64) float64 {
				_, pen, err := gp.Gap(z, 100, w)
				if err != nil {
					t.Fatal(err)
				}
				if !(pen > 0) {
					t.Fatalf("inactive penalty %v", pen)
				}
				return pen
			})
		})
	}
	// An inactive hinge gives neither penalty nor gradient.
	nets := fdNets(t, 7, 2, 3, "softplus")
	s := nn.NewStream(9, "hinge")
	gp := must(NewGradientPenalty(nets, GPConfig{Hinge: 1e6}, 4, s))
	nets.Energy.ZeroGrad()
	if _, pen, _ := gp.Gap(normals(s, 8), 0, 1); pen != 0 {
		t.Errorf("penalty %v under the hinge", pen)
	}
	for _, g := range flatGrads(nets.Energy.Params()) {
		if g != 0 {
			t.Fatal("gradient under an inactive hinge")
		}
	}
}

// TestGradDiffusion checks the energy gradient of the diffusion penalty with
// the Langevin samples held constant: the analytic gradient comes from a
// full run, the finite differences re-evaluate on that run's samples.
func TestGradDiffusion(t *testing.T) {
	for _, c := range []struct {
		name string
		d, D int
		cfg  DiffusionConfig
	}{
		{"trapezoid-mala", 2, 2, DiffusionConfig{Nodes: 3, StepsPerNode: 3, StepSize: 0.05, MALA: true, Weight: 0.5}},
		{"gl-ula-tall", 2, 3, DiffusionConfig{Nodes: 2, Rule: "gauss-legendre", StepsPerNode: 2, Weight: 0.5}},
		{"smin", 3, 4, DiffusionConfig{Nodes: 2, StepsPerNode: 2, LogDet: "smin", LOBPCGIters: 200, LOBPCGTol: 1e-14, Schedule: "decay"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			nets := fdNets(t, 10, c.d, c.D, "softplus")
			const B = 4
			s := nn.NewStream(11, c.name)
			z := normals(s, B*c.d)
			df := must(NewDiffusion(nets, c.cfg, B, s))
			// Same latents, the same samples at node 0 (exact prior samples);
			// the chains must have moved at later nodes.
			df.Gap(z, 7, 0)
			if moved := fdcheck.RelErr(df.Samples(len(df.nodes)-1), z); !(moved > 0) {
				t.Fatalf("the chains did not move")
			}
			checkGrad(t, df.Name(), s, nets.Energy.Params(), nets.Generator.Params(), 1.5, func(w float64) float64 {
				df.frozen = w == 0
				defer func() { df.frozen = false }()
				_, pen, err := df.Gap(z, 7, w)
				if err != nil {
					t.Fatal(err)
				}
				return pen
			})
		})
	}
}

func TestGradZeroGP(t *testing.T) {
	nets := fdNets(t, 12, 2, 3, "tanh")
	s := nn.NewStream(13, "0gp")
	x := normals(s, 5*3)
	g := must(NewZeroGP(nets, 0.2, 5))
	checkGrad(t, g.Name(), s, nets.Energy.Params(), nets.Generator.Params(), 3, func(w float64) float64 {
		p, err := g.Penalty(x, w)
		if err != nil {
			t.Fatal(err)
		}
		return p
	})
}

// TestGradLatent checks ∇_z f (exact log-det and the s_min surrogate) and
// the Langevin targets' gradients against finite differences of their
// log-densities.
func TestGradLatent(t *testing.T) {
	const B = 3
	for _, c := range []struct {
		logdet string
		d, D   int
	}{{"exact", 2, 3}, {"exact", 3, 3}, {"smin", 3, 4}} {
		nets := fdNets(t, 14, c.d, c.D, "softplus")
		s := nn.NewStream(15, c.logdet)
		z := normals(s, B*c.d)
		le := newLatentEval(nets, c.logdet, LOBPCGConfig{Iters: 200, Tol: 1e-14}, 0, B, false, s)
		le.eval(z)
		got := append([]float64(nil), le.gf[:B*c.d]...)
		want := fdcheck.Grad(func() float64 {
			le.eval(z)
			var sum float64
			for _, f := range le.f[:B] {
				sum += f
			}
			return sum
		}, fdStep, z)
		fdcheck.Close(t, fmt.Sprintf("%s d=%d D=%d: ∇_z f", c.logdet, c.d, c.D), got, want, fdTol)
	}
	nets := fdNets(t, 16, 2, 3, "tanh")
	s := nn.NewStream(17, "targets")
	lt := must(NewLatentTarget(nets, "", LOBPCGConfig{}, B, s))
	lt.S = 0.7
	et := must(NewEnergyTarget(nets.Energy, nets.Base, B))
	for _, tg := range []Target[float64]{lt, et} {
		n := tg.Dim()
		z := normals(s, B*n)
		logp := make([]float64, B)
		grad := make([]float64, B*n)
		tg.Eval(z, logp, grad)
		got := append([]float64(nil), grad...)
		want := fdcheck.Grad(func() float64 {
			tg.Eval(z, logp, grad)
			var sum float64
			for _, v := range logp {
				sum += v
			}
			return sum
		}, fdStep, z)
		fdcheck.Close(t, fmt.Sprintf("%T: ∇ log π", tg), got, want, fdTol)
	}
}
