package bounds

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ebmcpu/ebmcpu/nn"
	"gonum.org/v1/gonum/mat"
)

// Accuracy of the diffusion bound's sampler on the SPEC §8 closed-form
// cases (SPEC §4(e)).

// closedCase is a SPEC §8 case for the sampler tests.
type closedCase struct {
	name string
	gc   gaussCase
}

// oneDimCase is the 1-D case with K = k and g = 0 (A = 1, P = 1 + k, b = μ):
// Û_d = ½k·log(1 + k).
func oneDimCase(k float64) closedCase {
	return closedCase{fmt.Sprintf("1D k=%g", k), gaussCase{D: 1, A: eye(1), L: mat.NewDense(1, 1, []float64{math.Sqrt(1 + k)}),
		b: []float64{0.3}, mu: []float64{0.3}, c: 0.2}}
}

// randomCase is randomGaussCase(D) from the seed.
func randomCase(D int, seed uint64) closedCase {
	return closedCase{fmt.Sprintf("%dD seed %d", D, seed), randomGaussCase(nn.NewRNG(seed).Stream("case"), D)}
}

// accuracyCases are the cases of the accuracy tests: the 1-D k = −0.9
// example of SPEC §8 (a wide EBM: π_1 has variance 10, the slowest to
// reach), a narrow 1-D one, and 2-D and 5-D cases with wide and narrow
// directions (eigenvalues of K: −0.74, −0.37 and −0.80 … 1.49).
func accuracyCases() []closedCase {
	return []closedCase{oneDimCase(-0.9), oneDimCase(3), randomCase(2, 12), randomCase(5, 115)}
}

// ruleValue is the quadrature rule applied to the closed-form integrand:
// what the bound converges to with exact samples at the nodes.
func ruleValue(ex exact, nodes, wts []float64) float64 {
	var v float64
	for i, s := range nodes {
		v += wts[i] * diffusionIntegrand(ex.K, ex.g, s)
	}
	return v
}

// TestDiffusionAccuracy: with 6 Gauss–Legendre nodes (quadrature error
// below 0.1 % on these cases) and 20 MALA steps per node, adapted from the
// default h = 0.05, the bound is within 1 % of the closed-form Û_d plus
// three standard errors of the Monte Carlo estimate (each below 1 % at this
// batch; TestDiffusionStudy measures the bias to ±0.4 %). Before the step
// adaptation the same settings were up to 25 % low on the wide cases.
func TestDiffusionAccuracy(t *testing.T) {
	if raceEnabled {
		t.Skip("statistical test, slow under the race detector")
	}
	const B = 6000
	cfg := DiffusionConfig{Nodes: 6, Rule: "gauss-legendre", StepsPerNode: 20, MALA: true}
	for _, c := range accuracyCases() {
		ex := c.gc.exact()
		nets := c.gc.nets(t)
		rng := nn.NewRNG(70)
		z := normals(rng.Stream("z"), B*c.gc.D)
		df := must(NewDiffusion(nets, cfg, B, rng.Stream("diff")))
		start := time.Now()
		u, _, err := df.Gap(z, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		st := df.Stats()
		rule := ruleValue(ex, st.Nodes, st.Weights)
		t.Logf("%-10s Û_d %v, closed form %.4f (%+.2f%%; rule %+.3f%%), %v; h %.3g, acceptance %.2f",
			c.name, u, ex.Ud, 100*(u.Value/ex.Ud-1), 100*(rule/ex.Ud-1), el.Round(time.Millisecond), st.StepSizes, st.Acceptance)
		if math.Abs(rule/ex.Ud-1) > 0.001 {
			t.Errorf("%s: quadrature error %.3g", c.name, rule/ex.Ud-1)
		}
		if !within(u.Value, ex.Ud, u.StdErr, 3, 0.01*ex.Ud) || !(u.StdErr < 0.01*ex.Ud) {
			t.Errorf("%s: Û_d = %v, closed form %v", c.name, u, ex.Ud)
		}
		for k, a := range st.Acceptance {
			if !(a > 0.55 && a < 0.85) || !(st.StepSizes[k] > cfg.StepSize) {
				t.Errorf("%s: node %d: acceptance %v at h = %v, want near %v", c.name, k, a, st.StepSizes[k], DefaultTargetAcceptance)
			}
		}
	}
}

// TestDiffusionNoCarry: a Gap call depends only on its latents and the
// stream state (the adapted step size is not carried over), so a run
// resumed from a checkpoint of the stream reproduces it bit for bit.
func TestDiffusionNoCarry(t *testing.T) {
	nets := toyNets32(t, 3)
	const B = 50
	cfg := DiffusionConfig{MALA: true}
	zs := make([]float32, 2*B*2)
	nn.Normal(nn.NewStream(1, "z"), zs)
	z1, z2 := zs[:B*2], zs[B*2:]

	s1 := nn.NewStream(2, "diff")
	d1 := must(NewDiffusion(nets, cfg, B, s1))
	if _, _, err := d1.Gap(z1, 0, 0); err != nil {
		t.Fatal(err)
	}
	state := must(s1.MarshalBinary())
	r1, _, _ := d1.Gap(z2, 1, 0)
	h1 := append([]float64(nil), d1.Stats().StepSizes...)

	s2 := nn.NewStream(9, "other")
	if err := s2.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	d2 := must(NewDiffusion(nets, cfg, B, s2))
	r2, _, _ := d2.Gap(z2, 1, 0)
	if r1 != r2 {
		t.Errorf("resumed call %v, continued call %v", r2, r1)
	}
	for k, h := range d2.Stats().StepSizes {
		if h != h1[k] && !(math.IsNaN(h) && math.IsNaN(h1[k])) {
			t.Errorf("node %d: step %v resumed, %v continued", k, h, h1[k])
		}
	}
	if !(h1[len(h1)-1] > cfg.StepSize) {
		t.Errorf("the step size did not adapt: %v", h1)
	}
}

// TestDiffusionConfigErrors: bad adaptation settings are errors.
func TestDiffusionConfigErrors(t *testing.T) {
	nets := fdNets(t, 1, 2, 2, "tanh")
	for _, cfg := range []DiffusionConfig{
		{TargetAcceptance: 1}, {TargetAcceptance: -0.5}, {TargetAcceptance: math.NaN()},
		{BurnIn: 1.5}, {BurnIn: -1}, {BurnIn: math.NaN()},
	} {
		if _, err := NewDiffusion(nets, cfg, 4, nn.NewStream(1, "d")); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	// Fixed step (−1) and full-length adaptation (BurnIn 1) are valid.
	for _, cfg := range []DiffusionConfig{{MALA: true, TargetAcceptance: -1}, {MALA: true, BurnIn: 1}} {
		df := must(NewDiffusion(nets, cfg, 4, nn.NewStream(1, "d")))
		if _, _, err := df.Gap(normals(nn.NewStream(2, "z"), 8), 0, 0); err != nil {
			t.Fatal(err)
		}
		h := df.Stats().StepSizes[1]
		if fixed := cfg.TargetAcceptance == -1; fixed != (h == 0.05) {
			t.Errorf("%+v: step size %v", cfg, h)
		}
	}
}
