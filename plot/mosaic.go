package plot

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"

	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
)

// Mosaic composes the PNG files paths[i][j] into one PNG at out: row i,
// column j, each picture scaled (nearest neighbour) to tileWidth pixels
// wide and the height of the first picture found, scaled alike. A missing
// or unreadable file leaves a grey tile; it is an error if none can be
// read.
func Mosaic(out string, paths [][]string, tileWidth int) error {
	if len(paths) == 0 || len(paths[0]) == 0 || tileWidth < 1 {
		return errors.New("plot: Mosaic needs at least one tile and a positive width")
	}
	rows, cols := len(paths), len(paths[0])
	tiles := make([][]image.Image, rows)
	var first image.Image
	for i := range paths {
		tiles[i] = make([]image.Image, cols)
		for j := 0; j < cols && j < len(paths[i]); j++ {
			img, err := readPNG(paths[i][j])
			if err != nil {
				continue
			}
			tiles[i][j] = img
			if first == nil {
				first = img
			}
		}
	}
	if first == nil {
		return errors.New("plot: no picture to compose")
	}
	b := first.Bounds()
	tw := tileWidth
	th := max(1, b.Dy()*tw/max(1, b.Dx()))
	dst := image.NewRGBA(image.Rect(0, 0, tw*cols, th*rows))
	draw.Draw(dst, dst.Bounds(), &image.Uniform{color.Gray{Y: 200}}, image.Point{}, draw.Src)
	for i := range tiles {
		for j, img := range tiles[i] {
			if img != nil {
				scaleInto(dst, image.Rect(j*tw, i*th, (j+1)*tw, (i+1)*th), img)
			}
		}
	}
	return atomicfile.Write(out, 0o644, func(w io.Writer) error { return png.Encode(w, dst) })
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
