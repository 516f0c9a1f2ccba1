package data

import (
	"math"
	"math/rand/v2"
)

// tailSigmas is the margin, in noise standard deviations, by which Bounds
// extends a set's noiseless support. A Gaussian coordinate leaves it with
// probability 2Φ(−7) ≈ 2.6e-12, so every box holds all but ~1e-11 of the mass.
const tailSigmas = 7

// A generator draws one point of a toy set. i is the position of the point
// in its batch; only stratified sampling uses it. Each generator documents
// the order of its random draws, which fixes a batch given the source state.
type generator interface {
	point(rng *rand.Rand, i int) (x, y float64)
	bounds() Box
}

// toyDef is one row of the registry.
type toyDef struct {
	name    string
	formula string
	make    func() generator
}

// toyDefs lists the sets in the order Toys reports them. The formulas are the
// SPEC §6 definitions; doc.go repeats them for users.
var toyDefs = []toyDef{
	{"swissroll", "t ~ U(1.5π, 4.5π); x = (t cos t, t sin t)/5 + N(0, 0.2²I)",
		func() generator { return swissroll{swissrollDensity(1)} }},
	{"circles", "radius R ∈ {3, 1.5} (prob. ½ each), θ ~ U(0, 2π); x = R(cos θ, sin θ) + N(0, 0.24²I)",
		func() generator { return newRingMixture([]float64{3, 1.5}, 0.24) }},
	{"rings", "radius R ∈ {3, 2.25, 1.5, 0.75} (prob. ¼ each), θ ~ U(0, 2π); x = R(cos θ, sin θ) + N(0, 0.08²I)",
		func() generator { return newRingMixture([]float64{3, 2.25, 1.5, 0.75}, 0.08) }},
	{"moons", "x = 2m + (−1, −0.2), m a moons-raw point (noise std becomes 0.2)",
		func() generator { return moons{true, moonsDensity(true, 1)} }},
	{"moons-raw", "θ ~ U(0, π); upper arc (cos θ, sin θ) or lower arc (1 − cos θ, ½ − sin θ) with prob. ½ each; + N(0, 0.1²I)",
		func() generator { return moons{false, moonsDensity(false, 1)} }},
	{"8gaussians", "c_k = 4(cos kπ/4, sin kπ/4), k ~ U{0..7}; x = (c_k + N(0, 0.5²I))/1.414",
		func() generator { return newEightGaussians() }},
	{"25gaussians", "c_ij = (2i, 2j), i, j ∈ {−2..2}, uniform or stratified; x = (c_ij + N(0, 0.05²I))/2.828",
		func() generator { return newTwentyFiveGaussians() }},
	{"pinwheel", "k ~ U{0..4}, r ~ N(1, 0.3²), s ~ N(0, 0.1²), a = 2πk/5 + 0.25 e^r; x = 2(r cos a + s sin a, −r sin a + s cos a)",
		func() generator { return pinwheel{} }},
	{"2spirals", "φ = 3π√u, u ~ U(0, 1); p = (−φ cos φ + U(0, ½), φ sin φ + U(0, ½)); ±p with prob. ½ each; x = ±p/3 + N(0, 0.1²I)",
		func() generator { return spirals{} }},
	{"checkerboard", "uniform on the 8 cells [2i, 2i+2) × [2j, 2j+2) ⊂ [−4, 4)² with i + j even; density 1/32",
		func() generator { return checkerboard{} }},
}

// swissroll: sklearn's make_swiss_roll(noise=1) keeping (x, z), divided by 5.
// Draws: u, then one normal pair. Its density is a quadrature over t.
type swissroll struct{ *curveDensity }

func (swissroll) point(rng *rand.Rand, _ int) (float64, float64) {
	t := 1.5 * math.Pi * (1 + 2*unit(rng))
	a, b := normal2(rng)
	s, c := math.Sincos(t)
	return (t*c + a) / 5, (t*s + b) / 5
}

func (swissroll) bounds() Box { return square(4.5*math.Pi/5 + tailSigmas*0.2) }

// moons: sklearn's make_moons(noise=0.1), optionally followed by FFJORD's map
// x ↦ 2x + (−1, −0.2). Draws: arc, θ, then one normal pair. Its density is a
// quadrature over θ.
type moons struct {
	affine bool
	*curveDensity
}

func (m moons) point(rng *rand.Rand, _ int) (float64, float64) {
	arc := index(rng, 2)
	s, c := math.Sincos(math.Pi * unit(rng))
	a, b := normal2(rng)
	var x, y float64
	if arc == 0 {
		x, y = c, s
	} else {
		x, y = 1-c, 0.5-s
	}
	x += 0.1 * a
	y += 0.1 * b
	if m.affine {
		x, y = 2*x-1, 2*y-0.2
	}
	return x, y
}

func (m moons) bounds() Box {
	const t = tailSigmas * 0.1
	b := Box{Min: [2]float64{-1 - t, -0.5 - t}, Max: [2]float64{2 + t, 1 + t}}
	if m.affine {
		b = Box{
			Min: [2]float64{2*b.Min[0] - 1, 2*b.Min[1] - 0.2},
			Max: [2]float64{2*b.Max[0] - 1, 2*b.Max[1] - 0.2},
		}
	}
	return b
}

// pinwheel: FFJORD's five-armed pinwheel, arms drawn i.i.d. (the reference
// puts ⌊n/5⌋ points on each arm). Draws: arm, then the normal pair (r, s).
type pinwheel struct{}

func (pinwheel) point(rng *rand.Rand, _ int) (float64, float64) {
	k := index(rng, 5)
	a, b := normal2(rng)
	r := 1 + 0.3*a
	s := 0.1 * b
	sn, cs := math.Sincos(2*math.Pi*float64(k)/5 + 0.25*math.Exp(r))
	return 2 * (r*cs + s*sn), 2 * (-r*sn + s*cs)
}

func (pinwheel) bounds() Box {
	return square(2 * math.Hypot(1+tailSigmas*0.3, tailSigmas*0.1))
}

// spirals: FFJORD's 2spirals, arms drawn i.i.d. (the reference splits the
// batch in halves). Draws: arm, u, the two jitters, then one normal pair.
type spirals struct{}

func (spirals) point(rng *rand.Rand, _ int) (float64, float64) {
	arm := index(rng, 2)
	phi := 3 * math.Pi * math.Sqrt(unit(rng))
	s, c := math.Sincos(phi)
	px := -phi*c + 0.5*unit(rng)
	py := phi*s + 0.5*unit(rng)
	if arm == 1 {
		px, py = -px, -py
	}
	a, b := normal2(rng)
	return px/3 + 0.1*a, py/3 + 0.1*b
}

func (spirals) bounds() Box { return square((3*math.Pi+0.5)/3 + tailSigmas*0.1) }

// checkerboard: FFJORD's construction x₁ ~ U(−2, 2), x₂ = U(0, 1) − 2B +
// (⌊x₁⌋ mod 2), B ~ Bernoulli(½), both scaled by 2. Draws: x₁, B, then x₂'s
// uniform.
type checkerboard struct{}

func (checkerboard) point(rng *rand.Rand, _ int) (float64, float64) {
	x1 := 4*unit(rng) - 2
	b := index(rng, 2)
	// ⌊x₁⌋ ∈ {−2, −1, 0, 1}; the low bit of the two's complement integer
	// is Python's ⌊x₁⌋ mod 2 for negative values too.
	x2 := unit(rng) - float64(2*b) + float64(int(math.Floor(x1))&1)
	return 2 * x1, 2 * x2
}

func (checkerboard) bounds() Box { return square(4) }

func (checkerboard) logDensity(x, y float64) float64 {
	if !(x >= -4 && x < 4 && y >= -4 && y < 4) {
		return math.Inf(-1)
	}
	if (int(math.Floor(x/2))+int(math.Floor(y/2)))&1 != 0 {
		return math.Inf(-1)
	}
	return -math.Log(32)
}

// gridStep: cell edges fall on grid lines, so the midpoint rule is exact.
func (checkerboard) gridStep() float64 { return 0.125 }
