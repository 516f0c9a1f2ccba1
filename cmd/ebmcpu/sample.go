package main

import (
	"bufio"
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"math"
	"strconv"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/internal/atomicfile"
)

func runSample(args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("ebmcpu sample", stderr)
	model := fs.String("model", "", "run directory or checkpoint file (required)")
	n := fs.Int("n", 1000, "number of samples")
	seed := fs.Uint64("seed", 1, "random seed")
	steps := fs.Int("langevin", 0, "refine the generator samples with this many Langevin steps on exp(−E)")
	h := fs.Float64("step-size", 0.01, "Langevin step size")
	mala := fs.Bool("mala", false, "Metropolis-adjusted Langevin (removes the discretisation bias)")
	out := fs.String("out", "", "CSV file to write (default: standard output)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
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
