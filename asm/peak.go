package asm

// The FMA peak probe: a loop of independent fused multiply-adds with no
// memory traffic, the most floating-point work a core can do per second. A
// benchmark that runs it next to a kernel can report the kernel as a
// fraction of the peak measured in the same run, which is far more stable
// than absolute GFLOP/s on a shared, frequency-scaled virtual machine.

// A peakLoop is one tier's probe (its kernel table holds one per element
// type): run executes iters iterations, each doing flops floating-point
// operations (an FMA counts 2 per lane).
type peakLoop struct {
	run   func(iters int)
	flops int64
}

// PeakLoopF32 runs iters iterations of the active tier's float32 FMA loop
// and returns the number of floating-point operations it did, to divide by
// the elapsed time. Per iteration:
//
//	avx512  24 zmm FMAs on 12 independent accumulators: 768 flops
//	avx2    24 ymm FMAs on 12 independent accumulators: 384 flops
//	generic 12 independent scalar multiply-adds, unrolled twice: 48 flops
//
// It does nothing and returns 0 if iters ≤ 0.
func PeakLoopF32(iters int) int64 { return runPeak(k.peakF32, iters) }

// PeakLoopF64 is PeakLoopF32 for float64: per iteration 384 flops (avx512),
// 192 (avx2) or 48 (generic).
func PeakLoopF64(iters int) int64 { return runPeak(k.peakF64, iters) }

func runPeak(p peakLoop, iters int) int64 {
	if iters <= 0 {
		return 0
	}
	p.run(iters)
	return int64(iters) * p.flops
}

// peakSink, peakMul and peakAdd keep the compiler from proving the generic
// loops useless or folding their constants.
var (
	peakSink         float64
	peakMul, peakAdd = 1.0, 0.0
)

func peakF32Generic(iters int) {
	peakSink = float64(peakGeneric(float32(peakMul), float32(peakAdd), iters))
}
func peakF64Generic(iters int) { peakSink = peakGeneric(peakMul, peakAdd, iters) }

// peakGeneric runs 12 independent multiply-add chains, two rounds per
// iteration (48 flops: Go on amd64 does not fuse x*m+d, so each is 2 flops).
func peakGeneric[T Float](m, d T, iters int) T {
	var x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11 T
	for i := 0; i < iters; i++ {
		for r := 0; r < 2; r++ {
			x0 = x0*m + d
			x1 = x1*m + d
			x2 = x2*m + d
			x3 = x3*m + d
			x4 = x4*m + d
			x5 = x5*m + d
			x6 = x6*m + d
			x7 = x7*m + d
			x8 = x8*m + d
			x9 = x9*m + d
			x10 = x10*m + d
			x11 = x11*m + d
		}
	}
	return x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11
}
