package ebm

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEverySettingHasHelp: `ebmcpu train -h` prints one line per setting
// from its help tag; a setting without one would print nothing useful.
func TestEverySettingHasHelp(t *testing.T) {
	for _, c := range []Config{DefaultConfig(), DefaultImageConfig()} {
		for _, s := range Settings(&c) {
			require.NotEmpty(t, s.Help, "setting %s has no help tag", s.Name)
		}
	}
}

// TestResolve: the resolved config of a run makes its defaults explicit,
// resolving twice changes nothing, and the defaults of the bounds show in
// DefaultConfig itself (so that -h prints real values, not zeros).
func TestResolve(t *testing.T) {
	def := DefaultConfig()
	require.Equal(t, 2, def.SV.LOBPCGIters)
	require.Equal(t, 5, def.Diffusion.Nodes)
	require.Equal(t, "ba", def.MI.Estimator)
	r, err := def.Resolve(Dims{Data: 2, Latent: 2})
	require.NoError(t, err)
	require.Equal(t, 2, r.LatentDim)
	require.Equal(t, "exact", r.GP.LogDet)
	again, err := r.Resolve(Dims{Data: 2, Latent: 2})
	require.NoError(t, err)
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(again)
	require.JSONEq(t, string(a), string(b))

	img, err := DefaultImageConfig().Resolve(Dims{Data: 784, Latent: 32, Channels: 1, Height: 28, Width: 28})
	require.NoError(t, err)
	require.Equal(t, "smin", img.GP.LogDet)
	require.Equal(t, 32, img.LatentDim)

	bad := def
	bad.GP.LogDet = "fast"
	_, err = bad.Resolve(Dims{Data: 2, Latent: 2})
	require.ErrorContains(t, err, "gp.log_det")
}
