package suite

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/ebm"
)

// TestVariants checks that every ablation pairing parses, that each variant
// changes the run's configuration (and only through Apply), and that an
// unknown variant is an error naming it.
func TestVariants(t *testing.T) {
	c := AblationConfig()
	require.NoError(t, c.Validate())
	base := c.RunConfig(Spec{"8gaussians", "sv+gp", 1})
	require.Equal(t, ebm.DefaultNegatives, base.Negatives, "the ablation's reference is the default run")
	seen := map[string]bool{}
	for _, p := range c.Pairings[1:] {
		lower, upper, err := ParsePairing(p)
		require.NoError(t, err, p)
		require.Equal(t, "sv", lower)
		require.Equal(t, "gp", upper)
		cfg := c.RunConfig(Spec{"8gaussians", p, 1})
		require.NotEqual(t, base, cfg, "%s changes nothing", p)
		// Every run of the list has the same set and seed: two variants
		// with equal configurations would repeat each other.
		key := toString(cfg)
		require.False(t, seen[key], "%s repeats another variant", p)
		seen[key] = true
	}
	for name, v := range Variants {
		require.Equal(t, v.Images, !slices.Contains(c.Pairings, "sv+gp@"+name), "%s: the 2-D ablation has exactly the 2-D variants", name)
	}

	// The image variants change the image defaults and keep them valid.
	img := ImagesConfig()
	img.Pairings = []string{"sv+gp"}
	imgBase := img.RunConfig(Spec{"mnist", "sv+gp", 1})
	for name, v := range Variants {
		if !v.Images {
			continue
		}
		img.Pairings = []string{"sv+gp@" + name}
		require.NoError(t, img.Validate(), name)
		cfg := img.RunConfig(Spec{"mnist", "sv+gp@" + name, 1})
		require.NotEqual(t, imgBase, cfg, "%s changes nothing", name)
		require.NoError(t, cfg.Validate(), name)
	}

	_, _, err := ParsePairing("sv+gp@nonsense")
	require.ErrorContains(t, err, `"nonsense"`)
	_, _, err = ParsePairing("sv+nothing@no-ema")
	require.Error(t, err)
}

func toString(c ebm.Config) string {
	b, _ := json.Marshal(c)
	return string(b)
}
