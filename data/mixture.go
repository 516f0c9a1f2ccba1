package data

import (
	"math"
	"math/rand/v2"
)

// gaussMixture is an equal-weight mixture of isotropic Gaussians, sampled
// literally as the reference code does, (c_k + std·ε)/div, and evaluated in
// the final coordinates: centres c_k/div, standard deviation std/div.
// Draws: the component (unless stratified), then one normal pair.
type gaussMixture struct {
	pre        [][2]float64 // centres before the division
	std, div   float64
	stratified bool // batch position i uses centre i mod K

	centres [][2]float64 // final coordinates
	sigma   float64
}

func newGaussMixture(pre [][2]float64, std, div float64) *gaussMixture {
	g := &gaussMixture{pre: pre, std: std, div: div, sigma: std / div}
	g.centres = make([][2]float64, len(pre))
	for k, c := range pre {
		g.centres[k] = [2]float64{c[0] / div, c[1] / div}
	}
	return g
}

// newEightGaussians lists the centres 4(cos kπ/4, sin kπ/4) for k = 0..7
// with exact zeros and ±1/√2.
func newEightGaussians() *gaussMixture {
	h := math.Sqrt(0.5)
	unitCircle := [][2]float64{{1, 0}, {h, h}, {0, 1}, {-h, h}, {-1, 0}, {-h, -h}, {0, -1}, {h, -h}}
	pre := make([][2]float64, 8)
	for k, c := range unitCircle {
		pre[k] = [2]float64{4 * c[0], 4 * c[1]}
	}
	return newGaussMixture(pre, 0.5, 1.414)
}

// newTwentyFiveGaussians lists the centres (2i, 2j) in the reference
// code's sweep order: i outer, j inner, both from −2 to 2.
func newTwentyFiveGaussians() *gaussMixture {
	pre := make([][2]float64, 0, 25)
	for i := -2; i <= 2; i++ {
		for j := -2; j <= 2; j++ {
			pre = append(pre, [2]float64{float64(2 * i), float64(2 * j)})
		}
	}
	return newGaussMixture(pre, 0.05, 2.828)
}

func (g *gaussMixture) point(rng *rand.Rand, i int) (float64, float64) {
	var k int
	if g.stratified {
		k = i % len(g.pre)
	} else {
		k = index(rng, len(g.pre))
	}
	a, b := normal2(rng)
	c := g.pre[k]
	return (c[0] + g.std*a) / g.div, (c[1] + g.std*b) / g.div
}

func (g *gaussMixture) bounds() Box {
	var r float64
	for _, c := range g.centres {
		r = math.Max(r, math.Max(math.Abs(c[0]), math.Abs(c[1])))
	}
	return square(r + tailSigmas*g.sigma)
}

// logDensity is log Σ_k (1/K) N(x; c_k, σ²I), by log-sum-exp.
func (g *gaussMixture) logDensity(x, y float64) float64 {
	inv := 1 / (2 * g.sigma * g.sigma)
	m := math.Inf(-1)
	for _, c := range g.centres {
		dx, dy := x-c[0], y-c[1]
		m = math.Max(m, -(dx*dx+dy*dy)*inv)
	}
	var s float64
	for _, c := range g.centres {
		dx, dy := x-c[0], y-c[1]
		if v := -(dx*dx+dy*dy)*inv - m; v > -negligibleLog {
			s += math.Exp(v)
		}
	}
	return m + math.Log(s) - math.Log(float64(len(g.centres))*2*math.Pi*g.sigma*g.sigma)
}

// negligibleLog: log-sum-exp skips terms below e^(−40) ≈ 4e-18 times the
// largest, which cannot change the float64 sum. On 25gaussians this skips
// almost every exponential.
const negligibleLog = 40

func (g *gaussMixture) gridStep() float64 { return g.sigma / 4 }

// ringMixture is an equal-weight mixture of circles of radius R_k with
// uniform angle, blurred by N(0, σ²I). Draws: the ring, the angle, then one
// normal pair.
type ringMixture struct {
	radii []float64
	sigma float64
}

func newRingMixture(radii []float64, sigma float64) *ringMixture {
	return &ringMixture{radii: radii, sigma: sigma}
}

func (m *ringMixture) point(rng *rand.Rand, _ int) (float64, float64) {
	r := m.radii[index(rng, len(m.radii))]
	s, c := math.Sincos(2 * math.Pi * unit(rng))
	a, b := normal2(rng)
	return r*c + m.sigma*a, r*s + m.sigma*b
}

func (m *ringMixture) bounds() Box {
	var r float64
	for _, R := range m.radii {
		r = math.Max(r, R)
	}
	return square(r + tailSigmas*m.sigma)
}

// logDensity: a circle of radius R blurred by N(0, σ²I) has density
// (1/(2πσ²)) exp(−(r² + R²)/(2σ²)) I₀(rR/σ²) at radius r. With the scaled
// Bessel function, exp(−(r²+R²)/(2σ²)) I₀(z) = exp(−(r−R)²/(2σ²)) i0e(z),
// z = rR/σ², which neither overflows nor underflows where the density matters.
func (m *ringMixture) logDensity(x, y float64) float64 {
	r := math.Hypot(x, y)
	s2 := m.sigma * m.sigma
	// Each term is v_k = −(r−R_k)²/(2σ²) + log i0e(rR_k/σ²) ≤ −(r−R_k)²/(2σ²)
	// (i0e ≤ 1): evaluate the ring nearest in radius first and skip the
	// rings whose bound is negligible against it.
	near := 0
	for k, R := range m.radii {
		if math.Abs(r-R) < math.Abs(r-m.radii[near]) {
			near = k
		}
	}
	term := func(R float64) float64 {
		d := r - R
		return -d*d/(2*s2) + math.Log(besselI0e(r*R/s2))
	}
	top := term(m.radii[near])
	s := 1.0
	for k, R := range m.radii {
		d := r - R
		if k == near || -d*d/(2*s2) < top-negligibleLog {
			continue
		}
		s += math.Exp(term(R) - top)
	}
	return top + math.Log(s) - math.Log(float64(len(m.radii))*2*math.Pi*s2)
}

func (m *ringMixture) gridStep() float64 { return m.sigma / 4 }
