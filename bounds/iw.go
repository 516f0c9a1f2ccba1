package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// IWConfig selects the importance-weighted lower bound of log Z (SPEC §4(e)).
type IWConfig struct {
	// K is the number of latents per group (0 selects 100); K = 1 is the
	// singular-value bound E_p[f] of SPEC §3(a).
	K int `json:"k" help:"latents per group, ≥ 1 (0: 100)"`
	// LogDet ("exact", "smin" or "", as in GPConfig) evaluates the
	// log-volume term of f; LOBPCGIters and LOBPCGTol set the s_min solver
	// of the surrogate, whose f is a lower bound of the exact one (so L_K
	// stays a lower bound) once LOBPCG has converged.
	LogDet      string  `json:"log_det" help:"log-volume term of f: exact, smin or empty (exact for d ≤ 16)"`
	LOBPCGIters int     `json:"lobpcg_iters" help:"s_min solver iterations (0: 2)"`
	LOBPCGTol   float64 `json:"lobpcg_tol" help:"s_min solver relative residual tolerance (0: run every iteration)"`
}

// IWStats describes the last ImportanceWeighted evaluation.
type IWStats struct {
	Groups int // groups in the estimate
	// ZeroWeight counts the latents with f = −∞: a singular Jacobian
	// (½ log det JᵀJ = −∞, q has no density there) or E = +∞. Their weight
	// e^f = 0 is the exact limit and enters the group's mean as 0.
	ZeroWeight int
	// Empty counts the groups left out because every weight was 0 (value
	// −∞; possible only for small K), as the singular-value bound leaves out
	// singular samples; Invalid the groups left out for a latent whose f is
	// NaN or +∞ (an energy of NaN or −∞).
	Empty, Invalid int
	// ESS is the mean over the groups of the effective sample size
	// (Σ_k w_k)²/Σ_k w_k² ∈ [1, K] of the weights w_k = e^{f(z_k)}: near 1,
	// one latent dominates its group and L_K is far below log Z.
	ESS float64
	// Residual is the largest LOBPCG residual ‖JᵀJv − μ²v‖ (smin; NaN for
	// exact).
	Residual float64
}

// ImportanceWeighted is the importance-weighted lower bound of log Z
// (Burda, Grosse and Salakhutdinov's IWAE bound, SPEC §4(e)):
//
//	L_K = E[log (1/K) Σ_{k≤K} e^{f(z_k)}] ≤ log E_p[e^f] = log Z,  z_k ∼ N(0, I_d) i.i.d.,
//
// with f the latent log-ratio of SPEC §1. By Jensen's inequality L_K ≤ log Z
// for every K, L_1 = E_p[f] is the exact singular-value bound, and L_K
// increases with K to log Z (for bounded weights the gap is about
// Var_p(e^f)/(2K·Z²)). It holds for an injective G (log Z is then the
// normaliser on the image manifold when d < D) and needs no smoothness: it
// stays valid for piecewise-linear networks, where the upper bounds (c, d)
// fail (see CheckC1). It takes no derivatives.
//
// Evaluation: the B latents (B a multiple of K) form B/K groups of K
// consecutive latents; the estimate is the mean over the groups of their
// log-mean-exp, accumulated in float64, and its standard error that of the
// groups. Latents are evaluated in chunks of at most maxBatch.
type ImportanceWeighted[T asm.Float] struct {
	cfg    IWConfig
	logdet string
	lob    LOBPCGConfig
	d      int
	chunk  int // latents per evaluation, a multiple of K
	le     *latentEval[T]
	groups []float64
	lastG  int
	stats  IWStats
}

// NewImportanceWeighted returns the importance-weighted bound for nets and
// evaluations of at most maxBatch latents at a time (maxBatch ≥ K); LOBPCG
// starts come from stream.
func NewImportanceWeighted[T asm.Float](nets Nets[T], cfg IWConfig, maxBatch int, stream *nn.Stream) (*ImportanceWeighted[T], error) {
	if err := nets.validate(true); err != nil {
		return nil, err
	}
	if cfg.K == 0 {
		cfg.K = 100
	}
	if cfg.K < 1 || maxBatch < cfg.K || stream == nil {
		return nil, fmt.Errorf("bounds: ImportanceWeighted needs K ≥ 1 (got %d), maxBatch ≥ K (got %d) and a stream", cfg.K, maxBatch)
	}
	d, _ := nets.dims()
	logdet, err := resolveLogDet(cfg.LogDet, d)
	if err != nil {
		return nil, err
	}
	lc := LOBPCGConfig{cfg.LOBPCGIters, cfg.LOBPCGTol}
	if err := lc.check(); err != nil {
		return nil, err
	}
	chunk := maxBatch / cfg.K * cfg.K
	return &ImportanceWeighted[T]{cfg: cfg, logdet: logdet, lob: lc, d: d, chunk: chunk,
		le: newLatentEval(nets, logdet, lc, 0, chunk, true, stream)}, nil
}

// Name identifies the bound and its settings.
func (iw *ImportanceWeighted[T]) Name() string {
	if iw.logdet == "smin" {
		s := fmt.Sprintf("%d it", iw.lob.iters())
		if iw.lob.Tol > 0 {
			s += fmt.Sprintf(", tol %g", iw.lob.Tol)
		}
		return fmt.Sprintf("iw(K=%d, smin log-det, lobpcg %s)", iw.cfg.K, s)
	}
	return fmt.Sprintf("iw(K=%d, exact log-det)", iw.cfg.K)
}

// K returns the group size.
func (iw *ImportanceWeighted[T]) K() int { return iw.cfg.K }

// Stats returns the diagnostics of the last LogZ call.
func (iw *ImportanceWeighted[T]) Stats() IWStats { return iw.stats }

// PerGroup returns the log-mean-exp of each group of the last LogZ call, in
// order (−∞ for an empty group, NaN for an invalid one), a view valid until
// the next call.
func (iw *ImportanceWeighted[T]) PerGroup() []float64 { return iw.groups[:iw.lastG] }

// LogZ returns L_K, a stochastic lower bound on log Z, on the B×d latents z
// (i.i.d. N(0, I_d) draws, B a multiple of K): the mean over the B/K groups
// of consecutive latents of log (1/K)·Σ_k e^{f(z_k)}, with the standard error
// over the groups (NaN for one group). It allocates nothing once it has
// seen a batch of this size.
func (iw *ImportanceWeighted[T]) LogZ(z []T) (Estimate, error) {
	d, K := iw.d, iw.cfg.K
	if len(z) == 0 || len(z)%(d*K) != 0 {
		return Estimate{}, fmt.Errorf("bounds: %s: %d latent values are not a whole number of groups of %d latents of width %d", iw.Name(), len(z), K, d)
	}
	B := len(z) / d
	G := B / K
	if cap(iw.groups) < G {
		iw.groups = make([]float64, G)
	}
	iw.lastG = G
	iw.stats = IWStats{Residual: math.NaN()}
	var ess float64
	for c := 0; c < B; c += iw.chunk {
		n := min(iw.chunk, B-c)
		iw.le.evalValue(z[c*d : (c+n)*d])
		if !iw.le.exact {
			iw.stats.Residual = maxResidual(iw.stats.Residual, iw.le.sres.Residual[:n])
		}
		for g := 0; g < n/K; g++ {
			v, e, zeros := logMeanExp(iw.le.f[g*K : (g+1)*K])
			iw.groups[c/K+g] = v
			iw.stats.ZeroWeight += zeros
			if asm.Finite(v) {
				ess += e
			}
		}
	}
	for _, v := range iw.groups[:G] {
		switch {
		case math.IsNaN(v):
			iw.stats.Invalid++
		case math.IsInf(v, -1):
			iw.stats.Empty++
		}
	}
	est, left := MeanSE(iw.groups[:G])
	iw.stats.Groups = G - left
	if iw.stats.Groups == 0 {
		return est, fmt.Errorf("bounds: %s: no group has a finite value (%d empty, %d invalid)", iw.Name(), iw.stats.Empty, iw.stats.Invalid)
	}
	iw.stats.ESS = ess / float64(iw.stats.Groups)
	return est, nil
}

// SelfNormalized evaluates f at the B ≤ maxBatch latents z and sets w
// (length ≥ B) to the self-normalised importance weights
//
//	w_b = e^{f(z_b)} / Σ_k e^{f(z_k)}
//
// of the samples x_b = G(z_b) as draws from p_θ ∝ e^{−E}: Σ_b w_b·g(x_b)
// estimates E_{p_θ}[g] with a bias of order 1/B (f is log e^{−E}/q up to the
// constant log Z). It returns x (B×D, a view valid until the next call) and
// the effective sample size 1/Σ_b w_b² ∈ [1, B]. A latent with f = −∞ (a
// singular Jacobian) gets weight 0; an f that is NaN or +∞ (a non-finite
// energy), or every weight 0, is an error. The exact log-det makes the
// weights exact; the s_min surrogate only approximates them.
func (iw *ImportanceWeighted[T]) SelfNormalized(z []T, w []float64) (x []T, ess float64, err error) {
	d := iw.d
	B := len(z) / d
	if B == 0 || len(z)%d != 0 || B > iw.chunk || len(w) < B {
		return nil, 0, fmt.Errorf("bounds: %s: SelfNormalized needs 1 to %d latents of width %d and as many weights (got %d values, %d weights)", iw.Name(), iw.chunk, d, len(z), len(w))
	}
	iw.le.evalValue(z)
	ess, err = SelfNormalizedWeights(iw.le.f[:B], w)
	if err != nil {
		return nil, 0, fmt.Errorf("bounds: %s: %w", iw.Name(), err)
	}
	return iw.le.x[:B*iw.le.D], ess, nil
}

// SelfNormalizedWeights sets w (length ≥ len(f)) to w_b = e^{f_b}/Σ_k e^{f_k}
// and returns their effective sample size 1/Σ_b w_b²: the weights of
// SelfNormalized for values of f evaluated elsewhere (GradientPenalty's
// LatentValues). An f_b = −∞ gets weight 0; an f_b that is NaN or +∞, or
// every weight 0, is an error.
func SelfNormalizedWeights(f, w []float64) (ess float64, err error) {
	v, ess, _ := logMeanExp(f)
	if !asm.Finite(v) {
		return 0, fmt.Errorf("no finite importance weights (log-mean-exp of f %v)", v)
	}
	logSum := v + math.Log(float64(len(f)))
	for b, fb := range f {
		w[b] = math.Exp(fb - logSum) // 0 for fb = −∞
	}
	return ess, nil
}

// SystematicResample fills dst (B×D) with B rows of x (B×D) drawn by
// systematic resampling on the weights w (Σ w = 1): row b is x_j for the j
// whose cumulative weight interval holds (u + b)/B, u ∈ [0, 1) one uniform
// draw. Row j is copied ⌊B·w_j⌋ or ⌈B·w_j⌉ times (B·w_j on average: the
// scheme is unbiased, with less spread than multinomial resampling), so the
// equally weighted rows of dst stand for the weighted rows of x.
func SystematicResample[T asm.Float](dst, x []T, w []float64, D int, u float64) {
	B := len(w)
	last := B - 1 // the last row of positive weight: rounding in Σ w cannot run past it
	for last > 0 && w[last] == 0 {
		last--
	}
	n := float64(B)
	j, cum := 0, n*w[0] // in units of 1/B, exact for equal weights
	for b := range B {
		pos := u + float64(b)
		for cum <= pos && j < last {
			j++
			cum += n * w[j]
		}
		copy(dst[b*D:(b+1)*D], x[j*D:(j+1)*D])
	}
}

// logMeanExp returns log (1/n)·Σ e^{f_i} of the n values f, the effective
// sample size (Σ w)²/Σ w² of w_i = e^{f_i}, and the number of values −∞
// (weight 0). It returns NaN if some f_i is NaN or +∞, and −∞ if every
// weight is 0.
func logMeanExp(f []float64) (v, ess float64, zeros int) {
	m := math.Inf(-1)
	for _, x := range f {
		switch {
		case math.IsNaN(x) || math.IsInf(x, 1):
			return math.NaN(), math.NaN(), 0
		case math.IsInf(x, -1):
			zeros++
		default:
			m = math.Max(m, x)
		}
	}
	if math.IsInf(m, -1) {
		return m, math.NaN(), zeros
	}
	var s1, s2 float64
	for _, x := range f {
		w := math.Exp(x - m) // 0 for x = −∞
		s1 += w
		s2 += w * w
	}
	return m + math.Log(s1/float64(len(f))), s1 * s1 / s2, zeros
}

// maxResidual returns the larger of r and the largest finite value of res
// (r when there is none; r may be NaN).
func maxResidual(r float64, res []float64) float64 {
	for _, x := range res {
		if asm.Finite(x) && (x > r || math.IsNaN(r)) {
			r = x
		}
	}
	return r
}
