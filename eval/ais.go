package eval

import (
	"fmt"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"math"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/nn"
)

// AISConfig sets annealed importance sampling (AIS) from the Gaussian base
// N(0, s²I) to exp(−E) along the geometric path
//
//	log π_β(x) = (1 − β)·log N(x; 0, s²I) + β·(−E(x)),  β_0 = 0 < β_1 < … < β_K = 1,
//
// with MALA transitions (bounds.Langevin with the Metropolis correction, so
// every kernel leaves its π_β invariant).
//
// The schedule and the step sizes come from a pilot run of PilotChains
// chains (0: 50) on β_k = (k/K)^Power that adapts the MALA step h at each
// temperature towards acceptance 0.574 and measures the spread of
// log f₁ − log f₀ (f₁ = e^{−E}, f₀ the base) along the path; the main run
// places its K temperatures at equal steps of the thermodynamic length
// ∫ sd(log f₁ − log f₀) dβ with the pilot's step sizes. The pilot's draws
// are independent of the main run's, so the main run's kernels are fixed
// in advance and E[Ẑ] = Z holds exactly. PilotChains −1 skips the pilot:
// the power schedule with a fixed h.
type AISConfig struct {
	Temps   int     // K (0: 300)
	Chains  int     // independent chains, each one importance weight (0: 200)
	Steps   int     // MALA steps per temperature (0: 2; −1: none, plain importance sampling)
	BaseStd float64 // s of the base (0: 1)
	Power   float64 // exponent of the pilot's schedule (0: 4): fine steps near the base
	// StepSize is the initial MALA step h (0: 0.5·s²/D^{1/3}).
	StepSize    float64
	PilotChains int
}

func (c AISConfig) withDefaults(D int) (AISConfig, error) {
	if c.Temps == 0 {
		c.Temps = 300
	}
	if c.Chains == 0 {
		c.Chains = 200
	}
	switch c.Steps {
	case 0:
		c.Steps = 2
	case -1:
		c.Steps = 0
	}
	if c.BaseStd == 0 {
		c.BaseStd = 1
	}
	if c.Power == 0 {
		c.Power = 4
	}
	if c.StepSize == 0 {
		c.StepSize = 0.5 * c.BaseStd * c.BaseStd / math.Cbrt(float64(D))
	}
	if c.PilotChains == 0 {
		c.PilotChains = 50
	}
	if c.Temps < 1 || c.Chains < 2 || c.Steps < 0 || !(c.BaseStd > 0) || math.IsInf(c.BaseStd, 0) ||
		!(c.Power > 0) || !(c.StepSize > 0) || math.IsInf(c.StepSize, 0) || c.PilotChains < -1 {
		return c, fmt.Errorf("eval: AIS settings %+v: want temps ≥ 1, chains ≥ 2, steps ≥ 0 and positive finite base std, power and step size", c)
	}
	return c, nil
}

// AISResult is the outcome of annealed importance sampling.
type AISResult struct {
	// LogZ is log Ẑ = log mean_i w_i ± its standard error (delta method:
	// sd(w)/(√n·mean w)), in nats. Ẑ is unbiased for Z, so by Jensen
	// E[log Ẑ] ≤ log Z: a stochastic LOWER bound of log Z, and the NLL
	// computed from it is optimistic (too low).
	LogZ bounds.Estimate `json:"log_z"`
	// ESS is the effective sample size (Σw)²/Σw² of the chains' weights.
	ESS jsonnum.Float64 `json:"ess"`
	// Acceptance is the mean MALA acceptance rate of the main run.
	Acceptance jsonnum.Float64 `json:"acceptance"`
	// StepMin and StepMax are the extremes of the step schedule h_k.
	StepMin jsonnum.Float64 `json:"step_min"`
	StepMax jsonnum.Float64 `json:"step_max"`
	Temps   int             `json:"temps"`
	Chains  int             `json:"chains"`
	Steps   int             `json:"steps_per_temp"`
	BaseStd jsonnum.Float64 `json:"base_std"`
	Power   jsonnum.Float64 `json:"schedule_power"`
	Note    string          `json:"note"`
	logW    []float64       // per-chain log weights
	samples []float64       // final chain states, Chains×D
}

// LogWeights returns the per-chain log importance weights.
func (r *AISResult) LogWeights() []float64 { return r.logW }

// Samples returns the chains' final states (Chains×D), approximate samples
// of exp(−E)/Z before reweighting.
func (r *AISResult) Samples() []float64 { return r.samples }

// AISNote labels an AIS estimate in reports.
const AISNote = "annealed importance sampling: a stochastic LOWER bound of log Z (E[log Ẑ] ≤ log Z), so the NLL from it is optimistic"

// annealTarget is log π_β = (1 − β)·log N(x; 0, s²I) + β·(−E(x)). After
// each Eval it keeps both components at the evaluated points, which give
// the AIS weight increments after a Reset.
type annealTarget struct {
	en       BatchEnergy
	beta, s2 float64
	logNorm  float64 // −(D/2)·log(2πs²)
	e, g     []float64
	f0, f1   []float64
}

func newAnnealTarget(en BatchEnergy, s float64, maxB int) *annealTarget {
	D := en.Dim()
	return &annealTarget{en: en, s2: s * s, logNorm: -0.5 * float64(D) * math.Log(2*math.Pi*s*s),
		e: make([]float64, maxB), g: make([]float64, maxB*D), f0: make([]float64, maxB), f1: make([]float64, maxB)}
}

func (t *annealTarget) Dim() int { return t.en.Dim() }

func (t *annealTarget) Eval(x, logp, grad []float64) {
	D := t.en.Dim()
	B := len(x) / D
	t.en.EnergyGrad(x, t.e[:B], t.g[:B*D])
	b1, b0 := t.beta, 1-t.beta
	for b := 0; b < B; b++ {
		xb := x[b*D : (b+1)*D]
		var r2 float64
		for _, v := range xb {
			r2 += v * v
		}
		t.f0[b] = t.logNorm - r2/(2*t.s2)
		t.f1[b] = -t.e[b]
		logp[b] = b0*t.f0[b] + b1*t.f1[b]
		if math.IsNaN(logp[b]) || math.IsInf(t.e[b], 0) {
			logp[b] = math.Inf(-1)
		}
		gb, eg := grad[b*D:(b+1)*D], t.g[b*D:(b+1)*D]
		for j, v := range xb {
			gb[j] = -b0*v/t.s2 - b1*eg[j]
		}
	}
}

// stepLadder caches one MALA sampler per step size on a geometric ladder
// (ratio 2^(1/8)), so that adapting h does not reallocate a sampler.
type stepLadder struct {
	target bounds.Target[float64]
	maxB   int
	stream *nn.Stream
	byRung map[int]*bounds.Langevin[float64]
}

func (l *stepLadder) get(h float64) (*bounds.Langevin[float64], error) {
	k := int(math.Round(8 * math.Log2(h)))
	if s, ok := l.byRung[k]; ok {
		return s, nil
	}
	s, err := bounds.NewLangevin(l.target, l.maxB, math.Exp2(float64(k)/8), true, l.stream)
	if err != nil {
		return nil, err
	}
	l.byRung[k] = s
	return s, nil
}

// AIS estimates log Z of exp(−E) by annealed importance sampling; every
// draw comes from stream.
func AIS(en BatchEnergy, cfg AISConfig, stream *nn.Stream) (*AISResult, error) {
	D := en.Dim()
	cfg, err := cfg.withDefaults(D)
	if err != nil {
		return nil, err
	}
	betas := powerSchedule(cfg.Temps, cfg.Power)
	hs := make([]float64, cfg.Temps+1)
	for k := range hs {
		hs[k] = cfg.StepSize
	}
	if cfg.PilotChains > 0 {
		pilot, err := runAIS(en, cfg, betas, hs, cfg.PilotChains, true, stream)
		if err != nil {
			return nil, err
		}
		betas, hs = lengthSchedule(betas, pilot.spread, hs, cfg.Temps)
	}
	run, err := runAIS(en, cfg, betas, hs, cfg.Chains, false, stream)
	if err != nil {
		return nil, err
	}
	r := run.AISResult
	r.StepMin, r.StepMax = jsonnum.Float64(math.Inf(1)), jsonnum.Float64(math.Inf(-1))
	for _, h := range hs[1:] {
		r.StepMin, r.StepMax = min(r.StepMin, jsonnum.Float64(h)), max(r.StepMax, jsonnum.Float64(h))
	}
	return r, nil
}

// powerSchedule returns β_k = (k/K)^p, k = 0..K.
func powerSchedule(K int, p float64) []float64 {
	b := make([]float64, K+1)
	for k := range b {
		b[k] = math.Pow(float64(k)/float64(K), p)
	}
	b[K] = 1
	return b
}

// lengthSchedule places K temperatures at equal steps of the thermodynamic
// length Λ(β) = ∫_0^β sd_{π_b}(log f₁ − log f₀) db, measured by the pilot
// (spread[k] at betas[k]), which equalises the variance the steps add to
// the log weights; step sizes are interpolated from the pilot's. A
// degenerate pilot (no spread) keeps the given schedule.
func lengthSchedule(betas, spread, hs []float64, K int) ([]float64, []float64) {
	n := len(betas)
	cum := make([]float64, n)
	for k := 1; k < n; k++ {
		cum[k] = cum[k-1] + (betas[k]-betas[k-1])*(spread[k]+spread[k-1])/2
	}
	total := cum[n-1]
	if !(total > 0) || math.IsInf(total, 0) {
		return betas, hs
	}
	nb, nh := make([]float64, K+1), make([]float64, K+1)
	nh[0] = hs[0]
	k := 1
	for j := 1; j <= K; j++ {
		target := total * float64(j) / float64(K)
		for k < n-1 && cum[k] < target {
			k++
		}
		t := 1.0
		if c := cum[k] - cum[k-1]; c > 0 {
			t = math.Min(math.Max((target-cum[k-1])/c, 0), 1)
		}
		nb[j] = betas[k-1] + t*(betas[k]-betas[k-1])
		nh[j] = math.Exp(math.Log(hs[k-1]) + t*(math.Log(hs[k])-math.Log(hs[k-1])))
	}
	nb[K] = 1
	return nb, nh
}

// runAIS runs n chains through the schedule. With adapt (the pilot run) it
// updates hs in place, h_{k+1} following from the acceptance at
// temperature k, and records in spread[k] the spread of log f₁ − log f₀
// over the chains at betas[k].
func runAIS(en BatchEnergy, cfg AISConfig, betas, hs []float64, n int, adapt bool, stream *nn.Stream) (*pilotAIS, error) {
	D := en.Dim()
	target := newAnnealTarget(en, cfg.BaseStd, n)
	ladder := &stepLadder{target: target, maxB: n, stream: stream, byRung: map[int]*bounds.Langevin[float64]{}}
	x := make([]float64, n*D)
	nn.Normal(stream, x)
	for i := range x {
		x[i] *= cfg.BaseStd
	}
	logW := make([]float64, n)
	u := make([]float64, n)
	K := len(betas) - 1
	var spread []float64
	if adapt {
		spread = make([]float64, K+1)
	}
	var accSum float64
	var accN int
	for k := 1; k <= K; k++ {
		// The weight increment at x_{k−1}: Reset evaluates both components.
		target.beta = betas[k]
		s, err := ladder.get(hs[k])
		if err != nil {
			return nil, err
		}
		s.Reset(x)
		db := betas[k] - betas[k-1]
		for b := range logW {
			u[b] = target.f1[b] - target.f0[b]
			logW[b] += db * u[b]
		}
		if adapt {
			spread[k-1] = sdFinite(u)
		}
		if k == K && !adapt {
			break // the last transition changes no weight
		}
		acc := 0
		for range cfg.Steps {
			acc += s.Step(x)
		}
		if cfg.Steps > 0 {
			rate := float64(acc) / float64(cfg.Steps*n)
			accSum += rate
			accN++
			if adapt && k < K {
				// A multiplicative step towards 0.574, the optimal MALA
				// acceptance, clamped to a sane range.
				h := hs[k] * math.Exp(2*(rate-0.574))
				hs[k+1] = math.Min(math.Max(h, 1e-8*cfg.BaseStd*cfg.BaseStd), 10*cfg.BaseStd*cfg.BaseStd)
			}
		}
	}
	if adapt {
		s, _ := ladder.get(hs[K])
		s.Reset(x)
		for b := range u {
			u[b] = target.f1[b] - target.f0[b]
		}
		spread[K] = sdFinite(u)
	}
	r := &AISResult{Temps: K, Chains: n, Steps: cfg.Steps, BaseStd: jsonnum.Float64(cfg.BaseStd), Power: jsonnum.Float64(cfg.Power),
		Note: AISNote, logW: logW, samples: x, Acceptance: jsonnum.Float64(math.NaN())}
	if accN > 0 {
		r.Acceptance = jsonnum.Float64(accSum / float64(accN))
	}
	r.LogZ, r.ESS = logMeanExp(logW)
	return &pilotAIS{r, spread}, nil
}

// pilotAIS is a run's result and, for a pilot, the spread profile.
type pilotAIS struct {
	*AISResult
	spread []float64
}

// sdFinite is the standard deviation of the finite values of v (0 for
// fewer than two).
func sdFinite(v []float64) float64 {
	var n, s, ss float64
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			n++
			s += x
			ss += x * x
		}
	}
	if n < 2 {
		return 0
	}
	m := s / n
	return math.Sqrt(math.Max(ss/n-m*m, 0) * n / (n - 1))
}

// logMeanExp returns log mean_i e^{l_i} with its delta-method standard
// error, and the effective sample size of the weights e^{l_i}. Non-finite
// log weights (a chain where exp(−E) vanished or was undefined) count as
// zero weight.
func logMeanExp(l []float64) (bounds.Estimate, jsonnum.Float64) {
	m := math.Inf(-1)
	for _, v := range l {
		if !math.IsNaN(v) {
			m = math.Max(m, v)
		}
	}
	if math.IsInf(m, 0) {
		return estimate(m, math.NaN()), 0
	}
	n := float64(len(l))
	var s, s2 float64
	for _, v := range l {
		if math.IsNaN(v) {
			continue
		}
		w := math.Exp(v - m)
		s += w
		s2 += w * w
	}
	mean := s / n
	varW := (s2/n - mean*mean) * n / (n - 1)
	se := math.Sqrt(math.Max(varW, 0)/n) / mean
	return estimate(m+math.Log(mean), se), jsonnum.Float64(s * s / s2)
}
