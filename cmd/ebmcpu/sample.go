package main

import (
	"bufio"
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
	"github.com/ebmcpu/ebmcpu/plot"
)

// maxPNGSamples bounds the samples of one PNG grid (100 × 100 images of
// 28×28 pixels drawn 2×: a 5600-pixel square).
const maxPNGSamples = 10000

func runSample(args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("ebmcpu sample", stderr)
	model := fs.String("model", "", "run directory or checkpoint file (required)")
	n := fs.Int("n", 1000, "number of samples")
	seed := fs.Uint64("seed", 1, "random seed")
	steps := fs.Int("langevin", 0, "refine the generator samples with this many Langevin steps on exp(−E)")
	h := fs.Float64("step-size", 0.01, "Langevin step size")
	mala := fs.Bool("mala", false, "Metropolis-adjusted Langevin (removes the discretisation bias)")
	out := fs.String("out", "", "CSV file to write (default: standard output); a name ending in .png writes a grid of an image model's samples")
	pngPath := fs.String("png", "", "write the samples of an image model as a PNG grid into this file (instead of CSV)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if *pngPath == "" && strings.EqualFold(filepath.Ext(*out), ".png") {
		*pngPath, *out = *out, ""
	}
	switch {
	case *model == "":
		return cli.Usage("--model is required (a run directory or checkpoint file)")
	case *n < 1:
		return cli.Usage("--n=%d: want ≥ 1", *n)
	case *steps < 0 || *steps > ebm.MaxCount:
		return cli.Usage("--langevin=%d: want 0 to %d", *steps, ebm.MaxCount)
	case !(*h > 0) || math.IsInf(*h, 0):
		return cli.Usage("--step-size=%v: want a finite value > 0", *h)
	}
	m, err := ebm.LoadModel(*model)
	if err != nil {
		return cli.Usage("%v", err)
	}
	dims := m.Dims()
	if *pngPath != "" {
		switch {
		case *out != "":
			return cli.Usage("--png and --out: give one of them")
		case !dims.Image() || dims.Channels != 1:
			return cli.Usage("--png %s: the model is not of grey-scale images (its data are %d-dimensional); write CSV with --out", *pngPath, m.Dim())
		case *n > maxPNGSamples:
			return cli.Usage("--n=%d with --png: want at most %d samples in one picture", *n, maxPNGSamples)
		}
	}
	if err := ebm.CheckBuffer("--n", *n, m.Dim(), 4+24, 0); err != nil { // float32 values and their text
		return cli.Usage("%v", err)
	}
	x := make([]float32, *n*m.Dim())
	if err := m.Sample(*n, *seed, x); err != nil {
		return err
	}
	if *steps > 0 {
		acc, err := m.Langevin(x, *steps, *h, *mala, *seed)
		if err != nil {
			return cli.Usage("%v", err) // the step size given does not suit this model
		}
		if *mala {
			fmt.Fprintf(stderr, "MALA acceptance rate %.3f\n", acc)
		}
	}
	if *pngPath != "" {
		x64 := make([]float64, len(x))
		for i, v := range x {
			x64[i] = float64(v)
		}
		cols := int(math.Ceil(math.Sqrt(float64(*n))))
		if err := plot.WriteImageGrid(*pngPath, x64, dims.Height, dims.Width, cols, 2); err != nil {
			return cli.Usage("--png %s: %v", *pngPath, err)
		}
		fmt.Fprintf(stderr, "wrote %d samples as a %d-column grid to %s\n", *n, cols, *pngPath)
		return nil
	}
	write := func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for j := 0; j < m.Dim(); j++ {
			if j > 0 {
				bw.WriteByte(',')
			}
			fmt.Fprintf(bw, "x%d", j)
		}
		bw.WriteByte('\n')
		for i := 0; i < *n; i++ {
			for j, v := range x[i*m.Dim() : (i+1)*m.Dim()] {
				if j > 0 {
					bw.WriteByte(',')
				}
				bw.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
			}
			bw.WriteByte('\n')
		}
		return bw.Flush()
	}
	if *out == "" {
		return write(stdout)
	}
	if err := atomicfile.Write(*out, 0o644, write); err != nil {
		return cli.Usage("--out %s: %v", *out, err)
	}
	return nil
}
