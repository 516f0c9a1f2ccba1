package eval

import (
	"fmt"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"math"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/nn"
)

// LangevinConfig sets the MALA sampler of the EBM exp(−E): BurnIn steps
// that adapt the step size h towards acceptance 0.574 (every AdaptEvery
// steps, by the factor exp(2·(acceptance − 0.574))), then Steps steps at
// the final h.
type LangevinConfig struct {
	Steps      int     // after burn-in (0: 300)
	BurnIn     int     // adaptive steps (0: 100; −1: none)
	StepSize   float64 // initial h (0: 0.01)
	AdaptEvery int     // steps between adaptations of h (0: 10)
}

// LangevinReport describes a MALA run.
type LangevinReport struct {
	Init       string          `json:"init"` // what the chains started from
	Chains     int             `json:"chains"`
	BurnIn     int             `json:"burn_in"`
	Steps      int             `json:"steps"`
	StepSize   jsonnum.Float64 `json:"step_size"`  // h after burn-in
	Acceptance jsonnum.Float64 `json:"acceptance"` // over the Steps after burn-in
}

// SampleEBM runs MALA chains on exp(−E) from the states x (B×D, updated in
// place), with every draw from stream.
func SampleEBM(en BatchEnergy, x []float64, cfg LangevinConfig, stream *nn.Stream) (LangevinReport, error) {
	D := en.Dim()
	if len(x) == 0 || len(x)%D != 0 {
		return LangevinReport{}, fmt.Errorf("eval: SampleEBM: %d values are not whole rows of width %d", len(x), D)
	}
	if cfg.Steps == 0 {
		cfg.Steps = 300
	}
	if cfg.BurnIn == 0 {
		cfg.BurnIn = 100
	}
	cfg.BurnIn = max(cfg.BurnIn, 0)
	if cfg.StepSize == 0 {
		cfg.StepSize = 0.01
	}
	if cfg.AdaptEvery == 0 {
		cfg.AdaptEvery = 10
	}
	if cfg.Steps < 0 || !(cfg.StepSize > 0) || math.IsInf(cfg.StepSize, 0) || cfg.AdaptEvery < 1 {
		return LangevinReport{}, fmt.Errorf("eval: SampleEBM: steps %d, step size %v and adapt-every %d, want ≥ 0, a finite value > 0 and ≥ 1",
			cfg.Steps, cfg.StepSize, cfg.AdaptEvery)
	}
	B := len(x) / D
	target := newAnnealTarget(en, 1, B)
	target.beta = 1
	ladder := &stepLadder{target: target, maxB: B, stream: stream, byRung: map[int]*bounds.Langevin[float64]{}}
	h := cfg.StepSize
	block := cfg.AdaptEvery
	for done := 0; done < cfg.BurnIn; done += block {
		s, err := ladder.get(h)
		if err != nil {
			return LangevinReport{}, err
		}
		n := min(block, cfg.BurnIn-done)
		rate := s.Run(x, n)
		h = math.Min(math.Max(h*math.Exp(2*(rate-0.574)), 1e-10), 1e3)
	}
	s, err := ladder.get(h)
	if err != nil {
		return LangevinReport{}, err
	}
	r := LangevinReport{Chains: B, BurnIn: cfg.BurnIn, Steps: cfg.Steps, StepSize: jsonnum.Float64(s.StepSize()), Acceptance: jsonnum.Float64(math.NaN())}
	if cfg.Steps > 0 {
		r.Acceptance = jsonnum.Float64(s.Run(x, cfg.Steps))
	}
	return r, nil
}
