package eval

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/gaussian"
	"github.com/ebmcpu/ebmcpu/nn"
)

// syntheticImages are n 2×2 images: a pixel, one correlated with it, an
// independent one and a constant one (only a ridge makes Σ invertible).
func syntheticImages(n int, seed uint64) *data.Images {
	st := nn.NewStream(seed, "images")
	im := &data.Images{N: n, Height: 2, Width: 2, Pix: make([]uint8, n*4)}
	for i := 0; i < n; i++ {
		a := st.IntN(200)
		im.Pix[i*4+0] = uint8(a)
		im.Pix[i*4+1] = uint8(a/2 + st.IntN(50))
		im.Pix[i*4+2] = uint8(st.IntN(256))
		im.Pix[i*4+3] = 0
	}
	return im
}

// TestImageReference: the reference's ridge is the one of ReferenceRidges
// with the highest held-out likelihood, its test NLL is the mean of its
// per-image NLLs, and too few images are an error, not a panic.
func TestImageReference(t *testing.T) {
	im := syntheticImages(1000, 3)
	g, err := fitImageGaussians(im, 10000, nn.NewStream(1, "ref"))
	require.NoError(t, err)
	require.Equal(t, 200, g.heldOut) // N/5
	require.Equal(t, 800, g.reference.N)
	require.Equal(t, GaussianRidge, g.noise.RelRidge)

	// Recompute the choice on the same held-out draws.
	held := dequantize(ImageRows(im, 1000)[800*4:], nn.NewStream(1, "ref"))
	m, err := imageMoments(im, 800)
	require.NoError(t, err)
	want, err := gaussian.Choose(m, ReferenceRidges, held)
	require.NoError(t, err)
	require.Equal(t, want.RelRidge, g.reference.RelRidge)

	x := ImageRows(syntheticImages(100, 4), 100)
	rep, nll := g.referenceLikelihood(x, dequantize(x, nn.NewStream(2, "deq")))
	require.Len(t, nll, 100)
	require.InDelta(t, mean(nll), float64(rep.NLL.Value), 1e-9)
	require.Greater(t, float64(rep.NLL.StdErr), 0.0)
	require.False(t, math.IsNaN(float64(rep.BitsPerDim.Value)))

	_, err = fitImageGaussians(syntheticImages(4, 5), 10000, nn.NewStream(1, "ref"))
	require.Error(t, err)
}
