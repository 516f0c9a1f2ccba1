package suite

import (
	"fmt"
	"math"
)

// meanStd is the mean and sample standard deviation of the finite values
// of v, with their count.
func meanStd(v []float64) (mean, std float64, n int) {
	var s float64
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN(), 0
	}
	mean = s / float64(n)
	if n < 2 {
		return mean, 0, n
	}
	var ss float64
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			ss += (x - mean) * (x - mean)
		}
	}
	return mean, math.Sqrt(ss / float64(n-1)), n
}

// cell formats mean ± std over the finite values of v ("—" if none; the
// count is added when some runs gave no value).
func cell(v []float64, prec int) string {
	m, s, n := meanStd(v)
	if n == 0 {
		return "—"
	}
	out := fmt.Sprintf("%.*f", prec, m)
	if n > 1 {
		out += fmt.Sprintf(" ± %.*f", prec, s)
	}
	if n < len(v) {
		out += fmt.Sprintf(" (%d/%d)", n, len(v))
	}
	return out
}
