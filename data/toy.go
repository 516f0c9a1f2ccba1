package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
)

// A Toy is one of the 2-D toy sets of SPEC §6. It is immutable and safe for
// concurrent use; every random draw comes from the *rand.Rand the caller
// passes in, so a batch is a deterministic function of the source state.
type Toy struct {
	def        *toyDef
	gen        generator
	dens       densityModel // nil when the set has no density formula
	stratified bool
}

// densityModel is implemented by the generators with a density formula.
type densityModel interface {
	logDensity(x, y float64) float64
	// gridStep is the cell width of the entropy quadrature.
	gridStep() float64
}

// A ToyOption configures NewToy.
type ToyOption func(*toyConfig)

type toyConfig struct {
	stratified bool
}

// Stratified makes the Gaussian mixtures (8gaussians, 25gaussians) assign
// centres by batch position instead of at random: point i of a batch uses
// centre i mod K, in the reference code's sweep order. A batch of 200 from
// 25gaussians then holds exactly 8 points per centre, as in the released
// NeurIPS code (which also shuffles the batch; the order within a batch does
// not matter to any batch statistic). The points are no longer i.i.d.
func Stratified(on bool) ToyOption { return func(c *toyConfig) { c.stratified = on } }

// Toys returns the names of the toy sets, in a fixed order.
func Toys() []string {
	names := make([]string, len(toyDefs))
	for i := range toyDefs {
		names[i] = toyDefs[i].name
	}
	return names
}

// NewToy returns the toy set called name. An unknown name, or an option the
// set does not support, is an error that lists the valid choices.
func NewToy(name string, opts ...ToyOption) (*Toy, error) {
	var cfg toyConfig
	for _, o := range opts {
		o(&cfg)
	}
	for i := range toyDefs {
		d := &toyDefs[i]
		if d.name != name {
			continue
		}
		t := &Toy{def: d, gen: d.make()}
		t.dens, _ = t.gen.(densityModel)
		if cfg.stratified {
			g, ok := t.gen.(*gaussMixture)
			if !ok {
				return nil, fmt.Errorf("data: toy set %q: stratified sampling is defined only for 8gaussians and 25gaussians", name)
			}
			g.stratified = true
			t.stratified = true
		}
		return t, nil
	}
	return nil, fmt.Errorf("data: unknown toy set %q (valid: %s)", name, strings.Join(Toys(), ", "))
}

// Name returns the set's name as accepted by NewToy.
func (t *Toy) Name() string { return t.def.name }

// Formula returns the set's definition in one line (the table in doc.go).
func (t *Toy) Formula() string { return t.def.formula }

// Dim returns 2.
func (t *Toy) Dim() int { return 2 }

// IsStratified reports whether the set was made with Stratified(true).
func (t *Toy) IsStratified() bool { return t.stratified }

// Sample writes n points to dst[:2n] in row-major order (x₀, y₀, x₁, y₁, …).
// It panics if n < 0 or dst is too short.
func (t *Toy) Sample(rng *rand.Rand, dst []float64, n int) {
	checkDst(len(dst), n)
	for i := 0; i < n; i++ {
		dst[2*i], dst[2*i+1] = t.gen.point(rng, i)
	}
}

// Sample32 is Sample for a float32 batch: the points are generated in
// float64, exactly as by Sample from the same source state, and rounded.
func (t *Toy) Sample32(rng *rand.Rand, dst []float32, n int) {
	checkDst(len(dst), n)
	for i := 0; i < n; i++ {
		x, y := t.gen.point(rng, i)
		dst[2*i], dst[2*i+1] = float32(x), float32(y)
	}
}

func checkDst(have, n int) {
	if n < 0 || have < 2*n {
		panic(fmt.Sprintf("data: need a destination of 2·%d values, have %d", n, have))
	}
}

// Bounds returns a box holding all but about 1e-11 of the probability mass:
// the noiseless support widened by 7 noise standard deviations (exactly the
// support for checkerboard). Grid evaluations of the data density use it.
func (t *Toy) Bounds() Box { return t.gen.bounds() }

// HasDensity reports whether LogDensity and Entropy are available: in
// closed form for 8gaussians, 25gaussians, circles, rings (Bessel I₀) and
// checkerboard; as a one-dimensional integral over the curve parameter,
// evaluated by fixed Gauss–Legendre quadrature, for swissroll, moons and
// moons-raw (log-densities accurate to 1e-9 above −25 nats). pinwheel and
// 2spirals have none.
func (t *Toy) HasDensity() bool { return t.dens != nil }

// LogDensity returns the log-density of the set at (x, y) in nats and true,
// or (NaN, false) if the set has none (see HasDensity). Outside the support
// of checkerboard it returns (−Inf, true). A stratified mixture reports the
// density of its i.i.d. version, whose marginal it shares.
func (t *Toy) LogDensity(x, y float64) (float64, bool) {
	if t.dens == nil {
		return math.NaN(), false
	}
	return t.dens.logDensity(x, y), true
}

// Entropy returns the differential entropy H = −∫ p log p of the set in nats
// and true, or (NaN, false) without a density (see HasDensity). It is computed
// once, by the midpoint rule in float64 on Bounds with cells of width σ/4
// (σ the noise standard deviation; 1/8 for checkerboard, whose cells are
// then unions of grid cells, so the rule gives ln 32 up to rounding). The
// integrands are analytic and the rule converges geometrically: halving the
// cells or widening the box from 7σ to 10σ changes no entropy by more than
// 1e-10 nats, and the tests hold the result to 1e-9. The first call for a set takes up
// to about a second; later calls, from any Toy, return the cached value.
func (t *Toy) Entropy() (float64, bool) {
	if t.dens == nil {
		return math.NaN(), false
	}
	if h, ok := entropyCache.Load(t.def.name); ok {
		return h.(float64), true
	}
	h, _ := gridEntropy(t.dens.logDensity, t.Bounds(), t.dens.gridStep())
	entropyCache.Store(t.def.name, h)
	return h, true
}

// entropyCache maps a set's name to its entropy: the sets are fixed, and
// stratification does not change the marginal law.
var entropyCache sync.Map

// Modes returns the centres and the common standard deviation of the
// Gaussian components (in data coordinates) for 8gaussians and 25gaussians,
// for the "modes covered" and "within 3σ" metrics; ok is false for the
// other sets. The slice is a copy.
func (t *Toy) Modes() (centres [][2]float64, sigma float64, ok bool) {
	g, ok := t.gen.(*gaussMixture)
	if !ok {
		return nil, 0, false
	}
	return append([][2]float64(nil), g.centres...), g.sigma, true
}

// gridEntropy integrates −p log p and p over box by the midpoint rule with
// cells of width at most h, in float64, and returns both integrals.
func gridEntropy(logp func(x, y float64) float64, box Box, h float64) (entropy, mass float64) {
	w, ht := box.Width()
	nx, ny := int(math.Ceil(w/h-1e-9)), int(math.Ceil(ht/h-1e-9))
	hx, hy := w/float64(nx), ht/float64(ny)
	for i := 0; i < nx; i++ {
		x := box.Min[0] + (float64(i)+0.5)*hx
		var e, m float64 // one row at a time keeps the partial sums similar in size
		for j := 0; j < ny; j++ {
			lp := logp(x, box.Min[1]+(float64(j)+0.5)*hy)
			if math.IsInf(lp, -1) {
				continue
			}
			p := math.Exp(lp)
			e -= p * lp
			m += p
		}
		entropy += e
		mass += m
	}
	return entropy * hx * hy, mass * hx * hy
}

// Batches returns a Batcher that draws fresh batches of t from rng.
func (t *Toy) Batches(rng *rand.Rand) Batcher { return toyBatcher{t, rng} }

type toyBatcher struct {
	t   *Toy
	rng *rand.Rand
}

func (b toyBatcher) Dim() int                  { return 2 }
func (b toyBatcher) Next(dst []float32, n int) { b.t.Sample32(b.rng, dst, n) }
