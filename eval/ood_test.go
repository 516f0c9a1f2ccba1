package eval

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/nn"
)

// bruteAUROC is the definition: the share of (negative, positive) pairs
// with the positive scoring higher, ties counting one half.
func bruteAUROC(neg, pos []float64) float64 {
	var s float64
	for _, a := range neg {
		for _, b := range pos {
			switch {
			case b > a:
				s++
			case b == a:
				s += 0.5
			}
		}
	}
	return s / float64(len(neg)*len(pos))
}

// TestAUROC compares the rank formula with the pairwise definition on
// scores with many ties, and checks the extreme cases.
func TestAUROC(t *testing.T) {
	st := nn.NewStream(1, "auroc")
	for trial := 0; trial < 20; trial++ {
		neg, pos := make([]float64, 1+st.IntN(60)), make([]float64, 1+st.IntN(60))
		for i := range neg {
			neg[i] = float64(st.IntN(8)) // ties within and across the sets
		}
		for i := range pos {
			pos[i] = float64(st.IntN(8) + trial%4)
		}
		require.Equal(t, bruteAUROC(neg, pos), AUROC(neg, pos), "trial %d", trial)
	}
	require.Equal(t, 1.0, AUROC([]float64{1, 2}, []float64{3, 4, 5}))
	require.Equal(t, 0.0, AUROC([]float64{3, 4, 5}, []float64{1, 2}))
	require.Equal(t, 0.5, AUROC([]float64{2, 2}, []float64{2, 2, 2}))
	require.True(t, math.IsNaN(AUROC(nil, []float64{1})))
	require.True(t, math.IsNaN(AUROC([]float64{math.NaN()}, []float64{1})))
}

// TestGaussianNoise fits the noise to synthetic images whose pixels are
// correlated pairs and one constant pixel: the ridge keeps the covariance
// positive definite, and samples reproduce the mean and covariance of the
// images, clipped to the pixel range.
func TestGaussianNoise(t *testing.T) {
	const n, h, w = 4000, 2, 2
	st := nn.NewStream(2, "images")
	im := &data.Images{N: n, Height: h, Width: w, Pix: make([]uint8, n*h*w)}
	for i := 0; i < n; i++ {
		a := st.IntN(200)
		im.Pix[i*4+0] = uint8(a)
		im.Pix[i*4+1] = uint8(a/2 + st.IntN(50)) // correlated with pixel 0
		im.Pix[i*4+2] = uint8(st.IntN(256))
		im.Pix[i*4+3] = 0 // never changes: only the ridge makes Σ invertible
	}
	g, err := FitGaussianNoise(im, n)
	require.NoError(t, err)
	require.Greater(t, g.Ridge, 0.0)
	x := g.Sample(20000, -1, 1, nn.NewStream(3, "noise"))
	rows := ImageRows(im, n)
	for _, pair := range [][2]int{{0, 0}, {0, 1}, {1, 1}, {2, 2}, {0, 2}} {
		cov := func(v []float64) float64 {
			m := len(v) / 4
			var ma, mb, s float64
			for i := 0; i < m; i++ {
				ma += v[i*4+pair[0]] / float64(m)
				mb += v[i*4+pair[1]] / float64(m)
			}
			for i := 0; i < m; i++ {
				s += (v[i*4+pair[0]] - ma) * (v[i*4+pair[1]] - mb)
			}
			return s / float64(m-1)
		}
		// Clipping shrinks the spread of pixel 2 (uniform over the whole
		// range) a little; the others stay inside.
		require.InDelta(t, cov(rows), cov(x), 0.05, "covariance %v", pair)
	}
	for _, v := range x {
		require.True(t, v >= -1 && v <= 1)
	}
	_, err = FitGaussianNoise(im, 1)
	require.Error(t, err)
}

// TestOODReport: the log-density bounds shift every energy by one
// constant, so their AUROCs equal the energy's; a missing side is NaN; the
// reference's AUROC comes from its own scores, NaN without them.
func TestOODReport(t *testing.T) {
	in := []float64{1, 2, 3, 4}
	sets := []OODSet{{Name: "far", X: make([]float64, 3)}, {Name: "near", X: make([]float64, 3)}}
	eOOD := [][]float64{{5, 6, 7}, {0.5, 2, 3.5}}
	r := oodReport("test", in, sets, eOOD, -10, math.NaN(), oodScores{}, oodScores{})
	require.True(t, math.IsNaN(float64(r.Sets[0].Reference)))
	require.True(t, math.IsNaN(float64(r.Sets[0].Network)))
	ref := oodScores{[]float64{0, 0, 1, 1}, [][]float64{{-1, -2, -0.5}, {1, 1, 1}}}
	network := oodScores{[]float64{3, 1, 2, 0}, [][]float64{{4, 4, 0.5}, {-1, -2, -3}}}
	withRef := oodReport("test", in, sets, eOOD, -10, math.NaN(), ref, network)
	require.Equal(t, 0.0, float64(withRef.Sets[0].Reference))
	require.Equal(t, bruteAUROC([]float64{0, 0, 1, 1}, []float64{1, 1, 1}), float64(withRef.Sets[1].Reference))
	require.Equal(t, bruteAUROC(network.in, network.ood[0]), float64(withRef.Sets[0].Network))
	require.Equal(t, 0.0, float64(withRef.Sets[1].Network))
	require.Equal(t, r.Sets[1].Energy, withRef.Sets[1].Energy)
	require.Len(t, r.Sets, 2)
	require.Equal(t, 1.0, float64(r.Sets[0].Energy))
	require.Equal(t, bruteAUROC(in, []float64{0.5, 2, 3.5}), float64(r.Sets[1].Energy))
	require.Equal(t, r.Sets[1].Energy, r.Sets[1].LogDensityUpper)
	require.True(t, math.IsNaN(float64(r.Sets[1].LogDensityLower)), "no upper bound of log Z: no lower bound of log p")
	require.InDelta(t, 2.5, float64(r.MeanEnergy), 1e-12)
}
