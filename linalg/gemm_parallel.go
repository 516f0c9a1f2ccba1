package linalg

import (
	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/parallel"
)

// parallelMinFlops is the smallest product (2·m·n·k) worth a second worker:
// below it the hand-off and the duplicated packing cost more than half the
// work saves. internal/parallel hands a part over in well under a
// microsecond to a worker that is polling (as in a training step), so the
// toy networks' 200×100×100 layers (4 MFLOP, ~45 µs) are split.
const parallelMinFlops = 2 * 100 * 100 * 100

// gemmJob splits one GEMM over workers along M or N. Each part packs its own
// panels; the split duplicates the packing of the operand shared by all
// parts, so it goes along the dimension that duplicates the smaller one.
// Part boundaries are multiples of the micro-tile, so every element of C is
// computed by the same operations whatever the worker count.
type gemmJob[T asm.Float] struct {
	g       gemmArgs[T]
	splitM  bool
	bounds  []int // part p covers [bounds[p], bounds[p+1])
	grp     parallel.Group
	run     func(part, parts int) // j.runPart, made once
	boundsA [9]int
}

var (
	jobs32 = newFreeList[gemmJob[float32]]()
	jobs64 = newFreeList[gemmJob[float64]]()
)

func getJob[T asm.Float]() *gemmJob[T] { return byType[T, freeList[gemmJob[T]]](jobs32, jobs64).get() }

func putJob[T asm.Float](j *gemmJob[T]) { byType[T, freeList[gemmJob[T]]](jobs32, jobs64).put(j) }

func blockedParallel[T asm.Float](g *gemmArgs[T]) {
	kern := asm.GemmKernelOf[T]()
	parts := 1
	if w := Workers(); w > 1 && 2*float64(g.m)*float64(g.n)*float64(g.k) >= parallelMinFlops {
		parts = min(w, 8)
	}
	splitM := g.m >= g.n
	unit, extent := kern.NR, g.n
	if splitM {
		unit, extent = kern.MR, g.m
	}
	parts = min(parts, (extent+unit-1)/unit)
	if parts <= 1 {
		buf := getBuffers[T]()
		blocked(g, kern, buf)
		putBuffers(buf)
		return
	}
	j := getJob[T]()
	j.g, j.splitM = *g, splitM
	j.bounds = j.boundsA[:parts+1]
	units := (extent + unit - 1) / unit
	for p := 0; p <= parts; p++ {
		j.bounds[p] = min(extent, units*p/parts*unit)
	}
	if j.run == nil {
		j.run = j.runPart
	}
	parallel.Run(j.run, parts, &j.grp)
	j.g = gemmArgs[T]{} // drop references to the caller's slices
	putJob(j)
}

func (j *gemmJob[T]) runPart(p, _ int) {
	lo, hi := j.bounds[p], j.bounds[p+1]
	if lo >= hi {
		return
	}
	g := j.g
	if j.splitM {
		g.m = hi - lo
		g.c = g.c[lo*g.ldc:]
		g.biasRows = min(max(g.biasRows-lo, 0), g.m)
		if g.transA {
			g.a = g.a[lo:]
		} else {
			g.a = g.a[lo*g.lda:]
		}
	} else {
		g.n = hi - lo
		g.c = g.c[lo:]
		if g.bias != nil {
			g.bias = g.bias[lo:]
		}
		if g.transB {
			g.b = g.b[lo*g.ldb:]
		} else {
			g.b = g.b[lo:]
		}
	}
	buf := getBuffers[T]()
	blocked(&g, asm.GemmKernelOf[T](), buf)
	putBuffers(buf)
}
