// Package parallel runs work split into parts on a pool of goroutines that
// are started once and reused: a call allocates nothing, so hot loops (GEMM,
// optimizer steps) can use it in steady state. Splitting the work, and
// keeping the result independent of the number of parts, is the caller's
// business.
//
// The hand-off is built for parts of tens of microseconds, which a training
// step of a small network is made of: a worker that finishes a part keeps
// polling its mailbox for a while (spinDuration) before it parks, so the
// next part reaches it in well under a microsecond, where waking a parked
// goroutine costs tens of microseconds on a VM. A part no idle worker can
// take is run by the caller itself, and so is a part whose worker has not
// started it by the time the caller is done with its own (its thread may
// be descheduled on a busy machine): Run never waits for a worker to
// start, only for parts in progress to finish, and concurrent callers
// share the pool safely.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinDuration is how long an idle worker polls before it parks. Training
// steps call Run every few tens of microseconds, so a worker of a busy
// trainer never parks, while one of a program that stopped calling gives
// its core back within a fraction of a millisecond.
const spinDuration = 200 * time.Microsecond

// A worker's states. A caller claims a spinning or parked worker (CAS to
// claimed), writes the task, and publishes it (ready), waking the worker
// if it had parked. The state shares one atomic word with a count of the
// worker's claims (word = claims<<8 | state), so that a caller taking its
// task back compares against its own claim: a worker that has since run
// the task and been claimed by another caller is not disturbed.
const (
	spinning uint64 = iota
	parked
	claimed
	ready
	busy
)

func state(word uint64) uint64 { return word & 0xff }

type worker struct {
	word  atomic.Uint64
	fn    func(part, parts int)
	part  int
	parts int
	group *Group
	wake  chan struct{}
}

// set returns word with its state replaced by s.
func set(word, s uint64) uint64 { return word&^0xff | s }

// take moves a ready task to busy; it reports whether it did.
func (w *worker) take() bool {
	word := w.word.Load()
	return state(word) == ready && w.word.CompareAndSwap(word, set(word, busy))
}

func (w *worker) loop() {
	for {
		// Poll for a task, then park.
		deadline := time.Now().Add(spinDuration)
		for i := 0; ; i++ {
			if w.take() {
				break
			}
			if i%64 == 63 {
				if word := w.word.Load(); state(word) == spinning && time.Now().After(deadline) &&
					w.word.CompareAndSwap(word, set(word, parked)) {
					<-w.wake // the caller that claims us publishes the task first
					if w.take() {
						break
					}
					// The caller took the task back meanwhile.
					deadline = time.Now().Add(spinDuration)
				}
				runtime.Gosched() // let other goroutines of this P run
			}
		}
		g := w.group
		w.fn(w.part, w.parts)
		w.fn, w.group = nil, nil
		w.word.Store(set(w.word.Load(), spinning))
		g.pending.Add(-1)
	}
}

var (
	mu      sync.Mutex
	workers atomic.Pointer[[]*worker]
)

// ensure starts pool goroutines until there are at least n.
func ensure(n int) []*worker {
	if ws := workers.Load(); ws != nil && len(*ws) >= n {
		return *ws
	}
	mu.Lock()
	defer mu.Unlock()
	var ws []*worker
	if p := workers.Load(); p != nil {
		ws = *p
	}
	for len(ws) < n {
		w := &worker{wake: make(chan struct{}, 1)}
		go w.loop()
		ws = append(ws, w)
	}
	workers.Store(&ws)
	return ws
}

// A Group is one caller's reusable Run state: keep one with the caller's
// other reused state (and fn, a func value made once), so that Run
// allocates nothing once it has run with as many parts. A Group runs one
// Run at a time.
type Group struct {
	pending atomic.Int32
	given   []given // the parts handed to workers by the current Run
}

// given is a part handed to a worker, with the worker's word once it was
// published.
type given struct {
	w    *worker
	word uint64
	part int
}

// Run calls fn(p, parts) for p = 0..parts−1 and returns when all are done:
// part 0 on the calling goroutine, the others on idle workers of the pool,
// any part no worker is free for, or whose worker has not started it when
// the caller is done with its own, on the calling goroutine.
func Run(fn func(part, parts int), parts int, g *Group) {
	if parts <= 1 {
		fn(0, 1)
		return
	}
	ws := ensure(parts - 1)
	g.given = g.given[:0]
	next := 0 // the next worker to try
	for p := 1; p < parts; p++ {
		w, word, wasParked := claim(ws, &next)
		if w == nil {
			break // every worker is busy
		}
		w.fn, w.part, w.parts, w.group = fn, p, parts, g
		g.pending.Add(1)
		word = set(word, ready)
		g.given = append(g.given, given{w, word, p})
		w.word.Store(word)
		if wasParked {
			w.wake <- struct{}{}
		}
	}
	fn(0, parts)
	for p := len(g.given) + 1; p < parts; p++ {
		fn(p, parts)
	}
	for _, gv := range g.given {
		if gv.w.word.CompareAndSwap(gv.word, set(gv.word, spinning)) { // not started: take it back
			g.pending.Add(-1)
			fn(gv.part, parts)
		}
	}
	for i := 0; g.pending.Load() != 0; i++ {
		if i%64 == 63 {
			runtime.Gosched()
		}
	}
	clear(g.given) // drop the references to the workers
}

// claim takes an idle worker of ws, trying them in turn from *next, and
// returns it with its new word (state claimed, one more claim) and whether
// it had parked; nil if all are busy.
func claim(ws []*worker, next *int) (*worker, uint64, bool) {
	for range ws {
		w := ws[*next%len(ws)]
		*next++
		word := w.word.Load()
		if s := state(word); s == spinning || s == parked {
			nw := set(word+1<<8, claimed)
			if w.word.CompareAndSwap(word, nw) {
				return w, nw, s == parked
			}
		}
	}
	return nil, 0, false
}
