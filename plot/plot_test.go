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
	decodePNG(t, p)
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
