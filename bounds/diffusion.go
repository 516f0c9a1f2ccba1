package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/nn"
)

// DiffusionConfig selects the diffusion upper bound (SPEC §4(d)).
type DiffusionConfig struct {
	// Nodes is the number K of quadrature nodes in s (0 selects 5) and
	// Rule the quadrature: "trapezoid" (the default; nodes k/(K−1)) or
	// "gauss-legendre".
	Nodes int    `json:"nodes,omitempty"`
	Rule  string `json:"rule,omitempty"`
	// StepsPerNode Langevin steps of size StepSize are run at each node
	// s > 0, warm-started from the previous node (annealed as in AIS):
	// 0 selects 10 steps and −1 none; 0 selects h = 0.05.
	StepsPerNode int     `json:"steps_per_node,omitempty"`
	StepSize     float64 `json:"step_size,omitempty"`
	// MALA adds the Metropolis correction; Stats reports acceptance rates.
	MALA bool `json:"mala,omitempty"`
	// Weight is the TRAINING weight λ of the penalty λ·Û_d (0 selects
	// 1e-3); Schedule "decay" replaces it by λ_t = 0.7·(2307+t)^−0.55. The
	// reported bound uses λ = 1.
	Weight   float64 `json:"weight,omitempty"`
	Schedule string  `json:"schedule,omitempty"`
	// LogDet ("exact", "smin" or "", as in GPConfig) evaluates the
	// log-volume term of f and ∇_z f; LOBPCGIters and LOBPCGTol set the
	// s_min solver of the surrogate.
	LogDet      string  `json:"log_det,omitempty"`
	LOBPCGIters int     `json:"lobpcg_iters,omitempty"`
	LOBPCGTol   float64 `json:"lobpcg_tol,omitempty"`
}

// DiffusionStats describes the last Diffusion evaluation.
type DiffusionStats struct {
	Nodes, Weights []float64 // quadrature nodes s_k and weights
	Integrand      []float64 // ½·mean‖∇_z f‖² over the π_{s_k} samples
	IntegrandErr   []float64 // its standard error
	// Left and Right are the left and right Riemann sums on the nodes (see
	// the package documentation): the quadrature spread.
	Left, Right float64
	// Acceptance is the MALA acceptance rate of each node's steps (NaN
	// without MALA or without steps at the node).
	Acceptance []float64
	Skipped    int // chains left out for a singular Jacobian or non-finite values
}

// Diffusion is the rigorous upper bound on the gap (SPEC §4(d)):
//
//	KL(q ‖ p_θ) ≤ Û_d = ½ ∫_0^1 E_{z∼π_s}‖∇_z f(z)‖² ds,  π_s ∝ p(z)e^{s f(z)},
//
// from the Gaussian log-Sobolev inequality along the geometric path from
// the latent prior to the pulled-back EBM. It needs f smooth (a smooth
// generator and energy) and, for log Z = log E_p e^f, a bijective G.
//
// Evaluation: a quadrature over s; the B latents z are exact samples of
// π_0 and are carried from node to node by Langevin dynamics on π_s
// (StepsPerNode steps at each node, optionally MALA), each chain
// contributing Σ_k w_k·½‖∇_z f(z_k)‖², so the standard error is that of B
// independent chains. The value carries the quadrature error (Stats gives
// the left/right spread) and, without MALA, the discretisation bias.
//
// Training: the penalty λ_t·Û_d is differentiated with the Langevin samples
// held constant (stop-gradient through the sampler):
// ∂_θ ½‖∇_z f‖² = −∂_θ[∇_x E_θ(x)·w] with w = J·∇_z f fixed, the mixed
// second derivative of bound (c).
type Diffusion[T nn.Float] struct {
	cfg      DiffusionConfig
	logdet   string
	schedule string
	d, D     int
	maxB     int
	steps    int

	target *LatentTarget[T]
	lang   *Langevin[T]
	nodes  []float64
	wts    []float64

	zc      []T // chain state, B×d
	w       []T // J·∇_z f, B×D
	u       []float64
	vals    []float64
	coef    []float64
	samples []T // the samples of every node, K×B×d
	frozen  bool
	lastB   int
	stats   DiffusionStats
}

// NewDiffusion returns the diffusion bound for nets and at most maxBatch
// chains; Langevin noise, MALA uniforms and LOBPCG starts come from stream.
func NewDiffusion[T nn.Float](nets Nets[T], cfg DiffusionConfig, maxBatch int, stream *nn.Stream) (*Diffusion[T], error) {
	if err := nets.validate(true); err != nil {
		return nil, err
	}
	if maxBatch < 1 || stream == nil {
		return nil, fmt.Errorf("bounds: Diffusion needs maxBatch ≥ 1 and a stream")
	}
	if cfg.Nodes == 0 {
		cfg.Nodes = 5
	}
	if cfg.Rule == "" {
		cfg.Rule = "trapezoid"
	}
	if cfg.StepSize == 0 {
		cfg.StepSize = 0.05
	}
	if cfg.Weight == 0 {
		cfg.Weight = 1e-3
	}
	if !(cfg.Weight > 0) || math.IsInf(cfg.Weight, 1) {
		return nil, fmt.Errorf("bounds: Diffusion: weight %v, want a finite value > 0", cfg.Weight)
	}
	steps := defaultInt(cfg.StepsPerNode, 10)
	if steps < 0 {
		return nil, fmt.Errorf("bounds: Diffusion: StepsPerNode = %d", cfg.StepsPerNode)
	}
	nodes, wts, err := quadrature(cfg.Rule, cfg.Nodes)
	if err != nil {
		return nil, err
	}
	sched, err := checkSchedule(cfg.Schedule)
	if err != nil {
		return nil, err
	}
	target, err := NewLatentTarget(nets, cfg.LogDet, LOBPCGConfig{cfg.LOBPCGIters, cfg.LOBPCGTol}, maxBatch, stream)
	if err != nil {
		return nil, err
	}
	lang, err := NewLangevin[T](target, maxBatch, cfg.StepSize, cfg.MALA, stream)
	if err != nil {
		return nil, err
	}
	d, D := nets.dims()
	K := len(nodes)
	return &Diffusion[T]{
		cfg: cfg, logdet: target.le.kindName(), schedule: sched, d: d, D: D, maxB: maxBatch, steps: steps,
		target: target, lang: lang, nodes: nodes, wts: wts,
		zc: make([]T, maxBatch*d), w: make([]T, maxBatch*D),
		u: make([]float64, maxBatch), vals: make([]float64, maxBatch), coef: make([]float64, maxBatch),
		samples: make([]T, K*maxBatch*d),
		stats: DiffusionStats{Nodes: nodes, Weights: wts, Integrand: make([]float64, K),
			IntegrandErr: make([]float64, K), Acceptance: make([]float64, K)},
	}, nil
}

// Name implements GapUpper.
func (g *Diffusion[T]) Name() string {
	lam := fmt.Sprintf("λ=%g", g.cfg.Weight)
	if g.schedule == "decay" {
		lam = "λ_t=0.7(2307+t)^-0.55"
	}
	s := "ula"
	if g.cfg.MALA {
		s = "mala"
	}
	return fmt.Sprintf("diffusion(%d %s nodes, %d %s steps h=%g, %s log-det; train %s)",
		len(g.nodes), g.cfg.Rule, g.steps, s, g.cfg.StepSize, g.logdet, lam)
}

// Stats returns the diagnostics of the last Gap call (its slices are
// reused by the next call).
func (g *Diffusion[T]) Stats() DiffusionStats { return g.stats }

// PerSample implements PerSample: Σ_k w_k·½‖∇_z f(z_k)‖² per chain.
func (g *Diffusion[T]) PerSample() []float64 { return g.u[:g.lastB] }

// Lambda returns the training weight λ_t at a step.
func (g *Diffusion[T]) Lambda(step int) float64 { return lambdaAt(g.schedule, g.cfg.Weight, step) }

// Samples returns the chains' states at node k of the last call (B×d), a
// view valid until the next call.
func (g *Diffusion[T]) Samples(k int) []T {
	B, d := g.lastB, g.d
	return g.samples[k*g.maxB*d : k*g.maxB*d+B*d]
}

// Gap implements GapUpper.
func (g *Diffusion[T]) Gap(z []T, step int, weight float64) (Estimate, float64, error) {
	B, err := latentBatch("Diffusion", len(z), g.d, g.maxB)
	if err != nil {
		return Estimate{}, 0, err
	}
	g.lastB = B
	d, D := g.d, g.D
	le := g.target.le
	zc := g.zc[:B*d]
	lam := g.Lambda(step)
	u := g.u[:B]
	clear(u)
	if !g.frozen {
		copy(zc, z)
		le.eval(zc)
	}
	for k, s := range g.nodes {
		g.stats.Acceptance[k] = math.NaN()
		node := g.samples[k*g.maxB*d : k*g.maxB*d+B*d]
		switch {
		case g.frozen:
			// Test hook: re-evaluate on the samples of the previous call.
			copy(zc, node)
			le.eval(zc)
		case s > 0 && g.steps > 0:
			// Warm start from the previous node: log π_s and its gradient
			// follow from the cached f and ∇_z f at the same state.
			g.target.S = s
			logp, grad := g.lang.prime(B)
			g.target.fromLast(logp, grad)
			acc := 0
			for i := 0; i < g.steps; i++ {
				acc += g.lang.Step(zc)
			}
			if g.cfg.MALA {
				g.stats.Acceptance[k] = float64(acc) / float64(g.steps*B)
				le.eval(zc) // the last evaluation was at the proposals
			}
		}
		if !g.frozen {
			copy(node, zc)
		}
		// Integrand ½‖∇_z f‖² per chain.
		for b := 0; b < B; b++ {
			if le.bad[b] {
				g.vals[b] = math.NaN()
				u[b] = math.NaN()
				continue
			}
			gf := le.gf[b*d : (b+1)*d]
			g.vals[b] = dot(gf, gf) / 2
			u[b] += g.wts[k] * g.vals[b]
		}
		est, sk := MeanSE(g.vals[:B])
		g.stats.Integrand[k], g.stats.IntegrandErr[k] = est.Value, est.StdErr
		if weight != 0 && sk < B {
			c := -weight * lam * g.wts[k] / float64(B-sk)
			for b := 0; b < B; b++ {
				g.coef[b] = c
				if le.bad[b] {
					g.coef[b] = 0
				}
			}
			le.jprod(le.gf[:B*d], g.w[:B*D])
			le.en.MixedBackward(le.x[:B*D], g.w[:B*D], g.coef[:B])
		}
	}
	g.stats.Left, g.stats.Right = riemannSums(g.nodes, g.stats.Integrand)
	bound, sk := MeanSE(u)
	g.stats.Skipped = sk
	if sk == B {
		return bound, 0, fmt.Errorf("bounds: %s: every chain hit a singular Jacobian", g.Name())
	}
	return bound, lam * bound.Value, nil
}
