package linalg

import (
	"unsafe"

	"github.com/ebmcpu/ebmcpu/asm"
)

// The blocked GEMM (the BLIS loop nest): for each nc-wide column panel of C,
// for each kc-deep slice of k, pack op(B) once; for each mc-tall row block,
// pack op(A) and run the micro-kernel over the mc×nc block. The packed B
// sliver (kc×NR) stays in L1 while A slivers stream from L2.

// blockSizes returns mc, kc and nc for the element size, tuned for this
// CPU's 48 KiB L1d and 2 MiB L2 (see BENCHMARKS.md).
func blockSizes[T asm.Float]() (mc, kc, nc int) {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return 240, 256, 4080
	}
	return 120, 256, 2040
}

// gemmBuffers holds one worker's packing buffers. They live in a free list
// that the garbage collector does not empty (unlike sync.Pool), so calls in
// steady state allocate nothing.
type gemmBuffers[T asm.Float] struct {
	packA, packB, tile []T
}

// freeList is a bounded stack of reusable values.
type freeList[V any] struct{ ch chan *V }

func newFreeList[V any]() freeList[V] { return freeList[V]{ch: make(chan *V, 16)} }

func (f freeList[V]) get() *V {
	select {
	case v := <-f.ch:
		return v
	default:
		return new(V)
	}
}

func (f freeList[V]) put(v *V) {
	select {
	case f.ch <- v:
	default: // full: let it go
	}
}

var (
	buffers32 = newFreeList[gemmBuffers[float32]]()
	buffers64 = newFreeList[gemmBuffers[float64]]()
)

// byType returns v32 or v64, whichever is T's instance of a generic value
// (a free list). The values are pointer-shaped, so nothing allocates.
func byType[T asm.Float, R any](v32, v64 any) R {
	if asm.Is32[T]() {
		return v32.(R)
	}
	return v64.(R)
}

func getBuffers[T asm.Float]() *gemmBuffers[T] {
	return byType[T, freeList[gemmBuffers[T]]](buffers32, buffers64).get()
}

func putBuffers[T asm.Float](b *gemmBuffers[T]) {
	byType[T, freeList[gemmBuffers[T]]](buffers32, buffers64).put(b)
}

func grow[T asm.Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// gemmArgs are the arguments of one GEMM (or one worker's share of it).
type gemmArgs[T asm.Float] struct {
	transA, transB bool
	m, n, k        int
	alpha          T
	a              []T
	lda            int
	b              []T
	ldb            int
	beta           T
	c              []T
	ldc            int
}

// blocked computes C = alpha·op(A)·op(B) + beta·C with packed panels.
func blocked[T asm.Float](g *gemmArgs[T], kern asm.GemmKernel[T], buf *gemmBuffers[T]) {
	scaleC(g.m, g.n, g.beta, g.c, g.ldc)
	mcMax, kcMax, ncMax := blockSizes[T]()
	mr, nr := kern.MR, kern.NR
	mcMax = mcMax / mr * mr
	ncMax = ncMax / nr * nr
	buf.tile = grow(buf.tile, mr*nr)
	for jc := 0; jc < g.n; jc += ncMax {
		nc := min(ncMax, g.n-jc)
		for pc := 0; pc < g.k; pc += kcMax {
			kc := min(kcMax, g.k-pc)
			buf.packB = grow(buf.packB, roundUp(nc, nr)*kc)
			packB(buf.packB, g.transB, g.b, g.ldb, pc, jc, kc, nc, nr)
			for ic := 0; ic < g.m; ic += mcMax {
				mc := min(mcMax, g.m-ic)
				buf.packA = grow(buf.packA, roundUp(mc, mr)*kc)
				packA(buf.packA, g.transA, g.a, g.lda, ic, pc, mc, kc, mr, g.alpha)
				macroKernel(kern, mc, nc, kc, buf, g.c[ic*g.ldc+jc:], g.ldc)
			}
		}
	}
}

// macroKernel runs the micro-kernel over an mc×nc block of C from packed
// panels. Edge tiles go through buf.tile so the kernel only sees full tiles.
func macroKernel[T asm.Float](kern asm.GemmKernel[T], mc, nc, kc int, buf *gemmBuffers[T], c []T, ldc int) {
	mr, nr := kern.MR, kern.NR
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		bs := buf.packB[jr*kc : jr*kc+nr*kc]
		for ir := 0; ir < mc; ir += mr {
			rows := min(mr, mc-ir)
			as := buf.packA[ir*kc : ir*kc+mr*kc]
			if rows == mr && cols == nr {
				kern.Fn(kc, as, bs, c[ir*ldc+jr:], ldc)
				continue
			}
			tile := buf.tile
			clear(tile)
			kern.Fn(kc, as, bs, tile, nr)
			for i := 0; i < rows; i++ {
				ci := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+cols]
				for j, v := range tile[i*nr : i*nr+cols] {
					ci[j] += v
				}
			}
		}
	}
}

// scaleC sets C = beta·C; beta = 0 overwrites (NaNs included).
func scaleC[T asm.Float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

func roundUp(n, m int) int { return (n + m - 1) / m * m }
