package eval

import (
	"fmt"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"math"
)

// DefaultCoverFraction is the share of its fair count n/K that a mode must
// receive to count as covered.
const DefaultCoverFraction = 0.2

// ModeReport measures sample quality on a Gaussian mixture with K centres
// of common standard deviation σ.
type ModeReport struct {
	K     int             `json:"k"`     // number of modes
	Sigma jsonnum.Float64 `json:"sigma"` // σ of each component
	// PerMode[k] counts the samples within 3σ of centre k.
	PerMode []int `json:"per_mode"`
	// Covered counts the modes with at least MinCount samples within 3σ:
	// MinCount = ⌈CoverFraction·n/K⌉, a fraction of the fair share n/K.
	Covered       int             `json:"covered"`
	CoverFraction jsonnum.Float64 `json:"cover_fraction"`
	MinCount      int             `json:"min_count"`
	// HighQuality is the fraction of samples within 3σ of some centre; for
	// the data themselves it is 1 − e^{−4.5} ≈ 0.989 (2-D Gaussians).
	HighQuality jsonnum.Float64 `json:"high_quality"`
}

// Modes counts, for the n samples x (n×2), the samples within 3σ of each
// centre, the modes covered (at least ⌈coverFraction·n/K⌉ samples within
// 3σ; coverFraction ≤ 0 selects DefaultCoverFraction) and the fraction of
// samples within 3σ of some centre.
func Modes(x []float64, centres [][2]float64, sigma, coverFraction float64) (ModeReport, error) {
	if len(x)%2 != 0 || len(x) == 0 || len(centres) == 0 || !(sigma > 0) {
		return ModeReport{}, fmt.Errorf("eval: Modes needs 2-D samples, centres and σ > 0")
	}
	if !(coverFraction > 0) {
		coverFraction = DefaultCoverFraction
	}
	n, K := len(x)/2, len(centres)
	r := ModeReport{K: K, Sigma: jsonnum.Float64(sigma), PerMode: make([]int, K), CoverFraction: jsonnum.Float64(coverFraction)}
	r.MinCount = int(math.Ceil(coverFraction * float64(n) / float64(K)))
	r2 := 9 * sigma * sigma
	good := 0
	for i := 0; i < n; i++ {
		px, py := x[2*i], x[2*i+1]
		near := false
		for k, c := range centres {
			dx, dy := px-c[0], py-c[1]
			if dx*dx+dy*dy <= r2 {
				r.PerMode[k]++ // 3σ balls of the toy mixtures do not overlap
				near = true
			}
		}
		if near {
			good++
		}
	}
	for _, c := range r.PerMode {
		if c >= r.MinCount {
			r.Covered++
		}
	}
	r.HighQuality = jsonnum.Float64(float64(good) / float64(n))
	return r, nil
}
