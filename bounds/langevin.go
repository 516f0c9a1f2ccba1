package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Target is an unnormalised log-density on R^n for the Langevin sampler.
type Target[T asm.Float] interface {
	// Dim returns n, the width of one sample.
	Dim() int
	// Eval sets logp[b] = log π(z_b) up to a constant (−Inf where π
	// vanishes or is undefined) and grad (B×n) = ∇ log π(z_b) for the B×n
	// batch z.
	Eval(z []T, logp []float64, grad []T)
}

// Langevin runs B independent chains of overdamped Langevin dynamics
// dZ = ∇ log π(Z) dt + √2 dW, discretised by Euler–Maruyama,
//
//	z ← z + h·∇ log π(z) + √(2h)·ξ,  ξ ∼ N(0, I),
//
// optionally with a Metropolis–Hastings correction (MALA: the move is a
// proposal, accepted with probability min(1, π(z')q(z|z')/π(z)q(z'|z)),
// q(z'|z) = N(z + h∇ log π(z), 2hI)), which removes the discretisation
// bias. Without MALA the chains sample a distribution that differs from π
// by O(h). The vector updates run on the asm kernels; a step allocates
// nothing and costs one target evaluation.
//
// All random draws come from the sampler's stream: ξ (B·n normals per step)
// and, with MALA, one uniform per chain and step. A Langevin is not safe
// for concurrent use.
type Langevin[T asm.Float] struct {
	target   Target[T]
	h        float64
	mala     bool
	stream   *nn.Stream
	n, maxB  int
	b        int // batch of the current state
	ready    bool
	grad     []T // ∇ log π at the chains' state
	logp     []float64
	prop, xi []T
	pgrad    []T
	plogp    []float64

	accepted, proposed int64
	alpha              float64 // Σ_b min(1, A_b) of the last MALA step
	proposedLast       int     // chains of the last step
}

// NewLangevin returns a sampler for target with step size h > 0, for at
// most maxBatch chains.
func NewLangevin[T asm.Float](target Target[T], maxBatch int, h float64, mala bool, stream *nn.Stream) (*Langevin[T], error) {
	if !(h > 0) || math.IsInf(h, 1) {
		return nil, fmt.Errorf("bounds: Langevin step size %v, want a finite value > 0", h)
	}
	if maxBatch < 1 || stream == nil || target == nil {
		return nil, fmt.Errorf("bounds: Langevin needs a target, maxBatch ≥ 1 and a stream")
	}
	n := target.Dim()
	l := &Langevin[T]{target: target, h: h, mala: mala, stream: stream, n: n, maxB: maxBatch,
		grad: make([]T, maxBatch*n), logp: make([]float64, maxBatch), xi: make([]T, maxBatch*n)}
	if mala {
		l.prop = make([]T, maxBatch*n)
		l.pgrad = make([]T, maxBatch*n)
		l.plogp = make([]float64, maxBatch)
	}
	return l, nil
}

// StepSize returns h.
func (l *Langevin[T]) StepSize() float64 { return l.h }

// SetStepSize sets the step size h > 0 of the following steps (the state
// stays evaluated: the target does not depend on h).
func (l *Langevin[T]) SetStepSize(h float64) error {
	if !(h > 0) || math.IsInf(h, 1) {
		return fmt.Errorf("bounds: Langevin step size %v, want a finite value > 0", h)
	}
	l.h = h
	return nil
}

// AcceptProb returns the mean over the chains of the Metropolis acceptance
// probability min(1, A_b) of the last MALA step (0 for a proposal where π
// vanishes): the Rao–Blackwellised acceptance rate, a smoother signal for
// step-size adaptation than the accepted count. NaN without MALA or before
// the first step.
func (l *Langevin[T]) AcceptProb() float64 {
	if !l.mala || l.proposedLast == 0 {
		return math.NaN()
	}
	return l.alpha / float64(l.proposedLast)
}

// MALA reports whether the Metropolis correction is on.
func (l *Langevin[T]) MALA() bool { return l.mala }

// batch checks the chain state z.
func (l *Langevin[T]) batch(z []T) int {
	if len(z)%l.n != 0 || len(z) == 0 || len(z) > l.maxB*l.n {
		panic(fmt.Sprintf("bounds: Langevin: state of %d values for width %d and at most %d chains", len(z), l.n, l.maxB))
	}
	return len(z) / l.n
}

// Reset evaluates the target at the chains' state z (B×n). Call it before
// stepping, and again whenever z or the target changed outside Step.
func (l *Langevin[T]) Reset(z []T) {
	B := l.batch(z)
	l.target.Eval(z, l.logp[:B], l.grad[:B*l.n])
	l.b, l.ready = B, true
}

// prime marks the state as evaluated by the caller, who fills the returned
// log-density and gradient buffers.
func (l *Langevin[T]) prime(B int) (logp []float64, grad []T) {
	l.b, l.ready = B, true
	return l.logp[:B], l.grad[:B*l.n]
}

// Step advances every chain of z by one step in place and returns the
// number of accepted moves (B without MALA). The state must be Reset.
func (l *Langevin[T]) Step(z []T) int {
	B := l.batch(z)
	if !l.ready || B != l.b {
		panic("bounds: Langevin.Step before Reset with this batch")
	}
	m := B * l.n
	xi := l.xi[:m]
	nn.Normal(l.stream, xi)
	noise := math.Sqrt(2 * l.h)
	if !l.mala {
		asm.Axpy(T(l.h), l.grad[:m], z)
		asm.Axpy(T(noise), xi, z)
		l.target.Eval(z, l.logp[:B], l.grad[:m])
		l.accepted += int64(B)
		l.proposed += int64(B)
		return B
	}
	prop := l.prop[:m]
	copy(prop, z)
	asm.Axpy(T(l.h), l.grad[:m], prop)
	asm.Axpy(T(noise), xi, prop)
	l.target.Eval(prop, l.plogp[:B], l.pgrad[:m])
	n, h := l.n, l.h
	acc := 0
	l.alpha, l.proposedLast = 0, B
	for b := 0; b < B; b++ {
		u := l.stream.Float64() // one draw per chain, accepted or not
		lp := l.plogp[b]
		if !asm.Finite(lp) {
			continue // reject a proposal where π vanishes or is undefined
		}
		// log q(z|z') − log q(z'|z): the forward residual is √(2h)ξ, so its
		// term is ½‖ξ‖²; the reverse one is z − z' − h∇ log π(z').
		zb, pb, gb := z[b*n:(b+1)*n], prop[b*n:(b+1)*n], l.pgrad[b*n:(b+1)*n]
		var rev float64
		for j := range zb {
			t := float64(zb[j]) - float64(pb[j]) - h*float64(gb[j])
			rev += t * t
		}
		xb := xi[b*n : (b+1)*n]
		logA := lp - l.logp[b] - rev/(4*h) + float64(asm.Dot(xb, xb))/2
		if a := math.Exp(math.Min(logA, 0)); a >= 0 { // NaN-safe
			l.alpha += a
		}
		if !(math.Log(u) < logA) {
			continue
		}
		acc++
		copy(zb, pb)
		copy(l.grad[b*n:(b+1)*n], gb)
		l.logp[b] = lp
	}
	l.accepted += int64(acc)
	l.proposed += int64(B)
	return acc
}

// Run resets the sampler at z, advances the chains steps times and returns
// the fraction of accepted moves (1 without MALA; NaN for no steps).
func (l *Langevin[T]) Run(z []T, steps int) float64 {
	l.Reset(z)
	B := l.b
	acc := 0
	for i := 0; i < steps; i++ {
		acc += l.Step(z)
	}
	if steps <= 0 {
		return math.NaN()
	}
	return float64(acc) / float64(steps*B)
}

// Acceptance returns the accepted and proposed moves since the sampler was
// made (or ResetCounts).
func (l *Langevin[T]) Acceptance() (accepted, proposed int64) { return l.accepted, l.proposed }

// ResetCounts zeroes the acceptance counters.
func (l *Langevin[T]) ResetCounts() { l.accepted, l.proposed = 0, 0 }

// EnergyTarget is the data-space target π(x) ∝ exp(−E_θ(x) − B(x)) of an
// energy network with its base B (ConfinedEnergy): the EBM sampler of the
// CLI and the trainer's refined negatives.
type EnergyTarget[T asm.Float] struct {
	en *ConfinedEnergy[T]
}

// NewEnergyTarget returns the target of energy (D → 1) with the base b,
// for batches of at most maxBatch samples.
func NewEnergyTarget[T asm.Float](energy *nn.Network[T], b Base[T], maxBatch int) (*EnergyTarget[T], error) {
	en, err := NewConfinedEnergy(energy, b, maxBatch, 0)
	if err != nil {
		return nil, err
	}
	return &EnergyTarget[T]{en: en}, nil
}

// Dim implements Target.
func (t *EnergyTarget[T]) Dim() int { return t.en.D }

// Eval implements Target: log π = −E, ∇ log π = −∇_x E.
func (t *EnergyTarget[T]) Eval(x []T, logp []float64, grad []T) {
	B := len(x) / t.en.D
	e, g := t.en.Score(x)
	for b := 0; b < B; b++ {
		logp[b] = -e[b]
	}
	copy(grad, g)
	asm.Scal(-1, grad[:B*t.en.D])
}

// LatentTarget is the latent-space target of the diffusion bound,
//
//	π_s(z) ∝ p(z)·e^{s·f(z)},  ∇ log π_s = −z + s·∇_z f(z),
//
// the geometric path from the prior (s = 0) to the EBM pulled back through
// the generator (s = 1): for a bijective G, G(Z) with Z ∼ π_1 has law p_θ.
// f uses the exact log-det or the singular-value surrogate (see
// DiffusionConfig.LogDet). Samples with a singular Jacobian get
// log π = −Inf (MALA rejects them).
type LatentTarget[T asm.Float] struct {
	// S is the path parameter s ∈ [0, 1].
	S  float64
	le *latentEval[T]
}

// NewLatentTarget returns the latent target of nets for batches of at most
// maxBatch latents, with log-det method logdet ("exact", "smin" or "" as
// in GPConfig) and, for smin, the LOBPCG settings lob and starts drawn from
// stream.
func NewLatentTarget[T asm.Float](nets Nets[T], logdet string, lob LOBPCGConfig, maxBatch int, stream *nn.Stream) (*LatentTarget[T], error) {
	if err := nets.validate(true); err != nil {
		return nil, err
	}
	d, _ := nets.dims()
	ld, err := resolveLogDet(logdet, d)
	if err != nil {
		return nil, err
	}
	if err := lob.check(); err != nil {
		return nil, err
	}
	if maxBatch < 1 || stream == nil {
		return nil, fmt.Errorf("bounds: LatentTarget needs maxBatch ≥ 1 and a stream")
	}
	return &LatentTarget[T]{S: 1, le: newLatentEval(nets, ld, lob, 0, maxBatch, false, stream)}, nil
}

// Dim implements Target.
func (t *LatentTarget[T]) Dim() int { return t.le.d }

// Eval implements Target.
func (t *LatentTarget[T]) Eval(z []T, logp []float64, grad []T) {
	t.le.eval(z)
	t.fromLast(logp, grad)
}

// fromLast fills log π_s and its gradient from the latent evaluator's last
// eval (at the latents it was given).
func (t *LatentTarget[T]) fromLast(logp []float64, grad []T) {
	le := t.le
	B, d := le.B, le.d
	copy(grad, le.z[:B*d])
	asm.Scal(-1, grad[:B*d])
	asm.Axpy(T(t.S), le.gf[:B*d], grad[:B*d])
	for b := 0; b < B; b++ {
		zb := le.z[b*d : (b+1)*d]
		if le.bad[b] {
			logp[b] = math.Inf(-1)
			continue
		}
		logp[b] = -float64(asm.Dot(zb, zb))/2 + t.S*le.f[b]
	}
}

// Generated returns G(z) (B×D) at the latents of the last evaluation, a view
// valid until the next one.
func (t *LatentTarget[T]) Generated() []T { return t.le.x[:t.le.B*t.le.D] }
