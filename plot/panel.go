package plot

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The panel of an evaluation: for 2-D data a 2×2 panel of the true density
// (where known; otherwise held-out samples), the model density exp(−E)/Z
// normalised on the grid, generator samples and MALA samples of the EBM,
// on the same axes. For images, grids of generator and MALA samples; for
// other data of D > 2, scatter plots of the first two coordinates.

// panelMaxPoints caps the points of a scatter plot.
const panelMaxPoints = 2000

// Panel draws the panel of r as a PNG into path, atomically, and records
// the path in r.Panel. It needs a report fresh from eval.Evaluate (one
// decoded from JSON holds nothing to draw).
func Panel(r *eval.Report, path string) error {
	if r.Pictures == nil {
		return errors.New("plot: the report holds no samples to draw (decoded from JSON?)")
	}
	rows := panelPlots(r.Dim, r.Pictures)
	cols := len(rows[0])
	const side = 4.5 * vg.Inch
	c := vgimg.New(vg.Length(cols)*side, vg.Length(len(rows))*side)
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: len(rows), Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(rows, tiles, dc)
	for j := range rows {
		for i, p := range rows[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	if err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	}); err != nil {
		return err
	}
	r.Panel = path
	return nil
}

func panelPlots(D int, a *eval.Pictures) [][]*plot.Plot {
	blue, red, grey := color.RGBA{B: 200, A: 255}, color.RGBA{R: 200, A: 255}, color.Gray{Y: 90}
	if D == 2 && a.Grid != nil {
		g := a.Grid
		var truth *plot.Plot
		if toy := a.Toy; toy != nil && toy.HasDensity() {
			truth = heat("true density "+toy.Name(), g, func(i, j int) float64 {
				lp, _ := toy.LogDensity(g.X(i), g.Y(j))
				return math.Exp(lp)
			})
		} else {
			truth = scatter("held-out data (no closed-form density)", a.Test, 2, grey)
		}
		model := heat(fmt.Sprintf("model exp(−E)/Z on the box (log Z = %.3f)", g.LogZ), g,
			func(i, j int) float64 { return math.Exp(g.LogDensity(i, j)) })
		gen := scatter("generator samples", a.Generator, 2, blue)
		lang := scatter("MALA samples of the EBM (chains from the generator samples)", a.Langevin, 2, red)
		for _, p := range []*plot.Plot{truth, model, gen, lang} {
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = a.Box.Min[0], a.Box.Max[0], a.Box.Min[1], a.Box.Max[1]
		}
		truth.Title.Text = a.Title + "\n" + truth.Title.Text
		return [][]*plot.Plot{{truth, model}, {gen, lang}}
	}
	if h, w := a.Image[0], a.Image[1]; h*w == D && D > 0 {
		gen := imageGrid("generator samples", a.Generator, h, w)
		lang := imageGrid("MALA samples of the EBM (pixel cube)", a.Langevin, h, w)
		gen.Title.Text = a.Title + "\n" + gen.Title.Text
		row := []*plot.Plot{gen, lang}
		if len(a.Energies) > 0 {
			row = append(row, energyHistogram("energy E(x)", a.Energies))
		}
		return [][]*plot.Plot{row}
	}
	if D < 2 {
		return [][]*plot.Plot{{histogram(a.Title+"\nheld-out data", a.Test, grey),
			histogram("generator samples", a.Generator, blue), histogram("MALA samples of the EBM", a.Langevin, red)}}
	}
	dataPlot := scatter("held-out data (x0, x1)", a.Test, D, grey)
	dataPlot.Title.Text = a.Title + "\n" + dataPlot.Title.Text
	return [][]*plot.Plot{{dataPlot,
		scatter("generator samples (x0, x1)", a.Generator, D, blue),
		scatter("MALA samples of the EBM (x0, x1)", a.Langevin, D, red)}}
}

// gridXYZ adapts a Grid and a value function to plotter.GridXYZ.
type gridXYZ struct {
	g   *eval.Grid
	val func(i, j int) float64
}

func (h gridXYZ) Dims() (c, r int)   { return h.g.N, h.g.N }
func (h gridXYZ) Z(c, r int) float64 { return h.val(c, r) }
func (h gridXYZ) X(c int) float64    { return h.g.X(c) }
func (h gridXYZ) Y(r int) float64    { return h.g.Y(r) }

// heat is a heat map of val on the cells of g.
func heat(title string, g *eval.Grid, val func(i, j int) float64) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	hm := plotter.NewHeatMap(gridXYZ{g, val}, moreland.Kindlmann().Palette(255))
	hm.Rasterized = true    // one image, no seams between cells
	if !(hm.Max > hm.Min) { // a flat or empty density: any range will do
		hm.Min, hm.Max = 0, 1
	}
	p.Add(hm)
	return p
}

func scatter(title string, x []float64, D int, col color.Color) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	_ = addScatter(p, x, D, col, 1) // an empty plot is the honest picture of no points
	return p
}

// addScatter adds the first two coordinates of the points x (n×D, at most
// panelMaxPoints of them; non-finite ones left out) to p.
func addScatter(p *plot.Plot, x []float64, D int, col color.Color, radius float64) error {
	n := min(len(x)/D, panelMaxPoints)
	pts := make(plotter.XYs, 0, n)
	for i := 0; i < n; i++ {
		px, py := x[i*D], x[i*D+1]
		if asm.Finite(px) && asm.Finite(py) {
			pts = append(pts, plotter.XY{X: px, Y: py})
		}
	}
	if len(pts) == 0 {
		return errors.New("plot: no finite points to draw")
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Color = col
	sc.GlyphStyle.Radius = vg.Points(radius)
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	p.Add(sc)
	return nil
}

// histogram is a histogram of the finite values of x (1-D data).
func histogram(title string, x []float64, col color.Color) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	var v plotter.Values
	for _, a := range x {
		if asm.Finite(a) {
			v = append(v, a)
		}
	}
	if len(v) == 0 {
		return p
	}
	if h, err := plotter.NewHist(v, 50); err == nil {
		h.Normalize(1)
		h.FillColor = col
		p.Add(h)
	}
	return p
}

// imageGrid is a plot of the first 8×8 images of x (pixels in [−1, 1]),
// tiled by ImageGrid.
func imageGrid(title string, x []float64, h, w int) *plot.Plot {
	const k = 8
	p := plot.New()
	p.Title.Text = title
	p.HideAxes()
	n := min(k*k, len(x)/(h*w))
	img, err := ImageGrid(x[:n*h*w], h, w, k, 1)
	if err != nil {
		return p // no image: an empty plot
	}
	b := img.Bounds()
	p.Add(plotter.NewImage(img, 0, 0, float64(b.Dx()), float64(b.Dy())))
	return p
}

// save writes p as a PNG of w×h inches into path, atomically.
func save(path string, p *plot.Plot, w, h float64) error {
	wt, err := p.WriterTo(vg.Length(w)*vg.Inch, vg.Length(h)*vg.Inch, "png")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(out io.Writer) error {
		_, err := wt.WriteTo(out)
		return err
	})
}
