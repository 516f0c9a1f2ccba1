package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// The GEMM kernels are checked bit for bit: every element of a panel must
// be exactly the sum GemmPanel describes, computed here one operation at a
// time (with an exactly rounded fused multiply-add for the assembly tiers,
// a rounded product and sum for the generic tier). The GEMM driver of
// package linalg relies on this: it mixes packed and in-place operands and
// tiles of any height, and promises the same bits whatever M and the
// worker count.

// fma32Exact returns a·b + c rounded once to float32. The product is exact in
// float64; the sum p + c, exactly hi + lo, is then rounded to float32 once:
// float32(hi) is that rounding unless hi lies exactly halfway between two
// float32s, where lo breaks the tie.
func fma32Exact(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	hi := p + float64(c)
	if math.IsNaN(hi) || math.IsInf(hi, 0) {
		return float32(hi)
	}
	v := hi - p
	lo := (p - (hi - v)) + (float64(c) - v)
	r := float32(hi)
	if lo == 0 || math.IsInf(float64(r), 0) {
		return r
	}
	d := hi - float64(r)
	if d == 0 {
		return r
	}
	next := math.Nextafter32(r, float32(math.Copysign(math.Inf(1), d)))
	if math.Abs(d) == math.Abs(float64(next)-float64(r))/2 && (lo > 0) == (d > 0) {
		return next
	}
	return r
}

func TestFma32ExactIsExactlyRounded(t *testing.T) {
	// Cases where rounding a·b + c in float64 first and then to float32
	// gives the wrong answer, and plain ones.
	one := float32(1)
	ulp := math.Nextafter32(one, 2) - one // 2^-23
	h := ulp / 2                          // 2^-24
	for _, tc := range []struct{ a, b, c, want float32 }{
		{2, 3, 1, 7},
		{1 + ulp, 1 + ulp, -1, 2*ulp + ulp*ulp},
		// (1 + 2^-12)·(1 − 4095·2^-24) = 1 + 2^-36, so the exact value is
		// 1 + 2^-24 + 2^-60: the float64 sum rounds to the midpoint
		// 1 + 2^-24, which ties to even (1); the exact value is above it.
		{h * (1 + 0x1p-12), 1 - 4095*0x1p-24, 1, 1 + ulp},
		// (1 + 2^-23)·(1 − 2^-23) = 1 − 2^-46: just below the midpoint.
		{h * (1 + ulp), 1 - ulp, 1, 1},
		{float32(math.Inf(1)), 1, 1, float32(math.Inf(1))},
	} {
		require.Equal(t, math.Float32bits(tc.want), math.Float32bits(fma32Exact(tc.a, tc.b, tc.c)), "%v·%v + %v", tc.a, tc.b, tc.c)
	}
}

// panelRef is the panel contract one operation at a time: fused on the
// assembly tiers, a rounded product and a rounded sum on the generic tier.
func panelRef[T Float](fused bool, mr int, p *GemmPanel[T]) {
	z := T(math.Copysign(0, -1))
	over := p.Flags&GemmOverwrite != 0
	if over {
		z = 0
	}
	for i := 0; i < p.M; i++ {
		t, r := i/mr, i%mr
		for j := 0; j < p.Cols; j++ {
			s := z
			for q := 0; q < p.K; q++ {
				a, b := p.A[t*p.TsA+r*p.RsA+q*p.CsA], p.B[q*p.Ldb+j]
				switch {
				case !fused:
					s += T(a * b)
				case Is32[T]():
					s = T(fma32Exact(float32(a), float32(b), float32(s)))
				default:
					s = T(math.FMA(float64(a), float64(b), float64(s)))
				}
			}
			c := &p.C[i*p.Ldc+j]
			if !over {
				s += *c
			}
			switch {
			case p.Flags&GemmBiasCols != 0:
				s += p.Bias[j]
			case p.Flags&GemmBiasRows != 0:
				s += p.Bias[i]
			}
			*c = s
		}
	}
}

// panelCase is one kernel call: the layout of A, the sizes, the flags.
type panelCase struct {
	layout  string // "packed", "rows" (row-major in place) or "cols" (column-major)
	m, cols int
	k       int
	flags   GemmFlags
	ldbPad  int // B rows NR + ldbPad apart
	ldcPad  int
}

func (pc panelCase) String() string {
	return fmt.Sprintf("%s m=%d cols=%d k=%d flags=%d ldb+%d ldc+%d", pc.layout, pc.m, pc.cols, pc.k, pc.flags, pc.ldbPad, pc.ldcPad)
}

// panelData holds a case's operands, each exactly as long as the kernel
// may read, inside NaN guards (a read past one poisons C), and C inside a
// buffer whose every element outside the panel holds a mark.
type panelData[T Float] struct {
	p      GemmPanel[T]
	cbuf   []T
	clo    int
	mark   T
	ga, gb guarded[T]
}

func newPanelData[T Float](rng *rand.Rand, mr, nr int, pc panelCase) *panelData[T] {
	nan := T(math.NaN())
	tiles := (pc.m + mr - 1) / mr
	p := GemmPanel[T]{K: pc.k, M: pc.m, Cols: pc.cols, Flags: pc.flags, Ldb: nr + pc.ldbPad, Ldc: pc.cols + pc.ldcPad}
	var lenA int
	switch pc.layout {
	case "packed":
		p.RsA, p.CsA, p.TsA = 1, mr, mr*pc.k
	case "rows":
		lda := pc.k + 2
		p.RsA, p.CsA, p.TsA = lda, 1, mr*lda
	case "cols":
		lda := tiles*mr + 3
		p.RsA, p.CsA, p.TsA = 1, lda, mr
	}
	if pc.k > 0 {
		lenA = (tiles-1)*p.TsA + (mr-1)*p.RsA + (pc.k-1)*p.CsA + 1
	}
	d := &panelData[T]{mark: 7.25}
	d.ga = newGuarded[T](lenA, pc.k%4, nan)
	p.A = d.ga.view()
	randomFill(rng, p.A)
	lenB := 0
	if pc.k > 0 {
		lenB = (pc.k-1)*p.Ldb + nr
	}
	d.gb = newGuarded[T](lenB, (pc.k+1)%4, nan)
	p.B = d.gb.view()
	randomFill(rng, p.B)
	switch {
	case pc.flags&GemmBiasCols != 0:
		p.Bias = make([]T, pc.cols)
	case pc.flags&GemmBiasRows != 0:
		p.Bias = make([]T, pc.m)
	}
	randomFill(rng, p.Bias)
	// A guard row above and below, and the columns cols..ldc−1 between.
	d.clo = p.Ldc + pc.k%4
	d.cbuf = make([]T, d.clo+(pc.m+1)*p.Ldc+guardLen)
	for i := range d.cbuf {
		d.cbuf[i] = d.mark
	}
	n := (pc.m-1)*p.Ldc + pc.cols
	p.C = d.cbuf[d.clo : d.clo+n : d.clo+n]
	for i := 0; i < pc.m; i++ {
		randomFill(rng, p.C[i*p.Ldc:i*p.Ldc+pc.cols])
	}
	d.p = p
	return d
}

func (d *panelData[T]) inPanel(idx int) bool {
	idx -= d.clo
	return idx >= 0 && idx < d.p.M*d.p.Ldc && idx%d.p.Ldc < d.p.Cols
}

// sameBits reports whether got and want are the same float, any NaN
// matching any NaN.
func sameBits[T Float](got, want T) bool {
	if want != want {
		return got != got
	}
	if Is32[T]() {
		return math.Float32bits(float32(got)) == math.Float32bits(float32(want))
	}
	return math.Float64bits(float64(got)) == math.Float64bits(float64(want))
}

// run calls kern on the case and compares every element with the
// reference, bit for bit, and the memory around C with the mark.
func (d *panelData[T]) run(t *testing.T, tier SIMDTier, kern GemmKernel[T], what string) {
	t.Helper()
	want := d.p
	want.C = append([]T(nil), d.p.C...)
	panelRef(tier != Generic, kern.MR, &want)
	kern.Fn(&d.p)
	for idx, v := range d.cbuf {
		if !d.inPanel(idx) {
			if v != d.mark {
				t.Fatalf("%s %s: wrote outside the panel at offset %d", tier, what, idx-d.clo)
			}
			continue
		}
		i := idx - d.clo
		if !sameBits(v, want.C[i]) {
			t.Fatalf("%s %s: C[%d,%d] = %v, want %v", tier, what, i/d.p.Ldc, i%d.p.Ldc, v, want.C[i])
		}
	}
	for _, g := range []guarded[T]{d.ga, d.gb} {
		for i, v := range g.buf {
			if (i < g.lo || i >= g.lo+g.n) && !sameBits(v, g.mark) {
				t.Fatalf("%s %s: wrote outside A or B", tier, what)
			}
		}
	}
}

// panelCases are the cases every kernel runs: every layout, every k
// remainder of the unroll by 4 and long k, partial and whole tiles and
// columns, each flag.
func panelCases(rng *rand.Rand, mr, nr int) []panelCase {
	var cases []panelCase
	flagSets := []GemmFlags{0, GemmOverwrite, GemmBiasCols, GemmOverwrite | GemmBiasRows, GemmBiasRows}
	ms := []int{1, mr - 1, mr, mr + 1, 3*mr + 2}
	cols := []int{1, 3, nr/2 - 1, nr / 2, nr/2 + 1, nr - 1, nr}
	for _, layout := range []string{"packed", "rows", "cols"} {
		for _, k := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 64, 257} {
			for _, f := range flagSets {
				pc := panelCase{layout: layout, m: ms[rng.IntN(len(ms))], cols: cols[rng.IntN(len(cols))], k: k, flags: f,
					ldbPad: rng.IntN(2) * 3, ldcPad: rng.IntN(3)}
				cases = append(cases, pc)
			}
		}
		for _, m := range ms {
			for _, c := range cols {
				cases = append(cases, panelCase{layout: layout, m: m, cols: c, k: 13, flags: flagSets[(m+c)%len(flagSets)], ldcPad: c % 2})
			}
		}
	}
	return cases
}

func testGemmKernelExact[T float32 | float64](t *testing.T, tier SIMDTier, kern GemmKernel[T]) {
	rng := rand.New(rand.NewPCG(3, uint64(tier)))
	for _, pc := range panelCases(rng, kern.MR, kern.NR) {
		newPanelData[T](rng, kern.MR, kern.NR, pc).run(t, tier, kern, pc.String())
	}
}

func TestGemmKernelIsExact(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		t.Run("float32", func(t *testing.T) { testGemmKernelExact(t, tier, SgemmKernel()) })
		t.Run("float64", func(t *testing.T) { testGemmKernelExact(t, tier, DgemmKernel()) })
	})
}

// NaN and infinities go through like any value; a sum of signed zeros is -0
// only if every term is -0 (and C is -0 too when added), +0 when
// overwriting: exactly the reference in both cases.
func testGemmKernelSpecials[T float32 | float64](t *testing.T, tier SIMDTier, kern GemmKernel[T]) {
	rng := rand.New(rand.NewPCG(5, uint64(tier)))
	mr, nr := kern.MR, kern.NR
	negZero := T(math.Copysign(0, -1))
	for _, f := range []GemmFlags{0, GemmOverwrite} {
		for _, k := range []int{1, 2, 5, 8} {
			pc := panelCase{layout: "packed", m: mr + 1, cols: nr - 1, k: k, flags: f}
			d := newPanelData[T](rng, mr, nr, pc)
			for i := range d.p.A {
				d.p.A[i] = 0
			}
			for i := range d.p.B {
				d.p.B[i] = T(1 - 2*rng.IntN(2))
			}
			for i := range d.p.C {
				if d.inPanel(i+d.clo) && rng.IntN(2) == 0 {
					d.p.C[i] = negZero
				}
			}
			d.run(t, tier, kern, "zeros "+pc.String())

			d = newPanelData[T](rng, mr, nr, pc)
			d.p.A[rng.IntN(len(d.p.A))] = T(math.NaN())
			d.p.B[rng.IntN(len(d.p.B))] = T(math.Inf(1))
			d.p.C[0] = T(math.Inf(-1))
			d.run(t, tier, kern, "NaN/Inf "+pc.String())
		}
	}
}

func TestGemmKernelSpecialValues(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		t.Run("float32", func(t *testing.T) { testGemmKernelSpecials(t, tier, SgemmKernel()) })
		t.Run("float64", func(t *testing.T) { testGemmKernelSpecials(t, tier, DgemmKernel()) })
	})
}

// The kernels must refuse panels whose slices are too short rather than
// read or write past them.
func testGemmKernelRejectsBadPanels[T float32 | float64](t *testing.T, tier SIMDTier, kern GemmKernel[T]) {
	mr, nr := kern.MR, kern.NR
	ok := func() *GemmPanel[T] {
		k, m := 5, mr+2
		p := &GemmPanel[T]{K: k, RsA: 1, CsA: mr, TsA: mr * k, Ldb: nr, Ldc: nr + 1, M: m, Cols: nr, Flags: GemmBiasCols}
		p.A = make([]T, 2*mr*k)
		p.B = make([]T, k*nr)
		p.C = make([]T, (m-1)*p.Ldc+nr)
		p.Bias = make([]T, nr)
		return p
	}
	for name, spoil := range map[string]func(p *GemmPanel[T]){
		"short A":    func(p *GemmPanel[T]) { p.A = p.A[:len(p.A)-1] },
		"short B":    func(p *GemmPanel[T]) { p.B = p.B[:len(p.B)-1] },
		"short C":    func(p *GemmPanel[T]) { p.C = p.C[:len(p.C)-1] },
		"short bias": func(p *GemmPanel[T]) { p.Bias = p.Bias[:nr-1] },
		"no bias":    func(p *GemmPanel[T]) { p.Bias = nil },
		"row bias":   func(p *GemmPanel[T]) { p.Flags, p.Bias = GemmBiasRows, make([]T, p.M-1) },
		"two biases": func(p *GemmPanel[T]) { p.Flags |= GemmBiasRows },
		"bad flags":  func(p *GemmPanel[T]) { p.Flags = 1 << 5 },
		"wide":       func(p *GemmPanel[T]) { p.Cols = nr + 1 },
		"no columns": func(p *GemmPanel[T]) { p.Cols = 0 },
		"no rows":    func(p *GemmPanel[T]) { p.M = 0 },
		"ldc<cols":   func(p *GemmPanel[T]) { p.Ldc = nr - 1 },
		"negative":   func(p *GemmPanel[T]) { p.CsA = -1 },
	} {
		p := ok()
		spoil(p)
		require.Panics(t, func() { kern.Fn(p) }, "%s: %s", tier, name)
	}
	kern.Fn(ok()) // and exactly long enough is fine
}

func TestGemmKernelRejectsBadPanels(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		t.Run("float32", func(t *testing.T) { testGemmKernelRejectsBadPanels(t, tier, SgemmKernel()) })
		t.Run("float64", func(t *testing.T) { testGemmKernelRejectsBadPanels(t, tier, DgemmKernel()) })
	})
}

func TestGemmKernelDoesNotAllocate(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		s, d := SgemmKernel(), DgemmKernel()
		sp := &GemmPanel[float32]{K: 64, A: make([]float32, 64*s.MR), RsA: 1, CsA: s.MR, B: make([]float32, 64*s.NR), Ldb: s.NR,
			C: make([]float32, s.MR*s.NR), Ldc: s.NR, M: s.MR, Cols: s.NR}
		dp := &GemmPanel[float64]{K: 64, A: make([]float64, 64*d.MR), RsA: 1, CsA: d.MR, B: make([]float64, 64*d.NR), Ldb: d.NR,
			C: make([]float64, d.MR*d.NR), Ldc: d.NR, M: d.MR, Cols: d.NR}
		if n := testing.AllocsPerRun(20, func() {
			s.Fn(sp)
			d.Fn(dp)
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
