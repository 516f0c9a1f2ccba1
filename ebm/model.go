package ebm

import (
	"fmt"
	"math"
	"sync"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Model is a trained EBM and its generator, loaded from a checkpoint for
// inference in a service: energies, scores, bounds on log-densities,
// generator samples and Langevin samples of the EBM, for batches of any
// size. All methods are safe for concurrent use by many goroutines: the
// networks are only read, and each call borrows its own workspaces.
type Model struct {
	cfg     Config
	nets    bounds.Nets[float32]
	aux     map[string][]float32 // trained auxiliary parameters of an mi bound
	step    int
	dims    Dims
	D, d    int
	workers sync.Pool // *modelWorker

	logZOnce     sync.Once
	logZLo       bounds.Estimate
	logZHi       bounds.Estimate
	logZHasUpper bool
	logZErr      error
}

// chunk is the batch size of one pass; larger inputs go through in chunks.
const chunk = 256

type modelWorker struct {
	e *bounds.ConfinedEnergy[float32]
	g *nn.Workspace[float32]
}

// LoadModel loads the model of a checkpoint file or of a run directory
// (its checkpoint.ckpt). A missing, corrupt or foreign file is an error
// naming it.
func LoadModel(path string) (*Model, error) {
	ckpt, _ := ResolveRun(path)
	s, err := ReadCheckpoint(ckpt)
	if err != nil {
		return nil, err
	}
	nets, err := s.Nets()
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: s.Config, nets: nets, dims: s.Dims, D: s.Dims.Data, d: s.Dims.Latent, aux: s.Aux, step: s.Step()}
	newWorker := func() (*modelWorker, error) {
		e, err := bounds.NewConfinedEnergy(nets.Energy, nets.Base, chunk, 0)
		return &modelWorker{e: e, g: nets.Generator.NewWorkspace(chunk, 0)}, err
	}
	w, err := newWorker()
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", ckpt, err)
	}
	m.workers.Put(w)
	m.workers.New = func() any { w, _ := newWorker(); return w } // the first call checked the settings
	return m, nil
}

// Config returns the configuration the model was trained with.
func (m *Model) Config() Config { return m.cfg }

// Step returns the number of training iterations behind the model.
func (m *Model) Step() int { return m.step }

// AuxValues returns copies of the trained auxiliary parameters of the mi
// bound by name (nil for sv).
func (m *Model) AuxValues() map[string][]float32 {
	if m.aux == nil {
		return nil
	}
	out := make(map[string][]float32, len(m.aux))
	for k, v := range m.aux {
		out[k] = append([]float32(nil), v...)
	}
	return out
}

// Dim is the data width D; LatentDim the generator's input width d.
func (m *Model) Dim() int       { return m.D }
func (m *Model) LatentDim() int { return m.d }

func (m *Model) checkBatch(name string, x []float32, width int) (int, error) {
	if len(x)%width != 0 {
		return 0, fmt.Errorf("%s: %d values is not a whole number of rows of width %d", name, len(x), width)
	}
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, fmt.Errorf("%s: input holds a non-finite value", name)
		}
	}
	return len(x) / width, nil
}

// Energy sets e[b] = E(x_b) for the B×D batch x.
func (m *Model) Energy(x []float32, e []float32) error {
	B, err := m.checkBatch("Energy", x, m.D)
	if err != nil {
		return err
	}
	if len(e) < B {
		return fmt.Errorf("Energy: output holds %d values, want %d", len(e), B)
	}
	w := m.workers.Get().(*modelWorker)
	defer m.workers.Put(w)
	for s := 0; s < B; s += chunk {
		n := min(chunk, B-s)
		for i, v := range w.e.Energy(x[s*m.D:(s+n)*m.D], nn.Eval) {
			if math.IsNaN(v) {
				return fmt.Errorf("Energy: row %d is beyond the range the network can evaluate in float32", s+i)
			}
			e[s+i] = float32(v)
		}
	}
	return nil
}

// Score sets s (B×D) to the score −∇_x E(x) of the B×D batch x.
func (m *Model) Score(x []float32, s []float32) error {
	B, err := m.checkBatch("Score", x, m.D)
	if err != nil {
		return err
	}
	if len(s) < B*m.D {
		return fmt.Errorf("Score: output holds %d values, want %d", len(s), B*m.D)
	}
	w := m.workers.Get().(*modelWorker)
	defer m.workers.Put(w)
	for st := 0; st < B; st += chunk {
		n := min(chunk, B-st)
		_, g := w.e.Score(x[st*m.D : (st+n)*m.D])
		out := s[st*m.D : (st+n)*m.D]
		for i, v := range g {
			if v != v { // NaN
				return fmt.Errorf("Score: row %d is beyond the range the network can evaluate in float32", st+i/m.D)
			}
			out[i] = -v
		}
	}
	return nil
}

// Generate sets x (B×D) = G(z) for the B×d latents z.
func (m *Model) Generate(z []float32, x []float32) error {
	B, err := m.checkBatch("Generate", z, m.d)
	if err != nil {
		return err
	}
	if len(x) < B*m.D {
		return fmt.Errorf("Generate: output holds %d values, want %d", len(x), B*m.D)
	}
	w := m.workers.Get().(*modelWorker)
	defer m.workers.Put(w)
	for s := 0; s < B; s += chunk {
		n := min(chunk, B-s)
		copy(x[s*m.D:(s+n)*m.D], w.g.Forward(z[s*m.d:(s+n)*m.d], nn.Eval))
	}
	return nil
}

// Sample writes n generator samples G(z), z ∼ N(0, I) drawn from seed, to
// x (n×D).
func (m *Model) Sample(n int, seed uint64, x []float32) error {
	if n < 0 || n > len(x)/m.D {
		return fmt.Errorf("Sample: %d samples of width %d do not fit an output of %d values", n, m.D, len(x))
	}
	w := m.workers.Get().(*modelWorker)
	defer m.workers.Put(w)
	z := make([]float32, min(n, chunk)*m.d)
	stream := nn.NewStream(seed, "sample/latents")
	for s := 0; s < n; s += chunk {
		k := min(chunk, n-s)
		nn.Normal(stream, z[:k*m.d])
		copy(x[s*m.D:(s+k)*m.D], w.g.Forward(z[:k*m.d], nn.Eval))
	}
	return nil
}

// Langevin refines the B×D samples x in place by steps of overdamped
// Langevin dynamics on exp(−E) with step size h (MALA adds the Metropolis
// correction), noise drawn from seed. It returns the acceptance rate (1
// without MALA).
func (m *Model) Langevin(x []float32, steps int, h float64, mala bool, seed uint64) (float64, error) {
	B, err := m.checkBatch("Langevin", x, m.D)
	if err != nil {
		return 0, err
	}
	if steps < 0 || !(h > 0) || math.IsInf(h, 1) {
		return 0, fmt.Errorf("Langevin: steps = %d, h = %v; want steps ≥ 0 and a finite h > 0", steps, h)
	}
	target, err := bounds.NewEnergyTarget(m.nets.Energy, m.nets.Base, min(B, chunk))
	if err != nil {
		return 0, err
	}
	l, err := bounds.NewLangevin[float32](target, min(B, chunk), h, mala, nn.NewStream(seed, "langevin"))
	if err != nil {
		return 0, err
	}
	for s := 0; s < B; s += chunk {
		n := min(chunk, B-s)
		l.Run(x[s*m.D:(s+n)*m.D], steps)
	}
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, fmt.Errorf("Langevin: the chains left the finite numbers with step size %g; use a smaller one (or MALA)", h)
		}
	}
	acc, prop := l.Acceptance()
	if !mala || prop == 0 {
		return 1, nil
	}
	return float64(acc) / float64(prop), nil
}

// LogZBounds returns the model's bracket ⌊log Z⌋ ≤ log Z ≤ ⌈log Z⌉ from the
// bounds it was trained with, estimated once on 1000 latents (seeded by the
// run's seed) and cached. Without an upper bound (the lower-bound-only
// baseline) hasUpper is false.
func (m *Model) LogZBounds() (lower, upper bounds.Estimate, hasUpper bool, err error) {
	m.logZOnce.Do(m.computeLogZ)
	return m.logZLo, m.logZHi, m.logZHasUpper, m.logZErr
}

func (m *Model) computeLogZ() {
	const n, batches = 200, 5
	rng := nn.NewRNG(m.cfg.Seed)
	// Bounds train their own networks; give them copies so that concurrent
	// users of the model never see a write.
	nets, err := m.Networks()
	if err != nil {
		m.logZErr = err
		return
	}
	bs, err := NewBounds(m.cfg, nets, n, rng)
	if err != nil {
		m.logZErr = err
		return
	}
	if ps := bs.Lower.AuxParams(); len(ps) > 0 {
		if err := SetAux(ps, m.aux); err != nil {
			m.logZErr = err
			return
		}
	}
	br, err := bounds.NewBracket(nets, n, rng.Stream("eval/bracket"))
	if err != nil {
		m.logZErr = err
		return
	}
	z := make([]float32, n*m.d)
	var lo, hi, loVar, hiVar float64
	for range batches {
		nn.Normal(rng.Stream("eval/latents"), z)
		r, err := br.Evaluate(bs.Lower, bs.Upper, z)
		if err != nil {
			m.logZErr = err
			return
		}
		lo += r.Lower.Value / batches
		loVar += r.Lower.StdErr * r.Lower.StdErr / (batches * batches)
		if r.HasUpper {
			m.logZHasUpper = true
			hi += r.Upper.Value / batches
			hiVar += r.Upper.StdErr * r.Upper.StdErr / (batches * batches)
		}
	}
	m.logZLo = bounds.Estimate{Value: lo, StdErr: math.Sqrt(loVar)}
	if m.logZHasUpper {
		m.logZHi = bounds.Estimate{Value: hi, StdErr: math.Sqrt(hiVar)}
	}
}

// LogDensityBounds sets lo[b] ≤ log p(x_b) ≤ hi[b] from the bracket of log Z:
// log p = −E − log Z. Without an upper bound on log Z, lo is −Inf.
func (m *Model) LogDensityBounds(x []float32, lo, hi []float64) error {
	B, err := m.checkBatch("LogDensityBounds", x, m.D)
	if err != nil {
		return err
	}
	if len(lo) < B || len(hi) < B {
		return fmt.Errorf("LogDensityBounds: outputs hold %d and %d values, want %d", len(lo), len(hi), B)
	}
	zlo, zhi, hasUpper, err := m.LogZBounds()
	if err != nil {
		return err
	}
	e := make([]float32, B)
	if err := m.Energy(x, e); err != nil {
		return err
	}
	for b, v := range e {
		hi[b] = -float64(v) - zlo.Value
		lo[b] = math.Inf(-1)
		if hasUpper {
			lo[b] = -float64(v) - zhi.Value
		}
	}
	return nil
}

// Certification says which sides of the model's bracket of log Z (and so
// of LogDensityBounds) are certified bounds, and why.
func (m *Model) Certification() Certification { return Certify(m.cfg, m.nets.Generator) }

// Networks returns copies of the model's energy and generator networks
// with its confining term, for code that needs the networks themselves
// (the evaluation builds bounds on them): changing the copies does not
// affect m.
func (m *Model) Networks() (bounds.Nets[float32], error) { return CopyNets(m.cfg, m.dims, m.nets) }

// Dims returns the model's widths (and image shape).
func (m *Model) Dims() Dims { return m.dims }
