// Command benchall prints every ratio of issue 16 from one run (bench.RunAll):
// GEMM against gonum and OpenBLAS, the toy and image training iterations
// against PyTorch, the randomized SVD against gonum's dense SVD, and the
// default training run's wall time. make bench-all runs it built with
// -tags openblas:
//
//	go run -tags openblas ./cmd/benchall -python /usr/bin/python3 -ebmcpu PATH
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ebmcpu/ebmcpu/bench"
)

func main() {
	var cfg bench.AllConfig
	flag.StringVar(&cfg.Python, "python", "/usr/bin/python3", "a python with torch for the PyTorch mirrors (\"\": skip them)")
	flag.StringVar(&cfg.Scripts, "scripts", "bench", "the directory of torch_ebm.py and torch_image.py")
	flag.StringVar(&cfg.Ebmcpu, "ebmcpu", "", "an ebmcpu binary, to time a default training run (\"\": skip it)")
	flag.IntVar(&cfg.Reps, "reps", 5, "samples per measurement")
	flag.BoolVar(&cfg.Short, "short", false, "fewer, shorter samples and no training run (a smoke test)")
	flag.Parse()
	if err := bench.RunAll(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchall:", err)
		os.Exit(1)
	}
}
