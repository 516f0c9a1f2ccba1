package trainer

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// guard is the divergence guard: an in-memory copy of the last good state
// (parameters, buffers, optimiser states), refreshed every SnapshotEvery
// iterations and at every checkpoint, restored when an iteration diverges.
// A restore also scales both learning rates by LRFactor. The random streams
// are not rewound, so the retried iterations see fresh batches.
type guard struct {
	cfg       ebm.GuardConfig
	rollbacks int
	lrScale   float64
	goodStep  int
	values    [][]float32 // parameters then buffers, in a fixed order
	opts      [][]byte
	negStep   float64     // the negatives' step size at the snapshot
	cur       [][]float32 // the live state's slices (appendState), reused by snapshot and restore
}

func newGuard(cfg ebm.GuardConfig) guard { return guard{cfg: cfg, lrScale: 1} }

// energiesOK reports whether every energy e is finite and every network
// energy eNet (E_θ, without the base: a far-off generator sample has a
// large but harmless base energy) within the limit.
func (g *guard) energiesOK(e, eNet []float64) bool {
	for i, v := range e {
		if !asm.Finite(v) || !(math.Abs(eNet[i]) <= g.cfg.EnergyLimit) { // NaN fails too
			return false
		}
	}
	return true
}

// appendState appends every tensor the guard copies to s, in a fixed order
// (a reused s makes it allocation-free).
func (t *Trainer) appendState(s [][]float32) [][]float32 {
	for _, ps := range [][]*nn.Param[float32]{t.Nets.Energy.Params(), t.Nets.Generator.Params(), t.bounds.Lower.AuxParams()} {
		for _, p := range ps {
			s = append(s, p.Value)
		}
	}
	if t.ema != nil {
		for _, p := range t.ema.Params() {
			s = append(s, p.Value)
		}
	}
	for _, n := range []*nn.Network[float32]{t.Nets.Energy, t.Nets.Generator} {
		for _, b := range n.Buffers() {
			s = append(s, b.Value)
		}
	}
	return s
}

// snapshot records the current state as the last good one.
func (g *guard) snapshot(t *Trainer) {
	g.cur = t.appendState(g.cur[:0])
	if len(g.values) != len(g.cur) {
		g.values = make([][]float32, len(g.cur))
	}
	for i, v := range g.cur {
		g.values[i] = append(g.values[i][:0], v...)
	}
	if len(g.opts) != len(t.optimizers) {
		g.opts = make([][]byte, len(t.optimizers))
	}
	for i, o := range t.optimizers {
		b, err := o.AppendBinary(g.opts[i][:0]) // the last snapshot's buffer
		if err != nil {
			panic("trainer: optimizer state: " + err.Error()) // in-memory encoding cannot fail
		}
		g.opts[i] = b
	}
	g.goodStep = t.step
	if t.negatives != nil {
		g.negStep = t.negatives.StepSize()
	}
}

// restore rolls t back to the snapshot and lowers the learning rates; it
// reports false when the rollbacks are used up.
func (g *guard) restore(t *Trainer) bool {
	if g.rollbacks >= g.cfg.MaxRollbacks {
		return false
	}
	g.rollbacks++
	g.cur = t.appendState(g.cur[:0])
	for i, v := range g.cur {
		copy(v, g.values[i])
	}
	for i, o := range t.optimizers {
		if err := o.UnmarshalBinary(g.opts[i]); err != nil {
			panic("trainer: optimizer state: " + err.Error())
		}
	}
	t.step = g.goodStep
	if t.negatives != nil {
		_ = t.negatives.SetStepSize(g.negStep) // a step size it had
	}
	g.lrScale *= g.cfg.LRFactor
	t.applyLRScale()
	return true
}

// applyLRScale sets the optimisers' learning rates to the configured ones
// times the guard's scale.
func (t *Trainer) applyLRScale() {
	s := t.guard.lrScale
	t.optE.Config.LR = t.cfg.OptE.LR * s
	t.optG.Config.LR = t.cfg.OptG.LR * s
	if t.optAux != nil {
		t.optAux.Config.LR = t.cfg.OptG.LR * s
	}
}
