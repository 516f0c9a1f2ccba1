// Package parallel runs work split into parts on a pool of goroutines that
// are started once and reused: a call allocates nothing, so hot loops (GEMM,
// optimizer steps) can use it in steady state. Splitting the work, and
// keeping the result independent of the number of parts, is the caller's
// business.
package parallel

import "sync"

type task struct {
	fn          func(part, parts int)
	part, parts int
	wg          *sync.WaitGroup
}

var (
	mu    sync.Mutex
	tasks chan task
	size  int
)

// ensure starts pool goroutines until there are at least n.
func ensure(n int) {
	mu.Lock()
	defer mu.Unlock()
	if tasks == nil {
		tasks = make(chan task, 64)
	}
	for ; size < n; size++ {
		go func() {
			for t := range tasks {
				t.fn(t.part, t.parts)
				t.wg.Done()
			}
		}()
	}
}

// Run calls fn(p, parts) for p = 0..parts−1 concurrently, part 0 on the
// calling goroutine, and returns when all are done. wg must not be in use;
// callers keep one (and fn, a func value made once) in a reused struct, so
// that Run allocates nothing.
func Run(fn func(part, parts int), parts int, wg *sync.WaitGroup) {
	if parts > 1 {
		ensure(parts - 1)
		wg.Add(parts - 1)
		for p := 1; p < parts; p++ {
			tasks <- task{fn: fn, part: p, parts: parts, wg: wg}
		}
	}
	fn(0, max(parts, 1))
	wg.Wait()
}
