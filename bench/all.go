package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/linalg"
	"github.com/ebmcpu/ebmcpu/nn"
	"github.com/ebmcpu/ebmcpu/trainer"
	"github.com/klauspost/cpuid/v2"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/gonum"
)

// AllConfig says what RunAll measures. Python and Ebmcpu may be empty: the
// PyTorch ratios or the training run are then left out.
type AllConfig struct {
	Python  string // a python with torch (Debian's /usr/bin/python3)
	Scripts string // the directory of torch_ebm.py and torch_image.py
	Ebmcpu  string // an ebmcpu binary, to time the default training run
	Reps    int    // samples per measurement (medians are reported)
	Short   bool   // fewer, shorter samples (a smoke run, not for BENCHMARKS.md)
}

// A goal is one target of issue 16 and what this run measured for it.
type goal struct {
	what, target, measured string
	met                    bool
}

// RunAll measures every ratio of issue 16 in one run and writes them to w
// as Markdown: the FMA peak, GEMM against gonum and OpenBLAS (1 thread, and
// 2 workers against 1), the default toy iteration and the default image
// iteration against their PyTorch mirrors (1 and 2 threads, with the toy
// iteration's GEMM flops as a share of the peak), the randomized top-k SVD
// of an image generator's Jacobians against gonum's dense SVD, and the
// wall time of a default `ebmcpu train`; then the goals, met or not.
//
// Ours and the reference are timed in the same run, one right after the
// other (GEMM: interleaved rounds; iterations: ours before and after the
// PyTorch process), because the machine's speed drifts.
func RunAll(cfg AllConfig, w io.Writer) error {
	if cfg.Reps < 1 {
		cfg.Reps = 5
	}
	minDur := 150 * time.Millisecond
	if cfg.Short {
		cfg.Reps, minDur = 3, 20*time.Millisecond
	}
	defer linalg.SetWorkers(linalg.Workers())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var goals []goal

	fmt.Fprintf(w, "# ebmcpu: every ratio of issue 16\n\n%s, %s tier, %d cores, %s, %s\n\n",
		time.Now().Format("2006-01-02 15:04"), asm.Tier(), runtime.NumCPU(), cpuid.CPU.BrandName, runtime.Version())
	peak1, peak2 := FMAPeak(1, false, cfg.Reps), FMAPeak(2, false, cfg.Reps)
	fmt.Fprintf(w, "FMA peak (float32): %.1f GFLOP/s on 1 thread, %.1f on 2.\n\n", peak1, peak2)

	// GEMM.
	impls := GemmImpls()
	fmt.Fprintf(w, "## SGEMM, 1 thread (interleaved rounds, medians of %d)\n\n", cfg.Reps)
	res := BenchGemm(GemmConfig{Impls: impls, Shapes: GemmShapes, Threads: 1, Reps: cfg.Reps, MinDur: minDur}, nil)
	PrintGemmTable(w, impls, res, peak1)
	worstOB, worstG := math.Inf(1), math.Inf(1)
	for _, r := range res {
		if v, ok := r.Ratio["openblas"]; ok {
			worstOB = math.Min(worstOB, v)
		}
		worstG = math.Min(worstG, r.Ratio["gonum"])
	}
	if openBLAS != nil {
		goals = append(goals, goal{"SGEMM vs OpenBLAS, 1 thread, every shape", "≥ 1.0×",
			fmt.Sprintf("worst %.2f×", worstOB), worstOB >= 1})
	}
	var big []GemmShape
	for _, s := range GemmShapes {
		if s.M >= 512 || s.N >= 512 {
			big = append(big, s)
		}
	}
	impls2 := []GemmImpl{GemmImpls()[0], OursSingle()}
	if openBLAS != nil {
		impls2 = append(impls2, *openBLAS)
	}
	fmt.Fprintf(w, "\n## SGEMM, 2 threads: ours on 2 workers against 1 (interleaved)\n\n")
	res2 := BenchGemm(GemmConfig{Impls: impls2, Shapes: big, Threads: 2, Reps: cfg.Reps, MinDur: minDur}, nil)
	PrintGemmTable(w, impls2, res2, peak2)
	worst2 := math.Inf(1)
	for _, r := range res2 {
		worst2 = math.Min(worst2, r.Ratio["ours-1worker"])
	}
	goals = append(goals, goal{"SGEMM 2 workers vs 1, shapes ≥ 512", "≥ 1.7×", fmt.Sprintf("worst %.2f×", worst2), worst2 >= 1.7})

	// The toy iteration.
	fmt.Fprintf(w, "\n## The default toy iteration (ebm.DefaultConfig: 8gaussians, sv + gp, batch 200, importance-weighted negatives; the default adds 10 MALA steps on the iterations whose weights degenerate, which torch_ebm.py does not mirror)\n\n")
	toyCfg := ebm.DefaultConfig()
	toyCfg.Negatives = ebm.WeightedNegatives
	toy, err := iterationRatios(cfg, w, toyCfg, "torch_ebm.py", 64, peak1, minDur)
	if err != nil {
		return err
	}
	if toy.torch1 > 0 {
		goals = append(goals, goal{"toy iteration vs PyTorch, 1 thread", "≥ 10×", fmt.Sprintf("%.1f×", toy.torch1/toy.ours1), toy.torch1/toy.ours1 >= 10})
	}
	goals = append(goals, goal{"toy iteration, 0 allocations", "0", fmt.Sprintf("%.0f", toy.allocs), toy.allocs == 0})

	// The image iteration.
	fmt.Fprintf(w, "\n## The default image iteration (ebm.DefaultImageConfig: MNIST, sv + gp, dcgan energy 32/64/128, conv generator 64/128, batch 64)\n\n")
	img, err := iterationRatios(cfg, w, ebm.DefaultImageConfig(), "torch_image.py", 2, peak1, 0)
	if err != nil {
		return err
	}
	if img.torch1 > 0 {
		goals = append(goals, goal{"image iteration vs PyTorch, 1 thread", "≥ 5×", fmt.Sprintf("%.1f×", img.torch1/img.ours1), img.torch1/img.ours1 >= 5})
	}
	if img.torch2 > 0 {
		goals = append(goals, goal{"image iteration vs PyTorch, 2 threads", "≥ 5×", fmt.Sprintf("%.1f×", img.torch2/img.ours2), img.torch2/img.ours2 >= 5})
	}
	goals = append(goals, goal{"image iteration, 2 threads vs 1", "≥ 1.6×", fmt.Sprintf("%.2f×", img.ours1/img.ours2), img.ours1/img.ours2 >= 1.6})

	// Randomized SVD.
	fmt.Fprintf(w, "\n## Randomized top-k SVD of generator Jacobians at image scale\n\n")
	svd, err := svdRatio(cfg, w)
	if err != nil {
		return err
	}
	goals = append(goals,
		goal{"randomized top-8 SVD vs gonum dense SVD with vectors (784×32, the same output), 1 thread each", "≥ 10× at rel. error ≤ 1e-3",
			fmt.Sprintf("%.1f× at %.1e", svd.vsVectors, svd.relerr), svd.vsVectors >= 10 && svd.relerr <= 1e-3},
		goal{"randomized top-8 SVD vs gonum dense SVD of the values alone, 1 thread each", "≥ 10× at rel. error ≤ 1e-3",
			fmt.Sprintf("%.1f× at %.1e", svd.vsValues, svd.relerr), svd.vsValues >= 10 && svd.relerr <= 1e-3})
	if err := sminAccuracy(cfg, w); err != nil {
		return err
	}

	// Training.
	if cfg.Ebmcpu != "" && !cfg.Short {
		fmt.Fprintf(w, "\n## The default training run\n\n")
		secs, err := timeTraining(cfg.Ebmcpu)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "`ebmcpu train` (%d iterations, %d threads): %.1f s wall.\n", ebm.DefaultConfig().Steps, runtime.NumCPU(), secs)
		goals = append(goals, goal{"default `ebmcpu train`", "≤ 30 s", fmt.Sprintf("%.1f s", secs), secs <= 30})
	}

	fmt.Fprintf(w, "\n## The goals of issue 16\n\n| goal | target | measured | |\n|---|---|---|---|\n")
	for _, g := range goals {
		v := "not met"
		if g.met {
			v = "met"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", g.what, g.target, g.measured, v)
	}
	return nil
}

// iterTimes are the medians of one kind of iteration, in seconds (0: not
// measured).
type iterTimes struct {
	ours1, ours2, torch1, torch2 float64
	allocs                       float64
}

// iterationRatios times training iterations of c on 1 and 2 threads, and
// the PyTorch script on 1 and 2 threads between them, and prints a table.
// For the 1-thread run it also counts the GEMM flops of one iteration.
func iterationRatios(cfg AllConfig, w io.Writer, c ebm.Config, script string, warm int, peak float64, minDur time.Duration) (iterTimes, error) {
	var t iterTimes
	tr, err := trainer.New(c)
	if err != nil {
		return t, err
	}
	step := func() {
		if _, err := tr.Step(); err != nil {
			panic(err)
		}
	}
	setThreads := func(n int) {
		runtime.GOMAXPROCS(n)
		linalg.SetWorkers(n)
	}
	setThreads(1)
	for range warm {
		step()
	}
	linalg.ResetFlops()
	linalg.CountFlops(true)
	step()
	linalg.CountFlops(false)
	flops := float64(linalg.Flops())
	t.allocs = testingAllocs(step)
	reps := cfg.Reps
	measure := func(threads int) []time.Duration {
		setThreads(threads)
		return Measure(step, reps, minDur).Samples
	}
	ours1 := measure(1)
	ours2 := measure(2)
	var torch1, torch2 []float64
	if cfg.Python != "" {
		for _, th := range []int{1, 2} {
			ms, err := runTorch(cfg, script, th)
			if err != nil {
				return t, err
			}
			if th == 1 {
				torch1 = append(torch1, ms)
			} else {
				torch2 = append(torch2, ms)
			}
		}
	}
	ours1 = append(ours1, measure(1)...)
	ours2 = append(ours2, measure(2)...)
	t.ours1, t.ours2 = median(ours1), median(ours2)
	fmt.Fprintf(w, "| | ours, 1 thread | ours, 2 threads | torch, 1 thread | torch, 2 threads | torch/ours (1 thread) | torch/ours (2 threads) |\n|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(w, "| ms per iteration | %.3g | %.3g |", 1e3*t.ours1, 1e3*t.ours2)
	if len(torch1) > 0 {
		t.torch1, t.torch2 = torch1[0]/1e3, torch2[0]/1e3
		fmt.Fprintf(w, " %.3g | %.3g | %.2f× | %.2f× |\n", 1e3*t.torch1, 1e3*t.torch2, t.torch1/t.ours1, t.torch2/t.ours2)
	} else {
		fmt.Fprintf(w, " – | – | – | – |\n")
	}
	fmt.Fprintf(w, "\nOurs: medians of %d samples before and %d after the PyTorch runs; 2 threads against 1: %.2f×. "+
		"PyTorch on 2 threads: the faster of torch's 2 threads with OpenBLAS on 1 and torch's 1 with OpenBLAS on 2 "+
		"(OPENBLAS_NUM_THREADS pinned in every run). "+
		"GEMM work of one iteration: %.1f MFLOP, %.2f ms at the 1-thread FMA peak, %.0f%% of the iteration; "+
		"allocations per iteration: %.0f.\n",
		reps, reps, t.ours1/t.ours2, flops/1e6, flops/peak/1e6, 100*flops/peak/1e9/t.ours1, t.allocs)
	return t, nil
}

func median(d []time.Duration) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2].Seconds()
}

// testingAllocs returns the heap allocations of one call of f (averaged
// over a few calls), as testing.AllocsPerRun does.
func testingAllocs(f func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	const n = 5
	for range n {
		f()
	}
	runtime.ReadMemStats(&b)
	return float64(b.Mallocs-a.Mallocs) / n
}

var torchMedian = regexp.MustCompile(`median ([0-9.]+) ms`)

// runTorch runs a PyTorch mirror on the given number of cores and returns
// its median time per iteration in ms: the faster of the script's own
// threads (torch.set_num_threads) and OpenBLAS's, the other kept at 1.
// OpenBLAS's thread count is always pinned: left alone it starts a thread
// per core besides torch's, so "1 thread" ran its products on 2 cores and
// "2 threads" oversubscribed them (toy iteration 12.0 and 33.5 ms against
// 11.1 and 11.5 ms pinned).
func runTorch(cfg AllConfig, script string, threads int) (float64, error) {
	configs := [][2]int{{threads, 1}} // torch's threads, OpenBLAS's
	if threads > 1 {
		configs = append(configs, [2]int{1, threads})
	}
	best := math.Inf(1)
	for _, c := range configs {
		torchThreads, blasThreads := c[0], c[1]
		cmd := exec.Command(cfg.Python, filepath.Join(cfg.Scripts, script), strconv.Itoa(torchThreads))
		cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS="+strconv.Itoa(blasThreads))
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("bench: %s %d: %v\n%s", script, torchThreads, err, out)
		}
		m := torchMedian.FindSubmatch(out)
		if m == nil {
			return 0, fmt.Errorf("bench: %s printed no median:\n%s", script, out)
		}
		ms, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			return 0, err
		}
		best = min(best, ms)
	}
	return best, nil
}

// svdSpeed is what svdRatio measures: the randomized SVD's speed-up on 1
// worker over gonum's dense SVD with vectors (the same output, top-k
// triplets) and over gonum's values alone, and the largest relative error
// of the top k.
type svdSpeed struct {
	vsVectors, vsValues, relerr float64
}

// svdRatio forms the Jacobians of the default image generator (64 latent
// points) and times the randomized top-8 SVD (linalg.RandSVD, its automatic
// route; values, left and right vectors) on 1 and 2 workers against gonum's
// dense SVD of the same matrices (single-threaded), interleaved, twice:
// with the thin U and V, the output a top-k SVD gives, and with the values
// alone, a cheaper output than ours.
func svdRatio(cfg AllConfig, w io.Writer) (svdSpeed, error) {
	const B, K = 64, 8
	_, jac, err := imageJacobians(B, 8)
	if err != nil {
		return svdSpeed{}, err
	}
	d, D := jac.Cols, jac.Rows
	data := make([]float32, B*D*d)
	for i, v := range jac.Data {
		data[i] = float32(v)
	}
	dense := linalg.NewDenseOperator(B, D, d, data)
	var ref linalg.Jacobians[float32]
	ref.Form(dense)
	want := make([]float64, B*d)
	rs := linalg.NewRandSVD[float32](K, 1)
	var got linalg.SVDResult[float32]
	ours := func() {
		if err := rs.Compute(dense, &got); err != nil {
			panic(err)
		}
	}
	vectors := newGonumSVD(D, d)
	workers := []int{1, 2, 1, 1} // ours on 1 worker, on 2, then gonum's two
	defer linalg.SetWorkers(linalg.Workers())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	ts := MeasureInterleaved([]func(){ours, ours, func() { ref.SingularValues(want) }, func() { vectors.run(&ref) }},
		func(i int) { linalg.SetWorkers(workers[i]) }, cfg.Reps, 100*time.Millisecond)
	var sp svdSpeed
	for b := 0; b < B; b++ {
		for i := 0; i < K; i++ {
			sp.relerr = math.Max(sp.relerr, math.Abs(got.Values[b*K+i]-want[b*d+i])/want[b*d+i])
		}
	}
	sp.vsValues, sp.vsVectors = Ratios(ts[2], ts[0]), Ratios(ts[3], ts[0])
	fmt.Fprintf(w, "64 Jacobians (784×32) of the default image generator at N(0, I) latents: RandSVD top %d (values, U and V) "+
		"%.2f ms on 1 worker and %.2f ms on 2; gonum's dense SVD (Dgesvd, single-threaded) with the thin U and V %.2f ms, "+
		"of the values alone %.2f ms. Ours on 1 worker: %.1f× gonum with vectors, %.1f× gonum's values alone; on 2 workers "+
		"%.1f× and %.1f× (interleaved rounds). Largest relative error of the top %d: %.1e.\n",
		K, 1e3*ts[0].Median().Seconds(), 1e3*ts[1].Median().Seconds(), 1e3*ts[3].Median().Seconds(), 1e3*ts[2].Median().Seconds(),
		sp.vsVectors, sp.vsValues, Ratios(ts[3], ts[1]), Ratios(ts[2], ts[1]), K, sp.relerr)
	return sp, nil
}

// gonumSVD runs gonum's Dgesvd with the thin U and all of V on every
// Jacobian of a batch, its buffers allocated once.
type gonumSVD struct {
	a, s, u, vt, work []float64
}

func newGonumSVD(D, d int) *gonumSVD {
	g := &gonumSVD{a: make([]float64, D*d), s: make([]float64, d), u: make([]float64, D*d), vt: make([]float64, d*d), work: make([]float64, 1)}
	var impl gonum.Implementation
	impl.Dgesvd(lapack.SVDStore, lapack.SVDAll, D, d, g.a, d, g.s, g.u, d, g.vt, d, g.work, -1)
	g.work = make([]float64, int(g.work[0]))
	return g
}

func (g *gonumSVD) run(jac *linalg.Jacobians[float32]) {
	var impl gonum.Implementation
	D, d := jac.Rows, jac.Cols
	for b := 0; b < jac.Batch; b++ {
		copy(g.a, jac.Matrix(b))
		if !impl.Dgesvd(lapack.SVDStore, lapack.SVDAll, D, d, g.a, d, g.s, g.u, d, g.vt, d, g.work, len(g.work)) {
			panic("bench: gonum's Dgesvd did not converge")
		}
	}
}

// imageJacobians builds the default image generator (weights from seed 7)
// at B latents z ∼ N(0, I) drawn from seed zSeed: its matrix-free Jacobian
// operator and the dense Jacobians formed from it (784 × latent width each).
func imageJacobians(B int, zSeed uint64) (*nn.JacobianOperator[float32], *linalg.Jacobians[float32], error) {
	c := ebm.DefaultImageConfig()
	dims := ebm.Dims{Data: 784, Latent: c.LatentDim, Channels: 1, Height: 28, Width: 28}
	nets, err := ebm.NewNets(c, dims, nn.NewRNG(7))
	if err != nil {
		return nil, nil, err
	}
	z := make([]float32, B*dims.Latent)
	nn.Normal(nn.NewRNG(zSeed).Stream("z"), z)
	op := nn.NewJacobianOperator(nets.Generator, B, dims.Latent)
	op.SetPoint(z, nn.Eval)
	jac := new(linalg.Jacobians[float32])
	jac.Form(op)
	return op, jac, nil
}

// sminAccuracy measures the s_min of the lower bound at image scale: LOBPCG
// on the matrix-free Jacobian operator of the default image generator (one
// JVP and one VJP per iteration) against the smallest singular value of the
// dense Jacobians by gonum's SVD, for the default 2 iterations and for
// longer runs, with the time of one Solve over the batch.
func sminAccuracy(cfg AllConfig, w io.Writer) error {
	const B = 64
	op, jac, err := imageJacobians(B, 9)
	if err != nil {
		return err
	}
	d := jac.Cols
	sv := make([]float64, B*d)
	jac.SingularValues(sv)
	fmt.Fprintf(w, "\ns_min of the same generator's Jacobians at %d other latents: LOBPCG (block 1, float32 products, matrix-free) "+
		"against gonum's dense SVD; relative overestimate (s_LOBPCG − s_min)/s_min over the batch, and the time of one Solve of the batch "+
		"(median of %d):\n\n| LOBPCG | median error | largest error | ms per batch |\n|---|---|---|---|\n", B, cfg.Reps)
	for _, run := range []struct {
		name  string
		iters int
		tol   float64
	}{{"2 iterations (the default)", 2, 0}, {"10 iterations", 10, 0}, {"to tolerance 1e-4 (≤ 200 iterations)", 200, 1e-4}} {
		lob := &linalg.LOBPCG[float32]{BlockSize: 1, MaxIter: run.iters, Tol: run.tol, Seed: 3}
		var res linalg.SMinResult[float32]
		ts := MeasureInterleaved([]func(){func() {
			if err := lob.Solve(op, nil, &res); err != nil {
				panic(err)
			}
		}}, nil, cfg.Reps, 0)
		errs := make([]float64, B)
		for b := range B {
			smin := sv[b*d+d-1]
			errs[b] = (res.Values[b] - smin) / smin
		}
		slices.Sort(errs)
		fmt.Fprintf(w, "| %s | %.2e | %.2e | %.1f |\n", run.name, errs[B/2], errs[B-1], 1e3*ts[0].Median().Seconds())
	}
	return nil
}

// timeTraining runs `ebmcpu train` with the default config into a
// temporary directory and returns its wall time in seconds.
func timeTraining(bin string) (float64, error) {
	dir, err := os.MkdirTemp("", "ebmcpu-bench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "train", "--out", filepath.Join(dir, "run"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	var last strings.Builder
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		last.Reset()
		last.WriteString(sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		return 0, fmt.Errorf("bench: ebmcpu train: %v (%s)", err, last.String())
	}
	return time.Since(start).Seconds(), nil
}
