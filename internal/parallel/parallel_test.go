package parallel

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestRunCallsEveryPartOnce(t *testing.T) {
	for _, parts := range []int{0, 1, 2, 3, 8} {
		var seen [8]atomic.Int32
		var wg sync.WaitGroup
		fn := func(part, n int) {
			if n != max(parts, 1) {
				t.Errorf("parts = %d, want %d", n, max(parts, 1))
			}
			seen[part].Add(1)
		}
		Run(fn, parts, &wg)
		for p := range max(parts, 1) {
			if seen[p].Load() != 1 {
				t.Fatalf("parts=%d: part %d ran %d times", parts, p, seen[p].Load())
			}
		}
	}
}

func TestRunAllocatesNothing(t *testing.T) {
	var wg sync.WaitGroup
	var sum atomic.Int64
	fn := func(part, parts int) { sum.Add(int64(part)) }
	Run(fn, 2, &wg) // start the pool
	if a := testing.AllocsPerRun(100, func() { Run(fn, 2, &wg) }); a != 0 {
		t.Fatalf("%v allocations per Run", a)
	}
}
