package linalg

import (
	"unsafe"

	"github.com/ebmcpu/ebmcpu/asm"
)

// The blocked GEMM (the BLIS loop nest): for each nc-wide column panel of C,
// for each kc-deep slice of k, pack op(B) once; for each mc-tall row block,
// pack op(A) and run the micro-kernel over the mc×nc block, one call per
// NR-wide column sliver. The packed B sliver (kc×NR) stays in L1 while A
// streams from L2.
//
// Small operands are not packed: the kernel reads A through strides, so a
// row-major or column-major A that fits in L2 is read where it is (only a
// last tile of fewer than MR rows is copied, padded), and a B whose rows
// run along n is read in place when its slivers fit in L1. This saves the
// copies that dominate small products (the toy networks' 200×100×100)
// without changing a bit: the kernel computes the same sums from either
// layout.

// blockSizes returns mc, kc and nc for the element size, tuned for this
// CPU's 48 KiB L1d and 2 MiB L2 (see BENCHMARKS.md).
func blockSizes[T asm.Float]() (mc, kc, nc int) {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return 240, 256, 4080
	}
	return 120, 256, 2040
}

// gemmBuffers holds one worker's packing buffers and its kernel call.
// They live in a free list that the garbage collector does not empty
// (unlike sync.Pool), so calls in steady state allocate nothing.
type gemmBuffers[T asm.Float] struct {
	packA, packB, edgeA, edgeB, tile []T
	panel                            asm.GemmPanel[T]
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
// bias, if not nil, is added to column j of the rows i < biasRows.
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
	bias           []T
	biasRows       int
}

// Operands up to these sizes are read in place (see the top of the file):
// A when all of it fits in half of this CPU's 512 KiB L2, B when a kc×NR
// sliver of it, at most two cache lines a row, fits in half of the 32 KiB
// L1 and its rows do not fall into a few cache sets (a row stride that is
// a multiple of 4 KiB maps every row to the same set). (Reading a deeper B
// in place when C has few rows, where a packed sliver is read only a few
// times, measured slower on the convolutions' products.)
//
// A transposed A is read one cache line per k at a stride of lda, so a
// stride that is a multiple of 1 KiB (at most 4 of L1's 64 sets) is packed
// instead: on two workers, mlpTN_512x512x256 (whose 256-row halves fit in
// place) took 1.30 ms read in place and 0.91–1.16 ms packed (`go test
// ./linalg -run '^$' -bench 'Gemm/f32/mlpTN.*/impl=ours'`).
const (
	inPlaceMaxA     = 256 << 10
	inPlaceMaxBRows = 128
)

// inPlace says how blocked reads A and B.
func inPlace[T asm.Float](g *gemmArgs[T]) (a, b bool) {
	var z T
	es := int(unsafe.Sizeof(z))
	a = g.alpha == 1 && g.m*g.k*es <= inPlaceMaxA && !(g.transA && (g.lda*es)%1024 == 0)
	b = !g.transB && min(g.k, kcOf[T]()) <= inPlaceMaxBRows && (g.ldb*es)%4096 != 0
	return a, b
}

func kcOf[T asm.Float]() int {
	_, kc, _ := blockSizes[T]()
	return kc
}

// blocked computes C = alpha·op(A)·op(B) + beta·C (+ bias). Each element of
// C is the kernel's sum over each kc-deep slice of k in turn, added to C:
// the first slice overwrites C when beta is 0 (no pass to clear it), the
// bias comes after the last. Row blocks never straddle row biasRows, so a
// block has the bias or not.
func blocked[T asm.Float](g *gemmArgs[T], kern asm.GemmKernel[T], buf *gemmBuffers[T]) {
	if g.beta != 0 {
		scaleC(g.m, g.n, g.beta, g.c, g.ldc)
	}
	mcMax, kcMax, ncMax := blockSizes[T]()
	mr, nr := kern.MR, kern.NR
	mcMax = mcMax / mr * mr
	ncMax = ncMax / nr * nr
	inA, inB := inPlace(g)
	for jc := 0; jc < g.n; jc += ncMax {
		nc := min(ncMax, g.n-jc)
		for pc := 0; pc < g.k; pc += kcMax {
			kc := min(kcMax, g.k-pc)
			var flags asm.GemmFlags
			if pc == 0 && g.beta == 0 {
				flags = asm.GemmOverwrite
			}
			if inB {
				// Only the last, narrower sliver is copied: the kernel reads
				// NR elements of every row, past the end of B there.
				if w := nc % nr; w != 0 {
					buf.edgeB = grow(buf.edgeB, nr*kc)
					packB(buf.edgeB, false, g.b, g.ldb, pc, jc+nc-w, kc, w, nr)
				}
			} else {
				buf.packB = grow(buf.packB, roundUp(nc, nr)*kc)
				packB(buf.packB, g.transB, g.b, g.ldb, pc, jc, kc, nc, nr)
			}
			for ic := 0; ic < g.m; {
				end, f := g.m, flags
				var bias []T
				if g.bias != nil && ic < g.biasRows {
					end = g.biasRows
					if pc+kc == g.k {
						f |= asm.GemmBiasCols
						bias = g.bias[jc : jc+nc]
					}
				}
				mc := min(mcMax, end-ic)
				c := g.c[ic*g.ldc+jc:]
				if !inA {
					buf.packA = grow(buf.packA, roundUp(mc, mr)*kc)
					packA(buf.packA, g.transA, g.a, g.lda, ic, pc, mc, kc, mr, g.alpha)
					macroKernel(kern, buf, g, aPanel[T]{a: buf.packA, rs: 1, cs: mr, ts: mr * kc, m: mc},
						inB, pc, jc, kc, nc, c, f, bias)
				} else {
					// Whole tiles in place; a last partial tile copied.
					full := mc / mr * mr
					if full > 0 {
						ap := aPanel[T]{rs: g.lda, cs: 1, ts: mr * g.lda, m: full}
						if g.transA {
							ap = aPanel[T]{rs: 1, cs: g.lda, ts: mr, m: full}
						}
						ap.a = g.a[ic*ap.rs+pc*ap.cs:]
						macroKernel(kern, buf, g, ap, inB, pc, jc, kc, nc, c, f, bias)
					}
					if rem := mc - full; rem > 0 {
						buf.edgeA = grow(buf.edgeA, mr*kc)
						packA(buf.edgeA, g.transA, g.a, g.lda, ic+full, pc, rem, kc, mr, 1)
						var rb []T
						if f&asm.GemmBiasCols != 0 {
							rb = bias
						}
						macroKernel(kern, buf, g, aPanel[T]{a: buf.edgeA, rs: 1, cs: mr, ts: mr * kc, m: rem},
							inB, pc, jc, kc, nc, c[full*g.ldc:], f, rb)
					}
				}
				ic += mc
			}
		}
	}
}

// aPanel is how a block of A reaches the kernel: element (i, p) of tile t
// at a[t·ts + i·rs + p·cs], m rows.
type aPanel[T asm.Float] struct {
	a          []T
	rs, cs, ts int
	m          int
}

// macroKernel runs the micro-kernel over the rows of ap and the columns
// jc..jc+nc of C: one call per NR-wide column sliver, the last one
// possibly narrower (the kernel masks it). B is read in place (inB) or
// from buf.packB.
func macroKernel[T asm.Float](kern asm.GemmKernel[T], buf *gemmBuffers[T], g *gemmArgs[T], ap aPanel[T], inB bool,
	pc, jc, kc, nc int, c []T, flags asm.GemmFlags, bias []T) {
	nr := kern.NR
	p := &buf.panel
	*p = asm.GemmPanel[T]{K: kc, A: ap.a, RsA: ap.rs, CsA: ap.cs, TsA: ap.ts, Ldc: g.ldc, M: ap.m, Flags: flags}
	for jr := 0; jr < nc; jr += nr {
		p.Cols = min(nr, nc-jr)
		switch {
		case !inB:
			p.B, p.Ldb = buf.packB[jr*kc:jr*kc+nr*kc], nr
		case p.Cols < nr:
			p.B, p.Ldb = buf.edgeB[:nr*kc], nr
		default:
			p.B, p.Ldb = g.b[pc*g.ldb+jc+jr:], g.ldb
		}
		p.C = c[jr:]
		if bias != nil {
			p.Bias = bias[jr:]
		}
		kern.Fn(p)
	}
	*p = asm.GemmPanel[T]{} // drop references to the caller's slices
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
