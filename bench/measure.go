package bench

import (
	"slices"
	"time"
)

// Timing holds repeated measurements of one operation.
type Timing struct {
	Samples []time.Duration // time per call, one per sample
}

// Median is the median time per call.
func (t Timing) Median() time.Duration {
	s := slices.Clone(t.Samples)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// Min is the fastest sample.
func (t Timing) Min() time.Duration {
	if len(t.Samples) == 0 {
		return 0
	}
	return slices.Min(t.Samples)
}

// Measure times f: one warm-up, then reps samples, each running f enough
// times to last at least minDur. The machines are shared and noisy, so
// callers report the median and compare ratios taken in the same run.
func Measure(f func(), reps int, minDur time.Duration) Timing {
	f()
	n := 1
	for { // calibrate the calls per sample
		start := time.Now()
		for i := 0; i < n; i++ {
			f()
		}
		if el := time.Since(start); el >= minDur/4 || n >= 1<<30 {
			n = max(1, int(float64(n)*float64(minDur)/float64(max(el, time.Microsecond))))
			break
		}
		n *= 4
	}
	t := Timing{Samples: make([]time.Duration, reps)}
	for r := range t.Samples {
		start := time.Now()
		for i := 0; i < n; i++ {
			f()
		}
		t.Samples[r] = time.Since(start) / time.Duration(n)
	}
	return t
}
