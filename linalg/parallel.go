package linalg

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The worker pool behind the parallel GEMM. Workers are started once and
// reused, so a parallel call allocates nothing.

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

// A parallelJob is split into parts that run concurrently.
type parallelJob interface {
	runPart(part int)
}

type poolTask struct {
	job  parallelJob
	part int
	wg   *sync.WaitGroup
}

var (
	poolMu    sync.Mutex
	poolTasks chan poolTask
	poolSize  int
)

// ensurePool starts helper goroutines until there are at least n.
func ensurePool(n int) {
	poolMu.Lock()
	defer poolMu.Unlock()
	if poolTasks == nil {
		poolTasks = make(chan poolTask, 64)
	}
	for ; poolSize < n; poolSize++ {
		go func() {
			for t := range poolTasks {
				t.job.runPart(t.part)
				t.wg.Done()
			}
		}()
	}
}

// runParallel runs parts 0..parts-1 of j, part 0 on the calling goroutine,
// and returns when all are done. wg must not be in use.
func runParallel(j parallelJob, parts int, wg *sync.WaitGroup) {
	if parts > 1 {
		ensurePool(parts - 1)
		wg.Add(parts - 1)
		for p := 1; p < parts; p++ {
			poolTasks <- poolTask{job: j, part: p, wg: wg}
		}
	}
	j.runPart(0)
	wg.Wait()
}
