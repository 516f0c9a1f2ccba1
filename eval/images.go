package eval

import (
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/classify"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Models of images (pixels scaled to [−1, 1], data.Symmetric) are
// evaluated on the pixel cube: see CubeEnergy and ImageReport.

// PixelLo and PixelHi are the range of the pixels of image data.
const (
	PixelLo = -1.0
	PixelHi = 1.0
)

// ImageReport is what Evaluate measures of a model of images only.
//
// Units. A convolutional energy with LeakyReLU activations falls linearly
// away from the data, so exp(−E) has no normaliser on R^D (Confinement
// shows it); the model evaluated is exp(−E) restricted to the pixel cube
// [−1, 1]^D, normalised there: log Z (Report.LogZ) is the AIS estimate on
// the cube. The model was trained on undequantised pixels 2v/255 − 1, many
// of them exactly −1 (a face of the cube), and Report.Test.NLL is its
// density at those points in nats per image: a density of a continuous
// model at discrete points, not a code length, and not comparable with
// the literature's bits/dim. DequantizedNLL is the NLL of dequantised test
// images x = 2(v + u)/256 − 1, u ∼ U(0, 1)^D (one draw per image), and
// BitsPerDim = data.BitsPerDim of it: an upper bound on the code length of
// the discretised model P(v) = ∫_{bin(v)} p (Jensen), which is a proper
// distribution over 8-bit images — up to the optimism of AIS, whose log Ẑ
// is a stochastic lower bound of log Z.
type ImageReport struct {
	Height int `json:"height"`
	Width  int `json:"width"`
	// Support names the set exp(−E) is normalised on.
	Support string `json:"support"`
	// Confinement reports the mean energy of Gaussian points at growing
	// radii: when it falls without bound, exp(−E) is not integrable on R^D.
	Confinement string `json:"confinement"`
	// DequantizedNLL is in nats per image; BitsPerDim in bits per pixel of
	// the 8-bit images. Both SEs include that of log Z.
	DequantizedNLL bounds.Estimate `json:"nll_dequantized"`
	BitsPerDim     bounds.Estimate `json:"bits_per_dim"`
	Units          string          `json:"units"`
	// AISBase describes the base distribution of AIS.
	AISBase string `json:"ais_base"`

	OOD     *OODReport     `json:"ood,omitempty"`
	Quality *QualityReport `json:"quality,omitempty"`
	// Reference is the Gaussian the model is compared with.
	Reference *ImageReference `json:"reference,omitempty"`
}

// ImageUnits is ImageReport.Units.
const ImageUnits = "nats per image for the model exp(−E) restricted to the pixel cube [-1, 1]^D and normalised there (log Z by AIS on the cube); " +
	"test NLL on undequantised pixels 2v/255 − 1 (a density at discrete points, not a code length); bits/dim from dequantised pixels " +
	"2(v + u)/256 − 1, u ~ U(0, 1): an upper bound on the code length of the discretised model, optimistic by the AIS's bias"

// QualityReport scores image samples with the shipped classifier of the
// model's data set (classify.Pretrained) against its test images.
type QualityReport struct {
	Classifier string           `json:"classifier"`
	Generator  *classify.Report `json:"generator"`
	Langevin   *classify.Report `json:"langevin"`
	// Reference scores samples of the Gaussian reference (ImageReference),
	// clipped to the pixel cube (nil without it).
	Reference *classify.Report `json:"reference,omitempty"`
}

// ImageCoords are the whitening of CubeEnergy for images: the per-pixel
// mean and standard deviation (at least 1e-3) of y = atanh(x) over N
// dequantised training images x. In these coordinates the AIS base N(0, I)
// is a diagonal Gaussian fit of the data, and MALA is preconditioned by
// the spread of each pixel.
type ImageCoords struct {
	Mean, Scale []float64
	N           int
}

// FitImageCoords fits the coordinates to the first n images of im,
// dequantised with noise from stream.
func FitImageCoords(im *data.Images, n int, stream *nn.Stream) *ImageCoords {
	n = min(n, im.N)
	D := im.Dim()
	src := im.Source(data.Symmetric, true)
	row := make([]float32, D)
	c := &ImageCoords{Mean: make([]float64, D), Scale: make([]float64, D), N: n}
	sq := make([]float64, D)
	for i := 0; i < n; i++ {
		src.Row(i, row, stream.Rand)
		for j, v := range row {
			y := math.Atanh(math.Max(math.Min(float64(v), 1-1e-7), -1+1e-7))
			c.Mean[j] += y
			sq[j] += y * y
		}
	}
	for j := range c.Mean {
		m := c.Mean[j] / float64(max(n, 1))
		c.Mean[j] = m
		c.Scale[j] = math.Max(math.Sqrt(math.Max(sq[j]/float64(max(n, 1))-m*m, 0)), 1e-3)
	}
	return c
}

// Energy returns en restricted to the pixel cube in these coordinates (nil
// coordinates: plain tanh coordinates).
func (c *ImageCoords) Energy(en BatchEnergy) (*CubeEnergy, error) {
	if c == nil {
		return NewCubeEnergy(en, PixelLo, PixelHi, nil, nil)
	}
	return NewCubeEnergy(en, PixelLo, PixelHi, c.Mean, c.Scale)
}

// dequantize returns images x (pixels 2v/255 − 1) dequantised:
// 2(v + u)/256 − 1 with u ∼ U(0, 1) drawn from stream for every pixel.
func dequantize(x []float64, stream *nn.Stream) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		byteV := math.Round((v + 1) * 255 / 2)
		out[i] = 2*(byteV+stream.Float64())/256 - 1
	}
	return out
}

// confinement probes whether exp(−E) is integrable on R^D: the mean energy
// of 32 points rξ, ξ ∼ N(0, I), at r = 1, 10, 100 times the data's root mean
// square coordinate, beside the mean energy of the test images.
func confinement(en BatchEnergy, testMean, rmsX float64, stream *nn.Stream) string {
	const n = 32
	D := en.Dim()
	xi := make([]float64, n*D)
	nn.Normal(stream, xi)
	x := make([]float64, n*D)
	e := make([]float64, n)
	s := fmt.Sprintf("mean E: %.4g on the test images", testMean)
	var last []float64
	for _, k := range []float64{1, 10, 100} {
		for i, v := range xi {
			x[i] = k * rmsX * v
		}
		en.Energy(x, e)
		m := mean(e)
		last = append(last, m)
		s += fmt.Sprintf(", %.4g at radius %g·rms·√D", m, k)
	}
	if last[2] < last[1] && last[1] < last[0] {
		s += ": E keeps falling away from the data, as a piecewise-linear energy that decreases along rays does, so exp(−E) has no normaliser on R^D; the model is normalised on the pixel cube"
	}
	return s
}

// RefineImages refines images x (B×D, pixels in [PixelLo, PixelHi],
// updated in place) by MALA on exp(−E) restricted to the pixel cube: the
// chains run in the coordinates w of CubeEnergy whitened by coords (nil:
// plain tanh coordinates), so they never leave the cube, with the step size
// adapted as SampleEBM does. Pixels within half a dequantisation bin
// (1/256) of a face start that far inside, where dequantised data lie:
// a generator's tanh saturates to ±1, which lies infinitely far out in w.
func RefineImages(en BatchEnergy, x []float64, coords *ImageCoords, cfg LangevinConfig, stream *nn.Stream) (LangevinReport, error) {
	cube, err := coords.Energy(en)
	if err != nil {
		return LangevinReport{}, err
	}
	const edge = 1 - 1.0/256
	for i, v := range x {
		x[i] = math.Max(math.Min(v, edge), -edge)
	}
	w := make([]float64, len(x))
	cube.FromCube(x, w)
	r, err := SampleEBM(cube, w, cfg, stream)
	if err != nil {
		return r, err
	}
	cube.ToCube(w, x)
	r.Init = "the generator samples, in the whitened coordinates of the pixel cube (eval.CubeEnergy)"
	return r, nil
}

// sampleQuality scores generator, Langevin and reference samples (xr may
// be nil) with the classifier of the model's data set against its first
// nRef test images, or explains why not.
func sampleQuality(sp data.Spec, xg, xl, xr []float64, nRef int) (*QualityReport, string) {
	name, ok := BuiltinImageSet(sp)
	if !ok {
		return nil, fmt.Sprintf("sample quality: no classifier for %s (only the built-in mnist and fashion-mnist have one)", sp.Path)
	}
	c, err := classify.Pretrained(name)
	if err != nil {
		return nil, "sample quality: " + err.Error()
	}
	test, err := loadTestImages(name)
	if err != nil {
		return nil, "sample quality: " + err.Error()
	}
	if test.Dim() != c.Spec.Dim() || len(xg)%c.Spec.Dim() != 0 {
		return nil, fmt.Sprintf("sample quality: the %s classifier takes %d pixels, the model's images have another size", name, c.Spec.Dim())
	}
	idx := make([]int, min(nRef, test.N))
	for i := range idx {
		idx[i] = i
	}
	test = test.Take(idx)
	ref, err := classify.NewReference(c, classify.Pixels(test), test.Labels)
	if err != nil {
		return nil, "sample quality: " + err.Error()
	}
	q := &QualityReport{Classifier: name}
	for _, s := range []struct {
		x   []float64
		dst **classify.Report
	}{{xg, &q.Generator}, {xl, &q.Langevin}, {xr, &q.Reference}} {
		if s.x == nil {
			continue
		}
		x32 := make([]float32, len(s.x))
		for i, v := range s.x {
			x32[i] = float32(math.Max(math.Min(v, PixelHi), PixelLo))
		}
		r, err := ref.Quality(x32)
		if err != nil {
			return nil, "sample quality: " + err.Error()
		}
		*s.dst = r
	}
	return q, ""
}

// likelihoodSE combines the SE of a mean energy with that of log Z.
func likelihoodSE(meanE bounds.Estimate, logZ bounds.Estimate) bounds.Estimate {
	return estimate(float64(meanE.Value)+float64(logZ.Value), math.Hypot(float64(meanE.StdErr), float64(logZ.StdErr)))
}

// bitsPerDim converts an NLL in nats per image of dequantised D-pixel
// images in [−1, 1] to bits per dimension (data.BitsPerDim), with its SE.
func bitsPerDim(nll bounds.Estimate, D int) bounds.Estimate {
	return estimate(data.BitsPerDim(float64(nll.Value), D, data.Symmetric), float64(nll.StdErr)/(float64(D)*math.Ln2))
}

// imageEval holds the parts of an image model's evaluation that run in
// separate tasks of Evaluate; each task writes its own fields.
type imageEval struct {
	rep *ImageReport
	// Fitted before the tasks start; read only.
	coords *ImageCoords
	gauss  *imageGaussians
	xd     []float64 // the dequantised test images
	// testEnergies
	deqE []float64
	// reference
	refNLL []float64
	// oodEnergies
	sets   []OODSet
	oodE   [][]float64
	refOOD [][]float64
	// E_θ of an energy with a Gaussian base: network.in is written by
	// the test energies' task, network.ood by oodEnergies.
	network  oodScores
	oodNotes []string
	// the samples task
	notes []string
}

// testEnergies computes the energies of the dequantised test images and
// probes the confinement; testE are the energies of the test images.
func (ie *imageEval) testEnergies(ne BatchEnergy, held *data.HeldOut, testE []float64, opt Options) {
	ie.deqE = make([]float64, held.N())
	ne.Energy(ie.xd, ie.deqE)
	ie.rep.Confinement = confinement(ne, mean(testE), rms(held.X), nn.NewStream(opt.Seed, "eval/confinement"))
}

// aisEnergy is the energy AIS runs on: exp(−E) on the pixel cube in
// coordinates whitened by a fit to the training images.
func (ie *imageEval) aisEnergy(ne BatchEnergy) (BatchEnergy, error) {
	ie.rep.AISBase = fmt.Sprintf("N(0, I) in the coordinates w of CubeEnergy: y = atanh(x) = m + s⊙w with m, s the per-pixel mean and standard deviation of y over %d dequantised training images", ie.coords.N)
	return ie.coords.Energy(ne)
}

// reference measures the Gaussian reference on the test images.
func (ie *imageEval) reference(held *data.HeldOut) {
	ie.rep.Reference, ie.refNLL = ie.gauss.referenceLikelihood(held.X, ie.xd)
}

// oodEnergies builds the out-of-distribution sets, their energies and
// their NLLs under the reference; withNetwork (a Gaussian base) also keeps
// the network's part E_θ of the energies, from the same pass.
func (ie *imageEval) oodEnergies(ne *NetworkEnergy, withNetwork bool, sp data.Spec, train *data.Images, opt Options) {
	sets, notes := ImageOODSets(sp, train, opt.OODPoints, ie.gauss.noise, opt.Seed)
	D := train.Dim()
	ie.sets, ie.oodNotes = sets, notes
	for _, s := range sets {
		e := make([]float64, s.N(D))
		var eNet []float64
		if withNetwork {
			eNet = make([]float64, len(e))
			ie.network.ood = append(ie.network.ood, eNet)
		}
		ne.EnergyParts(s.X, e, eNet)
		ie.oodE = append(ie.oodE, e)
		ie.refOOD = append(ie.refOOD, ie.gauss.referenceNLL(s.X))
	}
}

// finish fills the report once every task is done: bits/dim, the OOD
// report (with the trained bracket), the energies to draw and the notes.
func (ie *imageEval) finish(r *Report, held *data.HeldOut, testE []float64, art *Pictures) {
	ie.rep.DequantizedNLL = likelihoodSE(meanSE(ie.deqE), r.LogZ)
	ie.rep.BitsPerDim = bitsPerDim(ie.rep.DequantizedNLL, r.Dim)
	in := r.Dataset + " test images"
	if len(held.Notes) > 0 {
		in = r.Dataset + " held-out images (see the notes)"
	}
	art.Energies = append(art.Energies, NamedValues{Name: in, Values: testE})
	if ie.sets != nil {
		lo, hi := trainedLogZ(r.Bracket, "lower"), trainedLogZ(r.Bracket, "upper")
		ie.rep.OOD = oodReport(in, testE, ie.sets, ie.oodE, lo, hi, oodScores{ie.refNLL, ie.refOOD}, ie.network)
		for i, s := range ie.sets {
			art.Energies = append(art.Energies, NamedValues{Name: s.Name, Values: ie.oodE[i]})
		}
	}
	r.Notes = append(r.Notes, ie.oodNotes...)
	r.Notes = append(r.Notes, ie.notes...)
}

// trainedLogZ is the log Z of the trained bound on side, NaN if none.
func trainedLogZ(br []BoundReport, side string) float64 {
	for _, b := range br {
		if b.Side == side && b.Trained && b.Error == "" {
			return float64(b.LogZ.Value)
		}
	}
	return math.NaN()
}
