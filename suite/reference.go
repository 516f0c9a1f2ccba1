package suite

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"github.com/ebmcpu/ebmcpu/nn"
	"github.com/ebmcpu/ebmcpu/reference"
)

// The simple estimators every table compares the EBMs with (package
// reference): a Gaussian KDE with its bandwidth and a Gaussian mixture with
// its number of components chosen on held-out data, fitted to
// ReferenceTrain fresh samples of the set and scored on the very test
// points of the EBMs' evaluations.
const (
	ReferenceTrain      = 20000
	ReferenceValidation = 5000
)

// A Reference is how the simple estimators fit one set.
type Reference struct {
	Set string   `json:"set"`
	KDE RefScore `json:"kde"`
	GMM RefScore `json:"gmm"`
}

// A RefScore is one estimator's test NLL (and KL gap where the set has a
// density), in nats, on the evaluation's test points.
type RefScore struct {
	Param string           `json:"param"` // its chosen hyper-parameter, e.g. "h = 0.071"
	NLL   bounds.Estimate  `json:"nll"`
	KLGap *bounds.Estimate `json:"kl_gap,omitempty"`
}

// referencePath is where a set's Reference is kept between calls.
func referencePath(c Config, set string) string {
	return filepath.Join(c.Out, "reference", set+".json")
}

// storedReference is the Reference of a set kept in the suite directory,
// or nil if none has been fitted there.
func storedReference(c Config, set string) *Reference {
	b, err := os.ReadFile(referencePath(c, set))
	if err != nil {
		return nil
	}
	var r Reference
	if json.Unmarshal(b, &r) != nil || r.Set != set {
		return nil
	}
	return &r
}

// ReferenceFor returns the Reference of a set: read from the suite
// directory, or fitted now and stored there.
func ReferenceFor(c Config, set string) (*Reference, error) {
	if r := storedReference(c, set); r != nil {
		return r, nil
	}
	r, err := fitReference(c, set)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	path := referencePath(c, set)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return r, atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

func fitReference(c Config, set string) (*Reference, error) {
	src, err := data.Open(set, false)
	if err != nil {
		return nil, err
	}
	seed := c.Eval.Seed
	sample := func(stream string, n int) []float64 {
		x := make([]float64, 2*n)
		src.Toy.Sample(nn.NewStream(seed, stream).Rand, x, n)
		return x
	}
	train, val := sample("reference/train", ReferenceTrain), sample("reference/validation", ReferenceValidation)
	// The test points of the evaluation: the same stream, the same count.
	testPoints := c.Eval.TestPoints
	if testPoints == 0 {
		testPoints = 20000
	}
	held, err := src.HeldOut(nn.NewStream(seed, "eval/test").Rand, testPoints)
	if err != nil {
		return nil, err
	}
	fit, err := reference.Fit(train, val, 2, seed)
	if err != nil {
		return nil, fmt.Errorf("reference estimators on %s: %w", set, err)
	}
	r := &Reference{Set: set}
	for _, e := range []struct {
		score *RefScore
		param string
		logp  func([]float64) ([]float64, error)
	}{
		{&r.KDE, fmt.Sprintf("h = %.3g", fit.KDE.Bandwidth()), fit.KDE.LogDensity},
		{&r.GMM, fmt.Sprintf("K = %d", fit.GMM.K()), fit.GMM.LogDensity},
	} {
		lp, err := e.logp(held.X)
		if err != nil {
			return nil, err
		}
		nll := make([]float64, len(lp))
		for i, v := range lp {
			nll[i] = -v
		}
		e.score.Param = e.param
		e.score.NLL, _ = bounds.MeanSE(nll)
		if h, ok := src.Toy.Entropy(); ok {
			// Paired, as the EBMs' KL gap: log p_data(x) − log p̂(x).
			terms := make([]float64, len(lp))
			for i := range terms {
				ld, _ := src.Toy.LogDensity(held.X[2*i], held.X[2*i+1])
				terms[i] = ld - lp[i]
			}
			kl, _ := bounds.MeanSE(terms)
			if math.IsNaN(h) {
				continue
			}
			e.score.KLGap = &kl
		}
	}
	return r, nil
}
