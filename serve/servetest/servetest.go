// Package servetest provides a fake serve.Model for tests and load tests,
// and CheckRows, which tests the premise of batching on a real model.
package servetest

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Model is a fake serve.Model with a closed form per row:
//
//	E(x) = ½‖x‖² + Σ_j w_j sin(x_j),   w_j = 1/(j+2),
//	−∇E(x)_j = −x_j − w_j cos(x_j),
//	log p(x) ∈ [−E(x) − LogZHi, −E(x) − LogZLo].
//
// Each row depends on that row alone, so batched results must equal
// unbatched ones bit for bit. A Model is safe for concurrent use.
type Model struct {
	D           int
	LogZLo      float64       // lower bound of log Z
	LogZHi      float64       // upper bound of log Z; +Inf gives lower log-density bounds of −Inf
	MaxBatch    int           // if > 0, a call with more rows fails (the batcher must never make one)
	CallCost    time.Duration // CPU time burnt per call: the fixed cost of a model call
	RowCost     time.Duration // CPU time burnt per row
	Err         error         // if not nil, every call fails with it
	NaNAbove    float32       // if > 0, rows whose first value exceeds it get NaN energies
	Delay       time.Duration // time slept (not burnt) per call, for slow-request tests
	calls, rows atomic.Int64
	maxRowsSeen atomic.Int64
}

// NewModel returns a fake model of dimension d with the bracket log Z ∈ [1, 1.5].
func NewModel(d int) *Model {
	return &Model{D: d, LogZLo: 1, LogZHi: 1.5}
}

// Dim implements serve.Model.
func (m *Model) Dim() int { return m.D }

// Calls is the number of calls so far (every method).
func (m *Model) Calls() int64 { return m.calls.Load() }

// Rows is the number of rows computed so far (every method).
func (m *Model) Rows() int64 { return m.rows.Load() }

// MaxRowsSeen is the largest number of rows in one call so far.
func (m *Model) MaxRowsSeen() int64 { return m.maxRowsSeen.Load() }

func (m *Model) enter(x []float32) (int, error) {
	if m.D < 1 || len(x)%m.D != 0 {
		return 0, fmt.Errorf("servetest: %d values is not a whole number of rows of %d", len(x), m.D)
	}
	b := len(x) / m.D
	m.calls.Add(1)
	m.rows.Add(int64(b))
	for {
		seen := m.maxRowsSeen.Load()
		if int64(b) <= seen || m.maxRowsSeen.CompareAndSwap(seen, int64(b)) {
			break
		}
	}
	if m.MaxBatch > 0 && b > m.MaxBatch {
		return 0, fmt.Errorf("servetest: a call of %d rows, over MaxBatch %d", b, m.MaxBatch)
	}
	if m.Err != nil {
		return 0, m.Err
	}
	if m.Delay > 0 {
		time.Sleep(m.Delay)
	}
	Burn(m.CallCost + time.Duration(b)*m.RowCost)
	return b, nil
}

func (m *Model) energy(row []float32) float32 {
	var e float32
	for j, v := range row {
		e += 0.5*v*v + float32(math.Sin(float64(v)))/float32(j+2)
	}
	if m.NaNAbove > 0 && row[0] > m.NaNAbove {
		return float32(math.NaN())
	}
	return e
}

// Energy implements serve.Model.
func (m *Model) Energy(x, e []float32) error {
	b, err := m.enter(x)
	if err != nil {
		return err
	}
	for i := range b {
		e[i] = m.energy(x[i*m.D : (i+1)*m.D])
	}
	return nil
}

// Score implements serve.Model.
func (m *Model) Score(x, s []float32) error {
	if _, err := m.enter(x); err != nil {
		return err
	}
	for i, v := range x {
		s[i] = -v - float32(math.Cos(float64(v)))/float32(i%m.D+2)
	}
	return nil
}

// LogDensityBounds implements serve.Model.
func (m *Model) LogDensityBounds(x []float32, lo, hi []float64) error {
	b, err := m.enter(x)
	if err != nil {
		return err
	}
	for i := range b {
		e := float64(m.energy(x[i*m.D : (i+1)*m.D]))
		lo[i] = -e - m.LogZHi
		hi[i] = -e - m.LogZLo
	}
	return nil
}

// Burn keeps the CPU busy for d: a stand-in for a model's arithmetic, which
// unlike a sleep competes with the server for the cores.
func Burn(d time.Duration) {
	if d <= 0 {
		return
	}
	for start := time.Now(); time.Since(start) < d; {
	}
}

// RowModel is the part of serve.Model CheckRows needs.
type RowModel interface {
	Dim() int
	Energy(x, e []float32) error
	Score(x, s []float32) error
	LogDensityBounds(x []float32, lo, hi []float64) error
}

// CheckRows tests the premise of batching on a real model: that every
// output of a row is the same, bit for bit, whether the row is computed in
// the batch x (B×D) or alone. SIMD kernels that treat tail rows or small
// batches differently break it; the server then still answers correctly,
// but batched and unbatched results differ in the last bits.
func CheckRows(m RowModel, x []float32) error {
	d := m.Dim()
	if d < 1 || len(x) == 0 || len(x)%d != 0 {
		return errors.New("servetest: CheckRows wants a non-empty B×D batch")
	}
	b := len(x) / d
	e, lo, hi, s := make([]float32, b), make([]float64, b), make([]float64, b), make([]float32, b*d)
	if err := batchAll(m, x, e, lo, hi, s); err != nil {
		return err
	}
	e1, lo1, hi1, s1 := make([]float32, 1), make([]float64, 1), make([]float64, 1), make([]float32, d)
	for i := range b {
		if err := batchAll(m, x[i*d:(i+1)*d], e1, lo1, hi1, s1); err != nil {
			return err
		}
		if math.Float32bits(e1[0]) != math.Float32bits(e[i]) {
			return fmt.Errorf("row %d: energy %v alone, %v in a batch of %d", i, e1[0], e[i], b)
		}
		if math.Float64bits(lo1[0]) != math.Float64bits(lo[i]) || math.Float64bits(hi1[0]) != math.Float64bits(hi[i]) {
			return fmt.Errorf("row %d: bracket [%v, %v] alone, [%v, %v] in a batch of %d", i, lo1[0], hi1[0], lo[i], hi[i], b)
		}
		for j := range d {
			if math.Float32bits(s1[j]) != math.Float32bits(s[i*d+j]) {
				return fmt.Errorf("row %d: score[%d] %v alone, %v in a batch of %d", i, j, s1[j], s[i*d+j], b)
			}
		}
	}
	return nil
}

func batchAll(m RowModel, x, e []float32, lo, hi []float64, s []float32) error {
	if err := m.Energy(x, e); err != nil {
		return err
	}
	if err := m.LogDensityBounds(x, lo, hi); err != nil {
		return err
	}
	return m.Score(x, s)
}
