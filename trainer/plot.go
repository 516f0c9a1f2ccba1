package trainer

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"

	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"github.com/ebmcpu/ebmcpu/nn"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Pictures of a 2-D model, drawn with gonum/plot: the model density
// exp(−E)/Z normalised on the data box, the energy, and generator samples
// over data samples.

// gridXYZ adapts an EnergyGrid to plotter.GridXYZ with a value function.
type gridXYZ struct {
	g   *EnergyGrid
	val func(i, j int) float64
}

func (h gridXYZ) Dims() (c, r int)   { return h.g.N, h.g.N }
func (h gridXYZ) Z(c, r int) float64 { return h.val(c, r) }
func (h gridXYZ) X(c int) float64    { return h.g.X(c) }
func (h gridXYZ) Y(r int) float64    { return h.g.Y(r) }

// WritePlots draws density.png, energy.png and samples.png into dir. It
// does nothing for data that are not 2-D.
func (t *Trainer) WritePlots(dir string) error {
	if t.D != 2 {
		return nil
	}
	box := t.dataBox()
	ws := t.Energy.NewWorkspace(512, 0)
	g := NewEnergyGrid(ws, t.cfg.Confine, box, 120)
	title := fmt.Sprintf("%s, %s+%s, step %d", t.cfg.Dataset, t.cfg.Lower, t.cfg.Upper, t.step)
	density := gridXYZ{g, func(i, j int) float64 { return math.Exp(g.LogDensity(i, j)) }}
	if err := savePlot(filepath.Join(dir, "density.png"), heatPlot("model density exp(−E)/Z — "+title, density)); err != nil {
		return err
	}
	energy := gridXYZ{g, func(i, j int) float64 { return g.E[j*g.N+i] }}
	if err := savePlot(filepath.Join(dir, "energy.png"), heatPlot("energy E(x) — "+title, energy)); err != nil {
		return err
	}
	return savePlot(filepath.Join(dir, "samples.png"), t.samplesPlot("generator (blue) over data (grey) — "+title))
}

func heatPlot(title string, g gridXYZ) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	hm := plotter.NewHeatMap(g, moreland.Kindlmann().Palette(255))
	hm.Rasterized = true // one image, no seams between cells
	p.Add(hm)
	return p
}

func (t *Trainer) samplesPlot(title string) *plot.Plot {
	const n = 1000
	stream := nn.NewStream(t.cfg.Seed, "plots")
	xd := make([]float32, 2*n)
	t.dataSample(stream, xd, n)
	z := make([]float32, n*t.d)
	nn.Normal(stream, z)
	ws := t.Generator.NewWorkspace(n, 0)
	xg := ws.Forward(z, nn.Eval)
	p := plot.New()
	p.Title.Text = title
	for _, s := range []struct {
		x   []float32
		col color.Color
	}{{xd, color.Gray{Y: 150}}, {xg, color.RGBA{B: 200, A: 255}}} {
		pts := make(plotter.XYs, n)
		for i := range pts {
			pts[i].X, pts[i].Y = float64(s.x[2*i]), float64(s.x[2*i+1])
		}
		sc, _ := plotter.NewScatter(pts)
		sc.GlyphStyle.Color = s.col
		sc.GlyphStyle.Radius = vg.Points(1.2)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
	}
	return p
}

func savePlot(path string, p *plot.Plot) error {
	w, err := p.WriterTo(6*vg.Inch, 6*vg.Inch, "png")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(out io.Writer) error {
		_, err := w.WriteTo(out)
		return err
	})
}
