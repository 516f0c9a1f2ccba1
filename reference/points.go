package reference

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// maxValues bounds the number of float64 values a single allocation of the
// package may hold (2³⁰, 8 GiB); sizes are checked against it before
// allocating.
const maxValues = 1 << 30

// rows checks that x holds whole points of dimension d with finite
// coordinates and returns their number. name says which argument x is.
func rows(name string, x []float64, d int) (int, error) {
	if d <= 0 {
		return 0, fmt.Errorf("reference: dimension %d, want at least 1", d)
	}
	if len(x) == 0 {
		return 0, fmt.Errorf("reference: %s is empty", name)
	}
	if len(x)%d != 0 {
		return 0, fmt.Errorf("reference: %s has %d values, not a multiple of the dimension %d", name, len(x), d)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("reference: %s point %d coordinate %d is %v", name, i/d, i%d, v)
		}
	}
	return len(x) / d, nil
}

// standardizer maps data units to standardised coordinates z = (x − mean)/scale.
type standardizer struct {
	mean, scale []float64
	logScale    float64 // Σ_d log scale_d: log p(x) = log p_z(z) − logScale
}

// newStandardizer takes the per-coordinate mean and population standard
// deviation of the n points in x. A constant coordinate is an error: no
// density exists on a hyperplane.
func newStandardizer(x []float64, n, d int) (standardizer, error) {
	s := standardizer{mean: make([]float64, d), scale: make([]float64, d)}
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			s.mean[j] += v
		}
	}
	for j := range s.mean {
		s.mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			t := v - s.mean[j]
			s.scale[j] += t * t
		}
	}
	for j := range s.scale {
		s.scale[j] = math.Sqrt(s.scale[j] / float64(n))
		if !(s.scale[j] > 0) || math.IsInf(s.scale[j], 0) {
			return standardizer{}, fmt.Errorf("reference: coordinate %d of the training data has standard deviation %v, want finite and positive", j, s.scale[j])
		}
		s.logScale += math.Log(s.scale[j])
	}
	return s, nil
}

// apply returns the standardised copy of the points in x.
func (s standardizer) apply(x []float64) []float64 {
	d := len(s.mean)
	z := make([]float64, len(x))
	for i := range z {
		j := i % d
		z[i] = (x[i] - s.mean[j]) / s.scale[j]
	}
	return z
}

// checkSample validates a sample request of n points of dimension d.
func checkSample(n, d int, rng *rand.Rand) error {
	if rng == nil {
		return fmt.Errorf("reference: Sample needs a random source")
	}
	if n < 0 || n > maxValues/d {
		return fmt.Errorf("reference: sample size %d out of range [0, %d]", n, maxValues/d)
	}
	return nil
}

// The package draws every random number from rng.Uint64 through the three
// helpers below, whose algorithms are fixed here, so results depend only on
// the state of the source and not on the Go release.

// unit returns a uniform value in [0, 1) with 53 random bits.
func unit(rng *rand.Rand) float64 { return float64(rng.Uint64()>>11) * 0x1p-53 }

// normal2 returns two independent standard normal values (Box–Muller).
func normal2(rng *rand.Rand) (float64, float64) {
	u1 := float64(rng.Uint64()>>11+1) * 0x1p-53 // (0, 1]: the logarithm is finite
	u2 := unit(rng)
	r := math.Sqrt(-2 * math.Log(u1))
	s, c := math.Sincos(2 * math.Pi * u2)
	return r * c, r * s
}

// normals fills dst with independent standard normal values.
func normals(rng *rand.Rand, dst []float64) {
	for i := 0; i < len(dst); i += 2 {
		a, b := normal2(rng)
		dst[i] = a
		if i+1 < len(dst) {
			dst[i+1] = b
		}
	}
}

// index returns a value in [0, k), k > 0, by the multiply-high method.
func index(rng *rand.Rand, k int) int {
	hi, _ := bits.Mul64(rng.Uint64(), uint64(k))
	return int(hi)
}

// stream returns the ChaCha8 generator for a (seed, a, b) triple, so that
// independent tasks draw from independent streams whatever order they run in.
func stream(seed, a, b uint64) *rand.Rand {
	var key [32]byte
	for i, v := range [4]uint64{seed, a, b, 0x7265666572656e63} { // "referenc"
		for j := range 8 {
			key[8*i+j] = byte(v >> (8 * j))
		}
	}
	return rand.New(rand.NewChaCha8(key))
}

// forChunks calls fn(lo, hi) on the consecutive ranges [lo, hi) of length
// grain (the last may be shorter) that cover [0, n), on up to GOMAXPROCS
// goroutines. Each range is handled by exactly one call, so any result that
// depends only on the index is the same for every thread count.
func forChunks(n, grain int, fn func(lo, hi int)) {
	chunks := (n + grain - 1) / grain
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		for lo := 0; lo < n; lo += grain {
			fn(lo, min(lo+grain, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1)) - 1
				if c >= chunks {
					return
				}
				fn(c*grain, min((c+1)*grain, n))
			}
		})
	}
	wg.Wait()
}
