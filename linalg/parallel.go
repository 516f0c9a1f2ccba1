package linalg

import (
	"runtime"
	"sync/atomic"
)

// The worker count of the parallel GEMM (and of nn's parallel optimizer
// step); the goroutines themselves live in internal/parallel.

var workers atomic.Int32

func init() { workers.Store(int32(runtime.GOMAXPROCS(0))) }

// SetWorkers sets how many goroutines a large GEMM may use (n ≥ 1; the
// default is GOMAXPROCS at start-up). Results are bit-identical for every
// worker count: work is split over rows or columns of C, never over k.
func SetWorkers(n int) {
	if n < 1 {
		n = 1
	}
	workers.Store(int32(n))
}

// Workers reports the worker count set by SetWorkers.
func Workers() int { return int(workers.Load()) }
