package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// rowData returns a Dataset whose row i is (i, −i).
func rowData(n int) *Dataset {
	d := &Dataset{N: n, D: 2, X: make([]float64, 2*n)}
	for i := 0; i < n; i++ {
		d.X[2*i], d.X[2*i+1] = float64(i), -float64(i)
	}
	return d
}

func mustSampler(t *testing.T, f Finite, rng *rand.Rand) *Sampler {
	t.Helper()
	s, err := NewSampler(f, rng)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSamplerEpochs(t *testing.T) {
	const n, batch = 10, 3
	s := mustSampler(t, rowData(n), newRand(1))
	if s.Epoch() != 0 || s.Dim() != 2 {
		t.Fatalf("fresh sampler: epoch %d, dim %d", s.Epoch(), s.Dim())
	}
	var seen []int
	var perms [][]int
	buf := make([]float32, 2*batch)
	for len(perms) < 6 {
		s.Next(buf, batch)
		for k := 0; k < batch; k++ {
			i := int(buf[2*k])
			if buf[2*k+1] != -float32(i) {
				t.Fatalf("row %d filled as (%v, %v)", i, buf[2*k], buf[2*k+1])
			}
			seen = append(seen, i)
			if len(seen) == n {
				perms = append(perms, seen)
				seen = nil
			}
		}
	}
	for e, p := range perms {
		sorted := slices.Sorted(slices.Values(p))
		for i, v := range sorted {
			if v != i {
				t.Fatalf("epoch %d is not a permutation: %v", e, p)
			}
		}
		if e > 0 && slices.Equal(p, perms[e-1]) {
			t.Errorf("epochs %d and %d have the same order %v", e-1, e, p)
		}
	}
	if s.Epoch() != 6 { // 60 rows in batches of 3: the 7th epoch has not started
		t.Errorf("Epoch() = %d, want 6", s.Epoch())
	}
	s.Next(buf, 1)
	if s.Epoch() != 7 {
		t.Errorf("Epoch() = %d, want 7", s.Epoch())
	}
}

// Fisher–Yates puts every row first equally often.
func TestSamplerUniformShuffle(t *testing.T) {
	const n, epochs = 5, 20000
	s := mustSampler(t, rowData(n), newRand(2))
	var first [n]int
	idx := make([]int, n)
	for e := 0; e < epochs; e++ {
		s.NextIndices(idx)
		first[idx[0]]++
	}
	var chi2 float64
	for _, c := range first {
		d := float64(c) - epochs/n
		chi2 += d * d / (epochs / n)
	}
	if chi2 > 4+6*math.Sqrt(8) { // 4 degrees of freedom
		t.Errorf("first positions %v: χ² = %.1f", first, chi2)
	}
}

func TestSamplerDeterminism(t *testing.T) {
	draw := func(seed uint64) []int {
		s := mustSampler(t, rowData(37), newRand(seed))
		idx := make([]int, 100)
		s.NextIndices(idx)
		return idx
	}
	if !slices.Equal(draw(5), draw(5)) {
		t.Error("same seed, different batches")
	}
	if slices.Equal(draw(5), draw(6)) {
		t.Error("different seeds, same batches")
	}
}

func TestSamplerResume(t *testing.T) {
	const n, batch = 23, 7
	data := rowData(n)
	for _, skip := range []int{0, 1, 3, 23, 46} { // batches before the checkpoint
		src := rand.NewChaCha8([32]byte{9})
		s := mustSampler(t, data, rand.New(src))
		buf := make([]float32, 2*batch)
		for k := 0; k < skip; k++ {
			s.Next(buf, batch)
		}
		state, _ := s.MarshalBinary()
		rngState, _ := src.MarshalBinary()
		epoch := s.Epoch()
		want := make([]float32, 2*batch*20)
		s.Next(want, batch*20)

		src2 := rand.NewChaCha8([32]byte{})
		if err := src2.UnmarshalBinary(rngState); err != nil {
			t.Fatal(err)
		}
		r := mustSampler(t, data, rand.New(src2))
		if err := r.UnmarshalBinary(state); err != nil {
			t.Fatal(err)
		}
		if r.Epoch() != epoch {
			t.Errorf("after %d batches: epoch %d restored as %d", skip, epoch, r.Epoch())
		}
		got := make([]float32, len(want))
		r.Next(got, batch*20)
		if !slices.Equal(got, want) {
			t.Errorf("after %d batches: resumed sampler differs", skip)
		}
	}
}

func TestSamplerStateErrors(t *testing.T) {
	s := mustSampler(t, rowData(4), newRand(1))
	good, _ := s.MarshalBinary()
	other := mustSampler(t, rowData(5), newRand(1))
	if err := other.UnmarshalBinary(good); err == nil || !strings.Contains(err.Error(), "4 rows") {
		t.Errorf("size mismatch: %v", err)
	}
	if err := s.UnmarshalBinary(good[:10]); err == nil {
		t.Error("truncated state accepted")
	}
	bad := slices.Clone(good)
	bad[len(samplerMagic)+16] = 9 // position 9 > 4 rows
	if err := s.UnmarshalBinary(bad); err == nil {
		t.Error("position past the end accepted")
	}
	if _, err := NewSampler(&Dataset{}, newRand(1)); err == nil {
		t.Error("empty dataset accepted")
	}
}

func TestSamplerAllocs(t *testing.T) {
	pix, _ := testImages(50, 4, 4)
	im := &Images{N: 50, Height: 4, Width: 4, Pix: pix}
	for _, f := range []Finite{rowData(50), im.Source(Symmetric, true), View(rowData(60), []int{1, 5, 7, 9, 11})} {
		s := mustSampler(t, f, newRand(3))
		buf := make([]float32, 16*f.Dim())
		s.Next(buf, 16)
		// Batches of 16 cross epoch boundaries of 50 (and 5) rows.
		if a := testing.AllocsPerRun(100, func() { s.Next(buf, 16) }); a != 0 {
			t.Errorf("%T: Next allocates %v times per batch", f, a)
		}
	}
}

func TestSplitIndices(t *testing.T) {
	train, test, err := SplitIndices(1000, 0.2, newRand(4))
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 800 || len(test) != 200 || !slices.IsSorted(train) || !slices.IsSorted(test) {
		t.Fatalf("sizes %d/%d", len(train), len(test))
	}
	all := slices.Sorted(slices.Values(append(slices.Clone(train), test...)))
	for i, v := range all {
		if v != i {
			t.Fatal("train ∪ test is not 0..999 without repeats")
		}
	}
	train2, test2, _ := SplitIndices(1000, 0.2, newRand(4))
	if !slices.Equal(train, train2) || !slices.Equal(test, test2) {
		t.Error("same seed, different split")
	}
	_, test3, _ := SplitIndices(1000, 0.2, newRand(5))
	if slices.Equal(test, test3) {
		t.Error("different seeds, same split")
	}
	// The test set is a random subset, not a block.
	if test[len(test)-1]-test[0] < 500 {
		t.Errorf("test indices span only %d..%d", test[0], test[len(test)-1])
	}
	if tr, te, err := SplitIndices(2, 0.01, newRand(1)); err != nil || len(tr) != 1 || len(te) != 1 {
		t.Errorf("n = 2: %v %v %v", tr, te, err)
	}
	for _, c := range []struct {
		n int
		f float64
	}{{10, 0}, {10, 1}, {10, math.NaN()}, {1, 0.5}, {0, 0.5}} {
		if _, _, err := SplitIndices(c.n, c.f, newRand(1)); err == nil {
			t.Errorf("SplitIndices(%d, %v): no error", c.n, c.f)
		}
	}
}

func TestViewAndTake(t *testing.T) {
	d := rowData(10)
	d.Columns = []string{"a", "b"}
	sub := d.Take([]int{4, 2})
	if sub.N != 2 || !slices.Equal(sub.X, []float64{4, -4, 2, -2}) || !slices.Equal(sub.Columns, d.Columns) {
		t.Errorf("Take: %+v", sub)
	}
	v := View(d, []int{9, 0})
	row := make([]float32, 2)
	v.Row(0, row, nil)
	if v.Len() != 2 || v.Dim() != 2 || row[0] != 9 {
		t.Errorf("View: len %d row %v", v.Len(), row)
	}
	defer func() {
		if recover() == nil {
			t.Error("View with an index out of range did not panic")
		}
	}()
	View(d, []int{10})
}

func BenchmarkSamplerNext(b *testing.B) {
	pix, _ := testImages(1000, 28, 28)
	im := &Images{N: 1000, Height: 28, Width: 28, Pix: pix}
	for _, c := range []struct {
		name string
		f    Finite
	}{
		{"csv-2d", rowData(1000)},
		{"mnist-symmetric", im.Source(Symmetric, false)},
		{"mnist-dequantized", im.Source(Unit, true)},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := NewSampler(c.f, newRand(1))
			buf := make([]float32, 64*c.f.Dim())
			b.ReportAllocs()
			for b.Loop() {
				s.Next(buf, 64)
			}
		})
	}
}
