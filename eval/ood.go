package eval

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/ebmcpu/ebmcpu/classify"
	"github.com/ebmcpu/ebmcpu/data"
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

// ImageGaussian is a Gaussian N(μ, Σ + λI) fitted to images: their mean μ
// and covariance Σ (1/(n−1)) in float64, a ridge λ = RelRidge · tr Σ / D
// that makes the covariance of pixels that never change (MNIST's borders)
// positive definite, and its Cholesky factor L. It serves twice: as the
// Gaussian-noise OOD set (Sample, ridge GaussianRidge) and as the image
// reference density (ImageReference, ridge chosen on held-out images).
type ImageGaussian struct {
	Mean     []float64
	Chol     *mat.TriDense // L, with LLᵀ = Σ + λI
	Ridge    float64       // λ
	RelRidge float64       // λ / (tr Σ / D)
	N        int           // images fitted
	logDet   float64       // log det(Σ + λI)
}

// GaussianRidge is the relative ridge of the Gaussian noise.
const GaussianRidge = 1e-3

// imageMoments returns the mean and covariance of the first n images of im
// (pixels 2v/255 − 1).
func imageMoments(im *data.Images, n int) (*classify.Gaussian, error) {
	n = min(n, im.N)
	if n < 2 {
		return nil, errors.New("eval: a Gaussian fit needs at least 2 images")
	}
	D := im.Dim()
	x := make([]float32, n*D)
	for i, v := range im.Pix[:n*D] {
		x[i] = float32(2*float64(v)/255 - 1)
	}
	return classify.FitGaussian(x, D)
}

// newImageGaussian adds the relative ridge rel to the covariance of m and
// factorises it; m is not changed.
func newImageGaussian(m *classify.Gaussian, rel float64) (*ImageGaussian, error) {
	D := len(m.Mean)
	var tr float64
	for j := 0; j < D; j++ {
		tr += m.Cov.At(j, j)
	}
	ridge := math.Max(rel*tr/float64(D), 1e-12)
	cov := mat.NewSymDense(D, nil)
	cov.CopySym(m.Cov)
	for j := 0; j < D; j++ {
		cov.SetSym(j, j, cov.At(j, j)+ridge)
	}
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		return nil, errors.New("eval: the covariance of the images is not positive definite even with the ridge")
	}
	var L mat.TriDense
	ch.LTo(&L)
	return &ImageGaussian{Mean: m.Mean, Chol: &L, Ridge: ridge, RelRidge: rel, N: m.N, logDet: ch.LogDet()}, nil
}

// FitGaussianNoise fits the Gaussian of the noise OOD set (ridge
// GaussianRidge) to the first n images of im.
func FitGaussianNoise(im *data.Images, n int) (*ImageGaussian, error) {
	m, err := imageMoments(im, n)
	if err != nil {
		return nil, err
	}
	return newImageGaussian(m, GaussianRidge)
}

// LogDensity returns log N(x_i; μ, Σ + λI) of the rows of x (n×D):
// −½‖L⁻¹(x − μ)‖² − ½ log det(Σ + λI) − (D/2) log 2π, one triangular solve
// for the whole batch.
func (g *ImageGaussian) LogDensity(x []float64) []float64 {
	D := len(g.Mean)
	n := len(x) / D
	r := make([]float64, n*D)
	for i := 0; i < n; i++ {
		for j, v := range x[i*D : (i+1)*D] {
			r[i*D+j] = v - g.Mean[j]
		}
	}
	// R := R·L⁻ᵀ: row i becomes (L⁻¹(x_i − μ))ᵀ.
	blas64.Trsm(blas.Right, blas.Trans, 1, g.Chol.RawTriangular(), blas64.General{Rows: n, Cols: D, Stride: D, Data: r})
	c := -0.5*g.logDet - 0.5*float64(D)*math.Log(2*math.Pi)
	out := make([]float64, n)
	for i := range out {
		var q float64
		for _, v := range r[i*D : (i+1)*D] {
			q += v * v
		}
		out[i] = c - 0.5*q
	}
	return out
}

// Sample returns n draws μ + Lξ, ξ ∼ N(0, I) from stream, each coordinate
// clipped to [lo, hi] (the range of valid pixels), n×D.
func (g *ImageGaussian) Sample(n int, lo, hi float64, stream *nn.Stream) []float64 {
	D := len(g.Mean)
	L := g.Chol.RawTriangular() // lower, row-major
	x := make([]float64, n*D)
	xi := make([]float64, D)
	for i := 0; i < n; i++ {
		nn.Normal(stream, xi)
		row := x[i*D : (i+1)*D]
		for r := 0; r < D; r++ {
			s := g.Mean[r]
			for c, l := range L.Data[r*L.Stride : r*L.Stride+r+1] {
				s += l * xi[c]
			}
			row[r] = math.Min(math.Max(s, lo), hi)
		}
	}
	return x
}

// ImageOODSets returns the out-of-distribution sets of a model of image
// data (pixels in [−1, 1]): the first n test images of the other built-in
// image set (Fashion-MNIST for MNIST and the other way round; left out, with
// a note, when the model's data set is not a built-in one or the other set
// is not installed), n draws of uniform noise on [−1, 1]^D, and n draws of
// Gaussian noise from noise (the mean and full covariance of training
// images: FitGaussianNoise), clipped to [−1, 1]. Draws come from the
// streams "eval/ood/…" of seed.
func ImageOODSets(sp data.Spec, train *data.Images, n int, noise *ImageGaussian, seed uint64) ([]OODSet, []string) {
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
}

// OODNote explains the OOD section.
const OODNote = "AUROC of the score against held-out test images of the training set (1: every OOD point scores higher; " +
	"0.5: no separation; below 0.5: the OOD points look MORE likely, the failure of likelihood models on Fashion-MNIST → MNIST); " +
	"exact Mann–Whitney with ties counting one half. log p = −E − log Z shifts every energy by the same constant, so the " +
	"log-density bounds rank points as the energy does and their AUROCs equal its own. The Gaussian noise has the mean and " +
	"full covariance of the training images and is clipped to the pixel range [-1, 1]"

// oodReport scores the sets: eIn are the energies of the test images,
// eOOD[i] those of sets[i]; logZLo and logZHi the trained bracket (NaN for
// a missing side); refIn and refOOD the same points' NLLs under the
// reference density (nil without one).
func oodReport(inName string, eIn []float64, sets []OODSet, eOOD [][]float64, logZLo, logZHi float64, refIn []float64, refOOD [][]float64) *OODReport {
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
			Reference:       jsonnum.Float64(math.NaN()),
		})
		if refIn != nil {
			r.Sets[i].Reference = jsonnum.Float64(AUROC(refIn, refOOD[i]))
		}
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
