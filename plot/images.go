package plot

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"github.com/ebmcpu/ebmcpu/nn"
)

// The pictures of a run on images (besides SamplesFile, the grid of
// generator samples).
const (
	MALAFile            = "samples-mala.png"
	EnergyHistogramFile = "energy-histogram.png"
)

// The work of the training pictures of images: they are drawn every
// plot_every iterations of a run that must stay cheap.
const (
	imageGridSide   = 8    // 8×8 samples per grid
	imageHistPoints = 256  // points per set of the energy histogram
	imageFitImages  = 2000 // training images behind the MALA coordinates and the Gaussian noise
)

// imageTrainingLangevin refines the 64 generator samples: 20 burn-in steps
// adapting the step every 2, then 20 (2560 energy gradients in all).
var imageTrainingLangevin = eval.LangevinConfig{Steps: 20, BurnIn: 20, AdaptEvery: 2}

// trainingImages draws the pictures of a run on images into dir: an 8×8
// grid of generator samples (SamplesFile), the same samples refined by
// MALA on exp(−E) restricted to the pixel cube (MALAFile, eval.RefineImages)
// and the histogram of the energies of training images, test images, the
// other built-in image set, uniform noise and Gaussian noise with the
// data's mean and covariance (EnergyHistogramFile; a set that is not
// available is named in the title). Every draw comes from the streams
// "plots/…" of seed.
func trainingImages(dir string, nets bounds.Nets[float32], src *data.Source, title string, seed uint64) ([]string, error) {
	im := src.Images
	h, w := im.Height, im.Width
	n := imageGridSide * imageGridSide
	z := make([]float32, n*nets.Generator.In())
	nn.Normal(nn.NewStream(seed, "plots/latents"), z)
	xg := toFloat64(nets.Generator.NewWorkspace(n, 0).Forward(z, nn.Eval))
	ne, err := eval.NewNetworkEnergy(nets.Energy, nets.Base, 256)
	if err != nil {
		return nil, err
	}
	xl := append([]float64(nil), xg...)
	coords := eval.FitImageCoords(im, imageFitImages, nn.NewStream(seed, "plots/coords"))
	lr, err := eval.RefineImages(ne, xl, coords, imageTrainingLangevin, nn.NewStream(seed, "plots/langevin"))
	if err != nil {
		return nil, err
	}
	sets, note, err := histogramSets(ne, src, seed)
	if err != nil {
		return nil, err
	}
	hist := energyHistogram("energy E(x) — "+title+note, sets)
	gen := imageGrid("generator samples — "+title, xg, h, w)
	mala := imageGrid(fmt.Sprintf("MALA-refined (%d steps, h = %.3g, acceptance %.2f) — %s",
		lr.BurnIn+lr.Steps, float64(lr.StepSize), float64(lr.Acceptance), title), xl, h, w)
	var wrote []string
	for _, f := range []struct {
		name string
		p    *plot.Plot
		w, h float64
	}{{SamplesFile, gen, 6, 6.4}, {MALAFile, mala, 6, 6.4}, {EnergyHistogramFile, hist, 8, 5}} {
		if err := save(filepath.Join(dir, f.name), f.p, f.w, f.h); err != nil {
			return wrote, fmt.Errorf("%s: %w", f.name, err)
		}
		wrote = append(wrote, f.name)
	}
	return wrote, nil
}

// histogramSets returns the energies of the sets of the training histogram
// and a note (a line of the title) naming the sets left out.
func histogramSets(ne *eval.NetworkEnergy, src *data.Source, seed uint64) ([]eval.NamedValues, string, error) {
	im := src.Images
	D, n := im.Dim(), imageHistPoints
	energies := func(name string, x []float64) eval.NamedValues {
		e := make([]float64, len(x)/D)
		ne.Energy(x, e)
		return eval.NamedValues{Name: name, Values: e}
	}
	stream := nn.NewStream(seed, "plots/histogram")
	train := make([]float32, n*D)
	src.Draw(stream.Rand, train, n)
	out := []eval.NamedValues{energies("training images", toFloat64(train))}
	note := ""
	if test, err := data.LoadMNISTDir(src.Spec.Path, true); err == nil && test.Dim() == D {
		out = append(out, energies("test images", eval.ImageRows(test, n)))
	} else {
		note = "\n(no test images: the t10k files are missing)"
	}
	noise, err := eval.FitGaussianNoise(im, imageFitImages)
	if err != nil {
		return nil, "", err
	}
	sets, notes := eval.ImageOODSets(src.Spec, im, n, noise, seed)
	for _, s := range sets {
		out = append(out, energies(s.Name, s.X))
	}
	for _, s := range notes {
		note += "\n(" + s + ")"
	}
	return out, note, nil
}

func toFloat64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// histogramColors tell the sets of an energy histogram apart.
var histogramColors = []color.Color{
	color.RGBA{R: 20, G: 20, B: 20, A: 255}, color.RGBA{B: 220, A: 255}, color.RGBA{R: 220, G: 120, A: 255},
	color.RGBA{G: 160, A: 255}, color.RGBA{R: 200, B: 200, A: 255}, color.RGBA{R: 220, A: 255},
}

// energyHistogram draws the densities of the finite values of each set as
// step lines on 60 common bins over the range of all of them.
func energyHistogram(title string, sets []eval.NamedValues) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "E(x)"
	p.Y.Label.Text = "density"
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range sets {
		for _, v := range s.Values {
			if asm.Finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if !(hi > lo) {
		return p // nothing finite, or one value: an empty plot is the honest picture
	}
	const bins = 60
	width := (hi - lo) / bins
	top := 0.0
	for k, s := range sets {
		counts := make([]float64, bins)
		n := 0
		for _, v := range s.Values {
			if asm.Finite(v) {
				counts[min(int((v-lo)/width), bins-1)]++
				n++
			}
		}
		if n == 0 {
			continue
		}
		xy := make(plotter.XYs, bins+1)
		for b := range xy {
			xy[b].X = lo + float64(b)*width
			xy[b].Y = counts[min(b, bins-1)] / (float64(n) * width)
			top = math.Max(top, xy[b].Y)
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			continue
		}
		l.StepStyle = plotter.PostStep
		l.Color = histogramColors[k%len(histogramColors)]
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (n = %d)", s.Name, n), l)
	}
	// Head room for the legend, one line per set above the curves.
	p.Y.Min, p.Y.Max = 0, top*(1.2+0.12*float64(len(sets)))
	return p
}

// ImageGrid tiles the first rows·cols images of x (n×(h·w), grey pixels in
// [−1, 1]; out-of-range values are clipped, NaN drawn black) row by row
// into a picture, each pixel drawn as a scale×scale square, with a 1-pixel
// grey line between images.
func ImageGrid(x []float64, h, w, cols, scale int) (*image.Gray, error) {
	if h < 1 || w < 1 || cols < 1 || scale < 1 || len(x) < h*w || len(x)%(h*w) != 0 {
		return nil, errors.New("plot: ImageGrid needs whole images of positive size")
	}
	n := len(x) / (h * w)
	cols = min(cols, n)
	rows := (n + cols - 1) / cols
	cw, ch := w*scale+1, h*scale+1
	img := image.NewGray(image.Rect(0, 0, cols*cw-1, rows*ch-1))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	for s := 0; s < n; s++ {
		ox, oy := (s%cols)*cw, (s/cols)*ch
		for j := 0; j < h*scale; j++ {
			for i := 0; i < w*scale; i++ {
				v := (x[s*h*w+(j/scale)*w+i/scale] + 1) / 2
				if math.IsNaN(v) {
					v = 0
				}
				img.SetGray(ox+i, oy+j, color.Gray{Y: uint8(math.Round(255 * math.Min(math.Max(v, 0), 1)))})
			}
		}
	}
	return img, nil
}

// WriteImageGrid writes ImageGrid(x, h, w, cols, scale) as a PNG into path,
// atomically.
func WriteImageGrid(path string, x []float64, h, w, cols, scale int) error {
	img, err := ImageGrid(x, h, w, cols, scale)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(out io.Writer) error { return png.Encode(out, img) })
}
