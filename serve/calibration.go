package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
)

// CalibrationFile is the conventional name of a calibration stored beside a model.
const CalibrationFile = "calibration.json"

// A Calibration is an energy threshold for flagging outliers: x is an
// outlier when E(x) > Threshold. Calibrate sets Threshold from held-out
// energies so that at most a fraction FPR of them lie above it.
type Calibration struct {
	Threshold float64 `json:"threshold"` // outlier when E(x) > Threshold
	FPR       float64 `json:"fpr"`       // the target false-positive rate, in (0, 1)
	N         int     `json:"n"`         // held-out points the threshold comes from
	// HeldOutFPR is the fraction of the N held-out energies above Threshold:
	// at most FPR, less when energies tie at the threshold.
	HeldOutFPR float64 `json:"held_out_fpr"`
	Source     string  `json:"source"` // where the held-out points came from, e.g. "8gaussians test split, seed 2"
}

// Calibrate returns the threshold above which at most a fraction fpr of the
// held-out energies lie: with the energies sorted, E_(1) ≤ … ≤ E_(n), and
// m = ⌊fpr·n⌋ the number allowed above, Threshold = E_(n−m), the lower
// empirical (1 − fpr) quantile.
//
// For a new point exchangeable with the held-out ones (drawn from the same
// distribution), its rank among the n+1 energies is uniform, so the
// probability that it is flagged is (m+1)/(n+1) for continuous energies
// (less with ties), and (m+1)/(n+1) ≤ (fpr·n + 1)/(n+1) ≤ fpr + 1/(n+1):
// n ≫ 1/fpr held-out points make the target rate the real one.
//
// energies must be finite; they are not modified.
func Calibrate(energies []float32, fpr float64, source string) (Calibration, error) {
	n := len(energies)
	if n == 0 {
		return Calibration{}, errors.New("calibrate: no held-out energies")
	}
	if !(fpr > 0 && fpr < 1) {
		return Calibration{}, fmt.Errorf("calibrate: fpr %v: want a rate in (0, 1)", fpr)
	}
	sorted := make([]float64, n)
	for i, e := range energies {
		if math.IsNaN(float64(e)) || math.IsInf(float64(e), 0) {
			return Calibration{}, fmt.Errorf("calibrate: held-out energy %d is %v", i, e)
		}
		sorted[i] = float64(e)
	}
	slices.Sort(sorted)
	// The 1e-9 guards ⌊fpr·n⌋ against fpr·n landing a rounding error below an integer.
	m := min(int(math.Floor(fpr*float64(n)+1e-9)), n-1)
	t := sorted[n-1-m]
	above := n - 1 - m
	for above+1 < n && sorted[above+1] == t {
		above++
	}
	return Calibration{
		Threshold:  t,
		FPR:        fpr,
		N:          n,
		HeldOutFPR: float64(n-1-above) / float64(n),
		Source:     source,
	}, nil
}

// Outlier reports whether energy e lies above the threshold.
func (c *Calibration) Outlier(e float32) bool {
	return float64(e) > c.Threshold
}

// Validate checks that c could have come from Calibrate.
func (c *Calibration) Validate() error {
	switch {
	case math.IsNaN(c.Threshold) || math.IsInf(c.Threshold, 0):
		return fmt.Errorf("calibration: threshold %v is not finite", c.Threshold)
	case !(c.FPR > 0 && c.FPR < 1):
		return fmt.Errorf("calibration: fpr %v: want a rate in (0, 1)", c.FPR)
	case c.N < 1:
		return fmt.Errorf("calibration: n = %d held-out points, want ≥ 1", c.N)
	case !(c.HeldOutFPR >= 0 && c.HeldOutFPR <= c.FPR):
		return fmt.Errorf("calibration: held-out fpr %v outside [0, fpr = %v]", c.HeldOutFPR, c.FPR)
	}
	return nil
}

// Save writes c as JSON to path atomically: a crash leaves the old file or
// the new one, never a torn mix.
func (c *Calibration) Save(path string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

// LoadCalibration reads a calibration that Save wrote. Unknown fields and
// invalid values are errors: a threshold silently half-read would flag the
// wrong points.
func LoadCalibration(path string) (*Calibration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Calibration
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// CalibrateModel computes the energies of the held-out rows x (n × D,
// row-major) with m, batch rows at a time, and calibrates on them.
func CalibrateModel(m Model, x []float32, batch int, fpr float64, source string) (Calibration, error) {
	d := m.Dim()
	if d < 1 || len(x) == 0 || len(x)%d != 0 {
		return Calibration{}, fmt.Errorf("calibrate: %d values is not a non-empty set of rows of %d", len(x), d)
	}
	if batch < 1 {
		return Calibration{}, fmt.Errorf("calibrate: batch %d, want ≥ 1", batch)
	}
	n := len(x) / d
	e := make([]float32, n)
	for r0 := 0; r0 < n; r0 += batch {
		r1 := min(r0+batch, n)
		if err := m.Energy(x[r0*d:r1*d], e[r0:r1]); err != nil {
			return Calibration{}, fmt.Errorf("calibrate: %w", err)
		}
	}
	return Calibrate(e, fpr, source)
}
