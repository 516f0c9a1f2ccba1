package parallel

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunCallsEveryPartOnce(t *testing.T) {
	for _, parts := range []int{0, 1, 2, 3, 8} {
		var seen [8]atomic.Int32
		var g Group
		fn := func(part, n int) {
			if n != max(parts, 1) {
				t.Errorf("parts = %d, want %d", n, max(parts, 1))
			}
			seen[part].Add(1)
		}
		Run(fn, parts, &g)
		for p := range max(parts, 1) {
			if seen[p].Load() != 1 {
				t.Fatalf("parts=%d: part %d ran %d times", parts, p, seen[p].Load())
			}
		}
	}
}

// Run returns only when every part has finished, whether its worker was
// spinning, parked or busy.
func TestRunWaitsForEveryPart(t *testing.T) {
	var g Group
	var done atomic.Int32
	fn := func(part, parts int) {
		time.Sleep(time.Duration(part) * time.Millisecond)
		done.Add(1)
	}
	for _, pause := range []time.Duration{0, 2 * spinDuration} { // spinning, then parked workers
		time.Sleep(pause)
		done.Store(0)
		Run(fn, 4, &g)
		if n := done.Load(); n != 4 {
			t.Fatalf("after a pause of %v: Run returned with %d of 4 parts done", pause, n)
		}
	}
}

// Concurrent callers share the pool: each gets all its parts done, a part
// no worker is free for running on the caller.
func TestConcurrentRuns(t *testing.T) {
	var wg sync.WaitGroup
	for c := 0; c < 6; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var g Group
			for it := 0; it < 200; it++ {
				var sum atomic.Int64
				Run(func(part, parts int) { sum.Add(int64(part + 1)) }, 5, &g)
				if s := sum.Load(); s != 15 {
					t.Errorf("sum of parts = %d, want 15", s)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// Many callers with uneven parts: workers finish, are claimed again by
// another caller, and callers take back parts their worker has not started.
// A caller taking back a part must not take another caller's task from a
// worker it had used before (which once left one caller waiting for a part
// nobody ran, and another for a count gone negative).
func TestRunStress(t *testing.T) {
	var wg sync.WaitGroup
	for c := 0; c < 16; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var g Group
			for it := 0; it < 3000; it++ {
				parts := 2 + (it+c)%3
				var seen [4]atomic.Int32
				Run(func(part, parts int) {
					// Part 0 (the caller's) is the longest, so the
					// others are often done, and their workers taken by
					// other callers, when the caller looks back at them.
					for range (parts - part) * (50 + it%7*40) {
						seen[part].Add(0)
					}
					seen[part].Add(1)
				}, parts, &g)
				for p := 0; p < parts; p++ {
					if n := seen[p].Load(); n != 1 {
						t.Errorf("part %d of %d ran %d times", p, parts, n)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// A part may itself call Run (a GEMM inside a parallel part): the inner
// parts run on the caller when the workers are taken, so nothing deadlocks.
func TestNestedRun(t *testing.T) {
	var outer Group
	var inner [4]Group
	var n atomic.Int32
	Run(func(part, parts int) {
		Run(func(int, int) { n.Add(1) }, 3, &inner[part])
	}, 4, &outer)
	if n.Load() != 12 {
		t.Fatalf("%d inner parts ran, want 12", n.Load())
	}
}

func TestRunAllocatesNothing(t *testing.T) {
	var g Group
	var sum atomic.Int64
	fn := func(part, parts int) { sum.Add(int64(part)) }
	Run(fn, 2, &g) // start the pool
	if a := testing.AllocsPerRun(100, func() { Run(fn, 2, &g) }); a != 0 {
		t.Fatalf("%v allocations per Run", a)
	}
}
