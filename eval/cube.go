package eval

import (
	"errors"
	"fmt"
	"math"
)

// CubeEnergy is exp(−E) restricted to the cube [Lo, Hi]^D, written in
// unconstrained coordinates w ∈ R^D so that annealed importance sampling and
// MALA run on it unchanged:
//
//	x(w) = c + r·tanh(y),  y = m + s⊙w,  c = (Lo + Hi)/2,  r = (Hi − Lo)/2,
//	E_w(w) = E(x(w)) − log |det ∂x/∂w| = E(x) − Σ_j log(r·s_j·sech² y_j),
//
// so that ∫_{R^D} exp(−E_w(w)) dw = ∫_{[Lo,Hi]^D} exp(−E(x)) dx: the
// normaliser of the model restricted to the cube. Its gradient is
//
//	∇_w E_w = s ⊙ (r·sech²(y) ⊙ ∇_x E(x) + 2·tanh(y)).
//
// The shift m and scale s (per coordinate) whiten the coordinates: with m
// and s the mean and standard deviation of y = atanh((x − c)/r) over the
// data, the base N(0, I) of AIS is a diagonal Gaussian fit of the data in
// the unconstrained coordinates, and MALA in w is MALA preconditioned by
// s². Nil Mean and Scale mean 0 and 1 (plain tanh coordinates).
//
// This is the model of image data (pixels in [−1, 1]): a piecewise-linear
// energy network that falls away from the data has no normaliser on R^D,
// but it has one on the cube the pixels live in. log cosh y is evaluated as
// |y| + log1p(e^{−2|y|}) − log 2, so large |y| (pixels at the ends of the
// range) lose nothing. It is not safe for concurrent use.
type CubeEnergy struct {
	inner        BatchEnergy
	c, r, logR   float64
	mean, scale  []float64 // length D, or nil
	logScaleSum  float64   // Σ_j log s_j
	x, e, g, buf []float64
}

// NewCubeEnergy returns the energy of inner restricted to [lo, hi]^D in the
// coordinates w above; mean and scale are nil or hold D values (scales
// positive and finite).
func NewCubeEnergy(inner BatchEnergy, lo, hi float64, mean, scale []float64) (*CubeEnergy, error) {
	D := inner.Dim()
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("eval: cube [%v, %v]: want finite lo < hi", lo, hi)
	}
	if (mean != nil && len(mean) != D) || (scale != nil && len(scale) != D) {
		return nil, fmt.Errorf("eval: cube coordinates: %d means and %d scales for width %d", len(mean), len(scale), D)
	}
	c := &CubeEnergy{inner: inner, c: (lo + hi) / 2, r: (hi - lo) / 2, mean: mean, scale: scale}
	c.logR = math.Log(c.r)
	for j, s := range scale {
		if !(s > 0) || math.IsInf(s, 0) || math.IsNaN(mean[j]) || math.IsInf(mean[j], 0) {
			return nil, errors.New("eval: cube coordinates: every scale must be positive and finite, every mean finite")
		}
		c.logScaleSum += math.Log(s)
	}
	return c, nil
}

// Dim implements BatchEnergy.
func (c *CubeEnergy) Dim() int { return c.inner.Dim() }

// y returns m_j + s_j·w.
func (c *CubeEnergy) y(j int, w float64) float64 {
	if c.scale == nil {
		return w
	}
	return c.mean[j] + c.scale[j]*w
}

// ToCube sets x = x(w) for the B×D batch w.
func (c *CubeEnergy) ToCube(w, x []float64) {
	D := c.Dim()
	for i, v := range w {
		x[i] = c.c + c.r*math.Tanh(c.y(i%D, v))
	}
}

// FromCube sets w = w(x) for the B×D batch x, the inverse of ToCube; points
// on or beyond the faces of the cube are first moved 1e-7·r inside.
func (c *CubeEnergy) FromCube(x, w []float64) {
	D := c.Dim()
	const edge = 1 - 1e-7
	for i, v := range x {
		t := math.Max(math.Min((v-c.c)/c.r, edge), -edge)
		y := math.Atanh(t)
		if c.scale != nil {
			j := i % D
			y = (y - c.mean[j]) / c.scale[j]
		}
		w[i] = y
	}
}

// Energy implements BatchEnergy.
func (c *CubeEnergy) Energy(w, e []float64) { c.run(w, e, nil) }

// EnergyGrad implements BatchEnergy.
func (c *CubeEnergy) EnergyGrad(w, e, g []float64) { c.run(w, e, g) }

func (c *CubeEnergy) run(w, e, g []float64) {
	D := c.Dim()
	B := len(w) / D
	if cap(c.x) < B*D {
		c.x, c.g = make([]float64, B*D), make([]float64, B*D)
	}
	x := c.x[:B*D]
	c.ToCube(w, x)
	if g == nil {
		c.inner.Energy(x, e[:B])
	} else {
		c.inner.EnergyGrad(x, e[:B], c.g[:B*D])
	}
	for b := 0; b < B; b++ {
		// −log|det ∂x/∂w| = −D log r − Σ log s_j + 2 Σ_j log cosh y_j.
		logJac := float64(D)*c.logR + c.logScaleSum
		for j := 0; j < D; j++ {
			i := b*D + j
			y := c.y(j, w[i])
			a := math.Abs(y)
			lc := a + math.Log1p(math.Exp(-2*a)) - math.Ln2 // log cosh y
			logJac -= 2 * lc
			if g != nil {
				ex := math.Exp(-2 * a)
				sech2 := 4 * ex / ((1 + ex) * (1 + ex))
				gy := c.r*sech2*c.g[i] + 2*math.Tanh(y)
				if c.scale != nil {
					gy *= c.scale[j]
				}
				g[i] = gy
			}
		}
		e[b] -= logJac
	}
}
