package trainer

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/nn"
	"github.com/ebmcpu/ebmcpu/trainer/data"
)

// Trainer runs the bidirectional minimax game of SPEC §5 in float32: per
// iteration, EnergySteps energy updates (minimise E_data[E] − E_q[E] +
// penalty) then GeneratorSteps generator updates (minimise E_q[E] − w_H·Ĥ).
// It is not safe for concurrent use.
type Trainer struct {
	cfg  Config
	D, d int

	Energy, Generator *nn.Network[float32]
	optE, optG        *nn.Adam[float32]
	optAux            *nn.Adam[float32] // auxiliary networks of the mi bound, or nil

	lower  bounds.EntropyLower[float32]
	upper  bounds.GapUpper[float32] // nil: the lower-bound-only baseline
	zeroGP *bounds.ZeroGP[float32]  // nil unless cfg.ZeroGP > 0
	noisy  bounds.NoisyGenerator[float32]

	rng     *nn.RNG
	latents *nn.Stream
	batches data.Batcher
	toy     *data.Toy     // the built-in set, or nil
	csv     *data.Dataset // the CSV data, or nil
	sampler *data.Sampler // the CSV sampler (its state is checkpointed), or nil

	wsData, wsFake, wsGen *nn.Workspace[float32]
	xData, z, xFake, gy   []float32

	step  int // completed iterations
	guard guard

	// OnEval, if set, is called by Run every Config.EvalEvery iterations
	// (the trainer package cannot import its evaluation; the CLI plugs it
	// in). It must not change the networks.
	OnEval func(t *Trainer) error
}

// New builds the networks, optimisers, bounds and data stream of cfg.
func New(cfg Config) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := &Trainer{cfg: cfg, rng: nn.NewRNG(cfg.Seed)}
	if err := t.openData(); err != nil {
		return nil, err
	}
	t.D = t.batches.Dim()
	t.d = cfg.LatentDim
	if t.d == 0 {
		t.d = t.D
	}
	var err error
	if t.Energy, err = buildMLP(cfg.Energy, t.D, 1, t.rng.Stream("init/energy")); err != nil {
		return nil, fmt.Errorf("energy network: %w", err)
	}
	if t.Generator, err = buildMLP(cfg.Generator, t.d, t.D, t.rng.Stream("init/generator")); err != nil {
		return nil, fmt.Errorf("generator network: %w", err)
	}
	if err := t.buildBounds(); err != nil {
		return nil, err
	}
	t.optE = nn.NewAdam(t.Energy.Params(), cfg.OptE)
	t.optG = nn.NewAdam(t.Generator.Params(), cfg.OptG)
	if aux := t.lower.AuxParams(); len(aux) > 0 {
		t.optAux = nn.NewAdam(aux, cfg.OptG)
	}
	B := cfg.Batch
	t.wsData = t.Energy.NewWorkspace(B, 0)
	t.wsFake = t.Energy.NewWorkspace(B, 0)
	t.wsGen = t.Generator.NewWorkspace(B, 0)
	t.xData, t.z, t.xFake, t.gy = make([]float32, B*t.D), make([]float32, B*t.d), make([]float32, B*t.D), make([]float32, B)
	t.latents = t.rng.Stream("latents")
	t.guard = newGuard(cfg.Guard)
	t.guard.snapshot(t)
	return t, nil
}

// openData makes the batch stream of cfg.Dataset from the "data" stream.
func (t *Trainer) openData() error {
	rng := t.rng.Stream("data").Rand
	if dir, ok := strings.CutPrefix(t.cfg.Dataset, "mnist:"); ok {
		im, err := data.LoadMNISTDir(dir, false)
		if err != nil {
			return err
		}
		if t.sampler, err = data.NewSampler(im.Source(data.Symmetric, false), rng); err != nil {
			return err
		}
		t.batches = t.sampler
		return nil
	}
	if path, ok := strings.CutPrefix(t.cfg.Dataset, "csv:"); ok {
		ds, err := data.LoadCSV(path)
		if err != nil {
			return err
		}
		if ds.Len() < 2 {
			return fmt.Errorf("dataset %s: %d rows, want at least 2", path, ds.Len())
		}
		if t.sampler, err = data.NewSampler(ds, rng); err != nil {
			return err
		}
		t.csv, t.batches = ds, t.sampler
		return nil
	}
	var opts []data.ToyOption
	if t.cfg.Stratified {
		opts = append(opts, data.Stratified(true))
	}
	toy, err := data.NewToy(t.cfg.Dataset, opts...)
	if err != nil {
		return err
	}
	t.toy, t.batches = toy, toy.Batches(rng)
	return nil
}

// dataSample draws n data points of a 2-D set from stream (not the
// training stream).
func (t *Trainer) dataSample(stream *nn.Stream, dst []float32, n int) {
	if t.toy != nil {
		t.toy.Sample32(stream.Rand, dst, n)
		return
	}
	for i := 0; i < n; i++ {
		t.csv.Row(stream.IntN(t.csv.Len()), dst[i*t.D:], nil)
	}
}

// dataBox is a box holding (nearly) all the data: the toy set's own, or
// the range of the CSV data with a 10% margin.
func (t *Trainer) dataBox() data.Box {
	if t.toy != nil {
		return t.toy.Bounds()
	}
	b := data.Box{Min: [2]float64{math.Inf(1), math.Inf(1)}, Max: [2]float64{math.Inf(-1), math.Inf(-1)}}
	for i := 0; i < t.csv.Len(); i++ {
		for a, v := range t.csv.At(i)[:2] {
			b.Min[a], b.Max[a] = math.Min(b.Min[a], v), math.Max(b.Max[a], v)
		}
	}
	for a := range 2 {
		m := 0.1*(b.Max[a]-b.Min[a]) + 1e-9
		b.Min[a], b.Max[a] = b.Min[a]-m, b.Max[a]+m
	}
	return b
}

func buildMLP(nc NetConfig, in, out int, s *nn.Stream) (*nn.Network[float32], error) {
	widths := append(append([]int{in}, nc.Hidden...), out)
	return nn.BuildMLP[float32](nn.MLPSpec{Widths: widths, Activation: nc.Activation, BatchNorm: nc.BatchNorm,
		SpectralNorm: nc.SpectralNorm, OutputScale: nc.OutputScale}, s)
}

func (t *Trainer) buildBounds() error {
	cfg, B := t.cfg, t.cfg.Batch
	nets := bounds.Nets[float32]{Energy: t.Energy, Generator: t.Generator, Confine: cfg.Confine}
	var err error
	switch cfg.Lower {
	case "sv":
		t.lower, err = bounds.NewSVEntropy(nets, cfg.SV, B, t.rng.Stream("probes/sv"))
	case "mi":
		var mi *bounds.MIEntropy[float32]
		mi, err = bounds.NewMIEntropy(nets, cfg.MI, B, t.rng.Stream("probes/mi"))
		t.lower, t.noisy = mi, mi
	}
	if err != nil {
		return fmt.Errorf("lower bound %s: %w", cfg.Lower, err)
	}
	switch cfg.Upper {
	case "gp":
		t.upper, err = bounds.NewGradientPenalty(nets, cfg.GP, B, t.rng.Stream("probes/gp"))
	case "diffusion":
		t.upper, err = bounds.NewDiffusion(nets, cfg.Diffusion, B, t.rng.Stream("probes/diffusion"))
	}
	if err != nil {
		return fmt.Errorf("upper bound %s: %w", cfg.Upper, err)
	}
	if cfg.ZeroGP > 0 {
		if t.zeroGP, err = bounds.NewZeroGP(nets, cfg.ZeroGP, B); err != nil {
			return fmt.Errorf("zero_gp: %w", err)
		}
	}
	return nil
}

// AuxValues returns copies of the trained auxiliary parameters of the
// lower bound (the mi encoder or critic, log σ) by name, as a checkpoint
// stores them under "aux/<name>"; nil for sv.
func (t *Trainer) AuxValues() map[string][]float32 {
	ps := t.lower.AuxParams()
	if len(ps) == 0 {
		return nil
	}
	m := make(map[string][]float32, len(ps))
	for _, p := range ps {
		m[p.Name] = append([]float32(nil), p.Value...)
	}
	return m
}

// Config returns the run's configuration.
func (t *Trainer) Config() Config { return t.cfg }

// StepCount returns the number of completed iterations.
func (t *Trainer) StepCount() int { return t.step }

// Metrics describes one iteration. Log Z is the normaliser of exp(−E) (on
// the generator's image manifold when d < D); NLL = E_data[E] + log Z.
type Metrics struct {
	Step       int     `json:"step"`
	LossE      float64 `json:"loss_energy"`
	LossG      float64 `json:"loss_generator"`
	EnergyData float64 `json:"energy_data"` // mean E over the data batch
	EnergyFake float64 `json:"energy_fake"` // mean E over generator samples
	Entropy    float64 `json:"entropy"`     // Ĥ ≤ H[q]
	EntropySE  float64 `json:"entropy_se"`
	Gap        float64 `json:"gap"` // Û ≥ KL(q‖p), λ = 1 (0 without an upper bound)
	GapSE      float64 `json:"gap_se"`
	Penalty    float64 `json:"penalty"` // the energy's training penalty
	LowerLogZ  float64 `json:"lower_log_z"`
	UpperLogZ  float64 `json:"upper_log_z,omitempty"`
	LowerNLL   float64 `json:"lower_nll"`
	UpperNLL   float64 `json:"upper_nll,omitempty"`
	LRScale    float64 `json:"lr_scale"`
	Rollbacks  int     `json:"rollbacks"`
	Seconds    float64 `json:"seconds_per_step"`
}

// ErrDiverged is returned when the guard has used up its rollbacks.
var ErrDiverged = errors.New("training diverged")

// Step runs one iteration. A divergence (non-finite loss, gradient or
// energy, or an energy beyond the limit) rolls back to the last good state
// instead of applying the update; Step then reports it in the metrics and
// returns ErrDiverged only when no rollbacks are left.
func (t *Trainer) Step() (Metrics, error) {
	m := Metrics{Step: t.step + 1}
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
	if t.upper != nil {
		m.UpperLogZ = m.LowerLogZ + m.Gap
		m.UpperNLL = m.EnergyData + m.UpperLogZ
	}
	m.LRScale, m.Rollbacks = t.guard.lrScale, t.guard.rollbacks
	if t.step%t.cfg.Guard.SnapshotEvery == 0 {
		t.guard.snapshot(t)
	}
	return m, nil
}

// energyStep makes one energy update; it reports false on divergence.
func (t *Trainer) energyStep(m *Metrics) (bool, error) {
	B := t.cfg.Batch
	t.batches.Next(t.xData, B)
	nn.Normal(t.latents, t.z)
	copy(t.xFake, t.wsGen.Forward(t.z, nn.Train))
	if t.noisy != nil {
		t.noisy.Perturb(t.xFake)
	}
	t.Energy.ZeroGrad()
	eData, ok1 := t.meanEnergyBackward(t.wsData, t.xData, 1/float32(B))
	eFake, ok2 := t.meanEnergyBackward(t.wsFake, t.xFake, -1/float32(B))
	if !ok1 || !ok2 {
		return false, nil
	}
	loss := eData - eFake
	if t.upper != nil {
		gap, pen, err := t.upper.Gap(t.z, t.step, 1)
		if err != nil {
			return false, err
		}
		m.Gap, m.GapSE, m.Penalty = gap.Value, gap.StdErr, pen
		loss += pen
	}
	if t.zeroGP != nil {
		pen, err := t.zeroGP.Penalty(t.xData, 1)
		if err != nil {
			return false, err
		}
		m.Penalty += pen
		loss += pen
	}
	if !finite(loss) || !gradsFinite(t.Energy.Params()) {
		return false, nil
	}
	t.optE.Step()
	m.LossE, m.EnergyData = loss, eData
	return true, nil
}

// meanEnergyBackward returns mean E(x), accumulates scale·Σ∇_θE(x), and
// reports whether the energies passed the guard.
func (t *Trainer) meanEnergyBackward(ws *nn.Workspace[float32], x []float32, scale float32) (float64, bool) {
	e := ws.Forward(x, nn.Train)
	if !t.guard.energiesOK(e) {
		return 0, false
	}
	B := len(e)
	for i := range t.gy[:B] {
		t.gy[i] = scale
	}
	ws.Backward(t.gy[:B], nn.GradParams)
	return sum64(e)/float64(B) + t.confineMean(x), true
}

// confineMean is mean α‖x‖² over the batch x, the parameter-free part of
// the energy.
func (t *Trainer) confineMean(x []float32) float64 {
	if t.cfg.Confine == 0 {
		return 0
	}
	return t.cfg.Confine * dot64(x, x) / float64(len(x)/t.D)
}

// generatorStep makes one generator update; it reports false on divergence.
func (t *Trainer) generatorStep(m *Metrics) (bool, error) {
	B := t.cfg.Batch
	nn.Normal(t.latents, t.z)
	t.Generator.ZeroGrad()
	if t.optAux != nil {
		zeroGrads(t.lower.AuxParams())
	}
	x := t.wsGen.Forward(t.z, nn.Train)
	copy(t.xFake, x)
	if t.noisy != nil {
		t.noisy.Perturb(t.xFake)
	}
	e := t.wsFake.Forward(t.xFake, nn.Eval)
	eFake := sum64(e) / float64(B)
	if !t.guard.energiesOK(e) {
		return false, nil
	}
	for i := range t.gy[:B] {
		t.gy[i] = 1 / float32(B)
	}
	gx := t.wsFake.Backward(t.gy[:B], nn.GradInput)
	if t.cfg.Confine > 0 { // ∇(α‖x‖²) = 2αx
		asm.Saxpy(float32(2*t.cfg.Confine/float64(B)), t.xFake, gx)
		eFake += t.confineMean(t.xFake)
	}
	if t.noisy != nil {
		t.noisy.BackwardNoise(gx)
	}
	t.wsGen.Backward(gx, nn.GradParams)
	h, err := t.lower.Entropy(t.z, -t.cfg.EntropyWeight)
	if err != nil {
		return false, err
	}
	loss := eFake - t.cfg.EntropyWeight*h.Value
	if !finite(loss) || !gradsFinite(t.Generator.Params()) || (t.optAux != nil && !gradsFinite(t.lower.AuxParams())) {
		return false, nil
	}
	t.optG.Step()
	if t.optAux != nil {
		t.optAux.Step()
	}
	m.LossG, m.EnergyFake, m.Entropy, m.EntropySE = loss, eFake, h.Value, h.StdErr
	return true, nil
}

// rollback restores the last good state after a divergence (or returns
// the error that stopped the step).
func (t *Trainer) rollback(m Metrics, err error) (Metrics, error) {
	if err != nil {
		return m, err
	}
	if !t.guard.restore(t) {
		return m, fmt.Errorf("%w at iteration %d: %d rollbacks used (guard.max_rollbacks); last good state was iteration %d",
			ErrDiverged, m.Step, t.guard.rollbacks, t.guard.goodStep)
	}
	m.Step = t.step
	m.LRScale, m.Rollbacks = t.guard.lrScale, t.guard.rollbacks
	return m, nil
}

func sum64(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}

func dot64(x, y []float32) float64 {
	var s float64
	for i, v := range x {
		s += float64(v) * float64(y[i])
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func gradsFinite(ps []*nn.Param[float32]) bool {
	for _, p := range ps {
		if !finite(float64(asm.Smaxabs(p.Grad))) {
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
