package gaussian

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/ebmcpu/ebmcpu/nn"
)

// points are n points of width 4: a coordinate, one correlated with it, an
// independent one and a constant one (only a ridge makes Σ invertible).
func points(n int, seed uint64) []float32 {
	st := nn.NewStream(seed, "points")
	x := make([]float32, n*4)
	for i := 0; i < n; i++ {
		a := st.Float64()
		x[i*4+0] = float32(a)
		x[i*4+1] = float32(a/2 + 0.2*st.Float64())
		x[i*4+2] = float32(st.Float64())
		x[i*4+3] = -1
	}
	return x
}

func widen(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func TestFitMoments(t *testing.T) {
	m, err := FitMoments([]float32{1, 2, 3, 6, 5, 1}, 2)
	require.NoError(t, err)
	require.Equal(t, []float64{3, 3}, m.Mean)
	// Centred rows (−2, −1), (0, 3), (2, −2); Σ = XᵀX/2.
	require.InDeltaSlice(t, []float64{4, -1, -1, 7}, mat.DenseCopyOf(m.Cov).RawMatrix().Data, 1e-12)
	require.Equal(t, 3, m.N)

	_, err = FitMoments([]float32{1, 2}, 2)
	require.Error(t, err, "one point has no covariance")
	_, err = FitMoments([]float32{1, 2, 3}, 2)
	require.Error(t, err)
}

// TestLogDensityAndPrecision checks the batched log-density (a Cholesky
// factor and one triangular solve) and the precision against the textbook
// formula with the explicit inverse and determinant of Σ + λI.
func TestLogDensityAndPrecision(t *testing.T) {
	m, err := FitMoments(points(500, 1), 4)
	require.NoError(t, err)
	g, err := New(m, 1e-2)
	require.NoError(t, err)
	cov := mat.NewSymDense(4, nil)
	cov.CopySym(m.Cov)
	for j := 0; j < 4; j++ {
		cov.SetSym(j, j, cov.At(j, j)+g.Ridge)
	}
	var tr float64
	for j := 0; j < 4; j++ {
		tr += m.Cov.At(j, j)
	}
	require.InDelta(t, 1e-2*tr/4, g.Ridge, 1e-15)
	var inv mat.Dense
	require.NoError(t, inv.Inverse(cov))
	logDet, sign := mat.LogDet(cov)
	require.Equal(t, 1.0, sign)

	p, err := g.Precision()
	require.NoError(t, err)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			require.InDelta(t, inv.At(i, j), p[i*4+j], 1e-8*math.Max(1, math.Abs(inv.At(i, j))))
			require.Equal(t, p[i*4+j], p[j*4+i])
		}
	}

	x := widen(points(50, 2))
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

	_, err = New(m, -1)
	require.Error(t, err)
	_, err = New(m, math.NaN())
	require.Error(t, err)
}

// TestChoose: the chosen ridge is the candidate with the highest held-out
// likelihood, recomputed here.
func TestChoose(t *testing.T) {
	m, err := FitMoments(points(300, 3), 4)
	require.NoError(t, err)
	held := widen(points(100, 4))
	rels := []float64{1e-6, 1e-3, 1e-1, 10}
	g, err := Choose(m, rels, held)
	require.NoError(t, err)
	best, bestLL := 0.0, math.Inf(-1)
	for _, rel := range rels {
		c, err := New(m, rel)
		require.NoError(t, err)
		var ll float64
		for _, v := range c.LogDensity(held) {
			ll += v
		}
		if ll > bestLL {
			best, bestLL = rel, ll
		}
	}
	require.Equal(t, best, g.RelRidge)
	require.NotEqual(t, 10.0, g.RelRidge, "a ridge of ten times the mean variance should lose")
	_, err = Choose(m, nil, held)
	require.Error(t, err)
}

// TestSample: draws have the model's moments and respect the clip.
func TestSample(t *testing.T) {
	m, err := FitMoments(points(2000, 5), 4)
	require.NoError(t, err)
	g, err := New(m, 1e-3)
	require.NoError(t, err)
	x := g.Sample(20000, math.Inf(-1), math.Inf(1), nn.NewStream(1, "s"))
	xs := make([]float32, len(x))
	for i, v := range x {
		xs[i] = float32(v)
	}
	got, err := FitMoments(xs, 4)
	require.NoError(t, err)
	for j := 0; j < 4; j++ {
		sd := math.Sqrt(m.Cov.At(j, j) + g.Ridge)
		require.InDelta(t, m.Mean[j], got.Mean[j], 0.05*sd)
		require.InDelta(t, m.Cov.At(j, j)+g.Ridge, got.Cov.At(j, j), 0.05*sd*sd)
	}
	require.InDelta(t, m.Cov.At(0, 1), got.Cov.At(0, 1), 0.05*math.Sqrt(m.Cov.At(0, 0)*m.Cov.At(1, 1)))
	clipped := g.Sample(200, 0, 0.5, nn.NewStream(2, "s"))
	for _, v := range clipped {
		require.True(t, v >= 0 && v <= 0.5)
	}
}
