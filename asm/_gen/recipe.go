package main

import (
	"fmt"
	"regexp"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// A KernelFamily is one kernel family of package asm, the unit of the recipe
// (asm/doc.go). Package asm holds its hand-written half: <Name>.go with the
// public wrappers and the pure-Go twins (and, for a few families,
// <Name>_amd64.go with Go adapters between the kernel table and the
// assembly). This description generates the rest: <Name>_avx2_amd64.s and
// <Name>_avx512_amd64.s, the Go declarations <Name>_stubs_amd64.go, and the
// family's entries in the kernel table and the tier registration.
type KernelFamily struct {
	Name    string
	Doc     map[*Tier]string // header comment of each tier's assembly file
	Kernels []*Kernel
}

// A Kernel is one entry of the kernel table (a field of package asm's
// kernels struct, which the public wrappers call), with an assembly
// implementation for each tier.
//
// By default the field is named Slot and has the type Sig, the generic tier
// fills it with the twin <Slot>Generic, and tier t with the assembly function
// <Slot><t.Name>, for every tier. The optional fields cover the exceptions.
type Kernel struct {
	Slot string     // the table field, e.g. "sdot"
	Sig  string     // Go signature of the assembly, e.g. "func(x, y []float32) float32"
	Doc  string     // completes the doc comment "<function> ", e.g. "is sdotGeneric."
	E    *Elem      // element type the body is written for (Asm.E), if any
	Body func(*Asm) // writes the body for Asm.Tier

	// NoField marks an assembly helper of another kernel's Go adapter: it
	// gets its assembly and its declaration but no table field (and so no
	// twin).
	NoField bool

	Tiers   []*Tier              // the tiers with an implementation, if not all
	TierDoc map[*Tier]string     // a sentence added to Doc for one tier
	Type    string               // the field's type, if not Sig
	Twin    string               // the generic tier's value, if not <Slot>Generic
	Name    func(t *Tier) string // the assembly function, if not <Slot><t.Name>
	Value   func(t *Tier) string // tier t's value, if not the assembly function (an adapter)
}

// Implements reports whether k has an assembly implementation for tier t
// (else tier t's table keeps the weaker tier's entry).
func (k *Kernel) Implements(t *Tier) bool {
	if k.Tiers == nil {
		return true
	}
	for _, u := range k.Tiers {
		if u == t {
			return true
		}
	}
	return false
}

// FuncName is the name of k's assembly function for tier t.
func (k *Kernel) FuncName(t *Tier) string {
	if k.Name != nil {
		return k.Name(t)
	}
	return k.Slot + t.Name
}

// FieldType is the Go type of k's table field.
func (k *Kernel) FieldType() string {
	if k.Type != "" {
		return k.Type
	}
	return k.Sig
}

// GenericValue is what the generic tier's table holds for k.
func (k *Kernel) GenericValue() string {
	if k.Twin != "" {
		return k.Twin
	}
	return k.Slot + "Generic"
}

// TierValue is what tier t's table holds for k.
func (k *Kernel) TierValue(t *Tier) string {
	if k.Value != nil {
		return k.Value(t)
	}
	return k.FuncName(t)
}

// A Tier is an assembly tier of package asm (its SIMDTier constant is
// named Name). Tiers lists them weakest first: the registration builds
// each tier's table from a copy of the previous one.
type Tier struct {
	Name  string // "AVX2": kernel name suffix and SIMDTier constant
	Lower string // "avx2": in file names
	Bytes int    // width of the tier's vector registers
	Size  Spec   // the same width as an avo register size
}

var (
	AVX2   = &Tier{Name: "AVX2", Lower: "avx2", Bytes: 32, Size: S256}
	AVX512 = &Tier{Name: "AVX512", Lower: "avx512", Bytes: 64, Size: S512}
	Tiers  = []*Tier{AVX2, AVX512}
)

// scalarReg is the vector register a kernel broadcasts a scalar argument
// (a slope) into: the tier's last.
func (t *Tier) scalarReg() int {
	if t == AVX512 {
		return 31
	}
	return 15
}

// Lanes is the number of elements of e in one of t's vector registers.
func (t *Tier) Lanes(e *Elem) int { return t.Bytes / e.Size }

// An Elem is a floating-point element type.
type Elem struct {
	Go     string // "float32"
	Prefix string // "s": the BLAS-style prefix of kernel names
	Size   int    // bytes
	Shift  uint8  // log2(Size)
}

var (
	Float32 = &Elem{Go: "float32", Prefix: "s", Size: 4, Shift: 2}
	Float64 = &Elem{Go: "float64", Prefix: "d", Size: 8, Shift: 3}
)

// Vector registers by number: X(i), Y(i), Z(i) for 128, 256 and 512 bits.
func X(i int) VecPhysical { return Vector.Lookup(Index(i), S128).(VecPhysical) }
func Y(i int) VecPhysical { return Vector.Lookup(Index(i), S256).(VecPhysical) }
func Z(i int) VecPhysical { return Vector.Lookup(Index(i), S512).(VecPhysical) }

// K is opmask register i.
func K(i int) Register { return Opmask.Lookup(Index(i), S64) }

// M is the memory operand disp(base).
func M(base Register, disp int) Mem { return Mem{Base: base, Disp: disp} }

// MI is the memory operand disp(base)(index*scale).
func MI(base Register, disp int, index Register, scale uint8) Mem {
	return Mem{Base: base, Disp: disp, Index: index, Scale: scale}
}

// C is the integer constant v as an immediate: 8 bits if it fits (avo
// then picks an instruction form with an imm8, which also reads better),
// else 32. The Go assembler chooses the encoding from the value either way.
func C(v int) Constant {
	switch {
	case 0 <= v && v < 128:
		return U8(v)
	case 0 <= v && v <= 1<<32-1:
		return U32(v)
	case v == int(int32(v)):
		return I32(v)
	}
	panic(sprintf("immediate %d does not fit 32 bits", v))
}

// L refers to a label of the current function.
func L(name string) LabelRef { return LabelRef(name) }

// Asm builds one assembly file (one family, one tier) with avo: the
// instruction methods of avo's build.Context (a.VMOVUPS(...)) append to
// the function being built, and the helpers below name its arguments and
// its read-only data, and pick the instruction for the element type E.
type Asm struct {
	*build.Context
	Tier *Tier
	E    *Elem // element type of the kernel being built, if it has one

	data map[string]Mem    // read-only tables by name
	vals map[string]string // and their values, to catch conflicting definitions
	err  error             // the first error that is not avo's
}

// fail records an error of the generator (avo's own go to its context).
func (a *Asm) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}

func newAsm(c *build.Context, t *Tier) *Asm {
	return &Asm{Context: c, Tier: t, data: map[string]Mem{}, vals: map[string]string{}}
}

// V is vector register i of the tier's width.
func (a *Asm) V(i int) VecPhysical { return Vector.Lookup(Index(i), a.Tier.Size).(VecPhysical) }

// Lanes is the number of E elements in one vector register.
func (a *Asm) Lanes() int { return a.Tier.Lanes(a.E) }

// Arg is the address of the named argument, or of a component of one
// ("x_base", "x_len").
func (a *Asm) Arg(name string) Mem {
	for _, c := range []struct {
		suffix string
		get    func(string) Mem
	}{
		{"_base", func(n string) Mem { return a.addr(a.Param(n).Base()) }},
		{"_len", func(n string) Mem { return a.addr(a.Param(n).Len()) }},
	} {
		if n := len(name) - len(c.suffix); n > 0 && name[n:] == c.suffix {
			return c.get(name[:n])
		}
	}
	return a.addr(a.Param(name))
}

// Ret is the address of the (only) result.
func (a *Asm) Ret() Mem { return a.addr(a.ReturnIndex(0)) }

func (a *Asm) addr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// Table32 returns the address of a read-only table of 32-bit values in
// this file, created on first use; a second use must give the same values.
func (a *Asm) Table32(name string, vals ...uint32) Mem {
	cs := make([]Constant, len(vals))
	for i, v := range vals {
		cs[i] = U32(v)
	}
	return a.table(name, cs)
}

// Table64 is Table32 for 64-bit values.
func (a *Asm) Table64(name string, vals ...uint64) Mem {
	cs := make([]Constant, len(vals))
	for i, v := range vals {
		cs[i] = U64(v)
	}
	return a.table(name, cs)
}

func (a *Asm) table(name string, vals []Constant) Mem {
	key := fmt.Sprint(vals)
	if m, ok := a.data[name]; ok {
		if a.vals[name] != key {
			panic("table " + name + " defined twice with different values")
		}
		return m
	}
	m := a.StaticGlobal(name)
	a.DataAttributes(attr.RODATA | attr.NOPTR)
	off := 0
	for _, v := range vals {
		a.AddDatum(off, v)
		off += v.Bytes()
	}
	a.data[name], a.vals[name] = m, key
	return m
}

// Splat8 is a table of 8 copies of a 32-bit value: one ymm operand.
func (a *Asm) Splat8(name string, v uint32) Mem {
	return a.Table32(name, v, v, v, v, v, v, v, v)
}

// Iota32 is the table 0, 1, ..., n−1 of 32-bit integers.
func (a *Asm) Iota32(name string, n int) Mem {
	vals := make([]uint32, n)
	for i := range vals {
		vals[i] = uint32(i)
	}
	return a.Table32(name, vals...)
}

// Iota64 is the table 0, 1, ..., n−1 of 64-bit integers.
func (a *Asm) Iota64(name string, n int) Mem {
	vals := make([]uint64, n)
	for i := range vals {
		vals[i] = uint64(i)
	}
	return a.Table64(name, vals...)
}

// ---- element-typed instructions ----
//
// The methods below emit the PS/SS form of an instruction for float32 and
// the PD/SD form for float64, after a.E. They keep the kernels that exist
// for both element types (vector, lincomb, pack, gemm) written once.

// pick returns the float32 or the float64 form, after a.E.
func pick[F any](a *Asm, s, d F) F {
	switch a.E {
	case Float32:
		return s
	case Float64:
		return d
	}
	panic("element-typed instruction in a kernel without an element type")
}

func (a *Asm) VMOVUP(ops ...Op)           { pick(a, a.VMOVUPS, a.VMOVUPD)(ops...) }
func (a *Asm) VMOVAP(ops ...Op)           { pick(a, a.VMOVAPS, a.VMOVAPD)(ops...) }
func (a *Asm) VMOVS(ops ...Op)            { pick(a, a.VMOVSS, a.VMOVSD)(ops...) }
func (a *Asm) VADDP(ops ...Op)            { pick(a, a.VADDPS, a.VADDPD)(ops...) }
func (a *Asm) VADDS(ops ...Op)            { pick(a, a.VADDSS, a.VADDSD)(ops...) }
func (a *Asm) VSUBP(ops ...Op)            { pick(a, a.VSUBPS, a.VSUBPD)(ops...) }
func (a *Asm) VSUBS(ops ...Op)            { pick(a, a.VSUBSS, a.VSUBSD)(ops...) }
func (a *Asm) VMULP(ops ...Op)            { pick(a, a.VMULPS, a.VMULPD)(ops...) }
func (a *Asm) VMULS(ops ...Op)            { pick(a, a.VMULSS, a.VMULSD)(ops...) }
func (a *Asm) VANDP(ops ...Op)            { pick(a, a.VANDPS, a.VANDPD)(ops...) }
func (a *Asm) VXORP(ops ...Op)            { pick(a, a.VXORPS, a.VXORPD)(ops...) }
func (a *Asm) VUCOMIS(mx, x Op)           { pick(a, a.VUCOMISS, a.VUCOMISD)(mx, x) }
func (a *Asm) VBROADCASTS(ops ...Op)      { pick(a, a.VBROADCASTSS, a.VBROADCASTSD)(ops...) }
func (a *Asm) VFMADD231P(ops ...Op)       { pick(a, a.VFMADD231PS, a.VFMADD231PD)(ops...) }
func (a *Asm) VFMADD213P(ops ...Op)       { pick(a, a.VFMADD213PS, a.VFMADD213PD)(ops...) }
func (a *Asm) VFMADD231S(ops ...Op)       { pick(a, a.VFMADD231SS, a.VFMADD231SD)(ops...) }
func (a *Asm) VFMADD213S(ops ...Op)       { pick(a, a.VFMADD213SS, a.VFMADD213SD)(ops...) }
func (a *Asm) VMASKMOVP(mxy, xy, mxy1 Op) { pick(a, a.VMASKMOVPS, a.VMASKMOVPD)(mxy, xy, mxy1) }
func (a *Asm) VUNPCKLP(ops ...Op)         { pick(a, a.VUNPCKLPS, a.VUNPCKLPD)(ops...) }
func (a *Asm) VUNPCKHP(ops ...Op)         { pick(a, a.VUNPCKHPS, a.VUNPCKHPD)(ops...) }
func (a *Asm) VGATHERDP(vxy, kv, xyz Op)  { pick(a, a.VGATHERDPS, a.VGATHERDPD)(vxy, kv, xyz) }
func (a *Asm) VPBROADCAST(ops ...Op)      { pick(a, a.VPBROADCASTD, a.VPBROADCASTQ)(ops...) }
func (a *Asm) VPCMPGT(ops ...Op)          { pick(a, a.VPCMPGTD, a.VPCMPGTQ)(ops...) }
func (a *Asm) VMOVUP_Z(mxyz, k, mxyz1 Op) {
	pick(a, a.VMOVUPS_Z, a.VMOVUPD_Z)(mxyz, k, mxyz1)
}
func (a *Asm) VMULP_Z(mxyz, xyz, k, xyz1 Op) {
	pick(a, a.VMULPS_Z, a.VMULPD_Z)(mxyz, xyz, k, xyz1)
}

var typeParam = regexp.MustCompile(`\bT\b`)

// typed replaces the type parameter T of a signature by e's Go type.
func typed(sig string, e *Elem) string { return typeParam.ReplaceAllString(sig, e.Go) }

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
