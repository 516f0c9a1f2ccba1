package eval

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/ebmcpu/ebmcpu/classify"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/gaussian"
	"github.com/ebmcpu/ebmcpu/internal/jsonnum"
	"github.com/ebmcpu/ebmcpu/nn"
)

// AUROC is the area under the ROC curve of a score that should be larger on
// the positives than on the negatives: the Mann–Whitney statistic
//
//	AUROC = P(s⁺ > s⁻) + ½·P(s⁺ = s⁻),
//
// computed exactly from mid-ranks (ties count one half), in O(n log n). It
// is 1 for a perfect separation, 0.5 for none, and below 0.5 when the
// positives score lower. It is NaN when either set is empty or a score is
// NaN.
func AUROC(neg, pos []float64) float64 {
	if len(neg) == 0 || len(pos) == 0 {
		return math.NaN()
	}
	type item struct {
		s   float64
		pos bool
	}
	all := make([]item, 0, len(neg)+len(pos))
	for _, v := range neg {
		all = append(all, item{v, false})
	}
	for _, v := range pos {
		all = append(all, item{v, true})
	}
	for _, it := range all {
		if math.IsNaN(it.s) {
			return math.NaN()
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s < all[j].s })
	// Sum of the positives' mid-ranks (1-based), in halves to stay exact.
	var rank2 float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].s == all[i].s {
			j++
		}
		mid2 := float64(i + 1 + j) // 2 × mid-rank of positions i..j−1
		for k := i; k < j; k++ {
			if all[k].pos {
				rank2 += mid2
			}
		}
		i = j
	}
	nPos, nNeg := float64(len(pos)), float64(len(neg))
	u := rank2/2 - nPos*(nPos+1)/2
	return u / (nPos * nNeg)
}

// OODSet is a set of points a model was not trained on, for the
// out-of-distribution test: N×D in the data's coordinates.
type OODSet struct {
	Name string
	X    []float64
}

// N is the number of points.
func (s OODSet) N(D int) int { return len(s.X) / D }

// BuiltinImageSet returns the built-in image set ("mnist" or
// "fashion-mnist") a data set specification names: its name, or mnist:DIR
// when DIR is the built-in set's directory.
func BuiltinImageSet(sp data.Spec) (string, bool) {
	if sp.Kind != data.KindMNIST {
		return "", false
	}
	if sp.Name != "" {
		return sp.Name, true
	}
	for _, name := range classify.Datasets {
		if dir, err := builtinImageDir(name); err == nil && samePath(dir, sp.Path) {
			return name, true
		}
	}
	return "", false
}

// otherImageSet is the built-in image set a model of sp is tested
// against: Fashion-MNIST for MNIST and the other way round.
func otherImageSet(sp data.Spec) (string, bool) {
	switch name, _ := BuiltinImageSet(sp); name {
	case "mnist":
		return "fashion-mnist", true
	case "fashion-mnist":
		return "mnist", true
	}
	return "", false
}

// builtinImageDir is the directory of a built-in image set's IDX files.
func builtinImageDir(name string) (string, error) {
	switch name {
	case "mnist":
		return data.MNISTDir()
	case "fashion-mnist":
		return data.FashionMNISTDir, nil
	}
	return "", fmt.Errorf("no built-in image set %q", name)
}

func samePath(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ra == rb
}

// loadTestImages loads the test split (t10k files) of a built-in image set.
func loadTestImages(name string) (*data.Images, error) {
	dir, err := builtinImageDir(name)
	if err != nil {
		return nil, err
	}
	return data.LoadMNISTDir(dir, true)
}

// ImageRows returns the first n images of im (all if fewer) as float64 rows
// in [−1, 1] (2v/255 − 1, data.Symmetric without dequantisation).
func ImageRows(im *data.Images, n int) []float64 { return imageRows(im, 0, n) }

// imageRows returns images from to from+n−1 of im (as many as there are)
// as ImageRows does.
func imageRows(im *data.Images, from, n int) []float64 {
	n = max(min(n, im.N-from), 0)
	D := im.Dim()
	x := make([]float64, n*D)
	for i, v := range im.Pix[from*D : (from+n)*D] {
		x[i] = 2*float64(v)/255 - 1
	}
	return x
}

// GaussianRidge is the relative ridge of the Gaussian noise.
const GaussianRidge = 1e-3

// imageMoments returns the mean and covariance of the first n images of im
// (pixels 2v/255 − 1, as training sees them).
func imageMoments(im *data.Images, n int) (*gaussian.Moments, error) {
	return gaussian.FitMoments(data.Head(im.Source(data.Symmetric, false), n), im.Dim())
}

// FitGaussianNoise fits the Gaussian of the noise OOD set (ridge
// GaussianRidge) to the first n images of im.
func FitGaussianNoise(im *data.Images, n int) (*gaussian.Model, error) {
	m, err := imageMoments(im, n)
	if err != nil {
		return nil, err
	}
	return gaussian.New(m, GaussianRidge)
}

// ImageOODSets returns the out-of-distribution sets of a model of image
// data (pixels in [−1, 1]): the first n test images of the other built-in
// image set (Fashion-MNIST for MNIST and the other way round; left out, with
// a note, when the model's data set is not a built-in one or the other set
// is not installed), n draws of uniform noise on [−1, 1]^D, and n draws of
// Gaussian noise from noise (the mean and full covariance of training
// images: FitGaussianNoise), clipped to [−1, 1]. Draws come from the
// streams "eval/ood/…" of seed.
func ImageOODSets(sp data.Spec, train *data.Images, n int, noise *gaussian.Model, seed uint64) ([]OODSet, []string) {
	D := train.Dim()
	var sets []OODSet
	var notes []string
	if other, ok := otherImageSet(sp); ok {
		if im, err := loadTestImages(other); err != nil {
			notes = append(notes, fmt.Sprintf("OOD: %s left out: %v", other, err))
		} else if im.Dim() != D {
			notes = append(notes, fmt.Sprintf("OOD: %s left out: its images have %d pixels, the model %d", other, im.Dim(), D))
		} else {
			sets = append(sets, OODSet{Name: other + " test images", X: ImageRows(im, n)})
		}
	} else {
		notes = append(notes, fmt.Sprintf("OOD: no other image set to test against (%s is not the built-in mnist or fashion-mnist)", sp.Path))
	}
	u := make([]float64, n*D)
	st := nn.NewStream(seed, "eval/ood/uniform")
	for i := range u {
		u[i] = 2*st.Float64() - 1
	}
	sets = append(sets, OODSet{Name: "uniform noise on [-1, 1]", X: u})
	sets = append(sets, OODSet{Name: "Gaussian noise (data mean and covariance, clipped)",
		X: noise.Sample(n, -1, 1, nn.NewStream(seed, "eval/ood/gaussian"))})
	return sets, notes
}

// OODReport measures how well the model tells its held-out test images
// (the negatives) from each out-of-distribution set (the positives), by the
// AUROC of the energy E(x) (high energy: out of distribution) and of the
// log-density bounds of the bracket.
type OODReport struct {
	InDistribution string          `json:"in_distribution"`
	N              int             `json:"n"`
	MeanEnergy     jsonnum.Float64 `json:"mean_energy"`
	Sets           []OODResult     `json:"sets"`
	Note           string          `json:"note"`
}

// OODResult is the test against one out-of-distribution set.
type OODResult struct {
	Name       string          `json:"name"`
	N          int             `json:"n"`
	MeanEnergy jsonnum.Float64 `json:"mean_energy"`
	// Energy is the AUROC of E(x); LogDensityLower and LogDensityUpper
	// those of −⌊log p(x)⌋ and −⌈log p(x)⌉ with log p = −E − log Z from the
	// model's trained bracket (NaN without that side).
	Energy          jsonnum.Float64 `json:"auroc_energy"`
	LogDensityLower jsonnum.Float64 `json:"auroc_log_density_lower"`
	LogDensityUpper jsonnum.Float64 `json:"auroc_log_density_upper"`
	// Reference is the AUROC of the NLL of the Gaussian reference
	// (ImageReference) on the same points, NaN without it.
	Reference jsonnum.Float64 `json:"auroc_reference"`
	// Network is the AUROC of the network's part E_θ of an energy with a
	// Gaussian base (ebm.BaseConfig), NaN without one: E_θ = E − β·Q is
	// −log of the ratio p(x)/N(x)^β up to a constant, a likelihood ratio
	// against the base (with β = 1 exactly the model's log-likelihood
	// ratio to its base, the statistic of Ren et al., NeurIPS 2019).
	Network jsonnum.Float64 `json:"auroc_network"`
}

// oodScores are one score of the test images (in) and of each OOD set
// (ood, in the order of the sets); nil when the score is not available.
type oodScores struct {
	in  []float64
	ood [][]float64
}

// auroc is the AUROC of the score for set i, NaN without the score.
func (s oodScores) auroc(i int) jsonnum.Float64 {
	if s.in == nil {
		return jsonnum.Float64(math.NaN())
	}
	return jsonnum.Float64(AUROC(s.in, s.ood[i]))
}

// OODNote explains the OOD section.
const OODNote = "AUROC of the score against held-out test images of the training set (1: every OOD point scores higher; " +
	"0.5: no separation; below 0.5: the OOD points look MORE likely, the failure of likelihood models on Fashion-MNIST → MNIST); " +
	"exact Mann–Whitney with ties counting one half. log p = −E − log Z shifts every energy by the same constant, so the " +
	"log-density bounds rank points as the energy does and their AUROCs equal its own. The Gaussian noise has the mean and " +
	"full covariance of the training images and is clipped to the pixel range [-1, 1]"

// oodReport scores the sets: eIn are the energies of the test images,
// eOOD[i] those of sets[i]; logZLo and logZHi the trained bracket (NaN for
// a missing side); ref the same points' NLLs under the reference density
// and network their network energies E_θ (each empty without one).
func oodReport(inName string, eIn []float64, sets []OODSet, eOOD [][]float64, logZLo, logZHi float64, ref, network oodScores) *OODReport {
	r := &OODReport{InDistribution: inName, N: len(eIn), MeanEnergy: jsonnum.Float64(mean(eIn)), Note: OODNote, Sets: []OODResult{}}
	shift := func(e []float64, c float64) []float64 {
		out := make([]float64, len(e))
		for i, v := range e {
			out[i] = v + c // −log p = E + log Z
		}
		return out
	}
	auroc := func(neg, pos []float64, c float64) jsonnum.Float64 {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return jsonnum.Float64(math.NaN())
		}
		return jsonnum.Float64(AUROC(shift(neg, c), shift(pos, c)))
	}
	for i, s := range sets {
		e := eOOD[i]
		r.Sets = append(r.Sets, OODResult{Name: s.Name, N: len(e), MeanEnergy: jsonnum.Float64(mean(e)),
			Energy:          jsonnum.Float64(AUROC(eIn, e)),
			LogDensityLower: auroc(eIn, e, logZHi), // −⌊log p⌋ = E + ⌈log Z⌉
			LogDensityUpper: auroc(eIn, e, logZLo), // −⌈log p⌉ = E + ⌊log Z⌋
			Reference:       ref.auroc(i),
			Network:         network.auroc(i),
		})
	}
	return r
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
