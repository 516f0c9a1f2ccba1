package suite

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ebmcpu/ebmcpu/ebm"
)

// A Variant changes one setting of the default configuration, so that an
// ablation can show what each default is worth: a pairing "sv+gp@name" is
// the pairing sv+gp with the variant name applied after the defaults.
type Variant struct {
	Help  string // what it changes, for RESULTS.md and the flag's help
	Apply func(*ebm.Config)
	Steps int // > 0: the variant's runs are this long, whatever the suite's steps
	// Images marks a variant of the image defaults (ebm.DefaultImageConfig),
	// left out of the 2-D ablation.
	Images bool
}

// Variants are the one-change ablations of the 2-D defaults (issue 14):
// each undoes or alters one quality setting of ebm.DefaultConfig.
var Variants = map[string]Variant{
	"before": {"the defaults before the quality settings: no refined or weighted negatives, λ = 0.1, the energy's Adam with learning rate 2e-4 and β = (0, 0.9), 4000 iterations", func(c *ebm.Config) {
		c.Negatives, c.GP.Weight, c.OptE = ebm.NegativesConfig{}, 0.1, c.OptG
	}, 4000, false},
	"no-negatives": {"the energy step's negatives are the generator's samples, unweighted", func(c *ebm.Config) {
		c.Negatives = ebm.NegativesConfig{}
	}, 0, false},
	"mala": {"the negatives refined by 10 MALA steps from the generator's samples, step size adapted to an acceptance of 0.6 (ebm.MALANegatives), never importance-weighted", func(c *ebm.Config) {
		c.Negatives = ebm.MALANegatives
	}, 0, false},
	"no-resample": {"the importance-weighted negatives alone (ebm.WeightedNegatives), never resampled and refined by MALA steps", func(c *ebm.Config) {
		c.Negatives = ebm.WeightedNegatives
	}, 0, false},
	"resample-1": {"the weighted negatives resampled and refined by the MALA steps every iteration, not only when their effective sample size falls below 0.3 of the batch", func(c *ebm.Config) {
		c.Negatives.Resample = 1
	}, 0, false},
	"lr-2e-4": {"the energy's learning rate 2e-4 (the generator's) instead of 1e-3", func(c *ebm.Config) { c.OptE.LR = 2e-4 }, 0, false},
	"adam-0": {"the energy's Adam with β₁ = 0 and β₂ = 0.9 (the generator's) instead of 0.9 and 0.999", func(c *ebm.Config) {
		c.OptE.Beta1, c.OptE.Beta2 = 0, 0.9
	}, 0, false},
	"short":   {"4000 iterations instead of 8000", func(*ebm.Config) {}, 4000, false},
	"gp-0.01": {"the penalty weight λ = 0.01 instead of 0.001", func(c *ebm.Config) { c.GP.Weight = 0.01 }, 0, false},
	"gp-0.1":  {"the penalty weight λ = 0.1 instead of 0.001 (images: instead of 0.01)", func(c *ebm.Config) { c.GP.Weight = 0.1 }, 0, false},
	"long":    {"20000 iterations instead of 8000", func(*ebm.Config) {}, 20000, false},
	"no-ema":  {"the saved energy is the last weights, not the moving average of its weights (ema 0)", func(c *ebm.Config) { c.EMA = 0 }, 0, false},
	"energy-2": {"the energy with two hidden layers of 100 (SPEC §5, the reference code's) instead of four", func(c *ebm.Config) {
		c.Energy.Hidden = []int{100, 100}
	}, 0, false},
	"energy-3": {"the energy with three hidden layers of 100 instead of four", func(c *ebm.Config) {
		c.Energy.Hidden = []int{100, 100, 100}
	}, 0, false},

	// Alternatives to the MALA negatives, measured when they were the
	// default (results/ABLATION.md, ABLATION-adapt.md): each changes one
	// setting of the variant mala.
	"ula": {"mala with unadjusted Langevin steps (no Metropolis correction)", func(c *ebm.Config) {
		c.Negatives = ebm.MALANegatives
		c.Negatives.MALA, c.Negatives.TargetAcceptance = false, 0
	}, 0, false},
	"neg-20": {"mala with 20 refinement steps instead of 10", func(c *ebm.Config) {
		c.Negatives = ebm.MALANegatives
		c.Negatives.Steps = 20
	}, 0, false},
	"persistent": {"mala with persistent chains, each restarted from a generator sample with probability 0.05", func(c *ebm.Config) {
		c.Negatives = ebm.MALANegatives
		c.Negatives.Restart = 0.05
	}, 0, false},
	"fixed-step": {"mala with the step size fixed at 0.03 (no adaptation to an acceptance)", func(c *ebm.Config) {
		c.Negatives = ebm.MALANegatives
		c.Negatives.TargetAcceptance = 0
	}, 0, false},

	// Image variant: the penalty weight of results/IMAGES.md, the 2-D
	// default (gp-0.1 above serves images too).
	"gp-0.001": {"the penalty weight λ = 0.001 (the reference code's)", func(c *ebm.Config) { c.GP.Weight = 0.001 }, 0, true},
	// Image variants: a Gaussian base under the network (ebm.BaseConfig).
	"base-0.1": {"a Gaussian base of weight β = 0.1 under the energy network (gaussian_base.weight)", func(c *ebm.Config) { c.Base.Weight = 0.1 }, 0, true},
	"base-0.3": {"a Gaussian base of weight β = 0.3 under the energy network (gaussian_base.weight)", func(c *ebm.Config) { c.Base.Weight = 0.3 }, 0, true},
}

// AblationPairings are the pairings of `ebmcpu suite --ablation`: the
// default pairing, then each 2-D variant of it.
func AblationPairings() []string {
	names := make([]string, 0, len(Variants))
	for n, v := range Variants {
		if !v.Images {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := []string{"sv+gp"}
	for _, n := range names {
		out = append(out, "sv+gp@"+n)
	}
	return out
}

// AblationConfig is the ablation of the 2-D defaults: the four sets with a
// density that are hardest for the EBM, every variant, 3 seeds, the default
// number of iterations.
func AblationConfig() Config {
	c := DefaultConfig()
	c.Sets = []string{"8gaussians", "rings", "checkerboard", "25gaussians"}
	c.Pairings = AblationPairings()
	c.Steps = ebm.DefaultConfig().Steps
	c.Note = "ablation of the quality defaults: each variant (@name) changes one setting of the default run, see the list below"
	return c
}

// splitVariant splits "lower+upper@variant" into the pairing and the
// variant (nil without one).
func splitVariant(p string) (string, *Variant, error) {
	base, name, ok := strings.Cut(p, "@")
	if !ok {
		return p, nil, nil
	}
	v, found := Variants[name]
	if !found {
		return "", nil, fmt.Errorf("unknown variant %q in %q (want one of: %s)", name, p, strings.Join(AblationPairings()[1:], ", "))
	}
	return base, &v, nil
}

// hasVariant reports whether a pairing has a variant.
func hasVariant(pairings []string) bool {
	for _, pr := range pairings {
		if _, v, _ := splitVariant(pr); v != nil {
			return true
		}
	}
	return false
}

// writeVariants lists the variants the pairings use, for a report.
func writeVariants(p func(string, ...any), pairings []string) {
	header := false
	for _, pr := range pairings {
		base, v, _ := splitVariant(pr)
		if v == nil {
			continue
		}
		if !header {
			p("")
			p("Variants: each changes one setting of the default run of its pairing:")
			header = true
		}
		p("- %s: %s (%s otherwise as the default)", pr, v.Help, base)
	}
}
