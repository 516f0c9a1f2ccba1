package classify

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/gaussian"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
)

// Thresholds of the sample statistics.
const (
	// CoverageShare: a class is covered when it receives at least this
	// share of its fair share n/K of the n samples (10 % of n/10 for ten
	// classes, i.e. 1 % of all samples).
	CoverageShare = 0.1
	// ConfidentProb: a sample is classified confidently when its most
	// probable class has at least this probability.
	ConfidentProb = 0.9
)

// Stats summarises how a classifier labels a set of images.
type Stats struct {
	N int `json:"n"`
	// Histogram counts the images by predicted (most probable) class.
	Histogram []int `json:"histogram"`
	// ClassesCovered is the number of classes k with
	// Histogram[k] ≥ CoverageShare·N/K.
	ClassesCovered int `json:"classes_covered"`
	// LabelKL is KL(p̂ ‖ uniform) = Σ_k p̂_k log(K·p̂_k) in nats, p̂ the
	// normalised histogram: 0 for balanced labels, log K (2.303 for ten
	// classes) when every image gets the same one.
	LabelKL jsonnum.Float64 `json:"label_kl"`
	// Confident is the share of images whose most probable class has
	// probability ≥ ConfidentProb.
	Confident jsonnum.Float64 `json:"confident"`
}

// Report is the sample-quality report of Quality: how the classifier labels
// the samples and the reference images, and how far apart their features
// lie. Its float fields encode NaN as JSON null.
type Report struct {
	Classifier string `json:"classifier"` // Spec.Dataset of the classifier
	Samples    Stats  `json:"samples"`
	Reference  Stats  `json:"reference"`
	// Frechet is the squared Fréchet distance between the Gaussian fits of
	// the penultimate features of the samples and of the reference images
	// (FrechetDistance); NaN for fewer than two samples. Like FID it is
	// biased upwards for small sets: compare values at equal sizes (a few
	// thousand images each).
	Frechet jsonnum.Float64 `json:"frechet"`
	// ReferenceAccuracy is the classifier's accuracy on the reference images
	// when their labels were given, else NaN.
	ReferenceAccuracy jsonnum.Float64 `json:"reference_accuracy"`
}

// Reference holds what Quality needs of the reference images (their
// statistics and feature Gaussian), computed once for many sample sets.
type Reference struct {
	c        *Classifier
	stats    Stats
	gauss    *gaussian.Moments
	accuracy float64
}

// NewReference classifies the reference images ref (m×Dim, scaled to
// [−1, 1], m ≥ 2; typically the test split) and fits their features. labels
// may be nil; otherwise it holds their m classes and the report includes the
// classifier's accuracy on them.
func NewReference(c *Classifier, ref []float32, labels []uint8) (*Reference, error) {
	probs, feats, err := classifyAll(c, "reference", ref)
	if err != nil {
		return nil, err
	}
	m := len(probs) / c.Spec.Classes
	if labels != nil && len(labels) != m {
		return nil, fmt.Errorf("%w: %d reference labels for %d images", ErrShape, len(labels), m)
	}
	g, err := gaussian.FitMoments(feats, c.Spec.Features)
	if err != nil {
		return nil, fmt.Errorf("classify: reference images: %w", err)
	}
	r := &Reference{c: c, stats: stats(probs, c.Spec.Classes), gauss: g, accuracy: math.NaN()}
	if labels != nil {
		right := 0
		for i, l := range labels {
			if argmax(probs[i*c.Spec.Classes:(i+1)*c.Spec.Classes]) == int(l) {
				right++
			}
		}
		r.accuracy = float64(right) / float64(m)
	}
	return r, nil
}

// Quality classifies the samples (n×Dim, n ≥ 1, scaled to [−1, 1]) and
// compares them with the reference images. Samples that are not a whole
// number of images, or hold non-finite values, are an error.
func (r *Reference) Quality(samples []float32) (*Report, error) {
	probs, feats, err := classifyAll(r.c, "samples", samples)
	if err != nil {
		return nil, err
	}
	rep := &Report{Classifier: r.c.Spec.Dataset, Samples: stats(probs, r.c.Spec.Classes), Reference: r.stats,
		Frechet: jsonnum.Float64(math.NaN()), ReferenceAccuracy: jsonnum.Float64(r.accuracy)}
	rep.Reference.Histogram = slices.Clone(r.stats.Histogram) // reports share nothing
	if rep.Samples.N >= 2 {
		g, err := gaussian.FitMoments(feats, r.c.Spec.Features)
		if err != nil {
			return nil, err
		}
		fd, err := FrechetDistance(g, r.gauss)
		if err != nil {
			return nil, err
		}
		rep.Frechet = jsonnum.Float64(fd)
	}
	return rep, nil
}

// Quality is NewReference(c, ref, refLabels).Quality(samples): the
// sample-quality report of samples (n×Dim) against the reference images ref
// (m×Dim) with their labels (nil if unknown). Use a Reference to score
// several sample sets against the same images.
func Quality(c *Classifier, samples, ref []float32, refLabels []uint8) (*Report, error) {
	r, err := NewReference(c, ref, refLabels)
	if err != nil {
		return nil, err
	}
	return r.Quality(samples)
}

// errEmpty reports an empty image set.
var errEmpty = errors.New("classify: no images")

// classifyAll checks x and returns its class probabilities and features.
func classifyAll(c *Classifier, what string, x []float32) (probs, feats []float32, err error) {
	n, err := c.rows(x)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("%s: %w", what, errEmpty)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, nil, fmt.Errorf("classify: %s: value %d of image %d is %v", what, i%c.Spec.Dim(), i/c.Spec.Dim(), v)
		}
	}
	probs = make([]float32, n*c.Spec.Classes)
	feats = make([]float32, n*c.Spec.Features)
	return probs, feats, c.Classify(x, probs, feats)
}

// stats summarises the n×K class probabilities p.
func stats(p []float32, K int) Stats {
	n := len(p) / K
	s := Stats{N: n, Histogram: make([]int, K)}
	confident := 0
	for i := 0; i < n; i++ {
		row := p[i*K : (i+1)*K]
		k := argmax(row)
		s.Histogram[k]++
		if row[k] >= ConfidentProb {
			confident++
		}
	}
	var kl float64
	for _, h := range s.Histogram {
		if float64(h) >= CoverageShare*float64(n)/float64(K) {
			s.ClassesCovered++
		}
		if h > 0 {
			q := float64(h) / float64(n)
			kl += q * math.Log(q*float64(K))
		}
	}
	s.LabelKL = jsonnum.Float64(max(kl, 0))
	s.Confident = jsonnum.Float64(float64(confident) / float64(n))
	return s
}

// Pixels returns the images as float32 rows scaled to [−1, 1] (2v/255 − 1,
// data.Symmetric without dequantisation), the input Classify expects.
func Pixels(im *data.Images) []float32 {
	x := make([]float32, im.N*im.Dim())
	src := im.Source(data.Symmetric, false)
	for i := 0; i < im.N; i++ {
		src.Row(i, x[i*im.Dim():(i+1)*im.Dim()], nil)
	}
	return x
}
