package bounds

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"github.com/ebmcpu/ebmcpu/nn"
)

// ErrInterrupted is returned by a bound stopped by its Interrupt hook.
var ErrInterrupted = errors.New("bounds: interrupted")

// Estimate is a Monte Carlo estimate and its standard error, in the units
// of the quantity. In JSON it is {"value": …, "se": …}, a non-finite
// number written as null (the SE of a single value is NaN).
type Estimate struct{ Value, StdErr float64 }

func (e Estimate) String() string { return fmt.Sprintf("%.4f ± %.4f", e.Value, e.StdErr) }

type estimateJSON struct {
	Value  jsonnum.Float64 `json:"value"`
	StdErr jsonnum.Float64 `json:"se"`
}

// MarshalJSON implements json.Marshaler.
func (e Estimate) MarshalJSON() ([]byte, error) {
	return json.Marshal(estimateJSON{jsonnum.Float64(e.Value), jsonnum.Float64(e.StdErr)})
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *Estimate) UnmarshalJSON(b []byte) error {
	var j estimateJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Estimate{float64(j.Value), float64(j.StdErr)}
	return nil
}

// Nets are the two networks every bound works on: the energy E_θ (D → 1)
// and the generator G_φ (d → D). The energy the bounds see is
// E_θ(x) + Base(x), with the parameter-free Base (ConfinedEnergy).
type Nets[T asm.Float] struct {
	Energy, Generator *nn.Network[T]
	Base              Base[T]
}

// dims returns the latent width d and the data width D.
func (n Nets[T]) dims() (d, D int) { return n.Generator.In(), n.Generator.Out() }

// validate checks the shapes; injective says the bound needs d ≤ D.
func (n Nets[T]) validate(injective bool) error {
	switch {
	case n.Energy == nil || n.Generator == nil:
		return errors.New("bounds: Nets needs an energy and a generator")
	case n.Energy.Out() != 1:
		return fmt.Errorf("bounds: the energy outputs width %d, want 1", n.Energy.Out())
	case n.Energy.In() != n.Generator.Out():
		return fmt.Errorf("bounds: the energy takes width %d but the generator outputs %d", n.Energy.In(), n.Generator.Out())
	case injective && n.Generator.In() > n.Generator.Out():
		return fmt.Errorf("bounds: latent width %d exceeds data width %d; an injective generator needs d ≤ D", n.Generator.In(), n.Generator.Out())
	}
	return n.Base.Validate(n.Energy.In())
}

// EntropyLower is a lower bound Ĥ ≤ H[q] on the generator entropy (SPEC
// §3). The generator maximises E_q[−E] + Ĥ.
type EntropyLower[T asm.Float] interface {
	// Name identifies the bound and its estimator settings.
	Name() string
	// Entropy estimates Ĥ on the latents z (B×d). If weight ≠ 0 it
	// accumulates weight·∇Ĥ into Param.Grad of the generator and of the
	// auxiliary networks (the trainer passes weight = −w_H to minimise
	// E − w_H·Ĥ). Jacobian work uses the generator in Eval mode (SPEC §5).
	Entropy(z []T, weight float64) (Estimate, error)
	// AuxParams returns the parameters of the auxiliary networks trained
	// with the generator (nil when there are none).
	AuxParams() []*nn.Param[T]
	// Noise returns σ of the noisy generator x = G(z) + σε (0 for a
	// deterministic generator).
	Noise() float64
}

// GapUpper is an upper bound Û ≥ KL(q ‖ p_θ) on the gap of the bracket
// (SPEC §4). The energy minimises E_data[E] − E_q[E] + penalty(θ).
type GapUpper[T asm.Float] interface {
	// Name identifies the bound and its settings.
	Name() string
	// Gap estimates the bound Û (λ = 1: the reported bound) on the latents
	// z (B×d) and returns the training penalty separately (its weight λ_t
	// at the given step, hinge and schedule applied). If weight ≠ 0 it
	// accumulates weight·∇_θ(penalty) into the energy's Param.Grad, with
	// the quantities of SPEC §4 held constant.
	Gap(z []T, step int, weight float64) (bound Estimate, penalty float64, err error)
}

// PerSample is implemented by every bound of this package: the per-sample
// (per-chain) terms whose mean was the last estimate, in sample order. The
// Bracket uses them to combine errors of terms computed on the same
// latents. The slice is reused by the next call.
type PerSample interface {
	PerSample() []float64
}

// NoisyGenerator is implemented by entropy bounds whose generator is noisy
// (mi): the trainer perturbs its generator samples with it so that the
// energy term E_{q_σ}[E] and the entropy refer to the same q_σ, and, with a
// learned σ, routes the energy term's gradient to σ.
type NoisyGenerator[T asm.Float] interface {
	// Perturb adds σε to the B×D samples x in place, drawing ε from the
	// bound's stream and keeping it for BackwardNoise.
	Perturb(x []T)
	// BackwardNoise accumulates ∂L/∂(log σ) = σ·Σ gx∘ε into the σ
	// parameter, given gx = ∂L/∂x at the samples of the last Perturb.
	BackwardNoise(gx []T)
}

// MeanSE returns the mean of the finite values of v and its standard error
// (sample standard deviation over √n; NaN for fewer than two values), and
// the number of values left out.
func MeanSE(v []float64) (Estimate, int) {
	var n int
	var s float64
	for _, x := range v {
		if asm.Finite(x) {
			n++
			s += x
		}
	}
	if n == 0 {
		return Estimate{math.NaN(), math.NaN()}, len(v)
	}
	m := s / float64(n)
	if n < 2 {
		return Estimate{m, math.NaN()}, len(v) - n
	}
	var ss float64
	for _, x := range v {
		if asm.Finite(x) {
			ss += (x - m) * (x - m)
		}
	}
	return Estimate{m, math.Sqrt(ss / float64(n-1) / float64(n))}, len(v) - n
}

// latentBatch returns the batch size of n latent values of width d and
// checks it against the maximum.
func latentBatch(name string, n, d, maxB int) (int, error) {
	if d <= 0 || n%d != 0 {
		return 0, fmt.Errorf("bounds: %s: latents of length %d are not a multiple of the latent width %d", name, n, d)
	}
	B := n / d
	if B < 1 || B > maxB {
		return 0, fmt.Errorf("bounds: %s: batch of %d outside [1, %d]", name, B, maxB)
	}
	return B, nil
}

// lambdaAt returns the training weight of a penalty at a step: constant w
// or the reference code's decaying schedule λ_t = 0.7·(2307 + t)^−0.55.
func lambdaAt(schedule string, w float64, step int) float64 {
	if schedule == "decay" {
		return 0.7 * math.Pow(2307+float64(max(step, 0)), -0.55)
	}
	return w
}

func checkSchedule(s string) (string, error) {
	switch s {
	case "", "constant":
		return "constant", nil
	case "decay":
		return s, nil
	}
	return "", fmt.Errorf("bounds: unknown schedule %q (want constant or decay)", s)
}

// halfLog2Pi is ½·log 2π.
var halfLog2Pi = 0.5 * math.Log(2*math.Pi)

// gaussEntropy returns the entropy (n/2)·log(2πe) of N(0, I_n).
func gaussEntropy(n int) float64 { return float64(n) * (halfLog2Pi + 0.5) }
