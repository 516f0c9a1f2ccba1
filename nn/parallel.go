package nn

import (
	"sync"

	"github.com/ebmcpu/ebmcpu/linalg"
)

// A small pool of helper goroutines for element-wise work that is bound by
// memory bandwidth (the optimizer step over every parameter), where a second
// core adds bandwidth. Workers start once and are reused, and jobs travel
// as values through a buffered channel, so a parallel call allocates
// nothing. The number of parts follows linalg.Workers, the package-wide
// thread setting. Parts split the elements, never a reduction, so results
// do not depend on the worker count.

// A partJob is work split into parts that may run concurrently.
type partJob interface {
	runPart(part, parts int)
}

type poolTask struct {
	job         partJob
	part, parts int
	wg          *sync.WaitGroup
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
		poolTasks = make(chan poolTask, 16)
	}
	for ; poolSize < n; poolSize++ {
		go func() {
			for t := range poolTasks {
				t.job.runPart(t.part, t.parts)
				t.wg.Done()
			}
		}()
	}
}

// parallelMin is the element count below which a job runs on the calling
// goroutine: handing a part to another core costs a few microseconds.
const parallelMin = 1 << 17

// runParts runs job over n elements: in linalg.Workers() parts if n is
// large enough, part 0 on the calling goroutine, and returns when all are
// done. wg must not be in use.
func runParts(job partJob, n int, wg *sync.WaitGroup) {
	parts := min(linalg.Workers(), n/(parallelMin/2))
	if parts <= 1 {
		job.runPart(0, 1)
		return
	}
	ensurePool(parts - 1)
	wg.Add(parts - 1)
	for p := 1; p < parts; p++ {
		poolTasks <- poolTask{job: job, part: p, parts: parts, wg: wg}
	}
	job.runPart(0, parts)
	wg.Wait()
}

// partRange returns the half-open range [lo, hi) of part out of parts over
// n elements, in multiples of 16 (whole cache lines of float32) except at
// the end.
func partRange(part, parts, n int) (lo, hi int) {
	q := n / 16
	lo, hi = part*q/parts*16, (part+1)*q/parts*16
	if part == parts-1 {
		hi = n
	}
	return lo, hi
}
