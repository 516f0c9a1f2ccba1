package bench

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/asm"
	"io"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/ebmcpu/ebmcpu/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// GemmShape is a GEMM problem: C (M×N) = op(A) (M×K) · op(B) (K×N).
type GemmShape struct {
	Name   string
	TA, TB blas.Transpose
	M, N   int
	K      int
}

// Flops is the floating-point operation count of one product.
func (s GemmShape) Flops() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// Operands returns A, B and C with their leading dimensions, filled with
// small exact values.
func Operands[T float32 | float64](s GemmShape) (a []T, lda int, b []T, ldb int, c []T) {
	lda, ldb = s.K, s.N
	if s.TA == blas.Trans {
		lda = s.M
	}
	if s.TB == blas.Trans {
		ldb = s.K
	}
	a, b, c = make([]T, s.M*s.K), make([]T, s.K*s.N), make([]T, s.M*s.N)
	for i := range a {
		a[i] = T(i%7) * 0.25
	}
	for i := range b {
		b[i] = T(i%5) * 0.5
	}
	return
}

// GemmShapes are the shapes BENCHMARKS.md reports: squares and the MLP
// training shapes (forward NN, input-gradient NT, weight-gradient TN, the
// toy 200×100×100 layer and the 2-D input layer).
var GemmShapes = []GemmShape{
	{"sq64", blas.NoTrans, blas.NoTrans, 64, 64, 64},
	{"sq128", blas.NoTrans, blas.NoTrans, 128, 128, 128},
	{"sq256", blas.NoTrans, blas.NoTrans, 256, 256, 256},
	{"sq512", blas.NoTrans, blas.NoTrans, 512, 512, 512},
	{"sq1024", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
	{"mlpNN_256x512x512", blas.NoTrans, blas.NoTrans, 256, 512, 512},
	{"mlpNT_256x512x512", blas.NoTrans, blas.Trans, 256, 512, 512},
	{"mlpTN_512x512x256", blas.Trans, blas.NoTrans, 512, 512, 256},
	{"toy_200x100x100", blas.NoTrans, blas.NoTrans, 200, 100, 100},
	{"input_256x256x2", blas.NoTrans, blas.NoTrans, 256, 256, 2},
}

// A GemmImpl is one GEMM implementation under comparison.
type GemmImpl struct {
	Name       string
	SetThreads func(n int)
	// Spin is how long the implementation's idle worker threads keep
	// spinning after a call (OpenBLAS: 2^28 cycles, THREAD_TIMEOUT). The
	// next sample waits it out, or those threads take the cores it is
	// timed on: interleaved right after OpenBLAS, our 2-worker GEMM
	// measured 0.84× its 1-worker speed, alone 1.8–2.0×.
	Spin  time.Duration
	Sgemm func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	Dgemm func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
}

// GemmImpls lists ours, gonum and, when built with -tags openblas, OpenBLAS.
func GemmImpls() []GemmImpl {
	impls := []GemmImpl{
		{Name: "ours", SetThreads: linalg.SetWorkers, Sgemm: linalg.Sgemm, Dgemm: linalg.Dgemm},
		{Name: "gonum", SetThreads: func(int) {}, Sgemm: gonum.Implementation{}.Sgemm, Dgemm: gonum.Implementation{}.Dgemm},
	}
	if openBLAS != nil {
		impls = append(impls, *openBLAS)
	}
	return impls
}

// OursAt is our GEMM with the SIMD tier switched to tier for each call, so
// tiers can be compared in one run.
func OursAt(tier asm.SIMDTier) GemmImpl {
	with := func(f func()) {
		orig := asm.Tier()
		_ = asm.SetTier(tier)
		f()
		_ = asm.SetTier(orig)
	}
	return GemmImpl{
		Name:       "ours-" + tier.String(),
		SetThreads: linalg.SetWorkers,
		Sgemm: func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			with(func() { linalg.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) })
		},
		Dgemm: func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
			with(func() { linalg.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) })
		},
	}
}

// OursSingle is our GEMM on one worker whatever the thread setting, to show
// the parallel speed-up in the same run.
func OursSingle() GemmImpl {
	g := GemmImpls()[0]
	g.Name, g.SetThreads = "ours-1worker", func(int) { linalg.SetWorkers(1) }
	return g
}

// openBLAS is set by openblas.go when built with the openblas tag.
var openBLAS *GemmImpl

// GemmConfig says what BenchGemm measures.
type GemmConfig struct {
	Impls   []GemmImpl // the first is "ours"; nil selects GemmImpls()
	Shapes  []GemmShape
	Threads int
	Reps    int
	MinDur  time.Duration
	Float64 bool
}

// GemmResult is the median GFLOP/s of each implementation on one shape,
// and the median over rounds of ours against each one, the two timed one
// right after the other (Ratios).
type GemmResult struct {
	Shape  GemmShape
	GFLOPS map[string]float64
	Ratio  map[string]float64 // ours' speed over the implementation's
}

// BenchGemm measures every implementation on every shape, interleaved
// (MeasureInterleaved): rounds of one sample of each. It sets GOMAXPROCS
// to cfg.Threads for the duration, so gonum's own goroutines get the same
// cores as ours.
func BenchGemm(cfg GemmConfig, progress func(string)) []GemmResult {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cfg.Threads))
	if cfg.Impls == nil {
		cfg.Impls = GemmImpls()
	}
	var out []GemmResult
	for _, s := range cfg.Shapes {
		r := GemmResult{Shape: s, GFLOPS: map[string]float64{}, Ratio: map[string]float64{}}
		fs := make([]func(), len(cfg.Impls))
		for i, impl := range cfg.Impls {
			if cfg.Float64 {
				a, lda, b, ldb, c := Operands[float64](s)
				fs[i] = func() { impl.Dgemm(s.TA, s.TB, s.M, s.N, s.K, 1, a, lda, b, ldb, 0, c, s.N) }
			} else {
				a, lda, b, ldb, c := Operands[float32](s)
				fs[i] = func() { impl.Sgemm(s.TA, s.TB, s.M, s.N, s.K, 1, a, lda, b, ldb, 0, c, s.N) }
			}
		}
		setup := func(i int) {
			if prev := cfg.Impls[(i+len(fs)-1)%len(fs)]; cfg.Threads > 1 {
				time.Sleep(prev.Spin)
			}
			cfg.Impls[i].SetThreads(cfg.Threads)
		}
		ts := MeasureInterleaved(fs, setup, cfg.Reps, cfg.MinDur/time.Duration(len(fs)))
		for i, impl := range cfg.Impls {
			r.GFLOPS[impl.Name] = s.Flops() / ts[i].Median().Seconds() / 1e9
			r.Ratio[impl.Name] = Ratios(ts[i], ts[0])
			if progress != nil {
				progress(fmt.Sprintf("%s %s: %.1f GFLOP/s", s.Name, impl.Name, r.GFLOPS[impl.Name]))
			}
		}
		out = append(out, r)
	}
	return out
}

// PrintGemmTable writes results as a Markdown table: GFLOP/s per
// implementation, our ratio to each other one, and our % of peak.
func PrintGemmTable(w io.Writer, impls []GemmImpl, results []GemmResult, peak float64) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprint(tw, "| shape\t")
	for _, im := range impls {
		fmt.Fprintf(tw, " %s GFLOP/s\t", im.Name)
	}
	for _, im := range impls[1:] {
		fmt.Fprintf(tw, " ours/%s\t", im.Name)
	}
	fmt.Fprintln(tw, " ours % of peak\t")
	fmt.Fprint(tw, "|---\t")
	for range 2*len(impls) - 1 {
		fmt.Fprint(tw, "---\t")
	}
	fmt.Fprintln(tw, "---\t")
	for _, r := range results {
		fmt.Fprintf(tw, "| %s\t", r.Shape.Name)
		for _, im := range impls {
			fmt.Fprintf(tw, " %.1f\t", r.GFLOPS[im.Name])
		}
		for _, im := range impls[1:] {
			fmt.Fprintf(tw, " %.2f×\t", r.Ratio[im.Name])
		}
		fmt.Fprintf(tw, " %.0f%%\t\n", 100*r.GFLOPS["ours"]/peak)
	}
	tw.Flush()
}
