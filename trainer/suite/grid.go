package suite

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"path/filepath"

	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
)

// GridFile is the suite's picture grid.
const GridFile = "grid.png"

// GridTileWidth is the width in pixels of one tile of the grid: 400 keeps
// the titles legible and the full grid (5 × 9 tiles) near 2 MB.
const GridTileWidth = 400

// WriteGrid composes c.Out/grid.png from the eval.png panels of seed 1:
// one row per set, one column per pairing, each panel scaled to
// GridTileWidth pixels wide (nearest neighbour); a missing panel leaves a
// grey tile. It is an error if no panel exists at all.
func WriteGrid(c Config) error {
	panels := make([][]image.Image, len(c.Sets))
	var first image.Image
	for i, set := range c.Sets {
		panels[i] = make([]image.Image, len(c.Pairings))
		for j, pr := range c.Pairings {
			path := filepath.Join(c.Out, "runs", Spec{set, pr, 1}.Name(), EvalPNG)
			img, err := readPNG(path)
			if err != nil {
				continue
			}
			panels[i][j] = img
			if first == nil {
				first = img
			}
		}
	}
	if first == nil {
		return errors.New("no eval.png panel to compose")
	}
	b := first.Bounds()
	tw := GridTileWidth
	th := max(1, b.Dy()*tw/max(1, b.Dx()))
	out := image.NewRGBA(image.Rect(0, 0, tw*len(c.Pairings), th*len(c.Sets)))
	draw.Draw(out, out.Bounds(), &image.Uniform{color.Gray{Y: 200}}, image.Point{}, draw.Src)
	for i := range panels {
		for j, img := range panels[i] {
			if img != nil {
				scaleInto(out, image.Rect(j*tw, i*th, (j+1)*tw, (i+1)*th), img)
			}
		}
	}
	return atomicfile.Write(filepath.Join(c.Out, GridFile), 0o644, func(w io.Writer) error {
		return png.Encode(w, out)
	})
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

// scaleInto draws src scaled to fill r of dst, nearest neighbour.
func scaleInto(dst *image.RGBA, r image.Rectangle, src image.Image) {
	sb := src.Bounds()
	w, h := r.Dx(), r.Dy()
	for y := 0; y < h; y++ {
		sy := sb.Min.Y + (2*y+1)*sb.Dy()/(2*h)
		for x := 0; x < w; x++ {
			sx := sb.Min.X + (2*x+1)*sb.Dx()/(2*w)
			dst.Set(r.Min.X+x, r.Min.Y+y, src.At(sx, sy))
		}
	}
}
