package eval

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/gaussian"
	"github.com/ebmcpu/ebmcpu/nn"
)

// ImageReference is the simple density an image model is compared with,
// as the KDE and the Gaussian mixture are on the 2-D sets: a Gaussian
// N(μ, Σ + λI) on R^D with the mean and full covariance of training images
// and the ridge λ that gives held-out training images (dequantised, as
// bits/dim are measured) the highest likelihood. Its log Z is exact, so
// its NLL needs no AIS; its density is that on R^D, which restricting it to
// the pixel cube could only raise, so its NLL is if anything pessimistic
// against the model's. Its OOD AUROCs (OODResult.Reference) and the
// classifier's scores of its samples (QualityReport.Reference) sit beside
// the model's.
type ImageReference struct {
	Model string `json:"model"`
	// RelRidge is the chosen λ / (tr Σ / D); HeldOut the number of
	// held-out training images it was chosen on.
	RelRidge float64 `json:"relative_ridge"`
	HeldOut  int     `json:"held_out"`
	// NLL is in nats per image on the undequantised test images,
	// DequantizedNLL on the dequantised ones Report.Images measures the
	// model on, and BitsPerDim is data.BitsPerDim of it.
	NLL            bounds.Estimate `json:"nll"`
	DequantizedNLL bounds.Estimate `json:"nll_dequantized"`
	BitsPerDim     bounds.Estimate `json:"bits_per_dim"`
}

// ReferenceRidges are the relative ridges the image reference chooses from.
var ReferenceRidges = []float64{1e-4, 1e-3, 1e-2, 1e-1}

// referenceHeldOut is the most training images the ridge is chosen on.
const referenceHeldOut = 2000

// imageGaussians are the two Gaussians of an image evaluation, fitted to
// the same training images: the noise OOD set's and the reference.
type imageGaussians struct {
	noise, reference *gaussian.Model
	heldOut          int
}

// fitImageGaussians fits both Gaussians to the first training images of im
// (at most fit of them) and chooses the reference's ridge on the next
// min(2000, N/5) images, dequantised by stream.
func fitImageGaussians(im *data.Images, fit int, stream *nn.Stream) (*imageGaussians, error) {
	hold := min(referenceHeldOut, im.N/5)
	n := min(fit, im.N-hold)
	if hold < 1 || n < 2 {
		return nil, fmt.Errorf("eval: %d training images are too few for the Gaussian reference (want at least 5)", im.N)
	}
	m, err := imageMoments(im, n)
	if err != nil {
		return nil, err
	}
	g := &imageGaussians{heldOut: hold}
	if g.noise, err = gaussian.New(m, GaussianRidge); err != nil {
		return nil, err
	}
	held := dequantize(imageRows(im, n, hold), stream)
	if g.reference, err = gaussian.Choose(m, ReferenceRidges, held); err != nil {
		return nil, fmt.Errorf("eval: the Gaussian reference: %w", err)
	}
	return g, nil
}

// referenceNLL returns −log p(x_i) of the reference for the rows of x.
func (g *imageGaussians) referenceNLL(x []float64) []float64 {
	lp := g.reference.LogDensity(x)
	for i := range lp {
		lp[i] = -lp[i]
	}
	return lp
}

// referenceLikelihood measures the reference on the test images x and
// their dequantised copies xd, and returns the NLL of each test image (its
// OOD score).
func (g *imageGaussians) referenceLikelihood(x, xd []float64) (*ImageReference, []float64) {
	D := len(g.reference.Mean)
	nllX := g.referenceNLL(x)
	r := &ImageReference{
		Model: fmt.Sprintf("Gaussian N(μ, Σ + λI) on R^%d: mean and covariance of %d training images, λ = %g·tr Σ/D chosen among %v by the likelihood of %d other dequantised training images",
			D, g.reference.N, g.reference.RelRidge, ReferenceRidges, g.heldOut),
		RelRidge: g.reference.RelRidge, HeldOut: g.heldOut,
		NLL: meanSE(nllX), DequantizedNLL: meanSE(g.referenceNLL(xd)),
	}
	r.BitsPerDim = bitsPerDim(r.DequantizedNLL, D)
	return r, nllX
}
