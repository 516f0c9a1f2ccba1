package classify

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/ebmcpu/ebmcpu/gaussian"
	"github.com/ebmcpu/ebmcpu/nn"
)

// frechet2 is the closed form for 2×2 covariances: M = Σ₁^½Σ₂Σ₁^½ has
// tr M = tr Σ₁Σ₂ and det M = det Σ₁ det Σ₂, and a 2×2 PSD matrix has
// tr M^½ = √(tr M + 2√det M).
func frechet2(dm2 float64, s1, s2 *mat.SymDense) float64 {
	var p mat.Dense
	p.Mul(s1, s2)
	return dm2 + mat.Trace(s1) + mat.Trace(s2) - 2*math.Sqrt(mat.Trace(&p)+2*math.Sqrt(mat.Det(s1)*mat.Det(s2)))
}

// randSPD2 returns a random 2×2 symmetric positive definite matrix.
func randSPD2(s *nn.Stream) *mat.SymDense {
	a := make([]float64, 4)
	nn.Normal(s, a)
	m := mat.NewDense(2, 2, a)
	out := mat.NewSymDense(2, nil)
	out.SymOuterK(1, m)
	out.SetSym(0, 0, out.At(0, 0)+0.1)
	out.SetSym(1, 1, out.At(1, 1)+0.1)
	return out
}

func TestFrechetClosedForm2D(t *testing.T) {
	s := nn.NewStream(1, "frechet2")
	for trial := 0; trial < 20; trial++ {
		m1, m2 := make([]float64, 2), make([]float64, 2)
		nn.Normal(s, m1)
		nn.Normal(s, m2)
		a := &gaussian.Moments{Mean: m1, Cov: randSPD2(s)}
		b := &gaussian.Moments{Mean: m2, Cov: randSPD2(s)}
		dm2 := (m1[0]-m2[0])*(m1[0]-m2[0]) + (m1[1]-m2[1])*(m1[1]-m2[1])
		got, err := FrechetDistance(a, b)
		require.NoError(t, err)
		want := frechet2(dm2, a.Cov, b.Cov)
		require.InDelta(t, want, got, 1e-12*max(1, want), "trial %d", trial)
		back, err := FrechetDistance(b, a)
		require.NoError(t, err)
		require.InDelta(t, got, back, 1e-12*max(1, want), "not symmetric")
	}
	// Singular covariances: N(0, diag(1, 0)) and N(μ, diag(0, 4)) share no
	// direction, so the trace term vanishes: d² = ‖μ‖² + 1 + 4.
	a := &gaussian.Moments{Mean: []float64{0, 0}, Cov: mat.NewSymDense(2, []float64{1, 0, 0, 0})}
	b := &gaussian.Moments{Mean: []float64{3, 0}, Cov: mat.NewSymDense(2, []float64{0, 0, 0, 4})}
	got, err := FrechetDistance(a, b)
	require.NoError(t, err)
	require.InDelta(t, 14, got, 1e-12)
}

// TestFrechetClosedFormHighDim checks a 128-dimensional pair: 64 random
// 2×2 blocks on the diagonal, both Gaussians then rotated by the same
// random orthogonal Q, which leaves d² unchanged, so d² is the sum of the
// blocks' closed forms while the rotated covariances do not commute.
func TestFrechetClosedFormHighDim(t *testing.T) {
	const d = 128
	s := nn.NewStream(2, "frechetHD")
	c1, c2 := mat.NewSymDense(d, nil), mat.NewSymDense(d, nil)
	m1, m2 := make([]float64, d), make([]float64, d)
	nn.Normal(s, m1)
	nn.Normal(s, m2)
	var want float64
	for k := 0; k < d; k += 2 {
		b1, b2 := randSPD2(s), randSPD2(s)
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				c1.SetSym(k+i, k+j, b1.At(i, j))
				c2.SetSym(k+i, k+j, b2.At(i, j))
			}
		}
		dm2 := (m1[k]-m2[k])*(m1[k]-m2[k]) + (m1[k+1]-m2[k+1])*(m1[k+1]-m2[k+1])
		want += frechet2(dm2, b1, b2)
	}
	g := make([]float64, d*d)
	nn.Normal(s, g)
	var qr mat.QR
	qr.Factorize(mat.NewDense(d, d, g))
	var q mat.Dense
	qr.QTo(&q)
	rotate := func(m []float64, c *mat.SymDense) *gaussian.Moments {
		var qm mat.VecDense
		qm.MulVec(&q, mat.NewVecDense(d, m))
		var qc, qcq mat.Dense
		qc.Mul(&q, c)
		qcq.Mul(&qc, q.T())
		return &gaussian.Moments{Mean: qm.RawVector().Data, Cov: symmetrise(&qcq)}
	}
	a, b := rotate(m1, c1), rotate(m2, c2)
	got, err := FrechetDistance(a, b)
	require.NoError(t, err)
	require.InDelta(t, want, got, 1e-9*want)
	self, err := FrechetDistance(a, a)
	require.NoError(t, err)
	require.InDelta(t, 0, self, 1e-9*want)
}

func TestFrechetOfFittedMoments(t *testing.T) {
	// Samples of a known Gaussian: the fitted distance to it shrinks like
	// the sampling error (≈ d²/n·const for the covariance term).
	s := nn.NewStream(3, "fit")
	const d, n = 4, 20000
	x := make([]float32, n*d)
	z := make([]float64, d)
	for i := 0; i < n; i++ {
		nn.Normal(s, z)
		for j := range z {
			x[i*d+j] = float32(z[j]*float64(j+1) + 1) // N(1, diag(1, 4, 9, 16))
		}
	}
	g, err := gaussian.FitMoments(x, d)
	require.NoError(t, err)
	truth := &gaussian.Moments{Mean: []float64{1, 1, 1, 1}, Cov: mat.NewSymDense(d, []float64{1, 0, 0, 0, 0, 4, 0, 0, 0, 0, 9, 0, 0, 0, 0, 16})}
	fd, err := FrechetDistance(g, truth)
	require.NoError(t, err)
	require.Less(t, fd, 0.02)
	shifted := &gaussian.Moments{Mean: []float64{2, 1, 1, 1}, Cov: truth.Cov}
	fd, err = FrechetDistance(g, shifted)
	require.NoError(t, err)
	require.InDelta(t, 1, fd, 0.05) // a unit shift of the mean adds 1

}

func TestFrechetBadInput(t *testing.T) {
	a := &gaussian.Moments{Mean: []float64{0, 0}, Cov: mat.NewSymDense(2, []float64{1, 0, 0, 1})}
	b := &gaussian.Moments{Mean: []float64{0}, Cov: mat.NewSymDense(1, []float64{1})}
	_, err := FrechetDistance(a, b)
	require.Error(t, err)
	c := &gaussian.Moments{Mean: []float64{0, 0}, Cov: mat.NewSymDense(2, []float64{1, math.NaN(), math.NaN(), 1})}
	fd, err := FrechetDistance(a, c)
	require.NoError(t, err)
	require.True(t, math.IsNaN(fd))
}
