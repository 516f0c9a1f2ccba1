package eval

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/ebmcpu/ebmcpu/data"
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

// TestImageGaussianLogDensity checks the batched log-density (a Cholesky
// factor and one triangular solve) against the textbook formula with the
// explicit inverse and determinant of Σ + λI.
func TestImageGaussianLogDensity(t *testing.T) {
	im := syntheticImages(500, 1)
	m, err := imageMoments(im, im.N)
	require.NoError(t, err)
	g, err := newImageGaussian(m, 1e-2)
	require.NoError(t, err)
	cov := mat.NewSymDense(4, nil)
	cov.CopySym(m.Cov)
	for j := 0; j < 4; j++ {
		cov.SetSym(j, j, cov.At(j, j)+g.Ridge)
	}
	var inv mat.Dense
	require.NoError(t, inv.Inverse(cov))
	logDet, sign := mat.LogDet(cov)
	require.Equal(t, 1.0, sign)
	x := ImageRows(syntheticImages(50, 2), 50)
	got := g.LogDensity(x)
	require.Len(t, got, 50)
	for i := range got {
		r := mat.NewVecDense(4, nil)
		for j := 0; j < 4; j++ {
			r.SetVec(j, x[i*4+j]-m.Mean[j])
		}
		want := -0.5*mat.Inner(r, &inv, r) - 0.5*logDet - 2*math.Log(2*math.Pi)
		require.InDelta(t, want, got[i], 1e-8*math.Max(1, math.Abs(want)))
	}
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
	best, bestLL := 0.0, math.Inf(-1)
	for _, rel := range ReferenceRidges {
		c, err := newImageGaussian(m, rel)
		require.NoError(t, err)
		if ll := mean(c.LogDensity(held)); ll > bestLL {
			best, bestLL = rel, ll
		}
	}
	require.Equal(t, best, g.reference.RelRidge)

	x := ImageRows(syntheticImages(100, 4), 100)
	rep, nll := g.referenceLikelihood(x, dequantize(x, nn.NewStream(2, "deq")))
	require.Len(t, nll, 100)
	require.InDelta(t, mean(nll), float64(rep.NLL.Value), 1e-9)
	require.Greater(t, float64(rep.NLL.StdErr), 0.0)
	require.False(t, math.IsNaN(float64(rep.BitsPerDim.Value)))

	_, err = fitImageGaussians(syntheticImages(4, 5), 10000, nn.NewStream(1, "ref"))
	require.Error(t, err)
}
