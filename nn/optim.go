package nn

import (
	"errors"
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/parallel"
)

// An Optimizer updates a fixed list of parameters from their gradients.
// Its state (moments, step count, hyperparameters) round-trips through
// MarshalBinary/UnmarshalBinary, for checkpoints.
type Optimizer interface {
	// Step applies one update from the current gradients. It allocates
	// nothing.
	Step()
	// Steps returns the number of updates applied so far.
	Steps() int64
	// Finite reports whether every parameter and every value of the
	// optimizer's state is finite: a divergence guard checks it after each
	// update, so that a non-finite state is never kept.
	Finite() bool
	MarshalBinary() ([]byte, error)
	// AppendBinary appends MarshalBinary's encoding to b: a caller that
	// keeps the buffer encodes the state again without allocating.
	AppendBinary(b []byte) ([]byte, error)
	UnmarshalBinary([]byte) error
}

// AdamConfig holds Adam's hyperparameters (torch.optim.Adam / AdamW).
type AdamConfig struct {
	LR          float64 `json:"lr" help:"learning rate, > 0"`
	Beta1       float64 `json:"beta1" help:"decay of the first-moment average, in [0, 1)"`
	Beta2       float64 `json:"beta2" help:"decay of the second-moment average, in [0, 1)"`
	Eps         float64 `json:"eps" help:"denominator guard ε, > 0"`
	WeightDecay float64 `json:"weight_decay" help:"weight decay, ≥ 0 (0: none)"`
	// Decoupled selects AdamW: the weight decay shrinks the parameters
	// directly (p ← p·(1 − lr·wd)) instead of adding wd·p to the gradient.
	Decoupled bool `json:"decoupled" help:"AdamW: decay the weights directly instead of adding wd·p to the gradient"`
}

// DefaultAdam returns torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
// no weight decay.
func DefaultAdam() AdamConfig { return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Adam is the Adam / AdamW optimizer with torch's update:
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//	p ← p − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + eps)
//
// Config may be changed between steps (e.g. a learning-rate schedule). With
// linalg.Workers() > 1 a large update is split over that many goroutines
// (element-wise, so the result does not depend on the split).
type Adam[T asm.Float] struct {
	Config AdamConfig
	params []*Param[T]
	m, v   [][]T
	t      int64

	n    int                   // total parameter count
	coef adamCoef[T]           // of the step in progress
	grp  parallel.Group        // for runParts
	part func(part, parts int) // a.runPart, made once
}

// adamCoef holds the scalars of one step.
type adamCoef[T asm.Float] struct {
	b1, b2, stepSize, invBc2, eps, wd, decay T
	decoupled                                bool
}

// NewAdam returns an Adam optimizer over params.
func NewAdam[T asm.Float](params []*Param[T], cfg AdamConfig) *Adam[T] {
	a := &Adam[T]{Config: cfg, params: params}
	for _, p := range params {
		a.m = append(a.m, make([]T, len(p.Value)))
		a.v = append(a.v, make([]T, len(p.Value)))
		a.n += len(p.Value)
	}
	a.part = a.runPart
	return a
}

// Steps returns the number of steps taken.
func (a *Adam[T]) Steps() int64 { return a.t }

// Step applies one Adam update.
func (a *Adam[T]) Step() {
	a.t++
	c := a.Config
	a.coef = adamCoef[T]{
		b1: T(c.Beta1), b2: T(c.Beta2),
		stepSize:  T(c.LR / (1 - math.Pow(c.Beta1, float64(a.t)))),
		invBc2:    T(1 / math.Sqrt(1-math.Pow(c.Beta2, float64(a.t)))),
		eps:       T(c.Eps),
		wd:        T(c.WeightDecay),
		decay:     T(1 - c.LR*c.WeightDecay),
		decoupled: c.Decoupled,
	}
	runParts(a.part, a.n, &a.grp)
}

// runPart updates the elements of part out of parts, counting through the
// parameters in order.
func (a *Adam[T]) runPart(part, parts int) {
	lo, hi := partRange(part, parts, a.n)
	off := 0
	for i, p := range a.params {
		n := len(p.Value)
		from, to := max(lo-off, 0), min(hi-off, n)
		off += n
		if from >= to {
			continue
		}
		a.update(p.Value[from:to], p.Grad[from:to], a.m[i][from:to], a.v[i][from:to])
	}
}

func (a *Adam[T]) update(w, g, m, v []T) {
	c := &a.coef
	if asm.Is32[T]() {
		// float32: the asm kernel, one pass over w, g, m and v.
		k := asm.AdamCoef{
			Beta1: float32(c.b1), Beta2: float32(c.b2), StepSize: float32(c.stepSize),
			InvBc2: float32(c.invBc2), Eps: float32(c.eps), Decay: 1,
		}
		if c.decoupled {
			k.Decay = float32(c.decay)
		} else {
			k.WeightDecay = float32(c.wd)
		}
		asm.Sadam(asm.As32(w), asm.As32(g), asm.As32(m), asm.As32(v), k)
		return
	}
	adamUpdate(w, g, m, v, c.b1, c.b2, c.stepSize, c.invBc2, c.eps, c.wd, c.decay, c.decoupled)
}

// adamUpdate is the Adam step in plain Go, for float64 (exact references
// and the torch comparison); float32 goes through asm.Sadam.
func adamUpdate[T asm.Float](w, g, m, v []T, b1, b2, stepSize, invBc2, eps, wd, decay T, decoupled bool) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i, wi := range w {
		gi := g[i]
		if decoupled {
			wi *= decay
		} else if wd != 0 {
			gi += wd * wi
		}
		mi := b1*m[i] + (1-b1)*gi
		vi := b2*v[i] + (1-b2)*gi*gi
		m[i], v[i] = mi, vi
		w[i] = wi - stepSize*mi/(T(math.Sqrt(float64(vi)))*invBc2+eps)
	}
}

// SGDConfig holds SGD's hyperparameters (torch.optim.SGD).
type SGDConfig struct {
	LR          float64 `json:"lr"`
	Momentum    float64 `json:"momentum,omitempty"`
	Dampening   float64 `json:"dampening,omitempty"`
	WeightDecay float64 `json:"weight_decay,omitempty"`
	Nesterov    bool    `json:"nesterov,omitempty"`
}

// SGD is stochastic gradient descent with momentum, with torch's update:
// g ← g + wd·p; b ← μb + (1−dampening)g (b = g at the first step);
// g ← g + μb (Nesterov) or b; p ← p − lr·g.
type SGD[T asm.Float] struct {
	Config SGDConfig
	params []*Param[T]
	buf    [][]T
	t      int64
}

// NewSGD returns an SGD optimizer over params.
func NewSGD[T asm.Float](params []*Param[T], cfg SGDConfig) *SGD[T] {
	s := &SGD[T]{Config: cfg, params: params}
	for _, p := range params {
		s.buf = append(s.buf, make([]T, len(p.Value)))
	}
	return s
}

// Steps returns the number of steps taken.
func (s *SGD[T]) Steps() int64 { return s.t }

// Step applies one SGD update.
func (s *SGD[T]) Step() {
	c := s.Config
	lr, mu, damp, wd := T(c.LR), T(c.Momentum), T(1-c.Dampening), T(c.WeightDecay)
	first := s.t == 0
	s.t++
	for k, p := range s.params {
		w, g, b := p.Value, p.Grad[:len(p.Value)], s.buf[k][:len(p.Value)]
		for i, wi := range w {
			gi := g[i] + wd*wi
			if mu != 0 {
				if first {
					b[i] = gi
				} else {
					b[i] = mu*b[i] + damp*gi
				}
				if c.Nesterov {
					gi += mu * b[i]
				} else {
					gi = b[i]
				}
			}
			w[i] = wi - lr*gi
		}
	}
}

// ClipGradNorm scales the gradients of params so that their joint Euclidean
// norm is at most maxNorm (torch.nn.utils.clip_grad_norm_: factor
// maxNorm/(norm + 1e-6) when below 1) and returns the norm before clipping.
// A non-finite norm leaves the gradients unchanged; skip the step then.
func ClipGradNorm[T asm.Float](params []*Param[T], maxNorm float64) float64 {
	var s float64
	for _, p := range params {
		for _, g := range p.Grad {
			s += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(s)
	if math.IsInf(norm, 0) || math.IsNaN(norm) {
		return norm
	}
	if c := maxNorm / (norm + 1e-6); c < 1 {
		for _, p := range params {
			asm.Scal(T(c), p.Grad)
		}
	}
	return norm
}

// Optimizer state encoding: a magic naming the optimizer, the config as
// float64s, the step, and per parameter its name and slot vectors as
// float64 (exact for float32 and float64 parameters alike).

const (
	adamMagic = "ebmcpu-adam-v1"
	sgdMagic  = "ebmcpu-sgd-v1"
)

func appendSlots[T asm.Float](b []byte, params []*Param[T], slots ...[][]T) []byte {
	b = appendUvarint(b, uint64(len(params)))
	for i, p := range params {
		b = appendString(b, p.Name)
		b = appendUvarint(b, uint64(len(p.Value)))
		for _, s := range slots {
			for _, v := range s[i] {
				b = appendF64(b, float64(v))
			}
		}
	}
	return b
}

// readSlots validates the parameter list against params and fills slots.
func readSlots[T asm.Float](r *reader, what string, params []*Param[T], slots ...[][]T) error {
	n := r.uvarint()
	if r.err == nil && n != uint64(len(params)) {
		return fmt.Errorf("nn: %s state holds %d parameters, optimizer has %d", what, n, len(params))
	}
	for i, p := range params {
		name := r.string()
		size := r.uvarint()
		if r.err != nil {
			break
		}
		if name != p.Name || size != uint64(len(p.Value)) {
			return fmt.Errorf("nn: %s state: parameter %d is %s (%d values), optimizer has %s (%d values)",
				what, i, name, size, p.Name, len(p.Value))
		}
		for _, s := range slots {
			for j := range s[i] {
				s[i][j] = T(r.f64())
			}
		}
	}
	if err := r.done(); err != nil {
		return fmt.Errorf("nn: %s state: %w", what, err)
	}
	return nil
}

// Finite implements Optimizer.
func (a *Adam[T]) Finite() bool {
	for i, p := range a.params {
		if !asm.AllFinite(p.Value, a.m[i], a.v[i]) {
			return false
		}
	}
	return true
}

// MarshalBinary encodes the configuration, step count and moments.
func (a *Adam[T]) MarshalBinary() ([]byte, error) { return a.AppendBinary(nil) }

// AppendBinary appends the encoding of MarshalBinary to b.
func (a *Adam[T]) AppendBinary(b []byte) ([]byte, error) {
	c := a.Config
	b = append(b, adamMagic...)
	for _, v := range []float64{c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay} {
		b = appendF64(b, v)
	}
	b = append(b, boolByte(c.Decoupled))
	b = appendUvarint(b, uint64(a.t))
	return appendSlots(b, a.params, a.m, a.v), nil
}

// UnmarshalBinary restores a state from MarshalBinary; the parameter names
// and sizes must match. On error the optimizer is unchanged.
func (a *Adam[T]) UnmarshalBinary(data []byte) error {
	r := &reader{b: data}
	if string(r.take(len(adamMagic))) != adamMagic {
		return errors.New("nn: not an Adam state")
	}
	var c AdamConfig
	c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay = r.f64(), r.f64(), r.f64(), r.f64(), r.f64()
	c.Decoupled = r.u8() != 0
	t := r.uvarint()
	tmp := NewAdam(a.params, c)
	if err := readSlots(r, "Adam", a.params, tmp.m, tmp.v); err != nil {
		return err
	}
	a.Config, a.t = c, int64(t)
	for i := range a.m {
		copy(a.m[i], tmp.m[i])
		copy(a.v[i], tmp.v[i])
	}
	return nil
}

// Finite implements Optimizer.
func (s *SGD[T]) Finite() bool {
	for i, p := range s.params {
		if !asm.AllFinite(p.Value) || (s.buf[i] != nil && !asm.AllFinite(s.buf[i])) {
			return false
		}
	}
	return true
}

// MarshalBinary encodes the configuration, step count and momentum buffers.
func (s *SGD[T]) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// AppendBinary appends the encoding of MarshalBinary to b.
func (s *SGD[T]) AppendBinary(b []byte) ([]byte, error) {
	c := s.Config
	b = append(b, sgdMagic...)
	for _, v := range []float64{c.LR, c.Momentum, c.Dampening, c.WeightDecay} {
		b = appendF64(b, v)
	}
	b = append(b, boolByte(c.Nesterov))
	b = appendUvarint(b, uint64(s.t))
	return appendSlots(b, s.params, s.buf), nil
}

// UnmarshalBinary restores a state from MarshalBinary; the parameter names
// and sizes must match. On error the optimizer is unchanged.
func (s *SGD[T]) UnmarshalBinary(data []byte) error {
	r := &reader{b: data}
	if string(r.take(len(sgdMagic))) != sgdMagic {
		return errors.New("nn: not an SGD state")
	}
	var c SGDConfig
	c.LR, c.Momentum, c.Dampening, c.WeightDecay = r.f64(), r.f64(), r.f64(), r.f64()
	c.Nesterov = r.u8() != 0
	t := r.uvarint()
	tmp := NewSGD(s.params, c)
	if err := readSlots(r, "SGD", s.params, tmp.buf); err != nil {
		return err
	}
	s.Config, s.t = c, int64(t)
	for i := range s.buf {
		copy(s.buf[i], tmp.buf[i])
	}
	return nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
