package serve

import (
	"fmt"
	"regexp"
)

// Model is what the server evaluates. x holds B rows of Dim() float32s,
// row-major; every method fills one output per row (B×Dim() for Score).
//
// The batcher concatenates the rows of concurrent requests into one call, so
// a model must compute each row from that row alone: then batched results are
// bit-identical to unbatched ones. A model must be safe for concurrent calls
// (unbatched mode calls it from every request's goroutine, batched mode from
// Options.Workers goroutines). Errors are internal failures (the server
// answers 500); inputs reach the model finite and of the right width.
type Model interface {
	// Dim is D, the width of a row.
	Dim() int
	// Energy sets e[i] = E(x_i).
	Energy(x, e []float32) error
	// Score sets s_i = −∇E(x_i) = ∇ log p(x_i).
	Score(x, s []float32) error
	// LogDensityBounds sets lo[i] ≤ log p(x_i) ≤ hi[i], the bracket
	// −E(x_i) − log Z_hi ≤ log p(x_i) ≤ −E(x_i) − log Z_lo. lo[i] is −Inf when
	// the model has no upper bound of log Z.
	LogDensityBounds(x []float32, lo, hi []float64) error
}

// An Entry is a model served under a name.
type Entry struct {
	// Name is the model's name in URLs: letters, digits, '.', '_' and '-'.
	Name string
	// Version, if not empty, is the one version the model answers to under
	// /v2/models/{name}/versions/{version}; requests without a version get it too.
	Version string
	Model   Model
	// Bracket is the certification status of the log-density bracket, free
	// text reported in the metadata (e.g. "certified", "lower bound from AIS").
	Bracket string
	// Calibration, if not nil, gives the outlier threshold: the output
	// "is_outlier" exists only for models that have one.
	Calibration *Calibration
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

func (e *Entry) validate() error {
	if !nameRE.MatchString(e.Name) || e.Name == "." || e.Name == ".." {
		return fmt.Errorf("model name %q: want 1 to 128 letters, digits, '.', '_' or '-'", e.Name)
	}
	if e.Version != "" && (!nameRE.MatchString(e.Version) || e.Version == "." || e.Version == "..") {
		return fmt.Errorf("model %s: version %q: want 1 to 128 letters, digits, '.', '_' or '-'", e.Name, e.Version)
	}
	if e.Model == nil {
		return fmt.Errorf("model %s: no Model", e.Name)
	}
	if d := e.Model.Dim(); d < 1 {
		return fmt.Errorf("model %s: Dim() = %d, want ≥ 1", e.Name, d)
	}
	if e.Calibration != nil {
		if err := e.Calibration.Validate(); err != nil {
			return fmt.Errorf("model %s: %w", e.Name, err)
		}
	}
	return nil
}
