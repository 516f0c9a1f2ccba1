package eval

import (
	"math"
	"testing"

	"github.com/ebmcpu/ebmcpu/nn"
)

// gauss5 is a correlated 5-D Gaussian energy, off-centre and with scales
// from 0.5 to 2, so the base N(0, I) is a poor match.
func gauss5() quadEnergy {
	P := [][]float64{
		{4, 0.8, 0, 0, 0.3},
		{0.8, 2, 0.4, 0, 0},
		{0, 0.4, 1, 0.2, 0},
		{0, 0, 0.2, 0.5, 0.1},
		{0.3, 0, 0, 0.1, 0.25},
	}
	return quadEnergy{P: P, mu: []float64{0.5, -0.3, 1, 0, -0.8}, c: -2}
}

// TestAISGaussian5D: log Ẑ of a 5-D Gaussian is within 3 SE of the closed
// form and not above it beyond noise; a few independent runs agree.
func TestAISGaussian5D(t *testing.T) {
	q := gauss5()
	want := q.logZ()
	var sum, sumVar float64
	const runs = 3
	for seed := range uint64(runs) {
		r, err := AIS(q, AISConfig{}, nn.NewStream(seed, "ais"))
		if err != nil {
			t.Fatal(err)
		}
		v, se := float64(r.LogZ.Value), float64(r.LogZ.StdErr)
		t.Logf("seed %d: log Ẑ = %.4f ± %.4f (truth %.4f), ESS %.0f, acceptance %.2f, h ∈ [%.3g, %.3g]",
			seed, v, se, want, float64(r.ESS), float64(r.Acceptance), float64(r.StepMin), float64(r.StepMax))
		if !(se > 0) || se > 0.05 {
			t.Errorf("standard error %v: want a small positive value", se)
		}
		if math.Abs(v-want) > 3*se {
			t.Errorf("log Ẑ = %.4f ± %.4f is more than 3 SE from %.4f", v, se, want)
		}
		if r.Acceptance < 0.3 || r.Acceptance > 0.9 {
			t.Errorf("MALA acceptance %v: the step adaptation failed", r.Acceptance)
		}
		if r.Note != AISNote || r.Temps != 300 || len(r.LogWeights()) != 200 || len(r.Samples()) != 200*5 {
			t.Errorf("result fields: note %q, %d weights, %d sample values", r.Note, len(r.LogWeights()), len(r.Samples()))
		}
		sum += v
		sumVar += se * se
	}
	// Not above the truth beyond noise: E[log Ẑ] ≤ log Z.
	if mean, se := sum/runs, math.Sqrt(sumVar)/runs; mean > want+3*se {
		t.Errorf("mean log Ẑ over %d runs %.4f ± %.4f is above the truth %.4f", runs, mean, se, want)
	}
}

// TestAISFinalSamples: the chains end as samples of exp(−E): their mean
// is near μ.
func TestAISFinalSamples(t *testing.T) {
	q := gauss5()
	r, err := AIS(q, AISConfig{Temps: 100, Chains: 400, Steps: 3}, nn.NewStream(9, "ais"))
	if err != nil {
		t.Fatal(err)
	}
	x := r.Samples()
	for j, mu := range q.mu {
		var m float64
		for b := range 400 {
			m += x[b*5+j] / 400
		}
		// Marginal sd ≤ 2.1 here; 400 chains give an SE of ≈ 0.1.
		if math.Abs(m-mu) > 0.35 {
			t.Errorf("coordinate %d: chain mean %.3f, want %.3f", j, m, mu)
		}
	}
}

// TestAISNoTransitions: with no MCMC steps AIS is plain importance
// sampling along the path; on an exactly matching base it is exact.
func TestAISNoTransitions(t *testing.T) {
	q := quadEnergy{P: [][]float64{{1, 0}, {0, 1}}, mu: []float64{0, 0}, c: 0.7}
	r, err := AIS(q, AISConfig{Temps: 5, Chains: 10, Steps: -1, PilotChains: -1}, nn.NewStream(1, "ais"))
	if err != nil {
		t.Fatal(err)
	}
	// Base N(0, I) times e^{−0.7}/2π… every weight is the same constant.
	if d := float64(r.LogZ.Value) - q.logZ(); math.Abs(d) > 1e-9 || float64(r.LogZ.StdErr) > 1e-9 {
		t.Errorf("matching base: log Ẑ = %v ± %v, want %v exactly", r.LogZ.Value, r.LogZ.StdErr, q.logZ())
	}
}

func TestAISErrors(t *testing.T) {
	q := gauss5()
	for _, c := range []AISConfig{{Chains: 1}, {BaseStd: -1}, {Temps: -2}, {StepSize: math.Inf(1)}} {
		if _, err := AIS(q, c, nn.NewStream(1, "ais")); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

// TestLogMeanExp checks the weights' reduction on known values.
func TestLogMeanExp(t *testing.T) {
	e, ess := logMeanExp([]float64{0, math.Log(3)})
	if math.Abs(float64(e.Value)-math.Log(2)) > 1e-12 || math.Abs(float64(ess)-1.6) > 1e-12 {
		t.Errorf("log mean exp of {1, 3} = %v (ESS %v), want log 2 (ESS 1.6)", e.Value, ess)
	}
	// sd of {1, 3} is √2; SE of the mean 1; relative to the mean 2: 0.5.
	if math.Abs(float64(e.StdErr)-0.5) > 1e-12 {
		t.Errorf("SE %v, want 0.5", e.StdErr)
	}
	e, _ = logMeanExp([]float64{1000, 1000 + math.Log(3)})
	if math.Abs(float64(e.Value)-1000-math.Log(2)) > 1e-9 {
		t.Errorf("overflowing weights: %v", e.Value)
	}
}

// TestLengthSchedule: temperatures at equal thermodynamic length are
// increasing from 0 to 1 and crowd where the spread is large; step sizes
// are interpolated; a pilot without spread keeps the schedule.
func TestLengthSchedule(t *testing.T) {
	betas := powerSchedule(100, 1)
	spread := make([]float64, 101)
	hs := make([]float64, 101)
	for k, b := range betas {
		spread[k] = 1 + 99*math.Exp(-b*50) // large near β = 0
		hs[k] = 0.1 + b
	}
	nb, nh := lengthSchedule(betas, spread, hs, 20)
	if len(nb) != 21 || nb[0] != 0 || nb[20] != 1 {
		t.Fatalf("schedule ends: %v", nb)
	}
	for j := 1; j <= 20; j++ {
		if !(nb[j] > nb[j-1]) || !(nh[j] >= 0.1 && nh[j] <= 1.1) {
			t.Fatalf("β %v or h %v not increasing/in range at %d", nb, nh, j)
		}
	}
	if nb[10] > 0.2 {
		t.Errorf("half the temperatures should sit where the spread is large (β < 0.2), β_10 = %v", nb[10])
	}
	flat, _ := lengthSchedule(betas, make([]float64, 101), hs, 20)
	if len(flat) != 101 {
		t.Errorf("a pilot without spread changed the schedule")
	}
}
