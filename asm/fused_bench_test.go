package asm

import "testing"

// Benchmarks of the Adam and fused kernels, per tier, at the lengths of the
// vector benchmarks (benchVector in vector_bench_test.go):
//
//	go test -run '^$' -bench 'Sadam|Sfma|SmaskedDot|Derivs|AffineRows' -benchtime 200ms ./asm

func BenchmarkSadam(b *testing.B) {
	c := AdamCoef{Beta1: 0.9, Beta2: 0.999, StepSize: 1e-3, InvBc2: 30, Eps: 1e-8, Decay: 1}
	benchVector[float32](b, 7, func(n int) func() {
		v := benchData[float32](n, 4)
		return func() { Sadam(v[0], v[1], v[2], v[3], c) }
	})
}

func BenchmarkSfma(b *testing.B) {
	benchVector[float32](b, 4, func(n int) func() {
		v := benchData[float32](n, 4)
		return func() { Sfma(v[0], v[1], v[2], v[3]) }
	})
}

func BenchmarkSmaskedDot(b *testing.B) {
	benchVector[float32](b, 3, func(n int) func() {
		v := benchData[float32](n, 3)
		for i := range v[0] {
			v[0][i] -= 1.1 // about a tenth of the lanes positive
		}
		return func() { sinkS = SmaskedDot(v[0], v[1], v[2]) }
	})
}

func BenchmarkSleakyReLUBackwardDot(b *testing.B) {
	benchVector[float32](b, 4, func(n int) func() {
		v := benchData[float32](n, 4)
		for i := range v[1] {
			v[1][i] -= 1.1
		}
		return func() { sinkS = SleakyReLUBackwardDot(v[0], v[1], v[2], v[3], 0.25) }
	})
}

func BenchmarkSsiluDerivs(b *testing.B) {
	benchVector[float32](b, 5, func(n int) func() {
		v := benchData[float32](n, 4)
		return func() { SsiluDerivs(v[0], v[1], v[2], v[3], nil) }
	})
}

func BenchmarkSaffineRows(b *testing.B) {
	const cols = 100 // a hidden layer of the toy networks: 6 vectors and a tail per row
	benchVector[float32](b, 2, func(n int) func() {
		v := benchData[float32](n, 2)
		s := benchData[float32](cols, 2)
		rows := n / cols
		return func() { SaffineRows(v[0][:rows*cols], v[1][:rows*cols], cols, s[0], s[1]) }
	})
}
