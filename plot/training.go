package plot

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/nn"
	"gonum.org/v1/plot"
)

// The pictures of a training run.
const (
	DensityFile = "density.png"
	EnergyFile  = "energy.png"
	SamplesFile = "samples.png"
)

// trainingGrid is the number of cells per side of the training pictures.
const trainingGrid = 120

// Training draws the pictures of a run into dir and reports which files it
// wrote. For 2-D data: DensityFile (the model density exp(−E)/Z normalised
// on the data box), EnergyFile and SamplesFile (generator samples over
// data samples, drawn from the stream "plots" of seed). For images (pixels
// in [−1, 1]): SamplesFile and MALAFile, 8×8 grids of generator samples and
// of their MALA refinements, and EnergyHistogramFile (see trainingImages).
// For other data: none.
func Training(dir string, nets bounds.Nets[float32], src *data.Source, title string, seed uint64) ([]string, error) {
	if im := src.Images; im != nil && im.Height*im.Width == src.Dim() {
		return trainingImages(dir, nets, src, title, seed)
	}
	if src.Dim() != 2 {
		return nil, nil
	}
	ne, err := eval.NewNetworkEnergy(nets.Energy, nets.Base, 512)
	if err != nil {
		return nil, err
	}
	g, err := eval.NewGrid(ne, src.Box(), trainingGrid)
	if err != nil {
		return nil, err
	}
	density := heat("model density exp(−E)/Z — "+title, g, func(i, j int) float64 { return math.Exp(g.LogDensity(i, j)) })
	energy := heat("energy E(x) — "+title, g, func(i, j int) float64 { return g.E[j*g.N+i] })
	samples, err := samplesPlot("generator (blue) over data (grey) — "+title, nets, src, seed)
	if err != nil {
		return nil, err
	}
	var wrote []string
	for _, f := range []struct {
		name string
		p    *plot.Plot
	}{{DensityFile, density}, {EnergyFile, energy}, {SamplesFile, samples}} {
		if err := save(filepath.Join(dir, f.name), f.p, 6, 6); err != nil {
			return wrote, fmt.Errorf("%s: %w", f.name, err)
		}
		wrote = append(wrote, f.name)
	}
	return wrote, nil
}

func samplesPlot(title string, nets bounds.Nets[float32], src *data.Source, seed uint64) (*plot.Plot, error) {
	const n = 1000
	stream := nn.NewStream(seed, "plots")
	xd := make([]float32, 2*n)
	src.Draw(stream.Rand, xd, n)
	z := make([]float32, n*nets.Generator.In())
	nn.Normal(stream, z)
	xg := nets.Generator.NewWorkspace(n, 0).Forward(z, nn.Eval)
	p := plot.New()
	p.Title.Text = title
	for _, s := range []struct {
		x   []float32
		col color.Color
	}{{xd, color.Gray{Y: 150}}, {xg, color.RGBA{B: 200, A: 255}}} {
		x := make([]float64, len(s.x))
		for i, v := range s.x {
			x[i] = float64(v)
		}
		if err := addScatter(p, x, 2, s.col, 1.2); err != nil {
			return nil, err
		}
	}
	return p, nil
}
