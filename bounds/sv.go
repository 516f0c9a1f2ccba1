package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/nn"
)

// SVConfig selects the singular-value entropy bound (SPEC §3(a)).
type SVConfig struct {
	// Method is "exact" (½ log det JᵀJ from the full Jacobian: d JVPs and a
	// d×d Cholesky per sample), "smin" (the paper's d·log s_min, LOBPCG;
	// the default) or "topk" (Σ_{i≤K} log s_i + (d−K)·log s_min, the top K
	// from a randomized SVD).
	Method string `json:"method" help:"how Σ log s_i is bounded: exact (full Jacobian), smin (d·log s_min by LOBPCG) or topk"`
	// K is the number of top singular values of "topk", 1 ≤ K < d.
	K int `json:"k" help:"top singular values of topk, 1 ≤ k < latent width"`
	// LOBPCGIters (0: 2, the released code's ssv_iter) and LOBPCGTol (0:
	// run LOBPCGIters iterations) set the s_min solver. A truncated run
	// overstates s_min, hence the bound: Stats reports the residual.
	LOBPCGIters int     `json:"lobpcg_iters" help:"LOBPCG iterations for s_min, ≥ 1 (a truncated run overstates s_min)"`
	LOBPCGTol   float64 `json:"lobpcg_tol" help:"relative residual at which LOBPCG stops early, ≥ 0 (0: run lobpcg_iters)"`
	// WarmStart starts LOBPCG from the previous call's vectors (same batch
	// size) instead of a random block.
	WarmStart bool `json:"warm_start" help:"start LOBPCG from the previous iteration's vectors (checkpointed)"`
	// Oversample and PowerIters set the randomized SVD of "topk"
	// (0 selects 8 and 2; −1 selects none).
	Oversample int `json:"oversample" help:"extra columns of topk's randomized SVD, ≥ 0 (−1: none)"`
	PowerIters int `json:"power_iters" help:"power iterations of topk's randomized SVD, ≥ 0 (−1: none)"`
}

// SVStats describes the last SVEntropy evaluation.
type SVStats struct {
	Skipped int     // samples left out of the mean: singular Jacobian or non-finite value
	SMin    float64 // mean s_min estimate (smin, topk)
	// Residual is the largest LOBPCG residual ‖JᵀJv − μ²v‖ when LOBPCG runs
	// to a tolerance (lobpcg_tol > 0); NaN for exact and for a fixed count,
	// where it would cost one more VJP of the batch that nothing else needs.
	Residual float64
	Iters    int // largest LOBPCG iteration count
}

// SVEntropy is the singular-value lower bound on the generator entropy,
//
//	Ĥ = (d/2)·log(2πe) + mean_b L(J(z_b)),  L ≤ Σ_i log s_i = ½ log det(JᵀJ),
//
// with L exact, d·log s_min or the top-k refinement. It assumes an
// injective generator with d ≤ D (the entropy is then the manifold entropy
// when d < D); see the package documentation.
//
// Gradients: exact differentiates ½ log det through J(JᵀJ)⁻¹; smin and topk
// hold the singular pairs (u_i, v_i) fixed, ∇ log s_i = ∇(u_iᵀJv_i)/s_i, one
// tangent pass with the v_i and its reverse mode with cotangents u_i/s_i.
type SVEntropy[T asm.Float] struct {
	cfg    SVConfig
	nets   Nets[T]
	d, D   int
	maxB   int
	stream *nn.Stream

	ws   *nn.Workspace[T]
	op   *nn.JacobianOperator[T]
	lob  *linalg.LOBPCG[T]
	sres linalg.SMinResult[T]
	rsvd *linalg.RandSVD[T]
	tres linalg.SVDResult[T]

	warm  []T
	warmB int

	val, hs    []float64
	valT, wt   []T
	tan, gyd   []T
	stats      SVStats
	iters, ovs int
	pows       int
	lastBatch  int
}

// NewSVEntropy returns the singular-value entropy bound for nets (only the
// generator is used) and batches of at most maxBatch latents; its random
// draws (LOBPCG starts, randomized-SVD test vectors) come from stream.
func NewSVEntropy[T asm.Float](nets Nets[T], cfg SVConfig, maxBatch int, stream *nn.Stream) (*SVEntropy[T], error) {
	if nets.Generator == nil {
		return nil, fmt.Errorf("bounds: SVEntropy needs a generator")
	}
	d, D := nets.dims()
	if d > D {
		return nil, fmt.Errorf("bounds: SVEntropy: latent width %d exceeds data width %d (the generator cannot be injective)", d, D)
	}
	if maxBatch < 1 || stream == nil {
		return nil, fmt.Errorf("bounds: SVEntropy needs maxBatch ≥ 1 and a stream")
	}
	cfg = cfg.WithDefaults()
	lc := LOBPCGConfig{cfg.LOBPCGIters, cfg.LOBPCGTol}
	if err := lc.check(); err != nil {
		return nil, err
	}
	e := &SVEntropy[T]{cfg: cfg, nets: nets, d: d, D: D, maxB: maxBatch, stream: stream, iters: lc.iters(),
		val: make([]float64, maxBatch), hs: make([]float64, maxBatch)}
	maxK := 1
	switch cfg.Method {
	case "exact":
		maxK = d
		e.valT = make([]T, maxBatch)
		e.wt = make([]T, maxBatch)
	case "smin":
	case "topk":
		if cfg.K < 1 || cfg.K >= d {
			return nil, fmt.Errorf("bounds: SVEntropy topk: K = %d outside [1, %d)", cfg.K, d)
		}
		e.ovs, e.pows = max(cfg.Oversample, 0), max(cfg.PowerIters, 0)
		if cfg.Oversample < -1 || cfg.PowerIters < -1 {
			return nil, fmt.Errorf("bounds: SVEntropy topk: bad Oversample %d or PowerIters %d", cfg.Oversample, cfg.PowerIters)
		}
		maxK = cfg.K + 1
		e.rsvd = &linalg.RandSVD[T]{K: cfg.K, Oversample: e.ovs, PowerIters: e.pows, Orth: linalg.OrthCholQR2}
	default:
		return nil, fmt.Errorf("bounds: unknown SV method %q (want exact, smin or topk)", cfg.Method)
	}
	e.ws = nets.Generator.NewWorkspace(maxBatch, maxK)
	if cfg.Method != "exact" {
		ell := 1
		if e.rsvd != nil {
			ell = min(cfg.K+e.ovs, D, d)
		}
		e.op = nn.NewJacobianOperator(nets.Generator, maxBatch, ell)
		e.lob = &linalg.LOBPCG[T]{BlockSize: 1, MaxIter: e.iters, Tol: cfg.LOBPCGTol, SkipFinalResidual: true}
		e.tan = make([]T, maxK*maxBatch*d)
		e.gyd = make([]T, maxK*maxBatch*D)
		if cfg.WarmStart {
			e.warm = make([]T, maxBatch*d)
		}
	}
	return e, nil
}

// Name implements EntropyLower.
func (e *SVEntropy[T]) Name() string {
	switch e.cfg.Method {
	case "exact":
		return "sv-exact"
	case "topk":
		return fmt.Sprintf("sv-top%d(rsvd p=%d q=%d, lobpcg %s)", e.cfg.K, e.ovs, e.pows, e.lobName())
	}
	return fmt.Sprintf("sv-smin(lobpcg %s)", e.lobName())
}

func (e *SVEntropy[T]) lobName() string {
	s := fmt.Sprintf("%d it", e.iters)
	if e.cfg.LOBPCGTol > 0 {
		s += fmt.Sprintf(", tol %g", e.cfg.LOBPCGTol)
	}
	if e.cfg.WarmStart {
		s += ", warm"
	}
	return s
}

// AuxParams implements EntropyLower: there are none.
func (e *SVEntropy[T]) AuxParams() []*nn.Param[T] { return nil }

// Noise implements EntropyLower: the generator is deterministic.
func (e *SVEntropy[T]) Noise() float64 { return 0 }

// WarmVectors returns the LOBPCG vectors the next call starts from (B×d,
// tangent layout) when WarmStart is set and a call has run, else nil: the
// state a checkpoint must keep for a resumed run to continue bit for bit.
// The slice is the bound's own.
func (e *SVEntropy[T]) WarmVectors() []T {
	if e.warm == nil || e.warmB == 0 {
		return nil
	}
	return e.warm[:e.warmB*e.d]
}

// SetWarmVectors restores vectors WarmVectors returned (for a batch of
// len(v)/d latents).
func (e *SVEntropy[T]) SetWarmVectors(v []T) error {
	if e.warm == nil {
		return fmt.Errorf("bounds: %s does not warm-start", e.Name())
	}
	if len(v) == 0 || len(v)%e.d != 0 || len(v) > len(e.warm) {
		return fmt.Errorf("bounds: %d warm-start values for latent width %d and at most %d samples", len(v), e.d, e.maxB)
	}
	copy(e.warm, v)
	e.warmB = len(v) / e.d
	return nil
}

// Stats returns the diagnostics of the last Entropy call.
func (e *SVEntropy[T]) Stats() SVStats { return e.stats }

// PerSample implements PerSample: the per-sample Ĥ terms
// (d/2)·log(2πe) + L(J(z_b)) of the last call.
func (e *SVEntropy[T]) PerSample() []float64 { return e.hs[:e.lastB()] }

func (e *SVEntropy[T]) lastB() int { return e.lastBatch }

// Entropy implements EntropyLower.
func (e *SVEntropy[T]) Entropy(z []T, weight float64) (Estimate, error) {
	B, err := latentBatch("SVEntropy", len(z), e.d, e.maxB)
	if err != nil {
		return Estimate{}, err
	}
	e.stats = SVStats{Residual: math.NaN()}
	e.lastBatch = B
	if e.cfg.Method == "exact" {
		e.exact(z, B, weight)
	} else {
		e.spectral(z, B, weight)
	}
	h0 := gaussEntropy(e.d)
	for b := 0; b < B; b++ {
		e.hs[b] = h0 + e.val[b]
	}
	est, skipped := MeanSE(e.hs[:B])
	e.stats.Skipped = skipped
	if skipped == B {
		return est, fmt.Errorf("bounds: %s: every Jacobian of the batch is singular", e.Name())
	}
	return est, nil
}

// good counts the samples with a finite value.
func good(v []float64) int {
	n := 0
	for _, x := range v {
		if asm.Finite(x) {
			n++
		}
	}
	return n
}

func (e *SVEntropy[T]) exact(z []T, B int, weight float64) {
	e.ws.JacobianPass(z, nn.Eval)
	e.ws.HalfLogDetBackward(nil, nil, e.valT[:B], 0)
	for b := 0; b < B; b++ {
		e.val[b] = float64(e.valT[b])
	}
	if weight == 0 {
		return
	}
	// Second reverse pass over the same tangent pass, weighted by 1/n over
	// the n samples the mean keeps (singular ones get no gradient).
	n := good(e.val[:B])
	if n == 0 {
		return
	}
	for b := range e.wt[:B] {
		e.wt[b] = T(weight / float64(n))
	}
	e.ws.HalfLogDetBackward(nil, e.wt[:B], e.valT[:B], nn.GradParams)
}

func (e *SVEntropy[T]) spectral(z []T, B int, weight float64) {
	d, D := e.d, e.D
	e.op.SetPoint(z, nn.Eval)
	e.lob.Seed = e.stream.Uint64()
	var warm []T
	if e.warm != nil && e.warmB == B {
		warm = e.warm[:B*d]
	}
	if err := e.lob.Solve(e.op, warm, &e.sres); err != nil {
		panic("bounds: " + err.Error()) // settings were validated
	}
	if e.warm != nil {
		copy(e.warm, e.sres.V[:B*d])
		e.warmB = B
	}
	K := 0
	if e.rsvd != nil {
		K = e.cfg.K
		e.rsvd.Seed = e.stream.Uint64()
		if err := e.rsvd.Compute(e.op, &e.tres); err != nil {
			panic("bounds: " + err.Error())
		}
	}
	var smin float64
	for b := 0; b < B; b++ {
		s := e.sres.Values[b]
		if K == 0 {
			e.val[b] = linalg.LogDetSMin(d, s)
		} else {
			e.val[b] = linalg.LogDetTopK(e.tres.Values[b*K:(b+1)*K], d, s)
		}
		smin += s
		if r := e.sres.Residual[b]; r > e.stats.Residual || math.IsNaN(e.stats.Residual) {
			e.stats.Residual = r // the largest finite residual (NaN only if none)
		}
		e.stats.Iters = max(e.stats.Iters, e.sres.Iters[b])
	}
	e.stats.SMin = smin / float64(B)
	n := good(e.val[:B])
	if weight == 0 || n == 0 {
		return
	}
	// Tangents: the K top right vectors, then v_min; cotangents u_i/s_i
	// scaled by weight/n (a top value clamped to s_min counts as s_min).
	k := K + 1
	tan, gyd := e.tan[:k*B*d], e.gyd[:k*B*D]
	if K > 0 {
		copy(tan, e.tres.V[:K*B*d])
	}
	copy(tan[K*B*d:], e.sres.V[:B*d])
	clear(gyd)
	c := weight / float64(n)
	for b := 0; b < B; b++ {
		if !asm.Finite(e.val[b]) {
			continue
		}
		s := e.sres.Values[b]
		nmin := d - K
		for i := 0; i < K; i++ {
			si := e.tres.Values[b*K+i]
			if si < s {
				nmin++
				continue
			}
			asm.Axpy(T(c/si), e.tres.U[(i*B+b)*D:(i*B+b+1)*D], gyd[(i*B+b)*D:(i*B+b+1)*D])
		}
		asm.Axpy(T(c*float64(nmin)/s), e.sres.U[b*D:(b+1)*D], gyd[(K*B+b)*D:(K*B+b+1)*D])
	}
	e.ws.ForwardTangent(z, tan, k, nn.Eval)
	e.ws.BackwardTangent(nil, gyd, nn.GradParams)
}
