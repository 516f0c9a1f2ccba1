package bench

import (
	"sync"
	"time"

	"github.com/ebmcpu/ebmcpu/asm"
)

// FMAPeak measures the FMA throughput of the active SIMD tier in GFLOP/s
// with threads goroutines: the best of reps samples of about 50 ms (a peak
// is what the core can do, so interference only ever lowers a sample). It
// is the "100%" that GEMM efficiency is reported against, measured in the
// same run because the machine's clock and load vary.
func FMAPeak(threads int, f64 bool, reps int) float64 {
	loop := asm.PeakLoopF32
	if f64 {
		loop = asm.PeakLoopF64
	}
	const iters = 1 << 16
	t := Measure(func() {
		var wg sync.WaitGroup
		for range threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				loop(iters)
			}()
		}
		wg.Wait()
	}, reps, 50*time.Millisecond)
	flopsPerCall := float64(threads) * float64(loop(1)) * iters
	return flopsPerCall / t.Min().Seconds() / 1e9
}
