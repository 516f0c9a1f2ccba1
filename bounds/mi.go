package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/nn"
)

// MIConfig selects the mutual-information entropy bound (SPEC §3(b)).
type MIConfig struct {
	// Estimator is "ba" (Barber–Agakov with a Gaussian encoder; the
	// default), "infonce" or "nwj".
	Estimator string `json:"estimator" help:"mutual-information estimator: ba (Barber–Agakov), infonce or nwj"`
	// Sigma is the noise level σ > 0 of x = G(z) + σε (0 selects 0.1); with
	// LearnSigma, log σ is a parameter trained with the generator.
	Sigma      float64 `json:"sigma" help:"noise σ of the noisy generator x = G(z) + σε, > 0"`
	LearnSigma bool    `json:"learn_sigma" help:"train log σ with the generator"`
	// Hidden are the hidden widths of the encoder (ba) or of both critic
	// towers (infonce, nwj); nil selects [100, 100], an empty slice a
	// single Linear layer.
	Hidden []int `json:"hidden" help:"hidden widths of the encoder or critic towers (empty list in a config file: one Linear layer)"`
	// Activation is the hidden activation (see nn.ParseActivation; ""
	// selects LeakyReLU with slope 0.2, as MEG's critic).
	Activation string `json:"activation" help:"hidden activation of the auxiliary networks (\"\": LeakyReLU with slope 0.2)"`
	// Features is the width m of the separable critic T(x, z) = f(x)·g(z)
	// of infonce and nwj (0 selects 32).
	Features int `json:"features" help:"width m of the separable critic of infonce and nwj, ≥ 1"`
}

// MIEntropy is the mutual-information lower bound on the entropy of the
// noisy generator x = G(z) + σε:
//
//	H[q_σ] = I(X; Z) + (D/2)·log(2πeσ²) ≥ Î + (D/2)·log(2πeσ²),
//
// valid for any generator, injective or not. Î is
//
//   - ba: H[Z] + E log r_ψ(z | x), r_ψ = N(μ_ψ(x), diag s_ψ(x)²), an encoder
//     MLP x → (μ, log s). A bound for every ψ.
//   - infonce: E log(e^{T(x_i,z_i)} / (1/K)Σ_j e^{T(x_i,z_j)}) over the
//     batch (K = B), saturating at log K.
//   - nwj: E_joint T − e^{−1}·E_{marginals} e^T, the marginal pairs being
//     the B(B−1) off-diagonal (x_i, z_j).
//
// The critics of infonce and nwj are separable, T(x, z) = f_ψ(x)·g_ψ(z), so
// the K×K scores are one GEMM. The generator runs in Eval mode, like every
// bound of the package; the auxiliary networks are trained with the
// generator to maximise Î (Entropy accumulates weight·∇Ĥ into their
// gradients as into the generator's).
type MIEntropy[T asm.Float] struct {
	cfg    MIConfig
	nets   Nets[T]
	d, D   int
	maxB   int
	stream *nn.Stream

	gen        *nn.Workspace[T]
	enc        *nn.Network[T] // ba
	fnet, gnet *nn.Network[T] // infonce, nwj
	encWS      *nn.Workspace[T]
	fWS, gWS   *nn.Workspace[T]
	sigmaNet   *nn.Network[T] // one Scale layer holding log σ
	logSigma   *nn.Param[T]
	m          int

	x, eps, peps []T
	gout         []T       // encoder cotangent (B×2d) or dF (B×m)
	gdG          []T       // dG (B×m)
	s, ds        []T       // scores and their cotangents (B×B)
	terms, hs    []float64 // per-sample Î terms and Ĥ terms
	lastB        int
	perturbB     int
}

// NewMIEntropy returns the mutual-information entropy bound for nets (only
// the generator is used) and batches of at most maxBatch latents. The
// auxiliary networks are initialised from stream, which also gives the
// noise ε of every call.
func NewMIEntropy[T asm.Float](nets Nets[T], cfg MIConfig, maxBatch int, stream *nn.Stream) (*MIEntropy[T], error) {
	if nets.Generator == nil {
		return nil, fmt.Errorf("bounds: MIEntropy needs a generator")
	}
	if maxBatch < 1 || stream == nil {
		return nil, fmt.Errorf("bounds: MIEntropy needs maxBatch ≥ 1 and a stream")
	}
	cfg = cfg.WithDefaults()
	if !(cfg.Sigma > 0) || math.IsInf(cfg.Sigma, 1) {
		return nil, fmt.Errorf("bounds: MIEntropy: σ = %v, want a finite value > 0", cfg.Sigma)
	}
	spec := nn.MLPSpec{Activation: cfg.Activation}
	if spec.Activation == "" {
		spec.Activation, spec.LeakySlope = "leakyrelu", 0.2
	}
	d, D := nets.dims()
	e := &MIEntropy[T]{cfg: cfg, nets: nets, d: d, D: D, maxB: maxBatch, stream: stream,
		gen: nets.Generator.NewWorkspace(maxBatch, 0),
		x:   make([]T, maxBatch*D), eps: make([]T, maxBatch*D), peps: make([]T, maxBatch*D),
		terms: make([]float64, maxBatch), hs: make([]float64, maxBatch)}
	build := func(in, out int) (*nn.Network[T], error) {
		spec.Widths = append(append([]int{in}, cfg.Hidden...), out)
		return nn.BuildMLP[T](spec, stream)
	}
	var err error
	switch cfg.Estimator {
	case "ba":
		if e.enc, err = build(D, 2*d); err != nil {
			return nil, err
		}
		e.encWS = e.enc.NewWorkspace(maxBatch, 0)
		e.gout = make([]T, maxBatch*2*d)
	case "infonce", "nwj":
		e.m = cfg.Features
		if e.m < 1 {
			return nil, fmt.Errorf("bounds: MIEntropy: Features = %d", cfg.Features)
		}
		if e.fnet, err = build(D, e.m); err != nil {
			return nil, err
		}
		if e.gnet, err = build(d, e.m); err != nil {
			return nil, err
		}
		e.fWS, e.gWS = e.fnet.NewWorkspace(maxBatch, 0), e.gnet.NewWorkspace(maxBatch, 0)
		e.gout, e.gdG = make([]T, maxBatch*e.m), make([]T, maxBatch*e.m)
		e.s, e.ds = make([]T, maxBatch*maxBatch), make([]T, maxBatch*maxBatch)
	default:
		return nil, fmt.Errorf("bounds: unknown MI estimator %q (want ba, infonce or nwj)", cfg.Estimator)
	}
	sc := nn.NewScale[T](1, nil)
	sc.S.Value[0] = T(math.Log(cfg.Sigma))
	if e.sigmaNet, err = nn.NewSequential[T](sc); err != nil {
		return nil, err
	}
	e.logSigma = sc.S
	return e, nil
}

// Name implements EntropyLower (with the initial σ; Noise gives the
// current one).
func (e *MIEntropy[T]) Name() string {
	if e.cfg.LearnSigma {
		return fmt.Sprintf("mi-%s(σ learned from %g)", e.cfg.Estimator, e.cfg.Sigma)
	}
	return fmt.Sprintf("mi-%s(σ=%g)", e.cfg.Estimator, e.cfg.Sigma)
}

// Noise implements EntropyLower: the current σ.
func (e *MIEntropy[T]) Noise() float64 { return math.Exp(float64(e.logSigma.Value[0])) }

// AuxParams implements EntropyLower: the encoder's (ba) or the two critic
// towers' parameters, and log σ when it is learned.
func (e *MIEntropy[T]) AuxParams() []*nn.Param[T] {
	var ps []*nn.Param[T]
	for _, n := range e.AuxNetworks() {
		ps = append(ps, n.Params()...)
	}
	return ps
}

// AuxNetworks returns the auxiliary networks, for checkpoints: the encoder
// (ba) or the critic towers f (x → R^m) and g (z → R^m), and, when σ is
// learned, a one-layer Scale network whose scalar is log σ.
func (e *MIEntropy[T]) AuxNetworks() []*nn.Network[T] {
	var ns []*nn.Network[T]
	if e.enc != nil {
		ns = append(ns, e.enc)
	} else {
		ns = append(ns, e.fnet, e.gnet)
	}
	if e.cfg.LearnSigma {
		ns = append(ns, e.sigmaNet)
	}
	return ns
}

// PerSample implements PerSample: the per-sample terms of Ĥ (the Î term
// of sample i plus (D/2)·log(2πeσ²)).
func (e *MIEntropy[T]) PerSample() []float64 { return e.hs[:e.lastB] }

// Perturb implements NoisyGenerator.
func (e *MIEntropy[T]) Perturb(x []T) {
	n := len(x)
	if n%e.D != 0 || n > e.maxB*e.D {
		panic(fmt.Sprintf("bounds: MIEntropy.Perturb: %d values", n))
	}
	nn.Normal(e.stream, e.peps[:n])
	asm.Axpy(T(e.Noise()), e.peps[:n], x)
	e.perturbB = n / e.D
}

// BackwardNoise implements NoisyGenerator.
func (e *MIEntropy[T]) BackwardNoise(gx []T) {
	if !e.cfg.LearnSigma {
		return
	}
	n := e.perturbB * e.D
	if len(gx) != n {
		panic(fmt.Sprintf("bounds: MIEntropy.BackwardNoise: %d values after a Perturb of %d", len(gx), n))
	}
	e.logSigma.Grad[0] += T(e.Noise() * float64(asm.Dot(gx, e.peps[:n])))
}

// Entropy implements EntropyLower.
func (e *MIEntropy[T]) Entropy(z []T, weight float64) (Estimate, error) {
	B, err := latentBatch("MIEntropy", len(z), e.d, e.maxB)
	if err != nil {
		return Estimate{}, err
	}
	if e.cfg.Estimator == "nwj" && B < 2 {
		return Estimate{}, fmt.Errorf("bounds: MIEntropy nwj needs a batch of at least 2")
	}
	e.lastB = B
	D := e.D
	sigma := e.Noise()
	x, eps := e.x[:B*D], e.eps[:B*D]
	copy(x, e.gen.Forward(z, nn.Eval))
	nn.Normal(e.stream, eps)
	asm.Axpy(T(sigma), eps, x)

	var gx []T
	switch e.cfg.Estimator {
	case "ba":
		gx = e.barberAgakov(z, x, B, weight)
	default:
		gx = e.separable(z, x, B, weight)
	}
	h0 := float64(D) * (halfLog2Pi + 0.5 + math.Log(sigma))
	for i := 0; i < B; i++ {
		e.hs[i] = e.terms[i] + h0
	}
	est, skipped := MeanSE(e.hs[:B])
	if skipped > 0 {
		return est, fmt.Errorf("bounds: %s: %d non-finite terms", e.Name(), skipped)
	}
	if weight != 0 {
		e.gen.Backward(gx, nn.GradParams)
		if e.cfg.LearnSigma {
			// ∂Ĥ/∂log σ = σ·Σ ∂Î/∂x∘ε + D.
			e.logSigma.Grad[0] += T(sigma*float64(asm.Dot(gx, eps)) + weight*float64(D))
		}
	}
	return est, nil
}

// barberAgakov fills e.terms with H[Z] + log r(z_i | x_i) and, if weight ≠
// 0, runs the encoder's reverse mode and returns weight/B·∂Î/∂x.
func (e *MIEntropy[T]) barberAgakov(z, x []T, B int, weight float64) []T {
	d := e.d
	out := e.encWS.Forward(x, nn.Eval)
	g := e.gout[:B*2*d]
	c := weight / float64(B)
	for i := 0; i < B; i++ {
		mu, ls := out[i*2*d:i*2*d+d], out[i*2*d+d:(i+1)*2*d]
		gmu, gls := g[i*2*d:i*2*d+d], g[i*2*d+d:(i+1)*2*d]
		t := 0.5 * float64(d)
		for j := 0; j < d; j++ {
			l := float64(ls[j])
			r := (float64(z[i*d+j]) - float64(mu[j])) * math.Exp(-l)
			t -= 0.5*r*r + l
			gmu[j] = T(c * r * math.Exp(-l))
			gls[j] = T(c * (r*r - 1))
		}
		e.terms[i] = t
	}
	if weight == 0 {
		return nil
	}
	return e.encWS.Backward(g, nn.GradParams|nn.GradInput)
}

// separable fills e.terms for infonce or nwj with the critic
// T(x_i, z_j) = f(x_i)·g(z_j) and, if weight ≠ 0, runs both towers' reverse
// mode and returns weight/B·∂Î/∂x.
func (e *MIEntropy[T]) separable(z, x []T, B int, weight float64) []T {
	m := e.m
	F := e.fWS.Forward(x, nn.Eval)
	G := e.gWS.Forward(z, nn.Eval)
	S, dS := e.s[:B*B], e.ds[:B*B]
	linalg.Gemm(false, true, B, B, m, 1, F, m, G, m, 0, S, B)
	c := weight / float64(B)
	if e.cfg.Estimator == "infonce" {
		logK := math.Log(float64(B))
		for i := 0; i < B; i++ {
			row, drow := S[i*B:(i+1)*B], dS[i*B:(i+1)*B]
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, float64(v))
			}
			// drow = exp(S_i· − max), then the softmax cotangent in place.
			sum := expShifted(drow, row, mx)
			lse := mx + math.Log(sum)
			e.terms[i] = float64(row[i]) - lse + logK
			asm.Scal(T(-c/sum), drow)
			drow[i] += T(c)
		}
	} else {
		inv := 1 / float64(B-1)
		for i := 0; i < B; i++ {
			row, drow := S[i*B:(i+1)*B], dS[i*B:(i+1)*B]
			// drow = e^{S_ij − 1}, the marginal terms (j ≠ i).
			marg := expShifted(drow, row, 1)
			marg -= float64(drow[i])
			e.terms[i] = float64(row[i]) - inv*marg
			asm.Scal(T(-c*inv), drow)
			drow[i] = T(c)
		}
	}
	if weight == 0 {
		return nil
	}
	dF, dG := e.gout[:B*m], e.gdG[:B*m]
	linalg.Gemm(false, false, B, m, B, 1, dS, B, G, m, 0, dF, m)
	linalg.Gemm(true, false, B, m, B, 1, dS, B, F, m, 0, dG, m)
	e.gWS.Backward(dG, nn.GradParams)
	return e.fWS.Backward(dF, nn.GradParams|nn.GradInput)
}

// expShifted sets dst = exp(src − shift) and returns Σ dst (float64 sum).
// float32 goes through the SIMD exp kernel (relative error 2e-7).
func expShifted[T asm.Float](dst, src []T, shift float64) float64 {
	if asm.Is32[T]() {
		d, sh := asm.As32(dst), float32(shift)
		for j, v := range asm.As32(src) {
			d[j] = v - sh
		}
		asm.Sexp(d, d)
		var sum float64
		for _, v := range d {
			sum += float64(v)
		}
		return sum
	}
	var sum float64
	for j, v := range src {
		ev := math.Exp(float64(v) - shift)
		dst[j] = T(ev)
		sum += ev
	}
	return sum
}
