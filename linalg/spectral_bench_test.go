package linalg

import (
	"fmt"
	"math"
	"sync"
	"testing"
)

// Benchmarks of the spectral solvers on Jacobian-like operators: 64 samples
// of 784×d (d = 32, 128), float32, with two spectra:
//
//	exp3: s_i = exp(−3·i/(d−1)), flat (condition e³ ≈ 20)
//	pow1: s_i = 1/(1+i), decaying (condition d)
//
// Each op is one call for the whole batch of 64 (the operator keeps its
// transposes, KeepTranspose). "relerr" is the largest relative error against
// gonum's dense SVD of the same rounded matrices, "fallbacks" the
// CholeskyQR2 blocks that needed Householder, "iters" the mean LOBPCG
// iteration count and "ns/iter" the time per LOBPCG iteration (a call runs
// until its slowest operator stops). The randomized SVD takes its exact
// route (SVDAuto) for 784×32 at every listed ℓ.
//
//	go test ./linalg -run '^$' -bench 'Spectral' -benchtime 2x

const spectralBenchBatch = 64

var (
	spectralBenchShapes  = [][2]int{{784, 32}, {784, 128}}
	spectralBenchSpectra = []string{"exp3", "pow1"}
)

type spectralBenchKey struct {
	spec string
	D, d int
}

type spectralBenchData struct {
	op  *DenseOperator[float32]
	sv  [][]float64 // dense singular values of each (rounded) matrix
	jac Jacobians[float32]
}

var (
	spectralBenchMu    sync.Mutex
	spectralBenchCache = map[spectralBenchKey]*spectralBenchData{}
)

// spectralBenchOperator builds (once per key) the batch of U·diag(s)·Vᵀ
// with random orthonormal U (D×d) and V (d×d), and its dense reference.
func spectralBenchOperator(spec string, D, d int) *spectralBenchData {
	spectralBenchMu.Lock()
	defer spectralBenchMu.Unlock()
	key := spectralBenchKey{spec, D, d}
	if c := spectralBenchCache[key]; c != nil {
		return c
	}
	rng := spRand(uint64(D*1000 + d))
	B := spectralBenchBatch
	data := make([]float32, B*D*d)
	var ow orthWork
	u, v := make([]float64, d*D), make([]float64, d*d)
	us := make([]float64, d*D)
	j := make([]float64, D*d)
	for b := 0; b < B; b++ {
		spNormals(rng, u)
		spNormals(rng, v)
		ow.orthRows(OrthHouseholder, d, D, u, 2) // rows: the d left vectors
		ow.orthRows(OrthHouseholder, d, d, v, 2)
		for i := 0; i < d; i++ {
			s := math.Exp(-3 * float64(i) / float64(d-1))
			if spec == "pow1" {
				s = 1 / float64(1+i)
			}
			for k := 0; k < D; k++ {
				us[i*D+k] = s * u[i*D+k]
			}
		}
		Gemm(true, false, D, d, d, 1, us, D, v, d, 0, j, d) // J = (S·U)ᵀ·V
		for i, x := range j {
			data[b*D*d+i] = float32(x)
		}
	}
	c := &spectralBenchData{op: NewDenseOperator(B, D, d, data)}
	c.op.KeepTranspose()
	c.jac.Form(c.op)
	vals := make([]float64, B*d)
	c.jac.SingularValues(vals)
	for b := 0; b < B; b++ {
		c.sv = append(c.sv, vals[b*d:(b+1)*d])
	}
	spectralBenchCache[key] = c
	return c
}

// topErr returns the largest relative error of the k leading values per
// sample (stride per sample) against the reference.
func (c *spectralBenchData) topErr(vals []float64, stride, k int) float64 {
	var worst float64
	for s := 0; s < spectralBenchBatch; s++ {
		for i := 0; i < k; i++ {
			worst = math.Max(worst, math.Abs(vals[s*stride+i]-c.sv[s][i])/c.sv[s][i])
		}
	}
	return worst
}

// BenchmarkSpectralTopK compares the randomized SVD's top-k values with
// gonum's dense SVD of the explicit matrices (values only; without and with
// forming the Jacobians by d Apply columns), and with the eigenvalues of the
// Gram matrices (forming included; relerr over the top 16).
func BenchmarkSpectralTopK(b *testing.B) {
	for _, spec := range spectralBenchSpectra {
		for _, sh := range spectralBenchShapes {
			D, d := sh[0], sh[1]
			prefix := fmt.Sprintf("%s/%dx%d/", spec, D, d)
			for _, kpq := range [][3]int{{8, 8, 2}, {8, 16, 2}, {8, 32, 2}, {16, 16, 2}, {16, 16, 3}, {16, 32, 2}} {
				k, p, q := kpq[0], kpq[1], kpq[2]
				b.Run(prefix+fmt.Sprintf("rsvd-k%d-p%d-q%d", k, p, q), func(b *testing.B) {
					c := spectralBenchOperator(spec, D, d)
					r := NewRandSVD[float32](k, 1)
					r.Oversample, r.PowerIters = p, q
					var res SVDResult[float32]
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := r.Compute(c.op, &res); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(c.topErr(res.Values, k, k), "relerr")
					b.ReportMetric(float64(res.Fallbacks), "fallbacks")
				})
			}
			b.Run(prefix+"dense-svd", func(b *testing.B) {
				c := spectralBenchOperator(spec, D, d)
				vals := make([]float64, spectralBenchBatch*d)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					c.jac.SingularValues(vals)
				}
			})
			b.Run(prefix+"dense-form+svd", func(b *testing.B) {
				c := spectralBenchOperator(spec, D, d)
				var jac Jacobians[float32]
				vals := make([]float64, spectralBenchBatch*d)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					jac.Form(c.op)
					jac.SingularValues(vals)
				}
			})
			b.Run(prefix+"gram-form+eig", func(b *testing.B) {
				c := spectralBenchOperator(spec, D, d)
				var jac Jacobians[float32]
				vals := make([]float64, spectralBenchBatch*d)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					jac.Form(c.op)
					jac.GramSingularValues(vals)
				}
				b.StopTimer()
				b.ReportMetric(c.topErr(vals, d, 16), "relerr")
			})
		}
	}
}

// BenchmarkSpectralSMin times LOBPCG's s_min (2 iterations as the reference
// code; to a relative residual of 1e-4 with block 1 (at most 1000
// iterations) and block 4 (at most 300)) and the Gram-eigenvalue path, to be
// compared with the dense SVD of BenchmarkSpectralTopK.
func BenchmarkSpectralSMin(b *testing.B) {
	for _, spec := range spectralBenchSpectra {
		for _, sh := range spectralBenchShapes {
			D, d := sh[0], sh[1]
			prefix := fmt.Sprintf("%s/%dx%d/", spec, D, d)
			for _, cfg := range []struct {
				name     string
				m, iters int
				tol      float64
			}{
				{"lobpcg-2it", 1, 2, 0},
				{"lobpcg-tol1e-4", 1, 1000, 1e-4},
				{"lobpcg-b4-tol1e-4", 4, 300, 1e-4},
			} {
				b.Run(prefix+cfg.name, func(b *testing.B) {
					c := spectralBenchOperator(spec, D, d)
					l := NewLOBPCG[float32](1)
					l.BlockSize, l.MaxIter, l.Tol = cfg.m, cfg.iters, cfg.tol
					var res SMinResult[float32]
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := l.Solve(c.op, nil, &res); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					var worst, iters, conv float64
					maxIt := 0
					for s := 0; s < spectralBenchBatch; s++ {
						maxIt = max(maxIt, res.Iters[s])
						want := c.sv[s][d-1]
						worst = math.Max(worst, math.Abs(res.Values[s*cfg.m]-want)/want)
						iters += float64(res.Iters[s])
						if res.Converged[s] {
							conv++
						}
					}
					b.ReportMetric(worst, "relerr")
					b.ReportMetric(iters/spectralBenchBatch, "iters")
					b.ReportMetric(conv/spectralBenchBatch, "conv")
					// Every call runs until its slowest operator stops.
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(max(maxIt, 1)), "ns/iter")
				})
			}
			b.Run(prefix+"gram-form+eig", func(b *testing.B) {
				c := spectralBenchOperator(spec, D, d)
				var jac Jacobians[float32]
				vals := make([]float64, spectralBenchBatch*d)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					jac.Form(c.op)
					jac.GramSingularValues(vals)
				}
				b.StopTimer()
				var worst float64
				for s := 0; s < spectralBenchBatch; s++ {
					want := c.sv[s][d-1]
					worst = math.Max(worst, math.Abs(vals[s*d+d-1]-want)/want)
				}
				b.ReportMetric(worst, "relerr")
			})
		}
	}
}
