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
	n := calibrate(f, minDur)
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

// calibrate runs f once to warm up and returns how many calls take about
// minDur.
func calibrate(f func(), minDur time.Duration) int {
	f()
	n := 1
	for {
		start := time.Now()
		for i := 0; i < n; i++ {
			f()
		}
		if el := time.Since(start); el >= minDur/4 || n >= 1<<30 {
			return max(1, int(float64(n)*float64(minDur)/float64(max(el, time.Microsecond))))
		}
		n *= 4
	}
}

// MeasureInterleaved times several operations in turn: each is calibrated
// like Measure, then reps rounds take one sample of each, one after the
// other. A ratio of two operations taken within each round (Ratios) is
// robust to the machine's speed drifting between rounds, which plain
// medians taken minutes apart are not.
// setup, if not nil, runs before the calibration and each sample of fs[i]
// (to set a thread count, say), outside the timing.
func MeasureInterleaved(fs []func(), setup func(i int), reps int, minDur time.Duration) []Timing {
	if setup == nil {
		setup = func(int) {}
	}
	n := make([]int, len(fs))
	out := make([]Timing, len(fs))
	for i, f := range fs {
		setup(i)
		n[i] = calibrate(f, minDur)
		out[i].Samples = make([]time.Duration, reps)
	}
	for r := 0; r < reps; r++ {
		for i, f := range fs {
			setup(i)
			start := time.Now()
			for j := 0; j < n[i]; j++ {
				f()
			}
			out[i].Samples[r] = time.Since(start) / time.Duration(n[i])
		}
	}
	return out
}

// Ratios returns the median over rounds of a's time over b's time (b
// faster gives a ratio above 1), the samples paired by round as
// MeasureInterleaved takes them.
func Ratios(a, b Timing) float64 {
	r := make([]float64, min(len(a.Samples), len(b.Samples)))
	for i := range r {
		r[i] = float64(a.Samples[i]) / float64(b.Samples[i])
	}
	slices.Sort(r)
	if len(r) == 0 {
		return 0
	}
	return r[len(r)/2]
}
