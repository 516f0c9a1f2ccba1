package data

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// The package draws every random number from rng.Uint64 through the three
// helpers below instead of rand.Rand's Float64, NormFloat64 and IntN. Their
// algorithms are fixed here, so a batch depends only on the state of the
// caller's source: runs are reproducible across Go releases, matching the
// policy of nn.Stream.

// unit returns a uniform value in [0, 1) with 53 random bits.
func unit(rng *rand.Rand) float64 { return float64(rng.Uint64()>>11) * 0x1p-53 }

// normal2 returns two independent standard normal values (Box–Muller).
func normal2(rng *rand.Rand) (float64, float64) {
	// u1 ∈ (0, 1] keeps the logarithm finite.
	u1 := float64(rng.Uint64()>>11+1) * 0x1p-53
	u2 := unit(rng)
	r := math.Sqrt(-2 * math.Log(u1))
	s, c := math.Sincos(2 * math.Pi * u2)
	return r * c, r * s
}

// index returns a value in [0, k), k > 0, by the multiply-high method. Its bias
// is below k/2⁶⁴, far beneath anything a finite sample can detect.
func index(rng *rand.Rand, k int) int {
	hi, _ := bits.Mul64(rng.Uint64(), uint64(k))
	return int(hi)
}
