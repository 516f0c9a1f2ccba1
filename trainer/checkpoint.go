package trainer

import (
	"encoding/json"
	"fmt"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// The training state a checkpoint adds to the model (see ebm's checkpoint
// layout): optimiser states "opt_energy", "opt_generator", "opt_aux", the
// RNG, the finite-data sampler ("sampler"), the guard ("guard") and the
// negatives' step size ("negatives").
// Together they make a resumed run continue bit for bit.

// Tensors of the training state besides the model's: the LOBPCG vectors a
// warm-started sv bound continues from, and the persistent negatives.
const (
	warmTensor   = "sv/warm_start"
	chainsTensor = "negatives/chains"
)

type guardState struct {
	LRScale   float64 `json:"lr_scale"`
	Rollbacks int     `json:"rollbacks"`
}

// negativesState is the adapted step size of the negatives' chains.
type negativesState struct {
	StepSize float64 `json:"step_size"`
}

type namedOptimizer struct {
	name string
	nn.Optimizer
}

// Checkpoint captures the complete training state.
func (t *Trainer) Checkpoint() (*nn.Checkpoint, error) {
	c := &nn.Checkpoint{Step: int64(t.step)}
	ebm.AddNets(c, t.Nets, t.ema, t.bounds.Lower.AuxParams())
	if sv, ok := t.bounds.Lower.(*bounds.SVEntropy[float32]); ok && sv.WarmVectors() != nil {
		c.SetTensor(ebm.Float32Tensor(warmTensor, sv.WarmVectors(), len(sv.WarmVectors())/t.d, t.d))
	}
	if t.chains != nil {
		c.SetTensor(ebm.Float32Tensor(chainsTensor, t.chains, len(t.chains)/t.D, t.D))
	}
	for _, o := range t.optimizers {
		if err := c.AddOptimizer(o.name, o); err != nil {
			return nil, err
		}
	}
	if err := c.AddRNG(t.rng); err != nil {
		return nil, err
	}
	if t.sampler != nil {
		b, err := t.sampler.MarshalBinary()
		if err != nil {
			return nil, err
		}
		c.SetBlob("sampler", b)
	}
	g, _ := json.Marshal(guardState{t.guard.lrScale, t.guard.rollbacks})
	c.SetBlob("guard", g)
	if t.negatives != nil {
		n, _ := json.Marshal(negativesState{t.negatives.StepSize()})
		c.SetBlob("negatives", n)
	}
	if err := ebm.AddConfig(c, t.cfg, t.dims); err != nil {
		return nil, err
	}
	return c, nil
}

// SaveCheckpoint writes the training state to path atomically and makes it
// the guard's last good state.
func (t *Trainer) SaveCheckpoint(path string) error {
	c, err := t.Checkpoint()
	if err != nil {
		return err
	}
	if err := nn.Save(path, c); err != nil {
		return err
	}
	t.guard.snapshot(t)
	return nil
}

// Resume rebuilds the trainer saved at path, ready to continue where it
// stopped; see FromCheckpoint for steps.
func Resume(path string, steps int) (*Trainer, error) {
	s, err := ebm.ReadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	return FromCheckpoint(s, steps)
}

// FromCheckpoint rebuilds the trainer of a checkpoint read by
// ebm.ReadCheckpoint. steps, if positive, replaces the configured number of
// iterations (to extend a finished run); it may not be below the
// checkpoint's iteration.
func FromCheckpoint(s *ebm.Saved, steps int) (*Trainer, error) {
	cfg := s.Config
	switch {
	case steps < 0:
		return nil, fmt.Errorf("steps = %d, want ≥ 0", steps)
	case steps > 0 && steps < s.Step():
		return nil, fmt.Errorf("checkpoint %s is at iteration %d: steps = %d would go back (give the total number of iterations, ≥ %d)",
			s.Path, s.Step(), steps, s.Step())
	case steps > 0:
		cfg.Steps = steps
	}
	t, err := build(cfg, s)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", s.Path, err)
	}
	if err := t.restore(s); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", s.Path, err)
	}
	return t, nil
}

// restore loads every piece of state New does not derive from the config.
func (t *Trainer) restore(s *ebm.Saved) error {
	c := s.Ckpt
	if err := s.LoadTraining(t.Nets, t.ema); err != nil {
		return err
	}
	if err := ebm.SetAux(t.bounds.Lower.AuxParams(), s.Aux); err != nil {
		return err
	}
	for _, o := range t.optimizers {
		if err := c.LoadOptimizer(o.name, o); err != nil {
			return err
		}
	}
	if sv, ok := t.bounds.Lower.(*bounds.SVEntropy[float32]); ok && t.cfg.SV.WarmStart {
		if w, ok := c.Tensor(warmTensor); ok {
			if err := sv.SetWarmVectors(ebm.Float32Values(w)); err != nil {
				return fmt.Errorf("LOBPCG warm start: %w", err)
			}
		}
	}
	if t.chains != nil && s.Step() > 0 {
		w, ok := c.Tensor(chainsTensor)
		if !ok || len(w.Data) != len(t.chains) {
			return fmt.Errorf("the persistent negatives (%s) are missing or of another size", chainsTensor)
		}
		copy(t.chains, ebm.Float32Values(w))
	}
	if err := c.LoadRNG(t.rng); err != nil {
		return err
	}
	if t.sampler != nil {
		b, ok := c.Blob("sampler")
		if !ok {
			return fmt.Errorf("the data sampler state is missing")
		}
		if err := t.sampler.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("data sampler state: %w", err)
		}
	}
	g := guardState{LRScale: 1}
	if b, ok := c.Blob("guard"); ok {
		if err := json.Unmarshal(b, &g); err != nil {
			return fmt.Errorf("guard state: %w", err)
		}
	}
	if !(g.LRScale > 0 && g.LRScale <= 1) || g.Rollbacks < 0 || g.Rollbacks > ebm.MaxRollbacks {
		return fmt.Errorf("guard state: learning-rate scale %v and %d rollbacks are out of range", g.LRScale, g.Rollbacks)
	}
	for _, o := range t.optimizers {
		if !o.Finite() {
			return fmt.Errorf("optimizer state %s holds a non-finite value", o.name)
		}
	}
	if b, ok := c.Blob("negatives"); ok && t.negatives != nil { // absent before the step size adapted
		var n negativesState
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("negatives state: %w", err)
		}
		if err := t.negatives.SetStepSize(n.StepSize); err != nil {
			return fmt.Errorf("negatives state: %w", err)
		}
	}
	t.guard.lrScale, t.guard.rollbacks = g.LRScale, g.Rollbacks
	t.applyLRScale()
	t.step = s.Step()
	t.guard.snapshot(t)
	return nil
}
