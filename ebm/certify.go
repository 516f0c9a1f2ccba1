package ebm

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Certification says which sides of a model's bracket ⌊log Z⌋ ≤ log Z ≤
// ⌈log Z⌉ are certified bounds: a side is certified only when every
// assumption of its bound that can be checked from the model holds
// (docs/SPEC.md §4(e); bounds/doc.go, "When the bounds hold"). Every output
// that shows the bracket — metrics, eval.json, the command line, the
// inference server, RESULTS.md — shows this with it.
type Certification struct {
	Lower bool   `json:"lower_certified"`
	Upper bool   `json:"upper_certified"`
	Why   string `json:"certification"` // the assumptions each side rests on, or why it is not certified
}

func (c Certification) String() string { return c.Why }

// Certify labels the bracket of the bounds cfg names on the generator gen.
//
// Lower side: sv with the exact log-det is a bound for an injective
// generator (which cannot be checked here; eval looks for folds); smin and
// topk only once LOBPCG runs to a tolerance (a truncated run overstates
// s_min); mi holds for any generator. Upper side: gp is the first-order
// truncation of the diffusion bound and is never certified; diffusion needs
// a C¹ generator (bounds.CheckC1), the exact log-det, MALA chains and a
// deterministic generator (with mi the bracket is approximate); whether
// the chains mixed and the quadrature converged is measured by eval.
func Certify(cfg Config, gen *nn.Network[float32]) Certification {
	var c Certification
	var lower, upper string
	switch {
	case cfg.Lower == LowerMI:
		c.Lower, lower = true, "lower certified (mi: valid for any generator)"
	case cfg.SV.Method == "exact":
		c.Lower, lower = true, "lower certified if the generator is injective (sv-exact)"
	case cfg.SV.LOBPCGTol > 0:
		c.Lower, lower = true, fmt.Sprintf("lower certified if the generator is injective and LOBPCG reached tolerance %g (sv-%s)", cfg.SV.LOBPCGTol, cfg.SV.Method)
	default:
		lower = fmt.Sprintf("lower NOT certified: sv-%s stops LOBPCG after a fixed number of iterations, which overstates s_min", methodOr(cfg.SV.Method))
	}
	switch cfg.Upper {
	case UpperNone:
		upper = "no upper bound (the lower-bound-only baseline)"
	case UpperGP:
		upper = "upper NOT certified: gp is the first-order truncation of the diffusion bound (it can fall below log Z)"
	case UpperDiffusion:
		upper = diffusionWhy(cfg, gen)
		c.Upper = upper == ""
		if c.Upper {
			upper = "upper certified if the chains mix and the quadrature converges (diffusion: C¹ generator, exact log-det, MALA)"
		}
	}
	c.Why = lower + "; " + upper
	return c
}

// diffusionWhy is why a diffusion upper bound is not certified ("" when
// nothing that can be checked here stands against it).
func diffusionWhy(cfg Config, gen *nn.Network[float32]) string {
	if cfg.Lower == LowerMI {
		return "upper NOT certified: with the noisy mi generator the bracket is approximate (the gap is evaluated on the deterministic G)"
	}
	if err := bounds.CheckC1(gen); err != nil {
		return "upper NOT certified: the generator is not C¹ (" + err.Error() + "), so ½ log det JᵀJ jumps and the bound can fall below log Z"
	}
	if cfg.Diffusion.LogDet == "smin" {
		return "upper NOT certified: the s_min surrogate of the log-det is not a bound on its gradient"
	}
	if !cfg.Diffusion.MALA {
		return "upper NOT certified: unadjusted Langevin chains carry an O(h) bias"
	}
	return ""
}

func methodOr(m string) string {
	if m == "" {
		return "smin"
	}
	return m
}
