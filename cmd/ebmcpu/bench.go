package main

import (
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"strings"
	"time"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/bench"
	"github.com/klauspost/cpuid/v2"
)

func runBench(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "gemm" {
		return cli.Usage("want a benchmark name: ebmcpu bench gemm [flags]")
	}
	fs := cli.NewFlags("ebmcpu bench gemm", stderr)
	threads := fs.Int("threads", 1, "worker threads for every implementation")
	reps := fs.Int("reps", 5, "samples per measurement (the median is reported)")
	minDur := fs.Duration("mindur", 200*time.Millisecond, "minimum duration of one sample")
	f64 := fs.Bool("f64", false, "float64 (DGEMM) instead of float32")
	shapes := fs.String("shapes", "", "comma-separated shape names (default: all)")
	tiers := fs.Bool("tiers", false, "also time ours at every weaker SIMD tier, in the same run")
	if err := cli.ParseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *threads < 1 || *reps < 1 || *minDur <= 0 {
		return cli.Usage("-threads, -reps and -mindur must be positive")
	}
	sel, err := selectShapes(*shapes)
	if err != nil {
		return err
	}
	prec := "f32"
	if *f64 {
		prec = "f64"
	}
	peak := bench.FMAPeak(*threads, *f64, *reps)
	fmt.Fprintf(stdout, "%s GEMM, %d thread(s), %s tier, %s, %s\nFMA peak measured now: %.1f GFLOP/s\n\n",
		prec, *threads, asm.Tier(), cpuid.CPU.BrandName, time.Now().Format("2006-01-02"), peak)
	impls := bench.GemmImpls()
	if *threads > 1 {
		impls = append(impls, bench.OursSingle())
	}
	if *tiers {
		for _, t := range asm.AvailableTiers() {
			if t != asm.Tier() {
				impls = append(impls, bench.OursAt(t))
			}
		}
	}
	res := bench.BenchGemm(bench.GemmConfig{Impls: impls, Shapes: sel, Threads: *threads, Reps: *reps, MinDur: *minDur, Float64: *f64},
		func(s string) { fmt.Fprintln(stderr, s) })
	bench.PrintGemmTable(stdout, impls, res, peak)
	return nil
}

func selectShapes(names string) ([]bench.GemmShape, error) {
	if names == "" {
		return bench.GemmShapes, nil
	}
	var out []bench.GemmShape
	for _, n := range strings.Split(names, ",") {
		found := false
		for _, s := range bench.GemmShapes {
			if s.Name == n {
				out, found = append(out, s), true
			}
		}
		if !found {
			var all []string
			for _, s := range bench.GemmShapes {
				all = append(all, s.Name)
			}
			return nil, cli.Usage("unknown shape %q (want one of %s)", n, strings.Join(all, ", "))
		}
	}
	return out, nil
}
