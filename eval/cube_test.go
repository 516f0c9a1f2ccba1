package eval

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/internal/fdcheck"
	"github.com/ebmcpu/ebmcpu/nn"
)

// diagEnergy is E(x) = Σ_j (x_j − μ_j)²/(2σ_j²): restricted to [−1, 1]^D
// its normaliser is Π_j σ_j√(2π)·(Φ((1 − μ_j)/σ_j) − Φ((−1 − μ_j)/σ_j)).
func diagEnergy(mu, sigma []float64) quadEnergy {
	D := len(mu)
	P := make([][]float64, D)
	for i := range P {
		P[i] = make([]float64, D)
		P[i][i] = 1 / (sigma[i] * sigma[i])
	}
	return quadEnergy{P: P, mu: mu}
}

// cubeLogZ is the closed form of diagEnergy on [−1, 1]^D.
func cubeLogZ(mu, sigma []float64) float64 {
	phi := func(t float64) float64 { return 0.5 * math.Erfc(-t/math.Sqrt2) }
	var s float64
	for j := range mu {
		s += math.Log(sigma[j] * math.Sqrt(2*math.Pi) * (phi((1-mu[j])/sigma[j]) - phi((-1-mu[j])/sigma[j])))
	}
	return s
}

// TestCubeEnergyGradient checks ∇_w E_w against central differences, with
// and without the whitening, at points where some pixels sit far out in
// the tails (|y| large).
func TestCubeEnergyGradient(t *testing.T) {
	q := gauss5()
	for _, whiten := range []bool{false, true} {
		var m, s []float64
		if whiten {
			m, s = []float64{0.3, -2, 0, 1, -0.5}, []float64{0.5, 1.5, 1, 0.2, 2}
		}
		c, err := NewCubeEnergy(q, -1, 2, m, s)
		require.NoError(t, err)
		w := []float64{0.1, -3, 0.7, 4, -1.2, 2, 0.5, -0.4, 1, 0}
		e, g := make([]float64, 2), make([]float64, 10)
		c.EnergyGrad(w, e, g)
		e2 := make([]float64, 2)
		c.Energy(w, e2)
		require.Equal(t, e, e2, "Energy and EnergyGrad agree")
		for b := 0; b < 2; b++ {
			row := w[b*5 : (b+1)*5]
			one := make([]float64, 1)
			fd := fdcheck.Grad(func() float64 { c.Energy(row, one); return one[0] }, 1e-5, row)
			fdcheck.Close(t, "∇_w E_w", g[b*5:(b+1)*5], fd, 1e-6)
		}
		// ToCube and FromCube are inverse and stay in the cube.
		x, back := make([]float64, 10), make([]float64, 10)
		c.ToCube(w, x)
		for _, v := range x {
			require.True(t, v > -1 && v < 2, "x = %v outside the cube", v)
		}
		c.FromCube(x, back)
		fdcheck.Close(t, "FromCube(ToCube(w))", back, w, 1e-9)
	}
	_, err := NewCubeEnergy(q, 1, 1, nil, nil)
	require.Error(t, err, "an empty cube")
	_, err = NewCubeEnergy(q, -1, 1, make([]float64, 5), make([]float64, 5))
	require.Error(t, err, "zero scales")
}

// TestCubeEnergyNormaliser integrates exp(−E_w) over a 2-D grid in w and
// compares it with the closed form of a Gaussian restricted to the square:
// the change of variables keeps Z.
func TestCubeEnergyNormaliser(t *testing.T) {
	mu, sigma := []float64{0.4, -1.2}, []float64{0.3, 0.8}
	q := diagEnergy(mu, sigma)
	c, err := NewCubeEnergy(q, -1, 1, []float64{0.3, -0.5}, []float64{0.4, 0.7})
	require.NoError(t, err)
	g, err := NewGrid(c, data.Box{Min: [2]float64{-25, -25}, Max: [2]float64{25, 25}}, 1500)
	require.NoError(t, err)
	require.InDelta(t, cubeLogZ(mu, sigma), g.LogZ, 1e-4)
}

// linearQuadratic is the network E(x) = ½‖Ax + b‖² (nn.Linear then
// nn.HalfSquaredNorm) for a lower-triangular A with the diagonal diag and
// off-diagonal entries off·N(0, 1)/√D, and b = −Aμ; its normaliser on R^D
// is (D/2)·log 2π − Σ log |diag|.
func linearQuadratic(t testing.TB, diag []float64, off float64, mu []float64, seed uint64) (*NetworkEnergy, float64) {
	D := len(diag)
	s := nn.NewStream(seed, "linear-quadratic")
	lin := nn.NewLinear[float32](D, D, true, nil)
	W := lin.W.Value
	A := make([]float64, D*D)
	noise := make([]float64, D*D)
	nn.Normal(s, noise)
	var logDet float64
	for i := 0; i < D; i++ {
		for j := 0; j <= i; j++ {
			v := off * noise[i*D+j] / math.Sqrt(float64(D))
			if i == j {
				v = diag[i]
			}
			v = float64(float32(v)) // the network's own numbers
			if i == j {
				logDet += math.Log(math.Abs(v))
			}
			A[i*D+j] = v
		}
	}
	require.Len(t, W, D*D)
	for i, v := range A {
		W[i] = float32(v) // Linear stores W as out×in, y = Wx + b
	}
	bias := lin.B.Value
	for i := 0; i < D; i++ {
		var s float64
		for j := 0; j < D; j++ {
			s += A[i*D+j] * mu[j]
		}
		bias[i] = float32(-s)
	}
	net, err := nn.NewSequential[float32](lin, nn.NewHalfSquaredNorm[float32](D))
	require.NoError(t, err)
	ne, err := NewNetworkEnergy(net, bounds.Base[float32]{}, 64)
	require.NoError(t, err)
	return ne, float64(D)/2*math.Log(2*math.Pi) - logDet
}

// TestAISGaussian784 runs AIS with the image models' settings (imageAIS) on
// 784-D Gaussian energies built from nn layers, whose log Z is known: on
// the cube [−1, 1]^D for a diagonal one (CubeEnergy whitened by a fit to
// samples, as for images: 300 temperatures come within a fraction of a
// nat), and on R^D for a correlated one from the isotropic base N(0, s²I)
// (which needs 1000 temperatures: with 300 it falls 8 nats short). log Ẑ
// is a stochastic lower bound: it may not exceed the truth beyond noise,
// and must come within 2 nats of log Z ≈ 200–300.
func TestAISGaussian784(t *testing.T) {
	if testing.Short() {
		t.Skip("784-D AIS: seconds")
	}
	const D = 784
	st := nn.NewStream(11, "gauss784")
	diag, mu := make([]float64, D), make([]float64, D)
	for j := range diag {
		diag[j] = 1 + 2*st.Float64() // precisions 1 to 9
		mu[j] = 0.3 * st.NormFloat64()
	}
	t.Run("R^D", func(t *testing.T) {
		ne, want := linearQuadratic(t, diag, 0.5, mu, 1)
		ac := imageAIS
		ac.BaseStd, ac.Temps = 0.6, 1000
		r, err := AIS(ne, ac, nn.NewStream(2, "ais"))
		require.NoError(t, err)
		got, se := float64(r.LogZ.Value), float64(r.LogZ.StdErr)
		t.Logf("log Ẑ = %.3f ± %.3f, truth %.3f, ESS %.1f, acceptance %.2f", got, se, want, float64(r.ESS), float64(r.Acceptance))
		require.Less(t, got, want+3*se+0.05, "above the truth")
		require.Greater(t, got, want-2, "more than 2 nats below the truth")
	})
	t.Run("cube", func(t *testing.T) {
		sigma := make([]float64, D)
		for j := range sigma {
			sigma[j] = 1 / diag[j] * 1.5 // some mass beyond the faces
		}
		prec := make([]float64, D)
		for j := range prec {
			prec[j] = 1 / sigma[j]
		}
		ne, _ := linearQuadratic(t, prec, 0, mu, 3)
		want := cubeLogZ(mu, sigma)
		// The whitening: moments of y = atanh(x) over samples of the
		// target (rejection from the untruncated Gaussian).
		const n = 2000
		m, s := make([]float64, D), make([]float64, D)
		for j := 0; j < D; j++ {
			var s1, s2 float64
			for k := 0; k < n; k++ {
				x := 2.0
				for math.Abs(x) >= 1 {
					x = mu[j] + sigma[j]*st.NormFloat64()
				}
				y := math.Atanh(x)
				s1 += y
				s2 += y * y
			}
			m[j] = s1 / n
			s[j] = math.Sqrt(s2/n - m[j]*m[j])
		}
		c, err := NewCubeEnergy(ne, -1, 1, m, s)
		require.NoError(t, err)
		ac := imageAIS
		ac.BaseStd = 1
		r, err := AIS(c, ac, nn.NewStream(4, "ais"))
		require.NoError(t, err)
		got, se := float64(r.LogZ.Value), float64(r.LogZ.StdErr)
		t.Logf("cube: log Ẑ = %.3f ± %.3f, truth %.3f, ESS %.1f, acceptance %.2f", got, se, want, float64(r.ESS), float64(r.Acceptance))
		require.Less(t, got, want+3*se+0.05, "above the truth")
		require.Greater(t, got, want-2, "more than 2 nats below the truth")
	})
}
