package main

import (
	. "github.com/mmcloughlin/avo/reg"
)

// The FMA peak probes (asm/peak.go): per iteration 24 FMAs on 12
// independent accumulators, with no memory operands, multiplying zeros.
func peak() *KernelFamily {
	doc := `FMA peak loops for the %s tier: per iteration 24 FMAs on 12
independent accumulators (more than the 8 in flight that 2 FMA ports with a
4-cycle latency need), with no memory operands, multiplying zeros so no
value ever overflows or goes subnormal.`
	f := &KernelFamily{Name: "peak", Doc: map[*Tier]string{
		AVX2:   sprintf(doc, "avx2"),
		AVX512: sprintf(doc, "avx512"),
	}}
	for _, e := range []*Elem{Float32, Float64} {
		name := sprintf("peakF%d", 8*e.Size)
		f.Kernels = append(f.Kernels, &Kernel{
			Slot: name,
			Sig:  "func(iters int)",
			Doc:  sprintf("runs iters ≥ 1 iterations of 24 %s FMAs on 12 accumulators.", e.Go),
			E:    e,
			Body: peakLoop,
			Type: "peakLoop",
			Twin: sprintf("peakLoop{%sGeneric, 48}", name),
			Value: func(t *Tier) string {
				return sprintf("peakLoop{%s%s, %d}", name, t.Name, peakFlops(t, e))
			},
		})
	}
	return f
}

// peakFlops is the floating-point operations of one iteration: 24 FMAs of
// 2 operations per lane.
func peakFlops(t *Tier, e *Elem) int { return 24 * 2 * t.Lanes(e) }

func peakLoop(a *Asm) {
	a.MOVQ(a.Arg("iters"), RCX)
	// The accumulators V0–V11 and the factors, all zero.
	factors := []int{14, 15}
	if a.Tier == AVX512 {
		factors = []int{30, 31}
	}
	for _, i := range append([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, factors...) {
		vzero(a, i)
	}
	loop := sprintf("loopf%d", 8*a.E.Size)
	a.Label(loop)
	for i := 0; i < 24; i++ {
		a.VFMADD231P(a.V(factors[0]), a.V(factors[1]), a.V(i%12))
	}
	a.DECQ(RCX)
	a.JNZ(L(loop))
	epilogue(a)
}
