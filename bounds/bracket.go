package bounds

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// BracketResult is the bracket ⌊log Z⌋ ≤ log Z ≤ ⌈log Z⌉ of SPEC §2 on one
// batch of latents.
type BracketResult struct {
	EnergyTerm Estimate // E_q[−E] on x = G(z) (+ σε for a noisy generator)
	Entropy    Estimate // Ĥ
	Gap        Estimate // Û (zero without an upper bound)
	Lower      Estimate // ⌊log Z⌋ = E_q[−E] + Ĥ
	Upper      Estimate // ⌈log Z⌉ = ⌊log Z⌋ + Û (NaN without an upper bound)
	HasUpper   bool
	// Approximate is set when the lower bound is for the noisy generator
	// q_σ (mi) while the upper bound is evaluated on its deterministic part
	// G: the bracket is then approximate (SPEC §4, pairings).
	Approximate bool
	// Manifold is set when d < D: log Z is then the normaliser of exp(−E)
	// restricted to the generator's image manifold.
	Manifold bool
	// Paired is set when the standard errors come from per-sample sums of
	// the terms (computed on the same latents); otherwise the terms' errors
	// are combined in quadrature, as if independent.
	Paired bool
}

func (r BracketResult) String() string {
	s := fmt.Sprintf("⌊log Z⌋ = %v", r.Lower)
	if r.HasUpper {
		s += fmt.Sprintf(", ⌈log Z⌉ = %v", r.Upper)
	}
	if r.Approximate {
		s += " (approximate: noisy lower, deterministic upper)"
	}
	if r.Manifold {
		s += " (normaliser on the generator's manifold)"
	}
	return s
}

// Bracket evaluates the bracket of log Z from a lower entropy bound and an
// optional upper gap bound. Without an upper bound (the lower-bound-only
// baseline of SPEC §2) only ⌊log Z⌋ is defined.
type Bracket[T asm.Float] struct {
	nets   Nets[T]
	d, D   int
	maxB   int
	stream *nn.Stream
	gen    *nn.Workspace[T]
	en     *ConfinedEnergy[T]
	x, eps []T
	eterm  []float64
	comb   []float64
}

// NewBracket returns a bracket evaluator for nets and batches of at most
// maxBatch latents; the noise of a noisy generator without its own
// Perturb comes from stream.
func NewBracket[T asm.Float](nets Nets[T], maxBatch int, stream *nn.Stream) (*Bracket[T], error) {
	if err := nets.validate(false); err != nil {
		return nil, err
	}
	if maxBatch < 1 || stream == nil {
		return nil, fmt.Errorf("bounds: Bracket needs maxBatch ≥ 1 and a stream")
	}
	d, D := nets.dims()
	return &Bracket[T]{nets: nets, d: d, D: D, maxB: maxBatch, stream: stream,
		gen: nets.Generator.NewWorkspace(maxBatch, 0), en: newConfinedEnergy(nets.Energy, nets.Base, maxBatch, 0),
		x: make([]T, maxBatch*D), eps: make([]T, maxBatch*D),
		eterm: make([]float64, maxBatch), comb: make([]float64, maxBatch)}, nil
}

// Evaluate computes the bracket on the B×d latents z: the energy term on
// G(z) (Eval mode; perturbed by σε for a noisy generator), lower.Entropy and
// upper.Gap (nil for none), none of them accumulating gradients.
func (br *Bracket[T]) Evaluate(lower EntropyLower[T], upper GapUpper[T], z []T) (BracketResult, error) {
	B, err := latentBatch("Bracket", len(z), br.d, br.maxB)
	if err != nil {
		return BracketResult{}, err
	}
	D := br.D
	x := br.x[:B*D]
	copy(x, br.gen.Forward(z, nn.Eval))
	if sigma := lower.Noise(); sigma > 0 {
		if ng, ok := lower.(NoisyGenerator[T]); ok {
			ng.Perturb(x)
		} else {
			nn.Normal(br.stream, br.eps[:B*D])
			asm.Axpy(T(sigma), br.eps[:B*D], x)
		}
	}
	e := br.en.Energy(x, nn.Eval)
	for b := 0; b < B; b++ {
		br.eterm[b] = -e[b]
	}
	var r BracketResult
	r.EnergyTerm, _ = MeanSE(br.eterm[:B])
	r.Manifold = br.d < D
	if r.Entropy, err = lower.Entropy(z, 0); err != nil {
		return r, err
	}
	r.Lower = Estimate{r.EnergyTerm.Value + r.Entropy.Value, math.Hypot(r.EnergyTerm.StdErr, r.Entropy.StdErr)}
	comb := br.comb[:B]
	copy(comb, br.eterm[:B])
	r.Paired = addPerSample(comb, lower)
	if r.Paired {
		r.Lower.StdErr = pairedSE(comb, r.Lower.StdErr)
	}
	r.Upper = Estimate{math.NaN(), math.NaN()}
	if upper == nil {
		return r, nil
	}
	r.HasUpper = true
	r.Approximate = lower.Noise() > 0
	if r.Gap, _, err = upper.Gap(z, 0, 0); err != nil {
		return r, err
	}
	r.Upper = Estimate{r.Lower.Value + r.Gap.Value, math.Hypot(r.Lower.StdErr, r.Gap.StdErr)}
	if r.Paired && addPerSample(comb, upper) {
		r.Upper.StdErr = pairedSE(comb, r.Upper.StdErr)
	} else {
		r.Paired = false
	}
	return r, nil
}

// addPerSample adds the per-sample terms of a bound to acc when it exposes
// them for the same batch, and reports whether it did.
func addPerSample(acc []float64, bound any) bool {
	ps, ok := bound.(PerSample)
	if !ok {
		return false
	}
	v := ps.PerSample()
	if len(v) != len(acc) {
		return false
	}
	for i, x := range v {
		acc[i] += x
	}
	return true
}

// pairedSE returns the standard error of the mean of the per-sample sums,
// or fallback when too few are finite.
func pairedSE(v []float64, fallback float64) float64 {
	est, _ := MeanSE(v)
	if math.IsNaN(est.StdErr) {
		return fallback
	}
	return est.StdErr
}
