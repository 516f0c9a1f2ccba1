package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// vecOps holds the public vector kernels of one element type next to their
// twins, so every test below is written once and run for float32 and float64.
type vecOps[T Float] struct {
	eps float64 // unit roundoff of T

	dot, dotTwin       func(x, y []T) T
	axpy, axpyTwin     func(alpha T, x, y []T)
	scal, scalTwin     func(alpha T, x []T)
	add, addTwin       func(dst, a, b []T)
	sub, subTwin       func(dst, a, b []T)
	mul, mulTwin       func(dst, a, b []T)
	sum, sumTwin       func(x []T) T
	maxabs, maxabsTwin func(x []T) T
	dotInc             func(n int, x []T, incX int, y []T, incY int) T
	axpyInc            func(n int, alpha T, x []T, incX int, y []T, incY int)
}

var sOps = vecOps[float32]{
	eps: 0x1p-24,
	dot: Sdot, dotTwin: sdotGeneric,
	axpy: Saxpy, axpyTwin: saxpyGeneric,
	scal: Sscal, scalTwin: sscalGeneric,
	add: Sadd, addTwin: saddGeneric,
	sub: Ssub, subTwin: ssubGeneric,
	mul: Smul, mulTwin: smulGeneric,
	sum: Ssum, sumTwin: ssumGeneric,
	maxabs: Smaxabs, maxabsTwin: smaxabsGeneric,
	dotInc: SdotInc, axpyInc: SaxpyInc,
}

var dOps = vecOps[float64]{
	eps: 0x1p-53,
	dot: Ddot, dotTwin: ddotGeneric,
	axpy: Daxpy, axpyTwin: daxpyGeneric,
	scal: Dscal, scalTwin: dscalGeneric,
	add: Dadd, addTwin: daddGeneric,
	sub: Dsub, subTwin: dsubGeneric,
	mul: Dmul, mulTwin: dmulGeneric,
	sum: Dsum, sumTwin: dsumGeneric,
	maxabs: Dmaxabs, maxabsTwin: dmaxabsGeneric,
	dotInc: DdotInc, axpyInc: DaxpyInc,
}

// forBothTypes runs a test body for float32 and float64 under every tier.
func forBothTypes(t *testing.T, f32 func(*testing.T, vecOps[float32]), f64 func(*testing.T, vecOps[float64])) {
	t.Run("float32", func(t *testing.T) {
		forEachTier(t, func(t *testing.T, _ SIMDTier) { f32(t, sOps) })
	})
	t.Run("float64", func(t *testing.T) {
		forEachTier(t, func(t *testing.T, _ SIMDTier) { f64(t, dOps) })
	})
}

// same reports whether got and want are the same value, NaN matching NaN.
func same[T Float](got, want T) bool { return got == want || (got != got && want != want) }

func sameSlice[T Float](t *testing.T, what string, n, off int, got, want []T) {
	t.Helper()
	for i := range want {
		if !same(got[i], want[i]) {
			t.Fatalf("%s n=%d off=%d: [%d] = %v, want %v", what, n, off, i, got[i], want[i])
		}
	}
}

// sumTol is the tolerance, relative to Σ|terms|, for two sums of n terms in
// different orders: each is within about n·eps·Σ|terms| of the exact sum.
func sumTol(n int, eps float64) float64 { return 2 * float64(n+1) * eps }

func testDot[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengthsAndOffsets(func(n, off int) {
		x := newGuarded[T](n, off, 7)
		y := newGuarded[T](n, (off+1)%4, 9)
		randomFill(rng, x.view())
		randomFill(rng, y.view())
		x0 := append([]T(nil), x.view()...)
		y0 := append([]T(nil), y.view()...)
		got, want := o.dot(x.view(), y.view()), o.dotTwin(x0, y0)
		var scale float64
		for i := range x0 {
			scale += math.Abs(float64(x0[i]) * float64(y0[i]))
		}
		if !closeTo(float64(got), float64(want), sumTol(n, o.eps), scale) {
			t.Fatalf("n=%d off=%d: dot = %v, want %v (Σ|x·y| = %v)", n, off, got, want, scale)
		}
		x.check(t, "dot x")
		y.check(t, "dot y")
		sameSlice(t, "dot left x", n, off, x.view(), x0)
		sameSlice(t, "dot left y", n, off, y.view(), y0)
	})
}

func TestDotMatchesTwin(t *testing.T) { forBothTypes(t, testDot[float32], testDot[float64]) }

func testSum[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(3, 4))
	lengthsAndOffsets(func(n, off int) {
		x := newGuarded[T](n, off, 7)
		randomFill(rng, x.view())
		x0 := append([]T(nil), x.view()...)
		got, want := o.sum(x.view()), o.sumTwin(x0)
		var scale float64
		for _, v := range x0 {
			scale += math.Abs(float64(v))
		}
		if !closeTo(float64(got), float64(want), sumTol(n, o.eps), scale) {
			t.Fatalf("n=%d off=%d: sum = %v, want %v (Σ|x| = %v)", n, off, got, want, scale)
		}
		x.check(t, "sum x")
		sameSlice(t, "sum left x", n, off, x.view(), x0)
	})
}

func TestSumMatchesTwin(t *testing.T) { forBothTypes(t, testSum[float32], testSum[float64]) }

// testReductionsExactOnIntegers uses small integers, whose products and sums
// are exact in any order: a dropped, repeated or misplaced element shows as
// an exact mismatch, however small it is next to the tolerance above.
func testReductionsExactOnIntegers[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(5, 6))
	lengthsAndOffsets(func(n, off int) {
		x := newGuarded[T](n, off, 7)
		y := newGuarded[T](n, 3-off, 9)
		for i := range x.view() {
			x.view()[i] = T(rng.IntN(17) - 8)
			y.view()[i] = T(rng.IntN(17) - 8)
		}
		if got, want := o.dot(x.view(), y.view()), o.dotTwin(x.view(), y.view()); got != want {
			t.Fatalf("n=%d off=%d: dot = %v, want %v", n, off, got, want)
		}
		if got, want := o.sum(x.view()), o.sumTwin(x.view()); got != want {
			t.Fatalf("n=%d off=%d: sum = %v, want %v", n, off, got, want)
		}
	})
}

func TestReductionsExactOnIntegers(t *testing.T) {
	forBothTypes(t, testReductionsExactOnIntegers[float32], testReductionsExactOnIntegers[float64])
}

func testMaxabs[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(7, 8))
	if got := o.maxabs(nil); got != 0 || math.Signbit(float64(got)) {
		t.Fatalf("maxabs(empty) = %v, want 0", got)
	}
	lengthsAndOffsets(func(n, off int) {
		x := newGuarded[T](n, off, 1e30) // a guard that was read would win
		randomFill(rng, x.view())
		if n > 0 && rng.IntN(2) == 0 {
			// Put the maximum at a random place, sometimes negative.
			x.view()[rng.IntN(n)] = T(-3 + 6*float64(rng.IntN(2)))
		}
		x0 := append([]T(nil), x.view()...)
		if got, want := o.maxabs(x.view()), o.maxabsTwin(x0); got != want {
			t.Fatalf("n=%d off=%d: maxabs = %v, want %v", n, off, got, want)
		}
		x.check(t, "maxabs x")
		sameSlice(t, "maxabs left x", n, off, x.view(), x0)
	})
}

func TestMaxabsMatchesTwin(t *testing.T) { forBothTypes(t, testMaxabs[float32], testMaxabs[float64]) }

func testAxpy[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(9, 10))
	const alpha = 1.5
	lengthsAndOffsets(func(n, off int) {
		x := newGuarded[T](n, off, 7)
		y := newGuarded[T](n, (off+1)%4, 9)
		randomFill(rng, x.view())
		randomFill(rng, y.view())
		x0 := append([]T(nil), x.view()...)
		want := append([]T(nil), y.view()...)
		o.axpyTwin(alpha, x0, want)
		o.axpy(alpha, x.view(), y.view())
		x.check(t, "axpy x")
		y.check(t, "axpy y")
		sameSlice(t, "axpy left x", n, off, x.view(), x0)
		for i, v := range y.view() {
			// A fused multiply-add rounds once, the twin may round twice.
			scale := math.Abs(alpha*float64(x0[i])) + math.Abs(float64(want[i]))
			if !closeTo(float64(v), float64(want[i]), 2*o.eps, scale) {
				t.Fatalf("n=%d off=%d: y[%d] = %v, want %v", n, off, i, v, want[i])
			}
		}
	})
}

func TestAxpyMatchesTwin(t *testing.T) { forBothTypes(t, testAxpy[float32], testAxpy[float64]) }

func testScal[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(11, 12))
	lengthsAndOffsets(func(n, off int) {
		x := newGuarded[T](n, off, 7)
		randomFill(rng, x.view())
		alpha := T(4*rng.Float64() - 2)
		want := append([]T(nil), x.view()...)
		o.scalTwin(alpha, want)
		o.scal(alpha, x.view())
		x.check(t, "scal x")
		sameSlice(t, "scal", n, off, x.view(), want)
	})
}

func TestScalMatchesTwin(t *testing.T) { forBothTypes(t, testScal[float32], testScal[float64]) }

// A binaryKernel is a dst = a ∘ b kernel with its twin.
type binaryKernel[T Float] struct {
	name     string
	fn, twin func(dst, a, b []T)
}

func binaryKernels[T Float](o vecOps[T]) []binaryKernel[T] {
	return []binaryKernel[T]{
		{"add", o.add, o.addTwin},
		{"sub", o.sub, o.subTwin},
		{"mul", o.mul, o.mulTwin},
	}
}

func testBinary[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, kn := range binaryKernels(o) {
		lengthsAndOffsets(func(n, off int) {
			dst := newGuarded[T](n, off, 5)
			a := newGuarded[T](n, (off+1)%4, 7)
			b := newGuarded[T](n, (off+2)%4, 9)
			randomFill(rng, a.view())
			randomFill(rng, b.view())
			a0 := append([]T(nil), a.view()...)
			b0 := append([]T(nil), b.view()...)
			want := make([]T, n)
			kn.twin(want, a0, b0)
			kn.fn(dst.view(), a.view(), b.view())
			dst.check(t, kn.name+" dst")
			a.check(t, kn.name+" a")
			b.check(t, kn.name+" b")
			sameSlice(t, kn.name, n, off, dst.view(), want)
			sameSlice(t, kn.name+" left a", n, off, a.view(), a0)
			sameSlice(t, kn.name+" left b", n, off, b.view(), b0)

			// dst aliasing a, b, or both.
			for _, alias := range []string{"dst=a", "dst=b", "dst=a=b"} {
				a := newGuarded[T](n, off, 7)
				b := newGuarded[T](n, (off+1)%4, 9)
				copy(a.view(), a0)
				copy(b.view(), b0)
				var d []T
				switch alias {
				case "dst=a":
					d = a.view()
					kn.fn(d, d, b.view())
					kn.twin(want, a0, b0)
				case "dst=b":
					d = b.view()
					kn.fn(d, a.view(), d)
					kn.twin(want, a0, b0)
				default:
					d = a.view()
					kn.fn(d, d, d)
					kn.twin(want, a0, a0)
				}
				a.check(t, kn.name+" "+alias+" a")
				b.check(t, kn.name+" "+alias+" b")
				sameSlice(t, kn.name+" "+alias, n, off, d, want)
			}
		})
	}
}

func TestBinaryMatchTwin(t *testing.T) { forBothTypes(t, testBinary[float32], testBinary[float64]) }

// specialLengths cross every unroll boundary of both tiers and types
// (vectors of 4, 8 and 16 lanes, 4 registers per iteration).
var specialLengths = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129}

func testSpecials[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(15, 16))
	inf := T(math.Inf(1))
	nan, negNaN := T(math.NaN()), -T(math.NaN())
	for _, n := range specialLengths {
		x := make([]T, n)
		y := make([]T, n)
		for p := 0; p < n; p++ {
			for _, s := range []T{nan, negNaN, inf, -inf} {
				randomFill(rng, x)
				randomFill(rng, y)
				y[p] = 1.5 // so that Inf·y[p] is Inf
				x[p] = s
				isNaN := s != s
				check := func(what string, got, want T) {
					t.Helper()
					if !same(got, want) || (isNaN && got == got) {
						t.Fatalf("n=%d, %v at %d: %s = %v, want %v", n, s, p, what, got, want)
					}
				}

				// Reductions: the special value must win, in either operand.
				check("dot(x, y)", o.dot(x, y), o.dotTwin(x, y))
				check("dot(y, x)", o.dot(y, x), o.dotTwin(y, x))
				check("sum", o.sum(x), o.sumTwin(x))
				check("maxabs", o.maxabs(x), o.maxabsTwin(x))
				if !isNaN && o.maxabs(x) != inf {
					t.Fatalf("n=%d: maxabs with %v at %d = %v", n, s, p, o.maxabs(x))
				}

				// Element-wise kernels: the special value lands in its lane only.
				elem := func(what string, got, want []T) {
					t.Helper()
					for i := range want {
						if !same(got[i], want[i]) || (isNaN && i == p && got[i] == got[i]) {
							t.Fatalf("n=%d, %v at %d: %s[%d] = %v, want %v", n, s, p, what, i, got[i], want[i])
						}
					}
				}
				got, want := make([]T, n), make([]T, n)
				for _, kn := range binaryKernels(o) {
					kn.fn(got, x, y)
					kn.twin(want, x, y)
					elem(kn.name+"(x, y)", got, want)
					kn.fn(got, y, x)
					kn.twin(want, y, x)
					elem(kn.name+"(y, x)", got, want)
				}
				copy(got, x)
				copy(want, x)
				o.scal(0.5, got)
				o.scalTwin(0.5, want)
				elem("scal", got, want)
				// Integers elsewhere keep axpy exact, so the fused multiply-add
				// and the twin agree bit for bit.
				for i := range y {
					y[i] = T(rng.IntN(9) - 4)
					if i != p {
						x[i] = T(rng.IntN(9) - 4)
					}
				}
				copy(got, y)
				copy(want, y)
				o.axpy(2, x, got)
				o.axpyTwin(2, x, want)
				elem("axpy", got, want)
			}
		}
	}
}

func TestNaNAndInfPropagate(t *testing.T) {
	forBothTypes(t, testSpecials[float32], testSpecials[float64])
}

// testStrided checks the strided wrappers against the twins on gathered
// copies, and that axpy leaves the elements between strides alone.
func testStrided[T Float](t *testing.T, o vecOps[T]) {
	rng := rand.New(rand.NewPCG(17, 18))
	const alpha = -0.75
	for incX := 1; incX <= 3; incX++ {
		for incY := 1; incY <= 3; incY++ {
			for n := 0; n <= 100; n++ {
				lx, ly := max((n-1)*incX+1, 0), max((n-1)*incY+1, 0)
				x := newGuarded[T](lx, n%4, 7)
				y := newGuarded[T](ly, (n+1)%4, 9)
				randomFill(rng, x.view())
				randomFill(rng, y.view())
				xs, ys := make([]T, n), make([]T, n)
				var scale float64
				for i := range xs {
					xs[i], ys[i] = x.view()[i*incX], y.view()[i*incY]
					scale += math.Abs(float64(xs[i]) * float64(ys[i]))
				}
				what := fmt.Sprintf("n=%d incX=%d incY=%d", n, incX, incY)

				got, want := o.dotInc(n, x.view(), incX, y.view(), incY), o.dotTwin(xs, ys)
				if !closeTo(float64(got), float64(want), sumTol(n, o.eps), scale) {
					t.Fatalf("%s: dotInc = %v, want %v", what, got, want)
				}

				wantY := append([]T(nil), y.view()...)
				o.axpyTwin(alpha, xs, ys)
				for i, v := range ys {
					wantY[i*incY] = v
				}
				o.axpyInc(n, alpha, x.view(), incX, y.view(), incY)
				x.check(t, what+" axpyInc x")
				y.check(t, what+" axpyInc y")
				for i, v := range y.view() {
					if i%incY != 0 {
						if v != wantY[i] {
							t.Fatalf("%s: axpyInc changed y[%d] between strides", what, i)
						}
						continue
					}
					scale := math.Abs(alpha*float64(xs[i/incY])) + math.Abs(float64(wantY[i]))
					if !closeTo(float64(v), float64(wantY[i]), 2*o.eps, scale) {
						t.Fatalf("%s: axpyInc y[%d] = %v, want %v", what, i, v, wantY[i])
					}
				}
			}
		}
	}
}

func TestStridedMatchTwin(t *testing.T) { forBothTypes(t, testStrided[float32], testStrided[float64]) }

func testNoAllocs[T Float](t *testing.T, o vecOps[T]) {
	const n = 100
	x, y, z := make([]T, n), make([]T, n), make([]T, n)
	for name, f := range map[string]func(){
		"dot":     func() { o.dot(x, y) },
		"axpy":    func() { o.axpy(1, x, y) },
		"scal":    func() { o.scal(1, x) },
		"add":     func() { o.add(z, x, y) },
		"sub":     func() { o.sub(z, x, y) },
		"mul":     func() { o.mul(z, x, y) },
		"sum":     func() { o.sum(x) },
		"maxabs":  func() { o.maxabs(x) },
		"dotInc":  func() { o.dotInc(n/2, x, 2, y, 2) },
		"axpyInc": func() { o.axpyInc(n/2, 1, x, 2, y, 2) },
	} {
		if a := testing.AllocsPerRun(10, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}

func TestVectorKernelsDoNotAllocate(t *testing.T) {
	forBothTypes(t, testNoAllocs[float32], testNoAllocs[float64])
}
