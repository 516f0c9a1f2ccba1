package linalg_test

import (
	"fmt"
	"testing"

	"github.com/ebmcpu/ebmcpu/bench"
	"github.com/ebmcpu/ebmcpu/linalg"
)

// BenchmarkGemm runs every implementation on the shapes of bench.GemmShapes,
// float32 and float64, in one run so their ratios are comparable:
//
//	go test ./linalg -run '^$' -bench Gemm -count 5 | benchstat -col /impl -
func BenchmarkGemm(b *testing.B) {
	for _, prec := range []string{"f32", "f64"} {
		for _, s := range bench.GemmShapes {
			for _, impl := range bench.GemmImpls() {
				for _, w := range []int{1, 2} {
					if w == 2 && impl.Name == "gonum" {
						continue // gonum has no worker setting
					}
					b.Run(fmt.Sprintf("%s/%s/impl=%s/workers=%d", prec, s.Name, impl.Name, w), func(b *testing.B) {
						defer linalg.SetWorkers(linalg.Workers())
						impl.SetThreads(w)
						b.ReportAllocs()
						if prec == "f32" {
							a, lda, x, ldb, c := bench.Operands[float32](s)
							for b.Loop() {
								impl.Sgemm(s.TA, s.TB, s.M, s.N, s.K, 1, a, lda, x, ldb, 0, c, s.N)
							}
						} else {
							a, lda, x, ldb, c := bench.Operands[float64](s)
							for b.Loop() {
								impl.Dgemm(s.TA, s.TB, s.M, s.N, s.K, 1, a, lda, x, ldb, 0, c, s.N)
							}
						}
						b.ReportMetric(s.Flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					})
				}
			}
		}
	}
}
