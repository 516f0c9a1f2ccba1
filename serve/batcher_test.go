package serve

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ebmcpu/ebmcpu/serve/servetest"
)

// TestWorkerRunAllocs checks that computing a batch allocates nothing: the
// worker's buffers are sized once, for MaxBatch rows.
func TestWorkerRunAllocs(t *testing.T) {
	const d, maxBatch = 3, 32
	m := servetest.NewModel(d)
	b := newBatcher(m, maxBatch, 0, 0, 1, func(int, time.Duration) {})
	w := &worker{b: b, x: make([]float32, maxBatch*d), e: make([]float32, maxBatch),
		lo: make([]float64, maxBatch), hi: make([]float64, maxBatch), s: make([]float32, maxBatch*d)}
	rng := rand.New(rand.NewPCG(1, 1))
	j1, j2 := newJob(10, d, needEnergy|needScore), newJob(20, d, needBounds)
	copy(j1.x, randRows(rng, 10, d))
	copy(j2.x, randRows(rng, 20, d))
	batch := make([]chunk, 0, 4)
	allocs := testing.AllocsPerRun(50, func() {
		j1.pending.Store(1 << 20) // never reaches 0: done stays open
		j2.pending.Store(1 << 20)
		w.batch = append(batch[:0], chunk{j1, 0, 10}, chunk{j2, 5, 20})
		w.rows = 25
		w.run()
	})
	if allocs != 0 {
		t.Errorf("%v allocations per batch, want 0", allocs)
	}
	_, lo, hi, _ := direct(t, m, j2.x)
	e, _, _, sc := direct(t, m, j1.x)
	if !sameF64(j2.lo[5:], lo[5:]) || !sameF64(j2.hi[5:], hi[5:]) || !sameF32(j1.e, e) || !sameF32(j1.s, sc) {
		t.Error("the batch's results differ from the model's")
	}
}
