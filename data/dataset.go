package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// A Batcher produces training batches without end: Next writes n rows of
// Dim() values each to dst[:n·Dim()], row-major. *Sampler and the value
// returned by (*Toy).Batches are Batchers.
type Batcher interface {
	Dim() int
	Next(dst []float32, n int)
}

// Finite is a dataset of Len() rows of Dim() values.
type Finite interface {
	Len() int
	Dim() int
	// Row writes row i to dst[:Dim()]. rng feeds stochastic transforms such
	// as uniform dequantisation; deterministic datasets ignore it.
	Row(i int, dst []float32, rng *rand.Rand)
}

// Head returns the first n rows of f (all of them if it has fewer) as
// float32 rows, row-major; f must be deterministic (no dequantisation).
func Head(f Finite, n int) []float32 {
	n, D := max(min(n, f.Len()), 0), f.Dim()
	x := make([]float32, n*D)
	for i := 0; i < n; i++ {
		f.Row(i, x[i*D:(i+1)*D], nil)
	}
	return x
}

// A Dataset is a table of N rows of D float64 values, row-major in X.
type Dataset struct {
	N, D int
	X    []float64
	// Columns holds the header of a CSV file, or nil.
	Columns []string
}

// Len returns N.
func (d *Dataset) Len() int { return d.N }

// Dim returns D.
func (d *Dataset) Dim() int { return d.D }

// At returns row i (a view into X).
func (d *Dataset) At(i int) []float64 { return d.X[i*d.D : (i+1)*d.D] }

// Row writes row i, rounded to float32, to dst[:D].
func (d *Dataset) Row(i int, dst []float32, _ *rand.Rand) {
	row := d.X[i*d.D : (i+1)*d.D]
	dst = dst[:len(row)]
	for j, v := range row {
		dst[j] = float32(v)
	}
}

// Take returns a new Dataset holding the rows idx, in that order.
func (d *Dataset) Take(idx []int) *Dataset {
	out := &Dataset{N: len(idx), D: d.D, X: make([]float64, 0, len(idx)*d.D)}
	if d.Columns != nil {
		out.Columns = slices.Clone(d.Columns)
	}
	for _, i := range idx {
		out.X = append(out.X, d.At(i)...)
	}
	return out
}

// SplitIndices splits 0..n−1 into a training and a held-out test set by a
// permutation drawn from rng: the test set has round(testFraction·n) rows,
// at least one, and the training set keeps at least one. Both slices are
// sorted, so the split depends only on the source state.
func SplitIndices(n int, testFraction float64, rng *rand.Rand) (train, test []int, err error) {
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("data: test fraction %v is not in (0, 1)", testFraction)
	}
	if n < 2 {
		return nil, nil, fmt.Errorf("data: cannot split %d rows into a training and a test set", n)
	}
	nTest := min(max(int(testFraction*float64(n)+0.5), 1), n-1)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	shuffle(perm, rng)
	test = slices.Clone(perm[:nTest])
	train = slices.Clone(perm[nTest:])
	slices.Sort(test)
	slices.Sort(train)
	return train, test, nil
}

// shuffle is a Fisher–Yates shuffle on the package's own index draws.
func shuffle[I int | int32](p []I, rng *rand.Rand) {
	for i := len(p) - 1; i > 0; i-- {
		j := index(rng, i+1)
		p[i], p[j] = p[j], p[i]
	}
}

// View returns the rows idx of f, in that order, without copying them.
// It panics if an index is out of range.
func View(f Finite, idx []int) Finite {
	n := f.Len()
	for _, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("data: View: index %d out of range [0, %d)", i, n))
		}
	}
	return view{f, slices.Clone(idx)}
}

type view struct {
	f   Finite
	idx []int
}

func (v view) Len() int                                 { return len(v.idx) }
func (v view) Dim() int                                 { return v.f.Dim() }
func (v view) Row(i int, dst []float32, rng *rand.Rand) { v.f.Row(v.idx[i], dst, rng) }
