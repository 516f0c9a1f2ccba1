package eval

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/ebm"
)

// tinyImageConfig is a few iterations of a pairing on MNIST with tiny MLP
// networks (the image defaults otherwise).
func tinyImageConfig(t *testing.T, dataset, lower, upper string) ebm.Config {
	t.Helper()
	if _, err := data.Open(dataset, false); err != nil {
		t.Skipf("%s: %v", dataset, err)
	}
	cfg := ebm.DefaultConfigFor(dataset)
	cfg.Lower, cfg.Upper = ebm.LowerBound(lower), ebm.UpperBound(upper)
	cfg.Steps, cfg.Batch, cfg.LatentDim = 3, 16, 4
	cfg.Energy = ebm.NetConfig{Hidden: []int{16}, Activation: "leakyrelu", OutputScale: true}
	cfg.Generator = ebm.NetConfig{Hidden: []int{16}, Activation: "elu", OutputActivation: "tanh"}
	cfg.MI.Hidden = []int{8}
	cfg.PlotEvery, cfg.CheckpointEvery = 0, 0
	return cfg
}

// quickImages are tiny evaluation settings for image models.
func quickImages() Options {
	return Options{Samples: 40, TestPoints: 300, Latents: 40, BoundBatch: 20, Seed: 5, IWK: 10, OODPoints: 60, FitImages: 300,
		AIS:      AISConfig{Temps: 10, Chains: 8, Steps: 1, PilotChains: 4},
		Langevin: LangevinConfig{Steps: 3, BurnIn: 4, AdaptEvery: 2}}
}

// TestEvaluateImages evaluates a tiny MNIST model: log Z on the pixel cube
// by AIS, bits/dim of dequantised images, the bracket with the
// importance-weighted bound and without the (dear) diffusion bound, the
// out-of-distribution AUROCs against Fashion-MNIST and both noises, and
// the classifier's sample quality; every number finite, MALA samples in
// the cube, the summary naming each part, the JSON round trip intact.
func TestEvaluateImages(t *testing.T) {
	cfg := tinyImageConfig(t, "mnist", "sv", "gp")
	cfg.Base.Weight = 1 // with a Gaussian base: the network's own AUROC is reported too
	tr := trainTiny(t, cfg)
	s := &Subject{Config: tr.Config(), Nets: tr.Nets, Dims: tr.Dims(), Step: tr.StepCount()}
	r, err := Evaluate(s, quickImages())
	require.NoError(t, err)
	require.Equal(t, "ais", r.LogZMethod)
	require.Equal(t, 1.0, r.GaussianBase)
	im := r.Images
	require.NotNil(t, im)
	require.Equal(t, [2]int{28, 28}, [2]int{im.Height, im.Width})
	require.Equal(t, 300, r.Test.N)
	require.True(t, r.Test.Optimistic)
	// The NLL's SE includes the AIS's.
	require.GreaterOrEqual(t, float64(r.Test.NLL.StdErr), float64(r.LogZ.StdErr))
	require.InDelta(t, data.BitsPerDim(float64(im.DequantizedNLL.Value), 784, data.Symmetric), float64(im.BitsPerDim.Value), 1e-9)
	require.Contains(t, im.Confinement, "mean E")

	kinds := map[string]BoundReport{}
	for _, b := range r.Bracket {
		kinds[b.Side+"/"+b.Kind] = b
	}
	iw := kinds["lower/iw"]
	require.Empty(t, iw.Error)
	require.NotNil(t, iw.IW)
	require.Equal(t, 10, iw.IW.K)
	require.Equal(t, 4, iw.IW.Groups)
	require.True(t, iw.Manifold, "d < D")
	require.Contains(t, iw.Assumptions, "injective")
	require.Contains(t, kinds["upper/diffusion"].Error, "left out", "the diffusion bound of an image model trained with gp")
	require.Empty(t, kinds["upper/gp"].Error)
	require.Equal(t, ebm.Certify(tr.Config(), tr.Nets.Generator), r.Certification)

	o := im.OOD
	require.NotNil(t, o)
	names := []string{}
	for _, st := range o.Sets {
		names = append(names, st.Name)
		require.Equal(t, 60, st.N)
		for _, a := range []float64{float64(st.Energy), float64(st.LogDensityUpper)} {
			require.True(t, a >= 0 && a <= 1, "AUROC %v", a)
		}
		require.Equal(t, st.Energy, st.LogDensityUpper, "a constant shift keeps the ranks")
		require.True(t, st.Network >= 0 && st.Network <= 1, "AUROC of E_θ %v", st.Network)
		if strings.HasPrefix(st.Name, "uniform") {
			require.Greater(t, float64(st.Reference), 0.99, "a Gaussian fit of MNIST tells uniform noise from digits")
			require.Greater(t, float64(st.Energy), 0.99, "so does an energy with that Gaussian as its base")
		}
	}
	ref := im.Reference
	require.NotNil(t, ref)
	require.Contains(t, ReferenceRidges, ref.RelRidge)
	require.Greater(t, float64(ref.BitsPerDim.Value), 0.0)
	require.Less(t, float64(ref.BitsPerDim.Value), 8.0, "the Gaussian codes MNIST in fewer bits than the 8 of raw pixels")
	if _, err := data.Open("fashion-mnist", false); err == nil {
		require.Equal(t, "fashion-mnist test images", names[0])
		require.Len(t, names, 3)
	}

	q := im.Quality
	require.NotNil(t, q)
	require.Equal(t, "mnist", q.Classifier)
	require.Equal(t, 40, q.Generator.Samples.N)
	require.Equal(t, 40, q.Langevin.Samples.N)
	require.Equal(t, 40, q.Reference.Samples.N)
	require.Greater(t, float64(q.Generator.ReferenceAccuracy), 0.9, "the classifier on 300 test images")
	for _, v := range r.Pictures.Langevin {
		require.True(t, v >= -1 && v <= 1, "a MALA sample left the pixel cube: %v", v)
	}
	require.Len(t, r.Pictures.Energies, 1+len(o.Sets))

	if p := firstNonFinite(reflect.ValueOf(r), "report", map[string]bool{"Diffusion": true, "StepMin": true, "StepMax": true}); p != "" {
		t.Errorf("non-finite value at %s", p)
	}
	var sum strings.Builder
	require.NoError(t, r.Summary(&sum))
	for _, want := range []string{"bits/dim", "iw", "certification", "out-of-distribution AUROC", "uniform noise", "Gaussian noise", "sample quality", "generator"} {
		require.Contains(t, sum.String(), want)
	}
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(raw, &back))
	require.Equal(t, r.Images.BitsPerDim, back.Images.BitsPerDim)
	require.Equal(t, len(r.Images.OOD.Sets), len(back.Images.OOD.Sets))

	// The parts are optional.
	cheap := quickImages()
	cheap.OODPoints, cheap.IWK, cheap.SkipQuality, cheap.SkipBracket = -1, -1, true, true
	r2, err := Evaluate(s, cheap)
	require.NoError(t, err)
	require.Nil(t, r2.Images.OOD)
	require.Nil(t, r2.Images.Quality)
	require.Empty(t, r2.Bracket)
	require.Equal(t, r.LogZ, r2.LogZ, "the same AIS whatever the other parts")
	require.False(t, math.IsNaN(float64(r2.Images.BitsPerDim.Value)))
}
