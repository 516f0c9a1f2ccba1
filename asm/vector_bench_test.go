package asm

import (
	"fmt"
	"testing"
	"unsafe"
)

// The vector benchmarks run each kernel at n = 256 (L1-resident) and
// n = 4096, under every tier this machine supports:
//
//	go test -run '^$' -bench 'Sdot|Daxpy' -benchtime 200ms ./asm
//
// SetBytes counts every element read or written once, so MB/s is the
// memory traffic the kernel sustains.

var benchLengths = []int{256, 4096}

var (
	sinkS float32
	sinkD float64
)

// benchVector runs one kernel per length and tier. setup allocates the
// operands for length n and returns the loop body; words is the number of
// elements the body reads or writes per unit of n.
func benchVector[T Float](b *testing.B, words int, setup func(n int) func()) {
	orig := Tier()
	defer func() { _ = SetTier(orig) }()
	size := int64(words) * int64(unsafe.Sizeof(T(0)))
	for _, n := range benchLengths {
		body := setup(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for _, tier := range AvailableTiers() {
				if err := SetTier(tier); err != nil {
					b.Fatal(err)
				}
				b.Run(tier.String(), func(b *testing.B) {
					b.SetBytes(size * int64(n))
					b.ReportAllocs()
					for b.Loop() {
						body()
					}
				})
			}
		})
	}
}

// benchData returns k vectors of length n filled with values near 1, so
// repeated axpy or scal calls stay far from overflow and subnormals.
func benchData[T Float](n, k int) [][]T {
	vs := make([][]T, k)
	for j := range vs {
		vs[j] = make([]T, n)
		for i := range vs[j] {
			vs[j][i] = T(1 + float64((i*7+j)%13)/64)
		}
	}
	return vs
}

func BenchmarkSdot(b *testing.B) {
	benchVector[float32](b, 2, func(n int) func() {
		v := benchData[float32](n, 2)
		return func() { sinkS = Sdot(v[0], v[1]) }
	})
}

func BenchmarkDdot(b *testing.B) {
	benchVector[float64](b, 2, func(n int) func() {
		v := benchData[float64](n, 2)
		return func() { sinkD = Ddot(v[0], v[1]) }
	})
}

func BenchmarkSaxpy(b *testing.B) {
	benchVector[float32](b, 3, func(n int) func() {
		v := benchData[float32](n, 2)
		return func() { Saxpy(1e-7, v[0], v[1]) }
	})
}

func BenchmarkDaxpy(b *testing.B) {
	benchVector[float64](b, 3, func(n int) func() {
		v := benchData[float64](n, 2)
		return func() { Daxpy(1e-7, v[0], v[1]) }
	})
}

func BenchmarkSscal(b *testing.B) {
	benchVector[float32](b, 2, func(n int) func() {
		v := benchData[float32](n, 1)
		return func() { Sscal(1, v[0]) }
	})
}

func BenchmarkDscal(b *testing.B) {
	benchVector[float64](b, 2, func(n int) func() {
		v := benchData[float64](n, 1)
		return func() { Dscal(1, v[0]) }
	})
}

func BenchmarkSadd(b *testing.B) {
	benchVector[float32](b, 3, func(n int) func() {
		v := benchData[float32](n, 3)
		return func() { Sadd(v[2], v[0], v[1]) }
	})
}

func BenchmarkDadd(b *testing.B) {
	benchVector[float64](b, 3, func(n int) func() {
		v := benchData[float64](n, 3)
		return func() { Dadd(v[2], v[0], v[1]) }
	})
}

func BenchmarkSsub(b *testing.B) {
	benchVector[float32](b, 3, func(n int) func() {
		v := benchData[float32](n, 3)
		return func() { Ssub(v[2], v[0], v[1]) }
	})
}

func BenchmarkDsub(b *testing.B) {
	benchVector[float64](b, 3, func(n int) func() {
		v := benchData[float64](n, 3)
		return func() { Dsub(v[2], v[0], v[1]) }
	})
}

func BenchmarkSmul(b *testing.B) {
	benchVector[float32](b, 3, func(n int) func() {
		v := benchData[float32](n, 3)
		return func() { Smul(v[2], v[0], v[1]) }
	})
}

func BenchmarkDmul(b *testing.B) {
	benchVector[float64](b, 3, func(n int) func() {
		v := benchData[float64](n, 3)
		return func() { Dmul(v[2], v[0], v[1]) }
	})
}

func BenchmarkSsum(b *testing.B) {
	benchVector[float32](b, 1, func(n int) func() {
		v := benchData[float32](n, 1)
		return func() { sinkS = Ssum(v[0]) }
	})
}

func BenchmarkDsum(b *testing.B) {
	benchVector[float64](b, 1, func(n int) func() {
		v := benchData[float64](n, 1)
		return func() { sinkD = Dsum(v[0]) }
	})
}

func BenchmarkSmaxabs(b *testing.B) {
	benchVector[float32](b, 1, func(n int) func() {
		v := benchData[float32](n, 1)
		return func() { sinkS = Smaxabs(v[0]) }
	})
}

func BenchmarkDmaxabs(b *testing.B) {
	benchVector[float64](b, 1, func(n int) func() {
		v := benchData[float64](n, 1)
		return func() { sinkD = Dmaxabs(v[0]) }
	})
}
