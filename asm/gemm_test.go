package asm

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// gemmDepths are the k values every kernel is checked at: every remainder of
// every unroll factor, plus long runs through the unrolled loop.
func gemmDepths() []int {
	ks := make([]int, 0, 74)
	for kk := 0; kk <= 70; kk++ {
		ks = append(ks, kk)
	}
	return append(ks, 256, 300, 513)
}

// machineEps is the unit roundoff of T.
func machineEps[T Float]() float64 {
	if Is32[T]() {
		return 0x1p-24
	}
	return 0x1p-53
}

// gemmTile is one kernel call's operands: a and b with NaN in the memory
// just outside them (a kernel that reads past either end poisons C), and c
// inside a buffer whose every element outside the MR×NR tile holds mark.
type gemmTile[T Float] struct {
	mr, nr, kk, ldc int
	a, b            []T
	cbuf            []T
	clo             int // index of c[0] in cbuf
	mark            T
}

func newGemmTile[T Float](rng *rand.Rand, mr, nr, kk, ldc, off int) *gemmTile[T] {
	nan := T(math.NaN())
	a := newGuarded[T](kk*mr, off, nan)
	b := newGuarded[T](kk*nr, (off+1)%4, nan)
	randomFill(rng, a.view())
	randomFill(rng, b.view())
	g := &gemmTile[T]{mr: mr, nr: nr, kk: kk, ldc: ldc, a: a.view(), b: b.view(), mark: 7.25}
	// A guard row above and below the tile, and columns nr..ldc-1 between.
	g.clo = ldc + off
	g.cbuf = make([]T, g.clo+(mr+1)*ldc+guardLen)
	for i := range g.cbuf {
		g.cbuf[i] = g.mark
	}
	for i := 0; i < mr; i++ {
		randomFill(rng, g.row(i))
	}
	return g
}

// c is the slice the kernel gets: exactly (mr-1)·ldc+nr elements.
func (g *gemmTile[T]) c() []T {
	n := (g.mr-1)*g.ldc + g.nr
	return g.cbuf[g.clo : g.clo+n : g.clo+n]
}

func (g *gemmTile[T]) row(i int) []T { return g.c()[i*g.ldc : i*g.ldc+g.nr] }

func (g *gemmTile[T]) inTile(idx int) bool {
	idx -= g.clo
	return idx >= 0 && idx < g.mr*g.ldc && idx%g.ldc < g.nr
}

// check compares the tile with want (the twin applied to a copy of the
// original c) and fails if anything outside the tile changed. scale[i] is
// |c| + Σ|a·b| for tile element i, the size of the rounding error bound.
func (g *gemmTile[T]) check(t *testing.T, want []T, scale []float64, tier SIMDTier) {
	t.Helper()
	eps := machineEps[T]()
	for idx, v := range g.cbuf {
		if !g.inTile(idx) {
			if v != g.mark {
				t.Fatalf("%s %d×%d k=%d ldc=%d: wrote outside the tile at offset %d", tier, g.mr, g.nr, g.kk, g.ldc, idx-g.clo)
			}
			continue
		}
		i := idx - g.clo
		// Both sums carry at most (k+1) roundings of size eps·scale.
		tol := 2 * float64(g.kk+2) * eps
		if !closeTo(float64(v), float64(want[i]), tol, scale[i]) {
			t.Fatalf("%s %d×%d k=%d ldc=%d: c[%d,%d] = %v, want %v",
				tier, g.mr, g.nr, g.kk, g.ldc, i/g.ldc, i%g.ldc, v, want[i])
		}
	}
}

// twin runs gemmKernelGeneric on a copy of the tile and returns it with the
// error scale of every element.
func (g *gemmTile[T]) twin() (want []T, scale []float64) {
	want = append([]T(nil), g.c()...)
	gemmKernelGeneric(g.mr, g.nr, g.kk, g.a, g.b, want, g.ldc)
	scale = make([]float64, len(want))
	for i := 0; i < g.mr; i++ {
		for j := 0; j < g.nr; j++ {
			s := math.Abs(float64(g.c()[i*g.ldc+j]))
			for p := 0; p < g.kk; p++ {
				s += math.Abs(float64(g.a[p*g.mr+i]) * float64(g.b[p*g.nr+j]))
			}
			scale[i*g.ldc+j] = s
		}
	}
	return want, scale
}

func testGemmKernelMatchesTwin[T float32 | float64](t *testing.T, tier SIMDTier, kern GemmKernel[T]) {
	rng := rand.New(rand.NewPCG(3, uint64(tier)))
	mr, nr := kern.MR, kern.NR
	for _, kk := range gemmDepths() {
		for _, ldc := range []int{nr, nr + 3, 2*nr + 1} {
			g := newGemmTile[T](rng, mr, nr, kk, ldc, kk%4)
			want, scale := g.twin()
			kern.Fn(kk, g.a, g.b, g.c(), ldc)
			g.check(t, want, scale, tier)
		}
	}
}

func TestGemmKernelMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		t.Run("float32", func(t *testing.T) { testGemmKernelMatchesTwin(t, tier, SgemmKernel()) })
		t.Run("float64", func(t *testing.T) { testGemmKernelMatchesTwin(t, tier, DgemmKernel()) })
	})
}

func testGemmKernelNaNInf[T float32 | float64](t *testing.T, tier SIMDTier, kern GemmKernel[T]) {
	rng := rand.New(rand.NewPCG(5, uint64(tier)))
	mr, nr := kern.MR, kern.NR
	for _, kk := range []int{1, 3, 4, 5, 17, 64} {
		g := newGemmTile[T](rng, mr, nr, kk, nr+1, 0)
		ni, ip := rng.IntN(mr), rng.IntN(kk)
		nj, jp := rng.IntN(nr), rng.IntN(kk)
		g.a[ip*mr+ni] = T(math.NaN())             // row ni becomes NaN
		g.b[jp*nr+nj] = T(math.Inf(1))            // column nj becomes ±Inf (NaN where a is 0)
		g.row((ni + 1) % mr)[0] = T(math.Inf(-1)) // an infinite C entry
		want, scale := g.twin()
		kern.Fn(kk, g.a, g.b, g.c(), nr+1)
		g.check(t, want, scale, tier)
		for j, v := range g.row(ni) {
			if !math.IsNaN(float64(v)) {
				t.Fatalf("%s k=%d: c[%d,%d] = %v, want NaN from A", tier, kk, ni, j, v)
			}
		}
		infs := 0
		for i := 0; i < mr; i++ {
			if math.IsInf(float64(g.row(i)[nj]), 0) {
				infs++
			}
		}
		if mr > 2 && infs == 0 {
			t.Fatalf("%s k=%d: column %d has no infinity from B", tier, kk, nj)
		}
	}
}

func TestGemmKernelPropagatesNaNAndInf(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		t.Run("float32", func(t *testing.T) { testGemmKernelNaNInf(t, tier, SgemmKernel()) })
		t.Run("float64", func(t *testing.T) { testGemmKernelNaNInf(t, tier, DgemmKernel()) })
	})
}

// A sum of signed zeros is -0 only if every term is -0; the kernels must
// agree with the twin on that, and k = 0 must leave C bit-for-bit alone.
func testGemmKernelSignedZeros[T float32 | float64](t *testing.T, tier SIMDTier, kern GemmKernel[T]) {
	rng := rand.New(rand.NewPCG(7, uint64(tier)))
	mr, nr := kern.MR, kern.NR
	negZero := T(math.Copysign(0, -1))
	for _, kk := range []int{0, 1, 2, 5, 8} {
		g := newGemmTile[T](rng, mr, nr, kk, nr, 0)
		for i := range g.a {
			g.a[i] = 0
		}
		for i := range g.b {
			g.b[i] = T(1 - 2*rng.IntN(2)) // ±1: products are ±0
		}
		// Whole columns of -1 in B make their products all -0.
		for j := 0; j < nr; j += 3 {
			for p := 0; p < kk; p++ {
				g.b[p*nr+j] = -1
			}
		}
		for i := 0; i < mr; i++ {
			for j := range g.row(i) {
				g.row(i)[j] = 0
				if rng.IntN(2) == 0 {
					g.row(i)[j] = negZero
				}
			}
		}
		want, _ := g.twin()
		kern.Fn(kk, g.a, g.b, g.c(), nr)
		for i, v := range g.c() {
			if math.Signbit(float64(v)) != math.Signbit(float64(want[i])) || v != 0 {
				t.Fatalf("%s k=%d: c[%d] = %v, want %v", tier, kk, i, v, want[i])
			}
		}
	}
}

func TestGemmKernelSignedZeros(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		t.Run("float32", func(t *testing.T) { testGemmKernelSignedZeros(t, tier, SgemmKernel()) })
		t.Run("float64", func(t *testing.T) { testGemmKernelSignedZeros(t, tier, DgemmKernel()) })
	})
}

// The kernels must refuse slices too short for the tile rather
// than read or write past them.
func testGemmKernelRejectsShortSlices[T float32 | float64](t *testing.T, tier SIMDTier, kern GemmKernel[T]) {
	mr, nr, kk := kern.MR, kern.NR, 5
	ok := func() (a, b, c []T, ldc int) {
		return make([]T, kk*mr), make([]T, kk*nr), make([]T, (mr-1)*(nr+2)+nr), nr + 2
	}
	for name, call := range map[string]func(){
		"short a": func() { a, b, c, ldc := ok(); kern.Fn(kk, a[:kk*mr-1], b, c, ldc) },
		"short b": func() { a, b, c, ldc := ok(); kern.Fn(kk, a, b[:kk*nr-1], c, ldc) },
		"short c": func() { a, b, c, ldc := ok(); kern.Fn(kk, a, b, c[:len(c)-1], ldc) },
		"ldc<NR":  func() { a, b, c, _ := ok(); kern.Fn(kk, a, b, c, nr-1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: %s did not panic", tier, name)
				}
			}()
			call()
		}()
	}
	a, b, c, ldc := ok()
	kern.Fn(kk, a, b, c, ldc) // and exactly long enough is fine
}

func TestGemmKernelRejectsShortSlices(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		t.Run("float32", func(t *testing.T) { testGemmKernelRejectsShortSlices(t, tier, SgemmKernel()) })
		t.Run("float64", func(t *testing.T) { testGemmKernelRejectsShortSlices(t, tier, DgemmKernel()) })
	})
}

func TestGemmKernelDoesNotAllocate(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		s, d := SgemmKernel(), DgemmKernel()
		sa, sb, sc := make([]float32, 64*s.MR), make([]float32, 64*s.NR), make([]float32, s.MR*s.NR)
		da, db, dc := make([]float64, 64*d.MR), make([]float64, 64*d.NR), make([]float64, d.MR*d.NR)
		if n := testing.AllocsPerRun(20, func() {
			s.Fn(64, sa, sb, sc, s.NR)
			d.Fn(64, da, db, dc, d.NR)
		}); n != 0 {
			t.Errorf("%s: %v allocations per call", tier, n)
		}
	})
}

func TestPeakLoopCountsFlops(t *testing.T) {
	// The documented flops per iteration of each tier's loop.
	per := map[SIMDTier][2]int64{Generic: {48, 48}, AVX2: {384, 192}, AVX512: {768, 384}}
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		if PeakLoopF32(0) != 0 || PeakLoopF64(-3) != 0 {
			t.Error("a loop of no iterations reported flops")
		}
		if got, want := PeakLoopF32(1000), 1000*per[tier][0]; got != want {
			t.Errorf("PeakLoopF32(1000) = %d flops, want %d", got, want)
		}
		if got, want := PeakLoopF64(1000), 1000*per[tier][1]; got != want {
			t.Errorf("PeakLoopF64(1000) = %d flops, want %d", got, want)
		}
	})
}

// Each tier's peak loops are that tier's code, so the probe cannot run an
// instruction the CPU lacks.
func TestPeakLoopsBelongToTheirTier(t *testing.T) {
	for tier, tab := range tables {
		if tab == nil {
			continue // a tier this build has no kernels for
		}
		for _, p := range []peakLoop{tab.peakF32, tab.peakF64} {
			if kt := kernelTier(t, reflect.ValueOf(p.run)); kt != SIMDTier(tier) {
				t.Errorf("tier %s runs the %s peak loop", SIMDTier(tier), kt)
			}
		}
	}
}
