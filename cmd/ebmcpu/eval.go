package main

import (
	"errors"
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/plot"
)

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("ebmcpu eval", stderr)
	model := fs.String("model", "", "run directory or checkpoint file (required)")
	out := fs.String("out", "", "JSON report to write (default: eval.json next to the checkpoint); the PNG panel goes next to it")
	grid := fs.Int("grid", 200, "cells per side of the 2-D quadrature grid")
	samples := fs.Int("samples", 0, "generator samples, MALA chains and held-out points they are compared with (0: 2000; image models 500)")
	seed := fs.Uint64("seed", 1, "seed of the evaluation's random streams")
	box := fs.Float64("box", 0, "half-width B of the grid box [-B, B]² (0: the data set's box)")
	latents := fs.Int("latents", 1000, "latents for the bracket of bounds")
	testPoints := fs.Int("test-points", 0, "held-out points for the test NLL (0: 20000 fresh toy samples; the whole test split of images, up to 10000)")
	iwK := fs.Int("iw-k", 0, "group size K of the importance-weighted bound (0: 100; -1: leave it out)")
	diffusion := fs.Int("diffusion-latents", 0, "latents of the diffusion upper bound (0: all, or for image models 100 if trained with it and none otherwise; -1: none)")
	ood := fs.Int("ood", 0, "points of each out-of-distribution set of an image model (0: 2000; -1: no OOD test)")
	noQuality := fs.Bool("no-quality", false, "leave out the classifier's sample quality of an image model")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ebmcpu eval --model DIR|FILE [--out report.json] [--grid 200] [--samples N] [--seed 1] [--latents 1000] [--ood 2000] ...")
		fs.PrintDefaults()
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return cli.Usage("--model is required (a run directory or checkpoint file)")
	}
	opts := eval.Options{Grid: *grid, Samples: *samples, Seed: *seed, Box: *box, Latents: *latents, TestPoints: *testPoints,
		IWK: *iwK, DiffusionLatents: *diffusion, OODPoints: *ood, SkipQuality: *noQuality}
	if err := opts.Validate(); err != nil {
		return cli.Usage("%v", err)
	}
	_, runDir := ebm.ResolveRun(*model)
	jsonPath := *out
	if jsonPath == "" {
		jsonPath = filepath.Join(runDir, "eval.json")
	}
	pngPath := strings.TrimSuffix(jsonPath, filepath.Ext(jsonPath)) + ".png"
	s, err := eval.Load(*model)
	if err != nil {
		return cli.Usage("%v", err)
	}
	for _, p := range []string{jsonPath, pngPath} {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return cli.Usage("--out %s: %s is a directory", jsonPath, p)
		}
	}
	if err := checkWritable(filepath.Dir(jsonPath)); err != nil {
		return cli.Usage("--out %s: %v", jsonPath, err)
	}
	r, err := eval.Evaluate(s, opts)
	if err != nil {
		if errors.Is(err, eval.ErrData) {
			return cli.Usage("%v", err)
		}
		return err
	}
	if err := plot.Panel(r, pngPath); err != nil {
		return fmt.Errorf("panel %s: %w", pngPath, err)
	}
	if err := r.WriteJSON(jsonPath); err != nil {
		os.Remove(pngPath) // leave nothing half-written
		return fmt.Errorf("report %s: %w", jsonPath, err)
	}
	if err := r.Summary(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s (%.1f s)\n", jsonPath, pngPath, float64(r.Seconds))
	return nil
}

// checkWritable reports whether files can be created in dir, before the
// evaluation spends its time.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".ebmcpu-eval-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
