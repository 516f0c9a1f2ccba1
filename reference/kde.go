package reference

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Bandwidth search parameters (see the package documentation).
const (
	scanStep   = 0.5 * math.Ln2 // grid step in log h: factor √2
	scanLimit  = 40             // grid points at most on either side of h₀ (factor 2²⁰)
	scanMisses = 2              // failed steps in a row that end the walk
	refineTol  = 0.01           // final bracket width in log h
	kdeGrain   = 64             // queries per parallel chunk
)

// A KDE is a Gaussian kernel density estimate with one bandwidth h in
// standardised coordinates (kernel standard deviation h·s_d along coordinate d).
type KDE struct {
	std   standardizer
	tree  *kdTree
	n, d  int
	h     float64
	valLL float64
	scan  []BandwidthScore
}

// A BandwidthScore is one bandwidth tried by FitKDE and its mean validation
// log-likelihood.
type BandwidthScore struct {
	H, LogLik float64
}

// NewKDE returns the KDE of the n×d training points in train with the
// bandwidth h (a multiple of each coordinate's standard deviation).
func NewKDE(train []float64, d int, h float64) (*KDE, error) {
	k, err := newKDE(train, d)
	if err != nil {
		return nil, err
	}
	if err := checkBandwidth(h); err != nil {
		return nil, err
	}
	k.h, k.valLL = h, math.NaN()
	return k, nil
}

// FitKDE returns the KDE of train whose bandwidth maximises the mean
// log-likelihood of the validation points val (both n×d, row-major).
func FitKDE(train, val []float64, d int) (*KDE, error) {
	k, err := newKDE(train, d)
	if err != nil {
		return nil, err
	}
	m, err := rows("validation data", val, d)
	if err != nil {
		return nil, err
	}
	z := k.std.apply(val)
	buf := make([]float64, m)
	memo := map[int]float64{}
	// score returns the mean validation log-likelihood at h = e^t.
	score := func(t float64) float64 {
		k.h = math.Exp(t)
		k.logDensityZ(buf, z, m)
		var sum float64
		for _, v := range buf {
			sum += v
		}
		ll := sum / float64(m)
		k.scan = append(k.scan, BandwidthScore{k.h, ll})
		return ll
	}
	t0 := math.Log(math.Pow(4/float64(d+2), 1/float64(d+4)) * math.Pow(float64(k.n), -1/float64(d+4)))
	grid := func(j int) float64 {
		if v, ok := memo[j]; ok {
			return v
		}
		v := score(t0 + float64(j)*scanStep)
		memo[j] = v
		return v
	}

	// Walk the grid from h₀ in the improving direction, trying smaller h
	// first: they are cheaper, and multimodal data want them.
	best, dir := 0, 0
	grid(0)
	switch {
	case grid(-1) > grid(0):
		best, dir = -1, -1
	case grid(1) > grid(0):
		best, dir = 1, 1
	}
	for j, misses := best+dir, 0; dir != 0 && misses < scanMisses && j >= -scanLimit && j <= scanLimit; j += dir {
		if grid(j) > grid(best) {
			best, misses = j, 0
		} else {
			misses++
		}
	}
	t, ll := t0+float64(best)*scanStep, grid(best)
	if best > -scanLimit && best < scanLimit {
		t, ll = goldenMax(score, t-scanStep, t+scanStep, t, ll, refineTol)
	}
	k.h, k.valLL = math.Exp(t), ll
	return k, nil
}

// goldenMax refines the maximum of f on [a, b], where f(c) = fc is at least
// f(a) and f(b), by golden-section search until the bracket is narrower than
// tol, and returns the best point evaluated and its value.
func goldenMax(f func(float64) float64, a, b, c, fc, tol float64) (float64, float64) {
	const r = 0.3819660112501051 // 2 − φ
	for b-a > tol {
		// Probe the larger side of the bracket around c.
		var x float64
		if b-c > c-a {
			x = c + r*(b-c)
		} else {
			x = c - r*(c-a)
		}
		fx := f(x)
		if fx > fc {
			if x > c {
				a = c
			} else {
				b = c
			}
			c, fc = x, fx
		} else {
			if x > c {
				b = x
			} else {
				a = x
			}
		}
	}
	return c, fc
}

// newKDE validates the training data and builds the tree.
func newKDE(train []float64, d int) (*KDE, error) {
	n, err := rows("training data", train, d)
	if err != nil {
		return nil, err
	}
	std, err := newStandardizer(train, n, d)
	if err != nil {
		return nil, err
	}
	return &KDE{std: std, tree: newKDTree(std.apply(train), n, d), n: n, d: d}, nil
}

func checkBandwidth(h float64) error {
	if !(h >= 1e-150) || math.IsInf(h, 0) { // 1/(2h²) must be finite
		return fmt.Errorf("reference: bandwidth %v, want finite, positive and at least 1e-150", h)
	}
	return nil
}

// Dim returns the dimension of the points.
func (k *KDE) Dim() int { return k.d }

// Bandwidth returns h, the kernel's standard deviation as a multiple of each
// coordinate's standard deviation in the training data.
func (k *KDE) Bandwidth() float64 { return k.h }

// Scales returns the kernel's standard deviation along each coordinate in
// data units, h·s_d.
func (k *KDE) Scales() []float64 {
	s := make([]float64, k.d)
	for j := range s {
		s[j] = k.h * k.std.scale[j]
	}
	return s
}

// ValidationLogLik returns the mean validation log-likelihood at the chosen
// bandwidth (NaN for a KDE made by NewKDE).
func (k *KDE) ValidationLogLik() float64 { return k.valLL }

// Scan returns the bandwidths FitKDE evaluated, in order, with their mean
// validation log-likelihoods.
func (k *KDE) Scan() []BandwidthScore { return append([]BandwidthScore(nil), k.scan...) }

// LogDensity returns log p(x) for each point of x (m×d, row-major).
func (k *KDE) LogDensity(x []float64) ([]float64, error) {
	m, err := rows("query points", x, k.d)
	if err != nil {
		return nil, err
	}
	dst := make([]float64, m)
	k.logDensityZ(dst, k.std.apply(x), m)
	return dst, nil
}

// logDensityZ writes log p(x) for the m standardised points in z to dst.
func (k *KDE) logDensityZ(dst, z []float64, m int) {
	d := k.d
	inv := 1 / (2 * k.h * k.h)
	tau := math.Log(float64(k.n)) + 40
	off := tau / inv
	c := -math.Log(float64(k.n)) - 0.5*float64(d)*math.Log(2*math.Pi*k.h*k.h) - k.std.logScale
	forChunks(m, kdeGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = k.tree.logKernelSum(z[i*d:(i+1)*d], inv, off) + c
		}
	})
}

// Sample returns n points (n×d, row-major) drawn from the KDE with rng.
func (k *KDE) Sample(n int, rng *rand.Rand) ([]float64, error) {
	if err := checkSample(n, k.d, rng); err != nil {
		return nil, err
	}
	d := k.d
	out := make([]float64, n*d)
	for i := range n {
		p := k.tree.pts[index(rng, k.n)*d:]
		x := out[i*d : (i+1)*d]
		normals(rng, x)
		for j := range x {
			x[j] = k.std.mean[j] + k.std.scale[j]*(p[j]+k.h*x[j])
		}
	}
	return out, nil
}
