package data

import (
	"fmt"
	"math/rand/v2"
)

// HeldOut is data kept from training, for evaluation and calibration.
type HeldOut struct {
	X     []float64 // N×D, row-major
	D     int
	Toy   *Toy   // the built-in set (its density, modes), or nil
	Box   Box    // a box holding the data (2-D)
	Image [2]int // height and width of image data (0 otherwise)
	// Source says where the points come from; Notes what a reader must know
	// (e.g. that they are not held out after all).
	Source string
	Notes  []string
}

// N is the number of points.
func (h *HeldOut) N() int { return len(h.X) / h.D }

// HeldOut returns at most n points the model was not trained on: n fresh
// samples of a built-in set drawn from rng, the held-out rows of a CSV file,
// or the images of the t10k files of an IDX directory (its training files,
// with a note, when it has none).
func (s *Source) HeldOut(rng *rand.Rand, n int) (*HeldOut, error) {
	if n < 1 {
		return nil, fmt.Errorf("data: held-out points: n = %d, want ≥ 1", n)
	}
	switch {
	case s.Toy != nil:
		h := &HeldOut{D: 2, Toy: s.Toy, Box: s.Toy.Bounds(), X: make([]float64, 2*n),
			Source: fmt.Sprintf("%d fresh i.i.d. samples of %s", n, s.Toy.Name())}
		s.Toy.Sample(rng, h.X, n)
		return h, nil
	case s.testTable != nil:
		t := s.testTable
		h := &HeldOut{D: t.Dim(), X: t.X[:min(n, t.Len())*t.Dim()],
			Source: fmt.Sprintf("the %d held-out rows of %s (a fixed %g%% split; training used the others)", t.Len(), s.Spec.Path, 100*TestFraction)}
		if h.D == 2 {
			h.Box = RangeBox(t)
		}
		return h, nil
	}
	h := &HeldOut{Source: "the test split (t10k files) of " + s.Spec.Path}
	im, err := LoadMNISTDir(s.Spec.Path, true)
	if err != nil {
		im = s.Images
		h.Source = s.Spec.Path + " has no t10k files: its training images, NOT held out from training"
		h.Notes = append(h.Notes, "the points are training images: the t10k files are missing")
	}
	src := im.Source(Symmetric, false)
	n = min(src.Len(), n)
	h.D, h.Image = src.Dim(), [2]int{im.Height, im.Width}
	h.X = make([]float64, n*h.D)
	row := make([]float32, h.D)
	for i := 0; i < n; i++ {
		src.Row(i, row, nil)
		for j, v := range row {
			h.X[i*h.D+j] = float64(v)
		}
	}
	return h, nil
}
