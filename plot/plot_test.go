package plot

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/trainer"
	"github.com/stretchr/testify/require"
)

// tinyTrainer trains a few iterations of a small model on dataset.
func tinyTrainer(t *testing.T, dataset string) *trainer.Trainer {
	t.Helper()
	cfg := ebm.DefaultConfig()
	cfg.Dataset, cfg.Steps, cfg.Batch, cfg.LatentDim = dataset, 5, 32, 1
	cfg.Energy.Hidden, cfg.Generator.Hidden = []int{8}, []int{8}
	tr, err := trainer.New(cfg)
	require.NoError(t, err)
	for range cfg.Steps {
		_, err := tr.Step()
		require.NoError(t, err)
	}
	return tr
}

func quick() eval.Options {
	return eval.Options{Grid: 20, Samples: 64, TestPoints: 200, Latents: 40, BoundBatch: 40, Seed: 1, SkipAIS2D: true,
		AIS: eval.AISConfig{Temps: 10, Chains: 10, PilotChains: 5}, Langevin: eval.LangevinConfig{Steps: 5, BurnIn: 5}}
}

// decodePNG reads a PNG file and returns its size.
func decodePNG(t *testing.T, path string) image.Rectangle {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img.Bounds()
}

// csvFile writes n rows of D columns of smooth values.
func csvFile(t *testing.T, n, D int) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		for j := 0; j < D; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%g", math.Sin(float64(i*(j+1))))
		}
		b.WriteByte('\n')
	}
	p := filepath.Join(t.TempDir(), "d.csv")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	return p
}

// TestPanelEveryWidth draws the panel of an evaluated model for 2-D toy
// data, 3-D and 1-D CSV data: a PNG of a sensible size each time, and the
// path recorded in the report.
func TestPanelEveryWidth(t *testing.T) {
	for _, ds := range []string{"8gaussians", "csv:" + csvFile(t, 80, 3), "csv:" + csvFile(t, 80, 1)} {
		tr := tinyTrainer(t, ds)
		r, err := eval.Evaluate(&eval.Subject{Config: tr.Config(), Nets: tr.Nets, Step: tr.StepCount()}, quick())
		require.NoError(t, err, ds)
		p := filepath.Join(t.TempDir(), "eval.png")
		require.NoError(t, Panel(r, p), ds)
		require.Equal(t, p, r.Panel)
		b := decodePNG(t, p)
		require.GreaterOrEqual(t, b.Dx(), 400, ds)
		require.GreaterOrEqual(t, b.Dy(), 300, ds)
	}
	require.Error(t, Panel(&eval.Report{}, filepath.Join(t.TempDir(), "x.png")), "a report without samples drew a panel")
}

// TestPanelImages draws the image panel of D > 2 image data.
func TestPanelImages(t *testing.T) {
	const h, w = 4, 3
	x := make([]float64, 70*h*w)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	r := &eval.Report{Dim: h * w, Pictures: &eval.Pictures{Test: x, Image: [2]int{h, w}, Generator: x, Langevin: x}}
	p := filepath.Join(t.TempDir(), "img.png")
	require.NoError(t, Panel(r, p))
	two := decodePNG(t, p)
	// With energies to draw, a third tile: their histogram.
	r.Pictures.Energies = []eval.NamedValues{{Name: "test", Values: x[:50]}, {Name: "noise", Values: x[50:90]}}
	require.NoError(t, Panel(r, p))
	three := decodePNG(t, p)
	require.Equal(t, two.Dy(), three.Dy())
	require.InDelta(t, 1.5, float64(three.Dx())/float64(two.Dx()), 0.01)
}

// TestTrainingPictures writes the three pictures of a 2-D run and none for
// other widths.
func TestTrainingPictures(t *testing.T) {
	tr := tinyTrainer(t, "moons")
	dir := t.TempDir()
	wrote, err := Training(dir, tr.Nets, tr.Data, "test", 1)
	require.NoError(t, err)
	require.Equal(t, []string{DensityFile, EnergyFile, SamplesFile}, wrote)
	for _, f := range wrote {
		decodePNG(t, filepath.Join(dir, f))
	}
	tr3 := tinyTrainer(t, "csv:"+csvFile(t, 40, 3))
	wrote, err = Training(t.TempDir(), tr3.Nets, tr3.Data, "test", 1)
	require.NoError(t, err)
	require.Empty(t, wrote)
}

// TestMosaic composes two pictures and a missing one into a grid with a
// grey tile, each scaled to the tile width.
func TestMosaic(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, c color.Color) string {
		img := image.NewRGBA(image.Rect(0, 0, 20, 10))
		for y := 0; y < 10; y++ {
			for x := 0; x < 20; x++ {
				img.Set(x, y, c)
			}
		}
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, img))
		require.NoError(t, f.Close())
		return p
	}
	red, blue := write("r.png", color.RGBA{R: 255, A: 255}), write("b.png", color.RGBA{B: 255, A: 255})
	out := filepath.Join(dir, "grid.png")
	require.NoError(t, Mosaic(out, [][]string{{red, blue}, {filepath.Join(dir, "none.png"), red}}, 8))
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 16, 8), img.Bounds())
	at := func(x, y int) color.RGBA { return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) }
	require.Equal(t, uint8(255), at(1, 1).R)
	require.Equal(t, uint8(255), at(9, 1).B)
	require.Equal(t, color.RGBA{200, 200, 200, 255}, at(1, 5), "a missing picture leaves a grey tile")
	require.Error(t, Mosaic(out, [][]string{{filepath.Join(dir, "none.png")}}, 8))
}

// TestScaleInto checks the nearest-neighbour scaling of one tile.
func TestScaleInto(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 2, 2))
	src.Set(1, 0, color.RGBA{255, 0, 0, 255})
	dst := image.NewRGBA(image.Rect(0, 0, 8, 8))
	scaleInto(dst, image.Rect(4, 4, 8, 8), src)
	require.Equal(t, uint8(255), dst.RGBAAt(7, 4).R, "top-right of the tile")
	require.Equal(t, color.RGBA{}, dst.RGBAAt(4, 7), "bottom-left of the tile is the source's transparent pixel")
	require.Equal(t, color.RGBA{}, dst.RGBAAt(3, 3), "outside the tile is untouched")
}

// tinyImageTrainer trains a few iterations of tiny MLP networks on MNIST
// (skipped when the data are absent).
func tinyImageTrainer(t *testing.T) *trainer.Trainer {
	t.Helper()
	if _, err := data.MNISTDir(); err != nil {
		t.Skip(err)
	}
	cfg := ebm.DefaultConfigFor("mnist")
	cfg.Steps, cfg.Batch, cfg.LatentDim = 2, 16, 4
	cfg.Energy = ebm.NetConfig{Hidden: []int{16}, Activation: "leakyrelu", OutputScale: true}
	cfg.Generator = ebm.NetConfig{Hidden: []int{16}, Activation: "elu", OutputActivation: "tanh"}
	tr, err := trainer.New(cfg)
	require.NoError(t, err)
	for range cfg.Steps {
		_, err := tr.Step()
		require.NoError(t, err)
	}
	return tr
}

// TestTrainingPicturesImages writes the grids of generator and MALA
// samples and the energy histogram of an image run, deterministically.
func TestTrainingPicturesImages(t *testing.T) {
	tr := tinyImageTrainer(t)
	dir := t.TempDir()
	wrote, err := Training(dir, tr.Nets, tr.Data, "test", 1)
	require.NoError(t, err)
	require.Equal(t, []string{SamplesFile, MALAFile, EnergyHistogramFile}, wrote)
	for _, f := range wrote {
		b := decodePNG(t, filepath.Join(dir, f))
		require.GreaterOrEqual(t, b.Dx(), 400, f)
	}
	dir2 := t.TempDir()
	_, err = Training(dir2, tr.Nets, tr.Data, "test", 1)
	require.NoError(t, err)
	for _, f := range []string{SamplesFile, MALAFile} {
		a, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dir2, f))
		require.NoError(t, err)
		require.Equal(t, a, b, "%s differs between two calls with the same seed", f)
	}
}

// TestImageGrid places each image at its tile, scaled, with grey lines
// between tiles, and clips pixels to the range.
func TestImageGrid(t *testing.T) {
	const h, w = 2, 3
	x := make([]float64, 5*h*w)
	for i := range x {
		x[i] = -1
	}
	x[1*h*w+0] = 1   // image 1, pixel (0, 0): white
	x[4*h*w+5] = 7   // image 4, pixel (1, 2): clipped to white
	x[2*h*w+2] = 0.0 // image 2, pixel (0, 2): mid grey
	img, err := ImageGrid(x, h, w, 2, 2)
	require.NoError(t, err)
	// 2 columns of 3·2 + 1 pixels, 3 rows of 2·2 + 1, without the last line.
	require.Equal(t, image.Rect(0, 0, 2*7-1, 3*5-1), img.Bounds())
	require.Equal(t, uint8(255), img.GrayAt(7, 0).Y, "image 1 starts at column 7")
	require.Equal(t, uint8(255), img.GrayAt(8, 1).Y, "scaled ×2")
	require.Equal(t, uint8(0), img.GrayAt(9, 0).Y)
	require.Equal(t, uint8(128), img.GrayAt(6, 0).Y, "the line between tiles")
	require.Equal(t, uint8(128), img.GrayAt(4, 5).Y, "image 2 (row 1): pixel (0, 2)")
	require.Equal(t, uint8(255), img.GrayAt(5, 13).Y, "image 4 (row 2): pixel (1, 2), clipped")
	_, err = ImageGrid(x[:5], h, w, 2, 1)
	require.Error(t, err)
	p := filepath.Join(t.TempDir(), "g.png")
	require.NoError(t, WriteImageGrid(p, x, h, w, 5, 1))
	require.Equal(t, image.Rect(0, 0, 5*4-1, 2), decodePNG(t, p))
}

// TestEnergyHistogram draws sets with and without finite values.
func TestEnergyHistogram(t *testing.T) {
	p := energyHistogram("t", []eval.NamedValues{{Name: "a", Values: []float64{1, 2, 3}}, {Name: "b", Values: []float64{math.NaN()}},
		{Name: "c", Values: []float64{2.5, 10}}})
	path := filepath.Join(t.TempDir(), "h.png")
	require.NoError(t, save(path, p, 4, 3))
	decodePNG(t, path)
	require.NotPanics(t, func() { energyHistogram("empty", nil) })
}
