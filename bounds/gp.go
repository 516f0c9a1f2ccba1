package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// GPConfig selects the gradient-penalty upper bound (SPEC §4(c)).
type GPConfig struct {
	// Weight is the TRAINING weight λ of the penalty (0 selects 1e-3, the
	// reference code's gp_weight). The reported bound always uses λ = 1.
	Weight float64 `json:"weight" help:"training weight λ of the penalty λ·Û_c, > 0 (the reported bound uses λ = 1)"`
	// Hinge τ ≥ 0 makes the penalty ReLU(λ·R − τ) (the code's thre).
	Hinge float64 `json:"hinge" help:"τ of the hinged penalty ReLU(λ·Û_c − τ), ≥ 0"`
	// Schedule is "constant" (the default) or "decay": λ_t = 0.7·(2307+t)^−0.55
	// in place of Weight (the code's ada).
	Schedule string `json:"schedule" help:"constant, or decay: λ_t = 0.7·(2307 + t)^−0.55 in place of weight"`
	// LogDet is "exact", "smin" or "" (exact for d ≤ ExactLogDetMaxDim):
	// how ∇_z ½ log det(JᵀJ) in b_i is evaluated.
	LogDet string `json:"log_det" help:"the log-det in ∇_z f: exact or smin (\"\": exact for latent width ≤ 16, else smin)"`
	// LOBPCGIters and LOBPCGTol set the s_min solver of LogDet "smin".
	LOBPCGIters int     `json:"lobpcg_iters" help:"LOBPCG iterations of the smin log-det, ≥ 1"`
	LOBPCGTol   float64 `json:"lobpcg_tol" help:"relative residual at which that LOBPCG stops early, ≥ 0 (0: none)"`
	// FullGradient replaces the one-probe Hutchinson estimate of the
	// reference code, (v·∇_z f)², by ‖∇_z f‖² itself: same expectation, no
	// probe variance, and the same cost (J∇_z f instead of Jv).
	FullGradient bool `json:"full_gradient" help:"use ‖∇_z f‖² instead of one Hutchinson probe (same mean, no probe variance)"`
}

// GradientPenalty is the first-order upper bound on the gap,
//
//	Û_c = ½·E_{z∼p}‖∇_z f(z)‖²,  ∇_z f = −Jᵀ∇_x E(G(z)) + z + ∇_z ½ log det(JᵀJ),
//
// the s = 0 end of the diffusion integral (SPEC §4(c)). It is exact when
// q = p_θ and a rigorous bound only under a log-Sobolev assumption on π_1;
// it can under-estimate the gap when the EBM is wider than the generator.
// As in the released NeurIPS code it is estimated with one Hutchinson probe
// v ∼ N(0, I_d) per sample: a_i = ∇_x E(x_i)·(J v_i),
// b_i = v_i·∇_z(½‖z‖² + ½ log det JᵀJ), Û_c ≈ ½·mean (a_i − b_i)².
//
// Training penalty: ReLU(λ_t·R − τ), R the same estimate. Its θ-gradient
// holds J v_i and b_i constant: ∂R/∂θ = mean (a_i − b_i)·∂_θ[∇_x E_θ(x_i)·w_i]
// with w_i = J v_i fixed, a mixed second derivative (one tangent pass of the
// energy and its reverse mode). The generator gets no gradient.
type GradientPenalty[T asm.Float] struct {
	cfg    GPConfig
	logdet string
	nets   Nets[T]
	d, D   int
	maxB   int
	stream *nn.Stream
	le     *latentEval[T]

	v, w     []T
	r, vals  []float64
	coef     []float64
	lastB    int
	schedule string
}

// NewGradientPenalty returns the gradient-penalty bound for nets and
// batches of at most maxBatch latents; the Hutchinson probes and LOBPCG
// starts come from stream.
func NewGradientPenalty[T asm.Float](nets Nets[T], cfg GPConfig, maxBatch int, stream *nn.Stream) (*GradientPenalty[T], error) {
	if err := nets.validate(true); err != nil {
		return nil, err
	}
	if maxBatch < 1 || stream == nil {
		return nil, fmt.Errorf("bounds: GradientPenalty needs maxBatch ≥ 1 and a stream")
	}
	cfg = cfg.WithDefaults()
	if !(cfg.Weight > 0) || !(cfg.Hinge >= 0) || math.IsInf(cfg.Weight, 1) || math.IsInf(cfg.Hinge, 1) {
		return nil, fmt.Errorf("bounds: GradientPenalty: weight %v and hinge %v must be finite, weight > 0, hinge ≥ 0", cfg.Weight, cfg.Hinge)
	}
	d, D := nets.dims()
	logdet, err := resolveLogDet(cfg.LogDet, d)
	if err != nil {
		return nil, err
	}
	sched, err := checkSchedule(cfg.Schedule)
	if err != nil {
		return nil, err
	}
	lc := LOBPCGConfig{cfg.LOBPCGIters, cfg.LOBPCGTol}
	if err := lc.check(); err != nil {
		return nil, err
	}
	extra := 0
	if logdet == "smin" && !cfg.FullGradient {
		extra = 1 // J v rides along with J v_min
	}
	return &GradientPenalty[T]{
		cfg: cfg, logdet: logdet, nets: nets, d: d, D: D, maxB: maxBatch, stream: stream, schedule: sched,
		le: newLatentEval(nets, logdet, lc, extra, maxBatch, false, stream),
		v:  make([]T, maxBatch*d), w: make([]T, maxBatch*D),
		r: make([]float64, maxBatch), vals: make([]float64, maxBatch), coef: make([]float64, maxBatch),
	}, nil
}

// Name implements GapUpper.
func (g *GradientPenalty[T]) Name() string {
	est := "hutchinson"
	if g.cfg.FullGradient {
		est = "full"
	}
	lam := fmt.Sprintf("λ=%g", g.cfg.Weight)
	if g.schedule == "decay" {
		lam = "λ_t=0.7(2307+t)^-0.55"
	}
	return fmt.Sprintf("gp(%s, %s log-det; train %s, τ=%g)", est, g.logdet, lam, g.cfg.Hinge)
}

// PerSample implements PerSample: ½(a_i − b_i)² (or ½‖∇_z f‖²) per sample,
// NaN for a sample with a singular Jacobian.
func (g *GradientPenalty[T]) PerSample() []float64 { return g.vals[:g.lastB] }

// Lambda returns the training weight λ_t at a step.
func (g *GradientPenalty[T]) Lambda(step int) float64 {
	return lambdaAt(g.schedule, g.cfg.Weight, step)
}

// Skipped returns the number of samples of the last call left out for a
// singular Jacobian or non-finite values.
func (g *GradientPenalty[T]) Skipped() int { return g.le.sing }

// Gap implements GapUpper: Evaluate, then Penalize.
func (g *GradientPenalty[T]) Gap(z []T, step int, weight float64) (Estimate, float64, error) {
	if err := g.Evaluate(z); err != nil {
		return Estimate{}, 0, err
	}
	return g.Penalize(step, weight)
}

// Evaluate is the first half of Gap: it draws the probes and evaluates f
// and ∇_z f at the latents z, for a caller that reads f (LatentValues)
// before the penalty's backward pass (Penalize).
func (g *GradientPenalty[T]) Evaluate(z []T) error {
	B, err := latentBatch("GradientPenalty", len(z), g.d, g.maxB)
	if err != nil {
		return err
	}
	g.lastB = B
	if !g.cfg.FullGradient {
		nn.Normal(g.stream, g.v[:B*g.d])
		if g.logdet == "smin" {
			copy(g.le.probes(B), g.v[:B*g.d])
		}
	}
	g.le.eval(z)
	return nil
}

// LatentValues returns f(z_b) and x_b = G(z_b) (B×D) at the latents of the
// last Evaluate, views valid until the next one; f is −∞ for a sample the
// bound leaves out (a singular Jacobian or a non-finite value), the weight
// 0 of SelfNormalizedWeights.
func (g *GradientPenalty[T]) LatentValues() (f []float64, x []T) {
	return g.le.f[:g.lastB], g.le.x[:g.lastB*g.D]
}

// Penalize is the second half of Gap, on the latents of the last Evaluate:
// the bound's estimate and the training penalty, whose θ-gradient it
// accumulates with the factor weight.
func (g *GradientPenalty[T]) Penalize(step int, weight float64) (Estimate, float64, error) {
	B, d, D := g.lastB, g.d, g.D
	le := g.le
	v, w := g.v[:B*d], g.w[:B*D]
	full := g.cfg.FullGradient
	for b := 0; b < B; b++ {
		gf := le.gf[b*d : (b+1)*d]
		switch {
		case le.bad[b]:
			g.r[b], g.vals[b] = 0, math.NaN()
		case full:
			g.vals[b] = float64(asm.Dot(gf, gf)) / 2
		default:
			r := -float64(asm.Dot(v[b*d:(b+1)*d], gf)) // a_i − b_i
			g.r[b], g.vals[b] = r, r*r/2
		}
	}
	bound, skipped := MeanSE(g.vals[:B])
	if skipped == B {
		return bound, 0, fmt.Errorf("bounds: %s: every Jacobian of the batch is singular", g.Name())
	}
	lam := g.Lambda(step)
	R := bound.Value
	penalty := math.Max(lam*R-g.cfg.Hinge, 0)
	if weight == 0 || !(lam*R > g.cfg.Hinge) {
		return bound, penalty, nil
	}
	n := float64(B - skipped)
	for b := 0; b < B; b++ {
		switch {
		case le.bad[b]:
			g.coef[b] = 0
		case full:
			g.coef[b] = -weight * lam / n // ∂½‖∇f‖²/∂θ = −∂_θ[∇E·J∇f]
		default:
			g.coef[b] = weight * lam * g.r[b] / n
		}
	}
	switch {
	case full:
		le.jprod(le.gf[:B*d], w)
	case g.logdet == "smin":
		copy(w, le.cols[B*D:2*B*D]) // J v from the surrogate's tangent pass
	default:
		le.jprod(v, w)
	}
	le.en.MixedBackward(le.x[:B*D], w, g.coef[:B])
	return bound, penalty, nil
}
