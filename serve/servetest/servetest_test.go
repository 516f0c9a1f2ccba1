package servetest

import (
	"math"
	"strings"
	"testing"
)

// meanShift is a model whose energies depend on the batch: E(x_i) − mean_j E(x_j).
type meanShift struct{ *Model }

func (m meanShift) Energy(x, e []float32) error {
	if err := m.Model.Energy(x, e); err != nil {
		return err
	}
	var mean float32
	for _, v := range e {
		mean += v / float32(len(e))
	}
	for i := range e {
		e[i] -= mean
	}
	return nil
}

func TestCheckRows(t *testing.T) {
	x := []float32{0.1, -2, 3, 0.5, 1, 1}
	if err := CheckRows(NewModel(2), x); err != nil {
		t.Fatalf("the fake model's rows are independent: %v", err)
	}
	err := CheckRows(meanShift{NewModel(2)}, x)
	if err == nil || !strings.Contains(err.Error(), "energy") {
		t.Fatalf("a batch-dependent model passed: %v", err)
	}
	if CheckRows(NewModel(2), x[:3]) == nil {
		t.Fatal("accepted a partial row")
	}
}

// TestModelGradient checks Score = −∇E by central differences.
func TestModelGradient(t *testing.T) {
	m := NewModel(3)
	x := []float32{0.3, -1.2, 2}
	s := make([]float32, 3)
	if err := m.Score(x, s); err != nil {
		t.Fatal(err)
	}
	const h = 1e-2
	for j := range x {
		xp, xm := append([]float32(nil), x...), append([]float32(nil), x...)
		xp[j] += h
		xm[j] -= h
		ep, em := make([]float32, 1), make([]float32, 1)
		m.Energy(xp, ep)
		m.Energy(xm, em)
		fd := -(float64(ep[0]) - float64(em[0])) / (2 * h)
		if math.Abs(fd-float64(s[j])) > 1e-3 {
			t.Errorf("score[%d] = %v, finite difference %v", j, s[j], fd)
		}
	}
	lo, hi := make([]float64, 1), make([]float64, 1)
	e := make([]float32, 1)
	m.Energy(x, e)
	m.LogDensityBounds(x, lo, hi)
	if lo[0] != -float64(e[0])-1.5 || hi[0] != -float64(e[0])-1 {
		t.Errorf("bracket [%v, %v] for E = %v, log Z in [1, 1.5]", lo[0], hi[0], e[0])
	}
}

func TestModelLimits(t *testing.T) {
	m := NewModel(2)
	m.MaxBatch = 2
	e := make([]float32, 3)
	if err := m.Energy(make([]float32, 6), e); err == nil {
		t.Fatal("a call over MaxBatch succeeded")
	}
	if m.MaxRowsSeen() != 3 || m.Calls() != 1 || m.Rows() != 3 {
		t.Fatalf("counters %d %d %d", m.MaxRowsSeen(), m.Calls(), m.Rows())
	}
}
