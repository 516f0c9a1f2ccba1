package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Trainer runs the bidirectional minimax game of SPEC §5 in float32: per
// iteration, EnergySteps energy updates (minimise E_data[E] − E_q[E] +
// penalty) then GeneratorSteps generator updates (minimise E_q[E] − w_H·Ĥ).
// It is not safe for concurrent use.
type Trainer struct {
	cfg  ebm.Config
	dims ebm.Dims
	D, d int // dims.Data, dims.Latent

	Nets          bounds.Nets[float32] // the energy E_θ and the generator G_φ
	Certification ebm.Certification    // which sides of the bracket are certified bounds
	ema           *nn.Network[float32] // the moving average of the energy's weights (Config.EMA), or nil
	bounds        ebm.Bounds
	optE, optG    *nn.Adam[float32]
	optAux        *nn.Adam[float32] // auxiliary networks of the mi bound, or nil
	optimizers    []namedOptimizer  // optE, optG and optAux by checkpoint name, in a fixed order
	noisy         bounds.NoisyGenerator[float32]
	negatives     *bounds.Langevin[float32] // refines the energy step's negatives, or nil
	// importance weights the energy step's negatives (Negatives.Importance),
	// or is nil; negWeights are its weights and negSeeds the backward seeds
	// of the negative term, −negWeights in float32.
	importance *bounds.ImportanceWeighted[float32]
	// sharedGP is the gp upper bound when the importance weights read its
	// evaluation of f (Config.WeightsShareGP); importance is nil then.
	sharedGP   *bounds.GradientPenalty[float32]
	negWeights []float64
	negSeeds   []float32
	resampling *nn.Stream // the uniform draw of each resampling (Negatives.Resample)
	// chains are the persistent negatives (Negatives.Restart < 1), B×D; nil
	// for short-run chains from the generator samples.
	chains []float32

	rng     *nn.RNG
	latents *nn.Stream
	Data    *data.Source
	batches data.Batcher
	sampler *data.Sampler // the sampler of finite data (its state is checkpointed), or nil

	eData, eFake *bounds.ConfinedEnergy[float32]
	gen          *nn.Workspace[float32]
	xData        []float32
	// zNeg are the energy step's N latents (Config.NegativeBatch) and
	// xFake their samples; z is the first B of zNeg, the latents of the
	// upper bound and of the generator step.
	zNeg, z []float32
	xFake   []float32

	step  int // completed iterations
	guard guard

	// Cancellation inside an iteration: Run sets ctx; until the first
	// update of an iteration (abortable) a cancellation undoes the
	// iteration from undo and Step returns ErrInterrupted.
	ctx       context.Context
	abortable bool
	undo      iterationStart
	buffers   [][]float32 // the networks' buffers, in a fixed order
}

// iterationStart is what an iteration changes before its first update:
// the random streams, the data sampler's position and the networks'
// buffers (BatchNorm statistics, spectral-norm vectors of Train passes).
type iterationStart struct {
	rng     nn.RNGSnapshot
	sampler data.SamplerPos
	buffers [][]float32
}

// New builds the networks, optimisers, bounds and data stream of cfg.
func New(cfg ebm.Config) (*Trainer, error) { return build(cfg, nil) }

// build is New; saved, when resuming, gives the energy's base as the run
// fitted it instead of fitting it again.
func build(cfg ebm.Config, saved *ebm.Saved) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := &Trainer{cfg: cfg, rng: nn.NewRNG(cfg.Seed)}
	var err error
	if t.Data, err = data.Open(cfg.Dataset, cfg.Stratified); err != nil {
		return nil, err
	}
	if t.batches, t.sampler, err = t.Data.Batches(t.rng.Stream("data").Rand); err != nil {
		return nil, err
	}
	t.dims = ebm.DimsOf(cfg, t.Data)
	t.D, t.d = t.dims.Data, t.dims.Latent
	if err := cfg.ValidateDims(t.dims); err != nil {
		return nil, err
	}
	if cfg, err = cfg.Resolve(t.dims); err != nil {
		return nil, err
	}
	t.cfg = cfg
	if t.Nets, err = ebm.NewNets(cfg, t.dims, t.rng); err != nil {
		return nil, err
	}
	if saved != nil {
		t.Nets.Base, err = saved.Base()
	} else {
		t.Nets.Base, err = ebm.FitBase(cfg, t.Data)
	}
	if err != nil {
		return nil, err
	}
	for _, n := range []*nn.Network[float32]{t.Nets.Energy, t.Nets.Generator} {
		for _, b := range n.Buffers() {
			t.buffers = append(t.buffers, b.Value)
		}
	}
	t.Certification = ebm.Certify(cfg, t.Nets.Generator)
	if cfg.EMA > 0 {
		copied, err := ebm.CopyNets(cfg, t.dims, t.Nets)
		if err != nil {
			return nil, err
		}
		t.ema = copied.Energy
	}
	B, N := cfg.Batch, cfg.NegativeBatch()
	if t.bounds, err = ebm.NewBounds(cfg, t.Nets, B, t.rng); err != nil {
		return nil, err
	}
	t.noisy, _ = t.bounds.Lower.(bounds.NoisyGenerator[float32])
	if d, ok := t.bounds.Upper.(*bounds.Diffusion[float32]); ok {
		d.Interrupt = t.interrupted
	}
	t.optE = nn.NewAdam(t.Nets.Energy.Params(), cfg.OptE)
	t.optG = nn.NewAdam(t.Nets.Generator.Params(), cfg.OptG)
	t.optimizers = []namedOptimizer{{"opt_energy", t.optE}, {"opt_generator", t.optG}}
	if aux := t.bounds.Lower.AuxParams(); len(aux) > 0 {
		t.optAux = nn.NewAdam(aux, cfg.OptG)
		t.optimizers = append(t.optimizers, namedOptimizer{"opt_aux", t.optAux})
	}
	if t.eData, err = bounds.NewConfinedEnergy(t.Nets.Energy, t.Nets.Base, B, 0); err != nil {
		return nil, err
	}
	t.eFake, _ = bounds.NewConfinedEnergy(t.Nets.Energy, t.Nets.Base, N, 0)
	if n := cfg.Negatives; n.Steps > 0 {
		target, err := bounds.NewEnergyTarget(t.Nets.Energy, t.Nets.Base, N)
		if err != nil {
			return nil, err
		}
		if t.negatives, err = bounds.NewLangevin[float32](target, N, n.StepSize, n.MALA, t.rng.Stream("negatives")); err != nil {
			return nil, err
		}
		if n.Restart > 0 && n.Restart < 1 {
			t.chains = make([]float32, N*t.D)
			t.buffers = append(t.buffers, t.chains) // they move before the first update: undone like buffers
		}
	}
	if cfg.Negatives.Importance {
		if cfg.WeightsShareGP() {
			t.sharedGP = t.bounds.Upper.(*bounds.GradientPenalty[float32]) // its f: the log-det settings of cfg.GP, as below
		} else {
			iw := bounds.IWConfig{K: N, LogDet: cfg.GP.LogDet, LOBPCGIters: cfg.GP.LOBPCGIters, LOBPCGTol: cfg.GP.LOBPCGTol}
			if t.importance, err = bounds.NewImportanceWeighted(t.Nets, iw, N, t.rng.Stream("negatives/importance")); err != nil {
				return nil, err
			}
		}
		t.negWeights, t.negSeeds = make([]float64, N), make([]float32, N)
		if cfg.Negatives.Resample > 0 {
			t.resampling = t.rng.Stream("negatives/resample")
		}
	}
	t.gen = t.Nets.Generator.NewWorkspace(N, 0)
	t.xData, t.zNeg, t.xFake = make([]float32, B*t.D), make([]float32, N*t.d), make([]float32, N*t.D)
	t.z = t.zNeg[:B*t.d]
	t.latents = t.rng.Stream("latents")
	t.guard = newGuard(cfg.Guard)
	t.guard.snapshot(t)
	return t, nil
}

// Config returns the run's configuration.
func (t *Trainer) Config() ebm.Config { return t.cfg }

// Dims returns the widths of the run's model (and its image shape).
func (t *Trainer) Dims() ebm.Dims { return t.dims }

// StepCount returns the number of completed iterations.
func (t *Trainer) StepCount() int { return t.step }

// AuxValues returns copies of the trained auxiliary parameters of the
// lower bound (the mi encoder or critic, log σ) by name; nil for sv.
func (t *Trainer) AuxValues() map[string][]float32 { return ebm.AuxValues(t.bounds.Lower.AuxParams()) }

// Metrics describes one iteration. Log Z is the normaliser of exp(−E) (on
// the generator's image manifold when d < D); NLL = E_data[E] + log Z. A
// value that is not finite (the SE of a single value) is written as null.
type Metrics struct {
	Step       int             `json:"step"`
	LossE      jsonnum.Float64 `json:"loss_energy"`
	LossG      jsonnum.Float64 `json:"loss_generator"`
	EnergyData jsonnum.Float64 `json:"energy_data"` // mean E over the data batch
	EnergyFake jsonnum.Float64 `json:"energy_fake"` // mean E over generator samples
	Entropy    jsonnum.Float64 `json:"entropy"`     // Ĥ ≤ H[q]
	EntropySE  jsonnum.Float64 `json:"entropy_se"`
	Gap        jsonnum.Float64 `json:"gap"` // Û ≥ KL(q‖p), λ = 1 (0 without an upper bound)
	GapSE      jsonnum.Float64 `json:"gap_se"`
	Penalty    jsonnum.Float64 `json:"penalty"` // the energy's training penalty
	// NegativesAcceptance is the MALA acceptance of the chains that refine
	// the negatives (1 for unadjusted steps; absent without them, and on
	// the iterations whose importance weights were not resampled).
	NegativesAcceptance jsonnum.Float64 `json:"negatives_acceptance,omitempty"`
	// NegativesStepSize is their step size after this iteration's
	// adaptation (negatives.target_acceptance).
	NegativesStepSize jsonnum.Float64 `json:"negatives_step_size,omitempty"`
	// NegativesESS is the effective sample size of the importance weights
	// of the negatives (negatives.importance) as a share of their number N
	// (negatives.batch), in [1/N, 1]: near 1/N, one sample carries the
	// negative term.
	NegativesESS jsonnum.Float64 `json:"negatives_ess,omitempty"`
	LowerLogZ    jsonnum.Float64 `json:"lower_log_z"`
	UpperLogZ    jsonnum.Float64 `json:"upper_log_z,omitempty"`
	LowerNLL     jsonnum.Float64 `json:"lower_nll"`
	UpperNLL     jsonnum.Float64 `json:"upper_nll,omitempty"`
	// LowerCertified and UpperCertified say whether each side of the
	// bracket is a certified bound for this model (ebm.Certify; the run's
	// first line of metrics.jsonl says why).
	LowerCertified bool            `json:"lower_certified"`
	UpperCertified bool            `json:"upper_certified"`
	LRScale        jsonnum.Float64 `json:"lr_scale"`
	Rollbacks      int             `json:"rollbacks"`
	Seconds        jsonnum.Float64 `json:"seconds_per_step"`
}

// ErrDiverged is returned when the guard has used up its rollbacks.
var ErrDiverged = errors.New("training diverged")

// Step runs one iteration: the energy updates, then the generator updates,
// under the divergence guard. A divergence (non-finite loss, gradient or
// energy, or an energy beyond the limit) rolls back to the last good state
// instead of applying the update; Step then reports it in the metrics and
// returns ErrDiverged only when no rollbacks are left.
func (t *Trainer) Step() (Metrics, error) {
	m := Metrics{Step: t.step + 1}
	t.beginIteration()
	for range t.cfg.EnergySteps {
		if ok, err := t.energyStep(&m); err != nil || !ok {
			return t.rollback(m, err)
		}
	}
	for range t.cfg.GeneratorSteps {
		if ok, err := t.generatorStep(&m); err != nil || !ok {
			return t.rollback(m, err)
		}
	}
	t.step++
	m.LowerLogZ = -m.EnergyFake + m.Entropy
	m.LowerNLL = m.EnergyData + m.LowerLogZ
	m.LowerCertified, m.UpperCertified = t.Certification.Lower, t.Certification.Upper
	if t.bounds.Upper != nil {
		m.UpperLogZ = m.LowerLogZ + m.Gap
		m.UpperNLL = m.EnergyData + m.UpperLogZ
	}
	m.LRScale, m.Rollbacks = jsonnum.Float64(t.guard.lrScale), t.guard.rollbacks
	if t.step%t.cfg.Guard.SnapshotEvery == 0 {
		t.guard.snapshot(t)
	}
	return m, nil
}

// energyStep makes one energy update, minimising mean E(x_data) − the
// negatives' mean energy (weighted, resampled or refined: Config.Negatives)
// + penalty; it reports false on divergence.
func (t *Trainer) energyStep(m *Metrics) (bool, error) {
	B, N := t.cfg.Batch, t.cfg.NegativeBatch()
	t.batches.Next(t.xData, B)
	nn.Normal(t.latents, t.zNeg)
	copy(t.xFake, t.gen.Forward(t.zNeg, nn.Train))
	if t.noisy != nil { // the noise of at most B samples at a time
		for i := 0; i < len(t.xFake); i += B * t.D {
			t.noisy.Perturb(t.xFake[i:min(i+B*t.D, len(t.xFake))])
		}
	}
	neg, weighted, refine := t.xFake, false, t.negatives != nil
	if t.cfg.Negatives.Importance {
		x, ess, err := t.importanceWeights()
		if err != nil { // a non-finite energy at a generator sample
			return false, nil
		}
		m.NegativesESS = jsonnum.Float64(ess / float64(N))
		neg, weighted = x, true
		refine = refine && ess < t.cfg.Negatives.Resample*float64(N) // resample-move
		if refine {
			bounds.SystematicResample(t.xFake, x, t.negWeights, t.D, t.resampling.Float64())
			neg, weighted = t.xFake, false
		}
	}
	if refine {
		neg = t.persistent(neg)
		t.negatives.Reset(neg)
		acc := 0
		for range t.cfg.Negatives.Steps {
			if t.interrupted() {
				return false, bounds.ErrInterrupted
			}
			acc += t.negatives.Step(neg)
		}
		m.NegativesAcceptance = jsonnum.Float64(float64(acc) / float64(t.cfg.Negatives.Steps*N))
	}
	t.Nets.Energy.ZeroGrad()
	eData, ok1 := t.meanEnergyBackward(t.eData, t.xData, 1/float32(B))
	eFake, ok2 := t.negativeEnergyBackward(neg, weighted)
	if !ok1 || !ok2 {
		return false, nil
	}
	loss := eData - eFake
	if t.bounds.Upper != nil {
		gap, pen, err := t.upperGap()
		if err != nil {
			return false, err
		}
		m.Gap, m.GapSE, m.Penalty = jsonnum.Float64(gap.Value), jsonnum.Float64(gap.StdErr), jsonnum.Float64(pen)
		loss += pen
	}
	if t.bounds.ZeroGP != nil {
		pen, err := t.bounds.ZeroGP.Penalty(t.xData, 1)
		if err != nil {
			return false, err
		}
		m.Penalty += jsonnum.Float64(pen)
		loss += pen
	}
	if !asm.Finite(loss) || !gradsFinite(t.Nets.Energy.Params()) {
		return false, nil
	}
	t.abortable = false // from here on the iteration changes parameters
	if t.negatives != nil {
		// Adapted only now, so that an iteration abandoned before this point
		// leaves the step size as its checkpoint has it.
		if target := t.cfg.Negatives.TargetAcceptance; target > 0 && refine {
			t.adaptNegatives(float64(m.NegativesAcceptance) - target)
		}
		m.NegativesStepSize = jsonnum.Float64(t.negatives.StepSize())
	}
	t.optE.Step()
	if !t.optE.Finite() { // an update that overflows is a divergence too
		return false, nil
	}
	t.updateEMA()
	m.LossE, m.EnergyData = jsonnum.Float64(loss), jsonnum.Float64(eData)
	return true, nil
}

// upperGap returns the upper bound's gap and training penalty at t.z and
// accumulates the penalty's θ-gradient; with sharedGP it completes the
// evaluation importanceWeights began.
func (t *Trainer) upperGap() (bounds.Estimate, float64, error) {
	if t.sharedGP != nil {
		return t.sharedGP.Penalize(t.step, 1)
	}
	return t.bounds.Upper.Gap(t.z, t.step, 1)
}

// importanceWeights sets negWeights to the self-normalised importance
// weights of the samples G(t.zNeg) and returns those samples and the weights'
// effective sample size. With sharedGP (zNeg is z then) it evaluates the
// penalty's f there (the first half of its Gap, which the energy step
// completes).
func (t *Trainer) importanceWeights() ([]float32, float64, error) {
	if t.sharedGP == nil {
		return t.importance.SelfNormalized(t.zNeg, t.negWeights)
	}
	if err := t.sharedGP.Evaluate(t.z); err != nil {
		return nil, 0, err
	}
	f, x := t.sharedGP.LatentValues()
	ess, err := bounds.SelfNormalizedWeights(f, t.negWeights)
	return x, ess, err
}

// adaptNegatives multiplies the step size of the negatives' chains by
// e^excess (excess = acceptance − target), kept within 10⁻⁶ to 10³ times
// the configured size.
func (t *Trainer) adaptNegatives(excess float64) {
	h0 := t.cfg.Negatives.StepSize
	h := min(max(t.negatives.StepSize()*math.Exp(excess), h0*1e-6), h0*1e3)
	_ = t.negatives.SetStepSize(h) // finite and > 0 by the clamp
}

// persistent returns the chains the negatives continue from: the
// generator samples x themselves for short-run chains, else the persistent
// chains with each restarted at x with probability Negatives.Restart (all
// of them at the first iteration).
func (t *Trainer) persistent(x []float32) []float32 {
	if t.chains == nil {
		return x
	}
	D, restart := t.D, t.cfg.Negatives.Restart
	s := t.rng.Stream("negatives/restart")
	for b := 0; b < len(x)/D; b++ {
		if t.step == 0 || s.Float64() < restart {
			copy(t.chains[b*D:(b+1)*D], x[b*D:(b+1)*D])
		}
	}
	return t.chains
}

// meanEnergyBackward returns mean E(x) (Train mode), accumulates
// scale·Σ∇_θE(x), and reports whether the energies passed the guard.
func (t *Trainer) meanEnergyBackward(en *bounds.ConfinedEnergy[float32], x []float32, scale float32) (float64, bool) {
	e := en.Energy(x, nn.Train)
	if !t.guard.energiesOK(e, en.NetworkEnergies()) {
		return 0, false
	}
	en.BackwardParams(scale)
	return sum64(e) / float64(len(e)), true
}

// negativeEnergyBackward accumulates −∇_θ of the negatives' mean energy
// (with the importance weights if weighted) and returns that mean.
func (t *Trainer) negativeEnergyBackward(neg []float32, weighted bool) (float64, bool) {
	if !weighted {
		return t.meanEnergyBackward(t.eFake, neg, -1/float32(t.cfg.NegativeBatch()))
	}
	e := t.eFake.Energy(neg, nn.Train)
	if !t.guard.energiesOK(e, t.eFake.NetworkEnergies()) {
		return 0, false
	}
	var mean float64
	for b, v := range e {
		t.negSeeds[b] = -float32(t.negWeights[b])
		mean += t.negWeights[b] * v
	}
	t.eFake.BackwardParamsWeighted(t.negSeeds)
	return mean, true
}

// generatorStep makes one generator update, minimising
// mean E(G(z)) − w_H·Ĥ; it reports false on divergence.
func (t *Trainer) generatorStep(m *Metrics) (bool, error) {
	B := t.cfg.Batch
	nn.Normal(t.latents, t.z)
	t.Nets.Generator.ZeroGrad()
	aux := t.bounds.Lower.AuxParams()
	zeroGrads(aux)
	x := t.xFake[:B*t.D]
	copy(x, t.gen.Forward(t.z, nn.Train))
	if t.noisy != nil {
		t.noisy.Perturb(x)
	}
	e := t.eFake.Energy(x, nn.Eval)
	if !t.guard.energiesOK(e, t.eFake.NetworkEnergies()) {
		return false, nil
	}
	eFake := sum64(e) / float64(B)
	gx := t.eFake.InputGrad(1 / float32(B))
	if t.noisy != nil {
		t.noisy.BackwardNoise(gx)
	}
	t.gen.Backward(gx, nn.GradParams)
	h, err := t.bounds.Lower.Entropy(t.z, -t.cfg.EntropyWeight)
	if err != nil {
		return false, err
	}
	loss := eFake - t.cfg.EntropyWeight*h.Value
	if !asm.Finite(loss) || !gradsFinite(t.Nets.Generator.Params()) || !gradsFinite(aux) {
		return false, nil
	}
	t.optG.Step()
	if t.optAux != nil {
		t.optAux.Step()
	}
	if !t.optG.Finite() || (t.optAux != nil && !t.optAux.Finite()) {
		return false, nil
	}
	m.LossG, m.EnergyFake = jsonnum.Float64(loss), jsonnum.Float64(eFake)
	m.Entropy, m.EntropySE = jsonnum.Float64(h.Value), jsonnum.Float64(h.StdErr)
	return true, nil
}

// updateEMA moves the average of the energy's weights toward the current
// ones, ema ← β·ema + (1 − β)·θ, and copies its buffers. After the n-th
// update β is at most (1 + n)/(10 + n), so that the initial weights do not
// linger in the average of a short run (0.999⁸⁰⁰⁰ ≈ 3·10⁻⁴ of them would
// remain after the default run, but 0.37 after 1000 updates).
func (t *Trainer) updateEMA() {
	if t.ema == nil {
		return
	}
	n := float64(t.optE.Steps())
	beta := float32(min(t.cfg.EMA, (1+n)/(10+n)))
	for i, p := range t.ema.Params() {
		asm.Sscal(beta, p.Value)
		asm.Saxpy(1-beta, t.Nets.Energy.Params()[i].Value, p.Value)
	}
	for i, b := range t.ema.Buffers() {
		copy(b.Value, t.Nets.Energy.Buffers()[i].Value)
	}
}

// beginIteration records what the iteration may have to undo.
func (t *Trainer) beginIteration() {
	t.abortable = t.ctx != nil
	if !t.abortable {
		return
	}
	t.rng.Snapshot(&t.undo.rng)
	if t.sampler != nil {
		t.undo.sampler = t.sampler.Pos()
	}
	if len(t.undo.buffers) != len(t.buffers) {
		t.undo.buffers = make([][]float32, len(t.buffers))
	}
	for i, b := range t.buffers {
		t.undo.buffers[i] = append(t.undo.buffers[i][:0], b...)
	}
}

// interrupted reports a cancellation while the iteration can still be
// undone (before its first update).
func (t *Trainer) interrupted() bool { return t.abortable && t.ctx.Err() != nil }

// undoIteration returns to the start of the iteration: nothing it drew or
// computed remains, so a checkpoint taken now resumes bit for bit.
func (t *Trainer) undoIteration() {
	t.rng.Restore(&t.undo.rng)
	if t.sampler != nil {
		t.sampler.SetPos(t.undo.sampler)
	}
	for i, b := range t.buffers {
		copy(b, t.undo.buffers[i])
	}
}

// rollback restores the last good state after a divergence (or returns
// the error that stopped the step; an interruption before the first update
// undoes the iteration first).
func (t *Trainer) rollback(m Metrics, err error) (Metrics, error) {
	if errors.Is(err, bounds.ErrInterrupted) {
		t.undoIteration()
		return m, fmt.Errorf("%w during iteration %d", ErrInterrupted, m.Step)
	}
	if err != nil {
		return m, err
	}
	if !t.guard.restore(t) {
		return m, fmt.Errorf("%w at iteration %d: %d rollbacks used (guard.max_rollbacks); last good state was iteration %d",
			ErrDiverged, m.Step, t.guard.rollbacks, t.guard.goodStep)
	}
	m.Step = t.step
	m.LRScale, m.Rollbacks = jsonnum.Float64(t.guard.lrScale), t.guard.rollbacks
	return m, nil
}

func sum64(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}

func gradsFinite(ps []*nn.Param[float32]) bool {
	for _, p := range ps {
		if !asm.AllFinite(p.Grad) {
			return false
		}
	}
	return true
}

func zeroGrads(ps []*nn.Param[float32]) {
	for _, p := range ps {
		clear(p.Grad)
	}
}
