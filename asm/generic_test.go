package asm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDispatchHelper(t *testing.T) {
	require.True(t, Is32[float32]())
	require.False(t, Is32[float64]())

	x32 := []float32{1, 2, 3}
	x64 := []float64{1, 2, 3}
	require.Same(t, &x32[0], &As32(x32)[0], "As32 returns the slice itself")
	require.Same(t, &x64[0], &As64(x64)[0], "As64 returns the slice itself")
	require.Equal(t, 3, cap(As32(x32[:1:3])))
	require.Nil(t, As32([]float32(nil)))
	require.Nil(t, As64([]float64(nil)))
	require.Panics(t, func() { As32(x64) })
	require.Panics(t, func() { As64(x32) })
}

// TestGenericMatchesKernels: every wrapper returns exactly what the S or D
// kernel of its instance returns, on every tier.
func TestGenericMatchesKernels(t *testing.T) {
	forEachTier(t, func(t *testing.T, _ SIMDTier) {
		rng := rand.New(rand.NewPCG(7, 11))
		const n, w, kc = 37, 8, 5
		fill32 := func(n int) []float32 { x := make([]float32, n); randomFill(rng, x); return x }
		fill64 := func(n int) []float64 { x := make([]float64, n); randomFill(rng, x); return x }
		a32, b32, c32 := fill32(n), fill32(n), fill32(4*n)
		a64, b64, c64 := fill64(n), fill64(n), fill64(4*n)

		require.Equal(t, Sdot(a32, b32), Dot(a32, b32))
		require.Equal(t, Ddot(a64, b64), Dot(a64, b64))
		require.Equal(t, Ssum(a32), Sum(a32))
		require.Equal(t, Dsum(a64), Sum(a64))
		require.Equal(t, Smaxabs(a32), MaxAbs(a32))
		require.Equal(t, Dmaxabs(a64), MaxAbs(a64))

		// In-place and dst-writing kernels: the wrapper on one copy, the
		// kernel on another.
		same32 := func(name string, wrapper, kernel func(dst []float32), dst []float32) {
			got, want := append([]float32(nil), dst...), append([]float32(nil), dst...)
			wrapper(got)
			kernel(want)
			require.Equal(t, want, got, name)
		}
		same64 := func(name string, wrapper, kernel func(dst []float64), dst []float64) {
			got, want := append([]float64(nil), dst...), append([]float64(nil), dst...)
			wrapper(got)
			kernel(want)
			require.Equal(t, want, got, name)
		}
		same32("Axpy", func(y []float32) { Axpy(0.3, a32, y) }, func(y []float32) { Saxpy(0.3, a32, y) }, b32)
		same64("Axpy", func(y []float64) { Axpy(0.3, a64, y) }, func(y []float64) { Daxpy(0.3, a64, y) }, b64)
		same32("Scal", func(x []float32) { Scal(-1.7, x) }, func(x []float32) { Sscal(-1.7, x) }, a32)
		same64("Scal", func(x []float64) { Scal(-1.7, x) }, func(x []float64) { Dscal(-1.7, x) }, a64)
		same32("Add", func(d []float32) { Add(d, a32, b32) }, func(d []float32) { Sadd(d, a32, b32) }, make([]float32, n))
		same64("Add", func(d []float64) { Add(d, a64, b64) }, func(d []float64) { Dadd(d, a64, b64) }, make([]float64, n))
		same32("Sub", func(d []float32) { Sub(d, a32, b32) }, func(d []float32) { Ssub(d, a32, b32) }, make([]float32, n))
		same64("Sub", func(d []float64) { Sub(d, a64, b64) }, func(d []float64) { Dsub(d, a64, b64) }, make([]float64, n))
		same32("Mul", func(d []float32) { Mul(d, a32, b32) }, func(d []float32) { Smul(d, a32, b32) }, make([]float32, n))
		same64("Mul", func(d []float64) { Mul(d, a64, b64) }, func(d []float64) { Dmul(d, a64, b64) }, make([]float64, n))
		same32("LinComb", func(d []float32) { LinComb(d, 0.5, a32[:3], c32, 40) }, func(d []float32) { SlinComb(d, 0.5, a32[:3], c32, 40) }, fill32(n))
		same64("LinComb", func(d []float64) { LinComb(d, 0.5, a64[:3], c64, 40) }, func(d []float64) { DlinComb(d, 0.5, a64[:3], c64, 40) }, fill64(n))
		same32("PackRuns", func(d []float32) { PackRuns(d, w, c32, 9, kc, 6, 2) }, func(d []float32) { SpackRuns(d, w, c32, 9, kc, 6, 2) }, make([]float32, w*kc))
		same64("PackRuns", func(d []float64) { PackRuns(d, w, c64, 9, kc, 6, 2) }, func(d []float64) { DpackRuns(d, w, c64, 9, kc, 6, 2) }, make([]float64, w*kc))
		same32("PackInterleave", func(d []float32) { PackInterleave(d, w, c32, 9, kc, 6, 2) }, func(d []float32) { SpackInterleave(d, w, c32, 9, kc, 6, 2) }, make([]float32, w*kc))
		same64("PackInterleave", func(d []float64) { PackInterleave(d, w, c64, 9, kc, 6, 2) }, func(d []float64) { DpackInterleave(d, w, c64, 9, kc, 6, 2) }, make([]float64, w*kc))

		sk, dk := SgemmKernel(), DgemmKernel()
		sp := &GemmPanel[float32]{K: kc, A: fill32(kc * sk.MR), RsA: 1, CsA: sk.MR, B: fill32(kc * sk.NR), Ldb: sk.NR, Ldc: sk.NR, M: sk.MR, Cols: sk.NR}
		same32("GemmKernelOf", func(c []float32) { sp.C = c; GemmKernelOf[float32]().Fn(sp) },
			func(c []float32) { sp.C = c; sk.Fn(sp) }, fill32(sk.MR*sk.NR))
		dp := &GemmPanel[float64]{K: kc, A: fill64(kc * dk.MR), RsA: 1, CsA: dk.MR, B: fill64(kc * dk.NR), Ldb: dk.NR, Ldc: dk.NR, M: dk.MR, Cols: dk.NR}
		same64("GemmKernelOf", func(c []float64) { dp.C = c; GemmKernelOf[float64]().Fn(dp) },
			func(c []float64) { dp.C = c; dk.Fn(dp) }, fill64(dk.MR*dk.NR))
	})
}

func TestFinite(t *testing.T) {
	for _, v := range []float64{0, -1e308, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		require.True(t, Finite(v), "%v", v)
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		require.False(t, Finite(v), "%v", v)
	}
	ok := []float32{1, -2, math.MaxFloat32}
	require.True(t, AllFinite(ok, nil, ok[:0]))
	require.True(t, AllFinite[float64]())
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
		x[6] = bad
		require.False(t, AllFinite(ok, x), "%v", bad)
		y := []float64{1, 2, float64(bad)}
		require.False(t, AllFinite(y), "%v", bad)
	}
}

// TestGenericNoAlloc: the dispatch helper and the wrappers built on it
// allocate nothing.
func TestGenericNoAlloc(t *testing.T) {
	x32, y32 := make([]float32, 64), make([]float32, 64)
	x64, y64 := make([]float64, 64), make([]float64, 64)
	var sink float64
	allocs := testing.AllocsPerRun(20, func() {
		if Is32[float32]() && !Is32[float64]() {
			sink += float64(As32(x32)[0]) + As64(x64)[0]
		}
		sink += float64(Dot(x32, y32)) + Dot(x64, y64)
		Axpy(1, x32, y32)
		Axpy(1, x64, y64)
		Add(y32, x32, y32)
		Sub(y64, x64, y64)
		sink += float64(MaxAbs(x32)) + MaxAbs(x64)
		if AllFinite(x32, y32) && AllFinite(x64, y64) {
			sink++
		}
		sink += float64(GemmKernelOf[float32]().MR + GemmKernelOf[float64]().MR)
	})
	require.Zero(t, allocs)
	require.NotZero(t, sink)
}
