package eval

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"

	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The picture of a model (issue 7): for 2-D data a 2×2 panel of the true
// density (where known; otherwise held-out samples), the model density
// exp(−E)/Z normalised on the grid, generator samples and MALA samples of
// the EBM, on the same axes. For images, grids of generator and MALA
// samples; for other data of D > 2, scatter plots of the first two
// coordinates.

// panelMaxPoints caps the points of a scatter plot.
const panelMaxPoints = 2000

// WritePanel draws the report's panel as a PNG into path, atomically. It
// needs a report fresh from Evaluate (not one decoded from JSON).
func (r *Report) WritePanel(path string) error {
	if r.art == nil {
		return errors.New("eval: the report holds no samples to draw (decoded from JSON?)")
	}
	rows, err := r.panelPlots()
	if err != nil {
		return err
	}
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

func (r *Report) panelPlots() ([][]*plot.Plot, error) {
	a := r.art
	D := r.Dim
	if D == 2 && a.grid != nil {
		g := a.grid
		var truth *plot.Plot
		if toy := a.held.toy; toy != nil && toy.HasDensity() {
			truth = heat("true density "+toy.Name(), g, func(i, j int) float64 {
				lp, _ := toy.LogDensity(g.X(i), g.Y(j))
				return math.Exp(lp)
			})
		} else {
			truth = scatter("held-out data (no closed-form density)", a.held.test, 2, color.Gray{Y: 90})
		}
		model := heat(fmt.Sprintf("model exp(−E)/Z on the box (log Z = %.3f)", float64(g.LogZ)), g,
			func(i, j int) float64 { return math.Exp(g.LogDensity(i, j)) })
		gen := scatter("generator samples", a.gen, 2, color.RGBA{B: 200, A: 255})
		lang := scatter("MALA samples of the EBM (chains from the generator samples)", a.lang, 2, color.RGBA{R: 200, A: 255})
		for _, p := range []*plot.Plot{truth, model, gen, lang} {
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = a.box.Min[0], a.box.Max[0], a.box.Min[1], a.box.Max[1]
		}
		truth.Title.Text = a.title + "\n" + truth.Title.Text
		return [][]*plot.Plot{{truth, model}, {gen, lang}}, nil
	}
	if h, w := a.held.image[0], a.held.image[1]; h*w == D && D > 0 {
		gen := imageGrid("generator samples", a.gen, h, w)
		lang := imageGrid("MALA samples of the EBM", a.lang, h, w)
		gen.Title.Text = a.title + "\n" + gen.Title.Text
		return [][]*plot.Plot{{gen, lang}}, nil
	}
	data := scatter("held-out data (x0, x1)", a.held.test, D, color.Gray{Y: 90})
	data.Title.Text = a.title + "\n" + data.Title.Text
	return [][]*plot.Plot{{data,
		scatter("generator samples (x0, x1)", a.gen, D, color.RGBA{B: 200, A: 255}),
		scatter("MALA samples of the EBM (x0, x1)", a.lang, D, color.RGBA{R: 200, A: 255})}}, nil
}

// gridXYZ adapts a Grid and a value function to plotter.GridXYZ.
type gridXYZ struct {
	g   *Grid
	val func(i, j int) float64
}

func (h gridXYZ) Dims() (c, r int)   { return h.g.N, h.g.N }
func (h gridXYZ) Z(c, r int) float64 { return h.val(c, r) }
func (h gridXYZ) X(c int) float64    { return h.g.X(c) }
func (h gridXYZ) Y(r int) float64    { return h.g.Y(r) }

func heat(title string, g *Grid, val func(i, j int) float64) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	hm := plotter.NewHeatMap(gridXYZ{g, val}, moreland.Kindlmann().Palette(255))
	hm.Rasterized = true
	if !(hm.Max > hm.Min) { // a flat or empty density: any range will do
		hm.Min, hm.Max = 0, 1
	}
	p.Add(hm)
	return p
}

func scatter(title string, x []float64, D int, col color.Color) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	n := min(len(x)/D, panelMaxPoints)
	pts := make(plotter.XYs, 0, n)
	for i := 0; i < n; i++ {
		px, py := x[i*D], x[i*D+1]
		if math.IsNaN(px) || math.IsNaN(py) || math.IsInf(px, 0) || math.IsInf(py, 0) {
			continue
		}
		pts = append(pts, plotter.XY{X: px, Y: py})
	}
	if sc, err := plotter.NewScatter(pts); err == nil && len(pts) > 0 {
		sc.GlyphStyle.Color = col
		sc.GlyphStyle.Radius = vg.Points(1)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
	}
	return p
}

// imageGrid tiles up to 8×8 images (pixels in [−1, 1]) into one picture.
func imageGrid(title string, x []float64, h, w int) *plot.Plot {
	const k = 8
	img := image.NewGray(image.Rect(0, 0, k*w, k*h))
	for s := 0; s < min(k*k, len(x)/(h*w)); s++ {
		ox, oy := (s%k)*w, (s/k)*h
		for j := 0; j < h; j++ {
			for i := 0; i < w; i++ {
				v := (x[s*h*w+j*w+i] + 1) / 2
				if math.IsNaN(v) {
					v = 0
				}
				img.SetGray(ox+i, oy+j, color.Gray{Y: uint8(255 * math.Min(math.Max(v, 0), 1))})
			}
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.Add(plotter.NewImage(img, 0, 0, float64(k*w), float64(k*h)))
	p.HideAxes()
	return p
}
