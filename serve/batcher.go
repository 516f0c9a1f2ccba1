package serve

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// The outputs a job needs, one model method each.
const (
	needEnergy = 1 << iota // Energy: "energy", "is_outlier"
	needBounds             // LogDensityBounds: "log_density_lower", "log_density_upper"
	needScore              // Score: "score"
)

// A job is one request's rows and the outputs computed for them.
type job struct {
	rows int
	x    []float32 // rows × dim, row-major
	need int

	e      []float32 // rows, if need&needEnergy
	lo, hi []float64 // rows, if need&needBounds
	s      []float32 // rows × dim, if need&needScore

	pending atomic.Int32  // chunks not yet computed
	done    chan struct{} // closed when pending reaches 0
	mu      sync.Mutex
	err     error // the first model error
}

func newJob(rows, dim, need int) *job {
	j := &job{rows: rows, x: make([]float32, rows*dim), need: need, done: make(chan struct{})}
	if need&needEnergy != 0 {
		j.e = make([]float32, rows)
	}
	if need&needBounds != 0 {
		j.lo, j.hi = make([]float64, rows), make([]float64, rows)
	}
	if need&needScore != 0 {
		j.s = make([]float32, rows*dim)
	}
	return j
}

func (j *job) fail(err error) {
	j.mu.Lock()
	if j.err == nil {
		j.err = err
	}
	j.mu.Unlock()
}

func (j *job) finishChunk() {
	if j.pending.Add(-1) == 0 {
		close(j.done)
	}
}

func (j *job) error() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// compute runs the model on rows x (n × dim) for the outputs in need,
// writing into e, lo, hi and s.
func compute(m Model, need int, x, e []float32, lo, hi []float64, s []float32) error {
	if need&needEnergy != 0 {
		if err := m.Energy(x, e); err != nil {
			return err
		}
	}
	if need&needBounds != 0 {
		if err := m.LogDensityBounds(x, lo, hi); err != nil {
			return err
		}
	}
	if need&needScore != 0 {
		if err := m.Score(x, s); err != nil {
			return err
		}
	}
	return nil
}

// errClosed is the error of a job submitted after the batcher stopped.
var errClosed = errors.New("the server is shutting down")

// A chunk is rows [r0, r1) of a job: the batcher splits jobs of more than
// maxRows rows so that no model call exceeds maxRows.
type chunk struct {
	j      *job
	r0, r1 int
}

func (c chunk) rows() int { return c.r1 - c.r0 }

// A batcher coalesces the rows of concurrent jobs into model calls of at
// most maxRows rows. Each worker takes the first waiting chunk, then adds
// chunks as they arrive until the batch holds maxRows rows or delay has passed
// since it took the first (delay 0: only chunks already waiting), calls the
// model once per needed method on the rows that need it, and copies each
// chunk's results back to its job. A chunk that would overflow the batch
// starts the next one. Rows keep their values and every row is computed by
// the same model, so when the model's rows are independent the results are
// bit-identical to unbatched calls.
type batcher struct {
	m       Model
	dim     int
	maxRows int
	delay   time.Duration
	queue   chan chunk

	mu     sync.RWMutex // held for reading while submitting, for writing to close
	closed bool
	quit   chan struct{}
	wg     sync.WaitGroup

	observe func(rows int, d time.Duration) // called after every batch with its rows and compute time
}

func newBatcher(m Model, maxRows int, delay time.Duration, workers, queueLen int, observe func(int, time.Duration)) *batcher {
	b := &batcher{
		m: m, dim: m.Dim(), maxRows: maxRows, delay: delay,
		queue:   make(chan chunk, queueLen),
		quit:    make(chan struct{}),
		observe: observe,
	}
	for range workers {
		w := &worker{
			b:     b,
			x:     make([]float32, maxRows*b.dim),
			e:     make([]float32, maxRows),
			lo:    make([]float64, maxRows),
			hi:    make([]float64, maxRows),
			s:     make([]float32, maxRows*b.dim),
			timer: time.NewTimer(time.Hour),
		}
		w.timer.Stop()
		b.wg.Add(1)
		go w.loop()
	}
	return b
}

// submit queues the chunks of j. On success j.done closes once they are
// computed. If ctx ends first, chunks already queued still run and write
// into j, which the caller then abandons.
func (b *batcher) submit(ctx context.Context, j *job) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errClosed
	}
	j.pending.Store(int32((j.rows + b.maxRows - 1) / b.maxRows))
	for r0 := 0; r0 < j.rows; r0 += b.maxRows {
		select {
		case b.queue <- chunk{j, r0, min(r0+b.maxRows, j.rows)}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// close stops accepting jobs, lets the workers finish every queued chunk
// and waits for them.
func (b *batcher) close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	close(b.quit)
	b.wg.Wait()
}

// A worker owns the buffers of one batch.
type worker struct {
	b       *batcher
	batch   []chunk
	rows    int
	carry   chunk // a chunk taken that did not fit the last batch
	carried bool

	x, e, s []float32
	lo, hi  []float64
	timer   *time.Timer
}

func (w *worker) loop() {
	defer w.b.wg.Done()
	for {
		first, ok := w.first()
		if !ok {
			return
		}
		w.collect(first)
		w.run()
	}
}

// first returns the chunk that opens the next batch; false once the
// batcher is closed and the queue is empty.
func (w *worker) first() (chunk, bool) {
	if w.carried {
		w.carried = false
		return w.carry, true
	}
	select {
	case c := <-w.b.queue:
		return c, true
	case <-w.b.quit:
		select {
		case c := <-w.b.queue:
			return c, true
		default:
			return chunk{}, false
		}
	}
}

// collect fills the batch from first and the chunks that arrive within the delay.
func (w *worker) collect(first chunk) {
	b := w.b
	w.batch = append(w.batch[:0], first)
	w.rows = first.rows()
	if b.delay > 0 {
		w.timer.Reset(b.delay)
		defer w.timer.Stop()
	}
	for w.rows < b.maxRows {
		var c chunk
		select {
		case c = <-b.queue:
		default:
			if b.delay <= 0 {
				return
			}
			select {
			case c = <-b.queue:
			case <-w.timer.C:
				return
			case <-b.quit:
				return
			}
		}
		if w.rows+c.rows() > b.maxRows {
			w.carry, w.carried = c, true
			return
		}
		w.batch = append(w.batch, c)
		w.rows += c.rows()
	}
}

// run computes the batch: for each model method, the rows of the chunks
// that need it are gathered, computed in one call, and scattered back.
func (w *worker) run() {
	d := w.b.dim
	start := time.Now()
	for _, op := range [...]int{needEnergy, needBounds, needScore} {
		n := 0
		for _, c := range w.batch {
			if c.j.need&op != 0 {
				n += copy(w.x[n*d:], c.j.x[c.r0*d:c.r1*d]) / d
			}
		}
		if n == 0 {
			continue
		}
		err := compute(w.b.m, op, w.x[:n*d], w.e[:n], w.lo[:n], w.hi[:n], w.s[:n*d])
		k := 0
		for _, c := range w.batch {
			if c.j.need&op == 0 {
				continue
			}
			switch {
			case err != nil:
				c.j.fail(err)
			case op == needEnergy:
				copy(c.j.e[c.r0:c.r1], w.e[k:])
			case op == needBounds:
				copy(c.j.lo[c.r0:c.r1], w.lo[k:])
				copy(c.j.hi[c.r0:c.r1], w.hi[k:])
			case op == needScore:
				copy(c.j.s[c.r0*d:c.r1*d], w.s[k*d:])
			}
			k += c.rows()
		}
	}
	if w.b.observe != nil {
		w.b.observe(w.rows, time.Since(start))
	}
	for i, c := range w.batch {
		c.j.finishChunk()
		w.batch[i] = chunk{} // drop the reference to the job
	}
}
