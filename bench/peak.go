package bench

// FMAPeak measures the FMA throughput of this machine's active SIMD tier in
// GFLOP/s with threads goroutines, the median of reps samples. It is the
// "100%" that GEMM efficiency is reported against.
func FMAPeak(threads int, f64 bool, reps int) float64 {
	return 0 // TODO: the asm peak loop
}
