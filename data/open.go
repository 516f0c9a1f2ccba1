package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// A Spec names a data set as a run's configuration does: the name of a
// built-in 2-D set (see Toys), "mnist" or "fashion-mnist" (the built-in
// image sets), "csv:PATH" (a CSV of floats, one row per sample) or
// "mnist:DIR" (MNIST-style IDX files); images are scaled to [−1, 1].
type Spec struct {
	Kind SpecKind
	// Name is the built-in set's name; Path the CSV file or IDX directory.
	Name, Path string
}

// SpecKind says what a Spec names.
type SpecKind int

// The kinds of data set.
const (
	KindToy SpecKind = iota
	KindCSV
	KindMNIST
)

// ParseSpec reads a data set specification. It checks the syntax and the
// built-in names, not the files.
func ParseSpec(s string) (Spec, error) {
	kind, arg, file := strings.Cut(s, ":")
	switch {
	case !file && imageSets[s] != nil:
		return Spec{Kind: KindMNIST, Name: s}, nil
	case !file:
		if _, err := NewToy(s); err != nil {
			return Spec{}, fmt.Errorf("dataset: %v (or mnist, fashion-mnist, csv:PATH, mnist:DIR)", err)
		}
		return Spec{Kind: KindToy, Name: s}, nil
	case kind != "csv" && kind != "mnist":
		return Spec{}, fmt.Errorf("dataset %q: want a built-in set, csv:PATH or mnist:DIR", s)
	case arg == "":
		return Spec{}, fmt.Errorf("dataset %q: needs a path after the colon", s)
	case kind == "csv":
		return Spec{Kind: KindCSV, Path: arg}, nil
	}
	return Spec{Kind: KindMNIST, Path: arg}, nil
}

// A Source is an opened data set: exactly one of Toy, Table and Images is
// set. Finite data are split once into training and held-out parts
// (HeldOut): a CSV file by a fixed seeded split (TestFraction of its rows),
// an IDX directory by its train and t10k files. Training sees only the
// training part.
type Source struct {
	Spec   Spec
	Toy    *Toy     // a built-in set: i.i.d. samples without end
	Table  *Dataset // the training rows of a CSV file
	Images *Images  // the training images of an IDX directory

	testTable *Dataset // the held-out rows of a CSV file
}

// TestFraction is the share of a CSV file's rows held out from training.
const TestFraction = 0.2

// splitSeed fixes the train/test split of a CSV file: a file always splits
// the same way, whatever the run's seed, so that training and evaluation
// agree on which rows are held out.
const splitSeed = 0x6562_6d63_7075_0001

// Open opens the data set named by spec (see ParseSpec); stratified asks
// for the reference code's stratified batches of 8gaussians and
// 25gaussians.
func Open(spec string, stratified bool) (*Source, error) {
	sp, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	src := &Source{Spec: sp}
	switch sp.Kind {
	case KindToy:
		src.Toy, err = NewToy(sp.Name, Stratified(stratified))
	case KindCSV:
		err = src.openCSV(sp.Path)
	case KindMNIST:
		if sp.Path == "" {
			if sp.Path, err = imageSets[sp.Name](); err != nil {
				return nil, err
			}
			src.Spec.Path = sp.Path
		}
		src.Images, err = LoadMNISTDir(sp.Path, false)
	}
	if err != nil {
		return nil, err
	}
	return src, nil
}

// openCSV loads a CSV file and splits it into training and held-out rows.
func (s *Source) openCSV(path string) error {
	all, err := LoadCSV(path)
	if err != nil {
		return err
	}
	if all.Len() < 2 {
		return fmt.Errorf("dataset %s: %d rows, want at least 2 (one to train on, one held out)", path, all.Len())
	}
	train, test, err := SplitIndices(all.Len(), TestFraction, rand.New(rand.NewPCG(splitSeed, splitSeed)))
	if err != nil {
		return fmt.Errorf("dataset %s: %w", path, err)
	}
	s.Table, s.testTable = all.Take(train), all.Take(test)
	s.Table.Columns, s.testTable.Columns = all.Columns, all.Columns
	return nil
}

// Dim is the width D of one point.
func (s *Source) Dim() int {
	switch {
	case s.Toy != nil:
		return s.Toy.Dim()
	case s.Table != nil:
		return s.Table.Dim()
	}
	return s.Images.Dim()
}

// Finite returns the training rows of finite data as training sees them
// (images as pixels in [−1, 1], not dequantised), or nil for a built-in set.
func (s *Source) Finite() Finite {
	switch {
	case s.Images != nil:
		return s.Images.Source(Symmetric, false)
	case s.Table != nil:
		return s.Table
	}
	return nil
}

// Batches returns the training stream, drawing from rng. For finite data
// it is a Sampler, also returned so that its position can be checkpointed.
func (s *Source) Batches(rng *rand.Rand) (Batcher, *Sampler, error) {
	if s.Toy != nil {
		return s.Toy.Batches(rng), nil, nil
	}
	sm, err := NewSampler(s.Finite(), rng)
	if err != nil {
		return nil, nil, err
	}
	return sm, sm, nil
}

// Draw writes n points to dst (n×D, row-major) from rng: fresh samples of
// a built-in set, rows drawn uniformly with replacement otherwise. It is
// for pictures, not for training.
func (s *Source) Draw(rng *rand.Rand, dst []float32, n int) {
	if s.Toy != nil {
		s.Toy.Sample32(rng, dst, n)
		return
	}
	D := s.Dim()
	f := s.Finite()
	for i := 0; i < n; i++ {
		f.Row(index(rng, f.Len()), dst[i*D:(i+1)*D], rng)
	}
}

// Box is a box holding (nearly) all of a 2-D data set: the built-in set's
// own (Toy.Bounds), or the range of the rows with a 10% margin.
func (s *Source) Box() Box {
	if s.Toy != nil {
		return s.Toy.Bounds()
	}
	return RangeBox(s.Table)
}

// RangeBox is the range of the first two columns of ds with a 10% margin
// on each side.
func RangeBox(ds *Dataset) Box {
	b := Box{Min: [2]float64{math.Inf(1), math.Inf(1)}, Max: [2]float64{math.Inf(-1), math.Inf(-1)}}
	for i := 0; i < ds.Len(); i++ {
		for a, v := range ds.At(i)[:2] {
			b.Min[a], b.Max[a] = math.Min(b.Min[a], v), math.Max(b.Max[a], v)
		}
	}
	for a := range 2 {
		m := 0.1*(b.Max[a]-b.Min[a]) + 1e-9
		b.Min[a], b.Max[a] = b.Min[a]-m, b.Max[a]+m
	}
	return b
}
