package linalg

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Lower bounds on Σ_i log s_i(J) = ½·log det(JᵀJ) for a D×d Jacobian J
// (D ≥ d), the generator-entropy term of SPEC §3(a). The exact value comes
// from Jacobians.HalfLogDet.

// LogDetSMin returns d·log s_min, the paper's bound: Σ log s_i ≥ d·log s_min.
func LogDetSMin(d int, sMin float64) float64 {
	if d == 0 {
		return 0
	}
	return float64(d) * math.Log(sMin)
}

// LogDetTopK returns the top-k refinement
//
//	Σ_{i<k} log max(top_i, s_min) + (d − k)·log s_min,  k = len(top) ≤ d,
//
// which lies between LogDetSMin (k = 0) and the exact value (k = d) when
// top holds the k largest singular values and sMin the smallest. With
// estimates in their place it stays at least LogDetSMin(d, sMin): each top
// value is clamped to sMin, which only matters when a top-k estimate falls
// below the s_min estimate. Note that an s_min estimate above the true s_min
// (a truncated LOBPCG run) can overstate both bounds.
func LogDetTopK(top []float64, d int, sMin float64) float64 {
	k := len(top)
	if k > d {
		panic(fmt.Sprintf("linalg: LogDetTopK with %d top values for d = %d", k, d))
	}
	var sum float64
	for _, s := range top {
		sum += math.Log(math.Max(s, sMin)) // NaN in, NaN out
	}
	if k < d {
		sum += float64(d-k) * math.Log(sMin)
	}
	return sum
}

// LogDetBounds sets dst[b] to LogDetTopK for every operator of a batch,
// from the top-k values of top (nil for the plain s_min bound) and the s_min
// estimate smin.Values[b·m] of smin.
func LogDetBounds[T asm.Float](top *SVDResult[T], smin *SMinResult[T], dst []float64) {
	B, d, m := smin.Batch, smin.Cols, smin.BlockSize
	if len(dst) < B {
		panic(fmt.Sprintf("linalg: LogDetBounds dst has length %d, want %d", len(dst), B))
	}
	if top != nil && (top.Batch != B || top.Cols != d) {
		panic("linalg: LogDetBounds results of different operators")
	}
	for b := 0; b < B; b++ {
		s := smin.Values[b*m]
		if top == nil {
			dst[b] = LogDetSMin(d, s)
			continue
		}
		dst[b] = LogDetTopK(top.Values[b*top.K:(b+1)*top.K], d, s)
	}
}
