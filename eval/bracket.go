package eval

import (
	"fmt"
	"math"
	"strings"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"github.com/ebmcpu/ebmcpu/nn"
)

// BoundReport is one side of the bracket ⌊log Z⌋ ≤ log Z ≤ ⌈log Z⌉ (SPEC §2),
// estimated on the evaluation latents. Values are in nats.
type BoundReport struct {
	Side string `json:"side"` // "lower" or "upper"
	// Kind is sv, mi, gp or diffusion; Name the bound's full description.
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Trained says the model was trained with this bound (its own bracket).
	Trained bool `json:"trained"`
	// LogZ is the bound on log Z: ⌊log Z⌋ = E_q[−E] + Ĥ, or ⌈log Z⌉ =
	// ⌊log Z⌋ + Û with ⌊log Z⌋ from the lower bound named by Base.
	LogZ bounds.Estimate `json:"log_z"`
	// Term is Ĥ (lower; ≤ H[q]) or Û (upper; ≥ KL(q ‖ p_θ)).
	Term bounds.Estimate `json:"term"`
	// EnergyTerm is E_q[−E] on the generator samples.
	EnergyTerm bounds.Estimate `json:"energy_term"`
	Base       string          `json:"base,omitempty"`
	// Approximate: a noisy (mi) lower bound paired with an upper bound
	// evaluated on the deterministic G (SPEC §4, pairings). Manifold: d < D,
	// so the bound is on the normaliser of exp(−E) on the generator's image
	// manifold and is not comparable with log Z on R^D.
	Approximate bool `json:"approximate,omitempty"`
	Manifold    bool `json:"manifold,omitempty"`
	// Diffusion holds the quadrature and sampler diagnostics of the
	// diffusion bound.
	Diffusion *DiffusionReport `json:"diffusion,omitempty"`
	// IW holds the diagnostics of the importance-weighted bound (kind
	// "iw"), which estimates log Z directly: its Term and EnergyTerm are
	// not defined and left zero.
	IW *IWReport `json:"iw,omitempty"`
	// Latents, when not zero, is the number of the bracket's latents the
	// bound was evaluated on (fewer than the others: Options.DiffusionLatents,
	// or whole groups of the iw bound).
	Latents int `json:"latents,omitempty"`
	// Assumptions states what the bound rests on, when it is not the
	// model's own (whose are in Report.Certification).
	Assumptions string `json:"assumptions,omitempty"`
	// Error is set when the bound could not be evaluated for this model,
	// or was left out (it then says why).
	Error string `json:"error,omitempty"`
}

// IWReport describes an importance-weighted bound (bounds.IWStats).
type IWReport struct {
	K      int             `json:"k"`
	Groups int             `json:"groups"`
	ESS    jsonnum.Float64 `json:"ess"` // mean effective sample size of a group, in [1, K]
	// ZeroWeight counts latents with a singular Jacobian (weight 0).
	ZeroWeight int `json:"zero_weight"`
}

// IWExactMaxDim is the widest latent for which the importance-weighted
// bound of the evaluation uses the exact log-det (d unit tangents per
// latent); wider ones use the s_min surrogate run to a tolerance.
const IWExactMaxDim = 64

// iwAssumptions states what the importance-weighted bound rests on.
func iwAssumptions(logdet string) string {
	s := "iw: E[L_K] ≤ log Z for any K by Jensen's inequality, for an injective generator; it needs no smoothness of the networks (SPEC §4(e))"
	if logdet == "smin" {
		s += "; with the s_min surrogate of the log-det only once LOBPCG has converged (it ran to tolerance 1e-4)"
	}
	return s + "; on the generator's image manifold when d < D"
}

// DiffusionReport holds the diagnostics of the diffusion bound, averaged
// over the evaluation batches.
type DiffusionReport struct {
	Nodes     []jsonnum.Float64 `json:"nodes"`     // quadrature nodes s_k
	Integrand []jsonnum.Float64 `json:"integrand"` // ½·E_{π_s}‖∇_z f‖² at each node, nats
	// Left and Right are the left and right Riemann sums of the integrand
	// on the nodes: the spread of the quadrature.
	Left  jsonnum.Float64 `json:"left"`
	Right jsonnum.Float64 `json:"right"`
	// Acceptance is the mean MALA acceptance over the nodes with steps.
	Acceptance jsonnum.Float64 `json:"acceptance"`
}

// bracketSpec is one bound to evaluate.
type bracketSpec struct {
	side, kind string
	trained    bool
	lower      bounds.EntropyLower[float32]
	upper      bounds.GapUpper[float32]
	err        error
	limit      int // latents to evaluate (the diffusion bound may get fewer)
}

// evalDiffusionConfig is the diffusion bound used for evaluation: the
// model's log-det method and step size, with at least 9 trapezoid nodes,
// 20 steps per node and the Metropolis correction, so that the chains mix
// better and carry no discretisation bias.
func evalDiffusionConfig(c bounds.DiffusionConfig) bounds.DiffusionConfig {
	c.Nodes = max(c.Nodes, 9)
	if c.Rule == "" {
		c.Rule = "trapezoid"
	}
	c.StepsPerNode = max(c.StepsPerNode, 20)
	c.MALA = true
	return c
}

// evalBracket evaluates every lower and upper bound of SPEC §7 and the
// importance-weighted lower bound for the networks on opt.Latents latents
// in batches of opt.BoundBatch, all on the same latents (the diffusion
// bound on the first opt.DiffusionLatents of them); a bound that cannot be
// built or evaluated for this model carries its error instead of failing
// the evaluation.
func evalBracket(s *Subject, nets bounds.Nets[float32], opt Options, image bool, notes *[]string) []BoundReport {
	cfg := s.Config
	d, D := nets.Generator.In(), nets.Generator.Out()
	B := opt.BoundBatch
	stream := func(name string) *nn.Stream { return nn.NewStream(opt.Seed, "eval/bracket/"+name) }

	var specs []*bracketSpec
	own := &bracketSpec{side: "lower", kind: string(cfg.Lower), trained: true, limit: opt.Latents}
	own.lower, own.err = ebm.NewLower(cfg, cfg.Lower, nets, B, stream(string(cfg.Lower)))
	if own.err == nil {
		own.err = loadAux(own.lower.AuxParams(), s.Aux, notes)
	}
	specs = append(specs, own)
	// The exact singular-value bound: Ĥ = H[q] for an injective G, so
	// ⌊log Z⌋ + Û is a true upper bound; the base of the upper bounds.
	base := own
	ownExact := cfg.Lower == ebm.LowerSV && cfg.SV.Method == "exact"
	if !ownExact && d <= bounds.ExactLogDetMaxDim && d <= D {
		exact := cfg
		exact.SV = bounds.SVConfig{Method: "exact"}
		ex := &bracketSpec{side: "lower", kind: string(ebm.LowerSV), limit: opt.Latents}
		ex.lower, ex.err = ebm.NewLower(exact, ebm.LowerSV, nets, B, stream("sv-exact"))
		specs = append(specs, ex)
		base = ex
	}
	if base.err != nil && own.err == nil {
		base = own
	}
	// The evaluation's settings of the upper bounds: the gp bound without
	// probe variance (same expectation), the diffusion bound with chains
	// that mix (evalDiffusionConfig) unless the options say otherwise.
	ucfg := cfg
	ucfg.GP.FullGradient = true
	ucfg.Diffusion = evalDiffusionConfig(cfg.Diffusion)
	if opt.Diffusion != nil {
		ucfg.Diffusion = *opt.Diffusion
	}
	diffN := diffusionLatents(opt, image, cfg.Upper == ebm.UpperDiffusion)
	for _, kind := range []ebm.UpperBound{ebm.UpperGP, ebm.UpperDiffusion} {
		up := &bracketSpec{side: "upper", kind: string(kind), trained: cfg.Upper == kind, lower: base.lower, err: base.err, limit: opt.Latents}
		switch {
		case kind == ebm.UpperDiffusion && diffN == 0:
			up.err = fmt.Errorf("left out: the diffusion bound runs MALA chains at every quadrature node, minutes per hundred latents of a %d-D model; Options.DiffusionLatents > 0 evaluates it", D)
		case up.err == nil:
			up.upper, up.err = ebm.NewUpper(ucfg, kind, nets, B, stream(string(kind)))
		}
		if kind == ebm.UpperDiffusion {
			up.limit = diffN
		}
		specs = append(specs, up)
		// The model's own pairing when its lower bound is not the base
		// (mi): the approximate bracket it was trained with.
		if up.trained && base != own && own.err == nil && cfg.Lower == ebm.LowerMI {
			pair := &bracketSpec{side: "upper", kind: string(kind), trained: true, lower: own.lower, upper: up.upper, err: up.err, limit: up.limit}
			up.trained = false
			specs = append(specs, pair)
		}
	}

	br, err := bounds.NewBracket(nets, B, stream("noise"))
	out := make([]BoundReport, len(specs))
	for i, sp := range specs {
		out[i] = BoundReport{Side: sp.side, Kind: sp.kind, Trained: sp.trained}
		if sp.lower != nil {
			out[i].Name = sp.lower.Name()
			if sp.side == "upper" {
				out[i].Base = sp.lower.Name()
			}
		}
		if sp.upper != nil {
			out[i].Name = sp.upper.Name()
		}
		if sp.err == nil {
			sp.err = err
		}
	}
	// The same latents for every bound: the entries are paired.
	zs := nn.NewStream(opt.Seed, "eval/bracket/latents")
	nb := (opt.Latents + B - 1) / B
	acc := make([]bracketAcc, len(specs))
	zAll := make([]float32, opt.Latents*d)
	for k := 0; k < nb; k++ {
		n := min(B, opt.Latents-k*B)
		z := zAll[k*B*d : (k*B+n)*d]
		nn.Normal(zs, z)
		for i, sp := range specs {
			m := min(n, sp.limit-k*B)
			if sp.err != nil || m <= 0 {
				continue
			}
			r, err := br.Evaluate(sp.lower, sp.upper, z[:m*d])
			if err != nil {
				sp.err = err
				continue
			}
			acc[i].add(r, m)
			if dif, ok := sp.upper.(*bounds.Diffusion[float32]); ok {
				acc[i].addDiffusion(dif.Stats(), m)
			}
		}
	}
	for i, sp := range specs {
		if sp.err != nil {
			out[i].Error = sp.err.Error()
			continue
		}
		acc[i].fill(&out[i])
		if sp.limit < opt.Latents {
			out[i].Latents = sp.limit
		}
	}
	if opt.IWK > 0 {
		out = append(out, evalIW(nets, opt, zAll))
	}
	return out
}

// diffusionLatents is the number of latents the diffusion bound is
// evaluated on (Options.DiffusionLatents).
func diffusionLatents(opt Options, image, trained bool) int {
	switch {
	case opt.DiffusionLatents > 0:
		return min(opt.DiffusionLatents, opt.Latents)
	case opt.DiffusionLatents < 0:
		return 0
	case image && trained:
		return min(opt.Latents, 100)
	case image:
		return 0
	}
	return opt.Latents
}

// evalIW evaluates the importance-weighted lower bound L_K on the latents
// z of the bracket, in groups of K = opt.IWK consecutive latents (K =
// Latents/2 when there are fewer than 2K), with the exact log-det for d ≤
// IWExactMaxDim.
func evalIW(nets bounds.Nets[float32], opt Options, z []float32) BoundReport {
	d, D := nets.Generator.In(), nets.Generator.Out()
	n := len(z) / d
	K := opt.IWK
	if n < 2*K {
		K = max(1, n/2)
	}
	cfg := bounds.IWConfig{K: K, LogDet: "exact"}
	if d > IWExactMaxDim {
		cfg = bounds.IWConfig{K: K, LogDet: "smin", LOBPCGIters: 50, LOBPCGTol: 1e-4}
	}
	rep := BoundReport{Side: "lower", Kind: "iw", Name: fmt.Sprintf("iw(K=%d)", K), Manifold: d < D, Assumptions: iwAssumptions(cfg.LogDet)}
	iw, err := bounds.NewImportanceWeighted(nets, cfg, max(K, opt.BoundBatch/K*K), nn.NewStream(opt.Seed, "eval/bracket/iw"))
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	rep.Name = iw.Name()
	groups := n / K
	est, err := iw.LogZ(z[:groups*K*d])
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	st := iw.Stats()
	rep.LogZ = est
	rep.IW = &IWReport{K: K, Groups: st.Groups, ESS: jsonnum.Float64(st.ESS), ZeroWeight: st.ZeroWeight}
	if groups*K < n {
		rep.Latents = groups * K
	}
	return rep
}

// loadAux copies trained auxiliary parameters into the bound's own.
func loadAux(ps []*nn.Param[float32], aux map[string][]float32, notes *[]string) error {
	if len(ps) == 0 {
		return nil
	}
	if aux == nil {
		*notes = append(*notes, "the mi bound's auxiliary networks were not available (in-memory model): "+
			"they are freshly initialised, so the model's own lower bound is valid but loose")
		return nil
	}
	return ebm.SetAux(ps, aux)
}

// bracketAcc averages batch results weighted by batch size.
type bracketAcc struct {
	n                   int
	lo, hi, h, u, et    [2]float64 // Σ n·value, Σ n²·se²
	approx, manifold    bool
	nodes, integ        []float64
	left, right, accept float64
	acceptN             float64
}

func addEst(a *[2]float64, e bounds.Estimate, n int) {
	a[0] += float64(n) * e.Value
	a[1] += float64(n*n) * e.StdErr * e.StdErr
}

func (a *bracketAcc) add(r bounds.BracketResult, n int) {
	a.n += n
	addEst(&a.lo, r.Lower, n)
	addEst(&a.h, r.Entropy, n)
	addEst(&a.et, r.EnergyTerm, n)
	if r.HasUpper {
		addEst(&a.hi, r.Upper, n)
		addEst(&a.u, r.Gap, n)
	}
	a.approx = a.approx || r.Approximate
	a.manifold = a.manifold || r.Manifold
}

func (a *bracketAcc) addDiffusion(st bounds.DiffusionStats, n int) {
	if a.nodes == nil {
		a.nodes = append([]float64(nil), st.Nodes...)
		a.integ = make([]float64, len(st.Nodes))
	}
	w := float64(n)
	for k, v := range st.Integrand {
		a.integ[k] += w * v
		if !math.IsNaN(st.Acceptance[k]) {
			a.accept += w * st.Acceptance[k]
			a.acceptN += w
		}
	}
	a.left += w * st.Left
	a.right += w * st.Right
}

func (a *bracketAcc) mean(v [2]float64) bounds.Estimate {
	n := float64(a.n)
	return estimate(v[0]/n, math.Sqrt(v[1])/n)
}

func (a *bracketAcc) fill(r *BoundReport) {
	r.EnergyTerm = a.mean(a.et)
	r.Approximate, r.Manifold = a.approx, a.manifold
	if r.Side == "lower" {
		r.LogZ, r.Term = a.mean(a.lo), a.mean(a.h)
		return
	}
	r.LogZ, r.Term = a.mean(a.hi), a.mean(a.u)
	if a.nodes != nil {
		n := float64(a.n)
		d := &DiffusionReport{Left: jsonnum.Float64(a.left / n), Right: jsonnum.Float64(a.right / n), Acceptance: jsonnum.Float64(math.NaN())}
		for k, s := range a.nodes {
			d.Nodes = append(d.Nodes, jsonnum.Float64(s))
			d.Integrand = append(d.Integrand, jsonnum.Float64(a.integ[k]/n))
		}
		if a.acceptN > 0 {
			d.Acceptance = jsonnum.Float64(a.accept / a.acceptN)
		}
		r.Diffusion = d
	}
}

// Violation is a bound on the wrong side of the reference log Z by more
// than the tolerance (3 standard errors, plus the grid's refinement change
// for the exact 2-D value): a bug or a broken assumption, named in
// Assumption.
type Violation struct {
	Side      string          `json:"side"` // "lower", "upper", "ais" or "crossed" (an upper bound below a lower one)
	Bound     string          `json:"bound"`
	Value     jsonnum.Float64 `json:"value"`     // the bound, nats
	StdErr    jsonnum.Float64 `json:"se"`        // its standard error
	Reference jsonnum.Float64 `json:"reference"` // the log Z it is compared with
	RefName   string          `json:"reference_name"`
	// Excess is how far the bound lies on the wrong side (> Tolerance).
	Excess     jsonnum.Float64 `json:"excess"`
	Tolerance  jsonnum.Float64 `json:"tolerance"`
	Assumption string          `json:"assumption"`
}

// checkBracket compares each bound with the reference log Z: the exact
// grid value (exact = true; lower and upper bounds are checked) or the AIS
// estimate, a stochastic lower bound (only upper bounds can be shown wrong).
func checkBracket(cfg ebm.Config, br []BoundReport, ref, refErr float64, exact, onBox bool, refName string) []Violation {
	var out []Violation
	for _, b := range br {
		if b.Error != "" || b.Manifold || (b.Side == "lower" && !exact) {
			continue
		}
		v, se := float64(b.LogZ.Value), stdErrOrZero(b)
		tol := 3 * math.Hypot(se, refErr) // against a Monte Carlo reference
		if exact {
			tol = 3*se + refErr // refErr: the grid's refinement change
		}
		excess := v - ref
		if b.Side == "upper" {
			excess = ref - v
		}
		if !(excess > tol) && !math.IsNaN(v) {
			continue
		}
		out = append(out, Violation{Side: b.Side, Bound: b.Name, Value: jsonnum.Float64(b.LogZ.Value), StdErr: jsonnum.Float64(b.LogZ.StdErr),
			Reference: jsonnum.Float64(ref), RefName: refName, Excess: jsonnum.Float64(excess), Tolerance: jsonnum.Float64(tol),
			Assumption: assumption(cfg, b, onBox)})
	}
	return out
}

// checkCrossed compares the bounds with one another: an upper bound below
// a lower bound of the same normaliser (both on R^D, or both on the
// generator's image manifold) beyond 3 standard errors shows that one of
// the two is wrong, with no reference log Z needed — on images, where the
// manifold bounds have none, this is the only check they get.
func checkCrossed(cfg ebm.Config, br []BoundReport) []Violation {
	var out []Violation
	usable := func(b BoundReport) bool { return b.Error == "" && !math.IsNaN(float64(b.LogZ.Value)) }
	for _, lo := range br {
		if lo.Side != "lower" || !usable(lo) {
			continue
		}
		for _, up := range br {
			if up.Side != "upper" || !usable(up) || up.Manifold != lo.Manifold {
				continue
			}
			excess := float64(lo.LogZ.Value) - float64(up.LogZ.Value)
			tol := 3 * math.Hypot(stdErrOrZero(lo), stdErrOrZero(up))
			if !(excess > tol) {
				continue
			}
			out = append(out, Violation{Side: "crossed", Bound: up.Name, Value: jsonnum.Float64(up.LogZ.Value), StdErr: jsonnum.Float64(up.LogZ.StdErr),
				Reference: jsonnum.Float64(lo.LogZ.Value), RefName: "the lower bound " + lo.Name, Excess: jsonnum.Float64(excess), Tolerance: jsonnum.Float64(tol),
				Assumption: "an upper bound below a lower bound of the same log Z: one of them is wrong. The upper: " +
					assumption(cfg, up, false) + ". The lower: " + assumption(cfg, lo, false)})
		}
	}
	return out
}

// stdErrOrZero is b's standard error, 0 when it has none (NaN): the
// tolerance of a check is then the other side's error alone.
func stdErrOrZero(b BoundReport) float64 {
	if s := float64(b.LogZ.StdErr); !math.IsNaN(s) {
		return s
	}
	return 0
}

// assumption names what a violation of bound b breaks (SPEC §2–§4).
func assumption(cfg ebm.Config, b BoundReport, onBox bool) string {
	var s string
	switch {
	case math.IsNaN(float64(b.LogZ.Value)):
		return "the bound is not a number: the estimator failed (singular Jacobians on every sample or a non-finite energy)"
	case b.Side == "lower" && b.Kind == "sv":
		s = "sv assumes an injective generator with a full-rank Jacobian; a generator that folds makes Σ log s_i overstate H[q]"
		if b.Name != "sv-exact" {
			s += "; the smin/topk surrogate with a truncated LOBPCG run overstates s_min (SPEC §3a)"
		}
	case b.Kind == "iw":
		s = "iw is a lower bound of log Z in expectation for an injective generator; an excess beyond noise means the generator " +
			"folds (log Z ≠ log E_p e^f), a truncated LOBPCG run (smin log-det) or a bug"
	case b.Side == "lower" && b.Kind == "mi":
		s = "mi is a lower bound on the entropy of the noisy generator q_σ for any G; an excess beyond noise points to " +
			"estimator bias (infonce/nwj on a small batch) or a bug"
	case b.Kind == "gp":
		s = "gp is the first-order (s = 0) truncation of the diffusion bound, rigorous only under a log-Sobolev assumption on π_1; " +
			"it under-estimates the gap when the EBM is wider than the generator (SPEC §4c)"
	case b.Kind == "diffusion":
		s = "diffusion is rigorous for a smooth f and a bijective G; falling short means under-mixed Langevin chains near s = 1 " +
			"(see the acceptance), quadrature error (see left/right) or a non-injective generator (log Z ≠ log E_p e^f)"
	}
	if b.Side == "upper" {
		switch {
		case b.Approximate:
			s += "; the bracket is approximate: a noisy (mi) lower bound plus a gap evaluated on the deterministic G (SPEC §4, pairings)"
		case strings.HasPrefix(b.Base, "sv-") && b.Base != "sv-exact":
			s += "; its base ⌊log Z⌋ uses a surrogate Ĥ < H[q] (not the exact log-det), so the sum can fall below log Z"
		}
	}
	if onBox && b.Side == "lower" {
		s = "the model is normalised on the box: exp(−E) has mass outside it, so the grid log Z under-states log Z on R² " +
			"and a lower bound may legitimately exceed it; otherwise: " + s
	}
	return s
}

// BracketWidth is how wide a bracket of log Z is, in nats.
type BracketWidth struct {
	// Trained is the trained upper bound minus the trained lower bound
	// (nil when the model has no trained bound on one side).
	Trained *jsonnum.Float64 `json:"trained,omitempty"`
	// Narrowest is the lowest evaluated upper bound minus the highest
	// evaluated lower bound (the importance-weighted one included), with
	// their names: the tightest bracket the evaluation found.
	Narrowest jsonnum.Float64 `json:"narrowest"`
	Lower     string          `json:"narrowest_lower"`
	Upper     string          `json:"narrowest_upper"`
}

// bracketWidth measures the bracket of the evaluated bounds (those with an
// error or on the generator's manifold left out); nil without both sides.
func bracketWidth(br []BoundReport) *BracketWidth {
	var w BracketWidth
	trained := map[string]float64{}
	best := map[string]float64{"lower": math.Inf(-1), "upper": math.Inf(1)}
	for _, b := range br {
		if b.Error != "" || b.Manifold {
			continue
		}
		v := float64(b.LogZ.Value)
		if b.Trained {
			trained[b.Side] = v
		}
		switch {
		case b.Side == "lower" && v > best["lower"]:
			best["lower"], w.Lower = v, b.Name
		case b.Side == "upper" && v < best["upper"]:
			best["upper"], w.Upper = v, b.Name
		}
	}
	if w.Lower == "" || w.Upper == "" {
		return nil
	}
	w.Narrowest = jsonnum.Float64(best["upper"] - best["lower"])
	lo, okL := trained["lower"]
	up, okU := trained["upper"]
	if okL && okU {
		tw := jsonnum.Float64(up - lo)
		w.Trained = &tw
	}
	return &w
}
