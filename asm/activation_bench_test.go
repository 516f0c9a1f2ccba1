package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The activation benchmarks run every kernel in every tier this machine
// has, at a size that lives in L1 (256) and one that streams from L2
// (65536), so tiers can be compared within one run:
//
//	go test -run NONE -bench 'Sexp|Ssigmoid|Ssilu|Ssoftplus|Stanh|SleakyReLU|MathExp' -benchtime 200ms ./asm
//
// SetBytes counts the bytes of x, so MB/s compares across kernels too.

var activationBenchSizes = []int{256, 65536}

// benchInput is typical pre-activation data: uniform in [-8, 8].
func benchInput(n int) []float32 {
	x := make([]float32, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = 16*rng.Float32() - 8
	}
	return x
}

// benchTiers runs fn as a sub-benchmark per tier and size, with the tier
// active, and restores the tier afterwards.
func benchTiers(b *testing.B, fn func(b *testing.B, n int)) {
	orig := Tier()
	defer func() { _ = SetTier(orig) }()
	for _, tier := range AvailableTiers() {
		for _, n := range activationBenchSizes {
			b.Run(fmt.Sprintf("%s/%d", tier, n), func(b *testing.B) {
				if err := SetTier(tier); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(4 * n))
				b.ReportAllocs()
				fn(b, n)
			})
		}
	}
}

func benchUnary(b *testing.B, f func(dst, x []float32)) {
	benchTiers(b, func(b *testing.B, n int) {
		x := benchInput(n)
		dst := make([]float32, n)
		for b.Loop() {
			f(dst, x)
		}
	})
}

func BenchmarkSexp(b *testing.B)      { benchUnary(b, Sexp) }
func BenchmarkSsigmoid(b *testing.B)  { benchUnary(b, Ssigmoid) }
func BenchmarkSsilu(b *testing.B)     { benchUnary(b, Ssilu) }
func BenchmarkSsoftplus(b *testing.B) { benchUnary(b, Ssoftplus) }
func BenchmarkStanh(b *testing.B)     { benchUnary(b, Stanh) }

func BenchmarkSleakyReLU(b *testing.B) {
	benchUnary(b, func(dst, x []float32) { SleakyReLU(dst, x, 0.01) })
}

func BenchmarkSleakyReLUBackward(b *testing.B) {
	benchTiers(b, func(b *testing.B, n int) {
		x := benchInput(n)
		dy := benchInput(n)
		dx := make([]float32, n)
		var s float32
		for b.Loop() {
			s += SleakyReLUBackward(dx, x, dy, 0.01)
		}
		_ = s
	})
}

// BenchmarkMathExp is the baseline the exp kernels replace: the standard
// library's float64 exp in a loop.
func BenchmarkMathExp(b *testing.B) {
	for _, n := range activationBenchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			x := benchInput(n)
			dst := make([]float32, n)
			b.SetBytes(int64(4 * n))
			b.ReportAllocs()
			for b.Loop() {
				for i, v := range x {
					dst[i] = float32(math.Exp(float64(v)))
				}
			}
		})
	}
}
