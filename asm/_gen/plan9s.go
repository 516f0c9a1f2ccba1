package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
)

// Intel emits an instruction the Go assembler cannot spell (AVX-512 BF16
// or VNNI, AMX, ...), given in Intel syntax as in the Intel SDM, with
// physical registers only:
//
//	a.Intel("VDPBF16PS zmm0, zmm1, zmm2", "AVX512BF16")
//
// GNU as encodes it when the file is generated, through asm2plan9s (a tool
// of this module: go tool asm2plan9s); the file holds the bytes as
// QUAD/LONG/WORD/BYTE directives after the Intel text as a comment. isa
// names the extensions it needs as github.com/klauspost/cpuid/v2 names
// them (AVX512BF16, AVX512VNNI, AMXTILE; for the extensions avo knows, such
// as AVX512F, avo's names are the same): they go into the function's
// "// Requires:" line, which TestAssemblyRequirementsAreTierFeatures in
// package asm checks against the tier, since neither the Go assembler nor
// the test's mnemonic classifier can read the bytes.
//
// avo does not know what the instruction reads and writes: keep its
// operands in registers no virtual register is allocated to (every kernel
// here uses physical registers only).
func (a *Asm) Intel(text string, isa ...string) {
	words, err := encodeIntel(text)
	if err != nil {
		a.fail(fmt.Errorf("%s: %w", text, err))
		return
	}
	a.Comment(text)
	for _, w := range words {
		a.Instruction(&ir.Instruction{Opcode: directive(w), Operands: []Op{w}, ISA: isa})
	}
}

// directive is the Go assembler's data directive for a constant of w's size.
func directive(w Constant) string {
	return map[int]string{1: "BYTE", 2: "WORD", 4: "LONG", 8: "QUAD"}[w.Bytes()]
}

var intelCache = map[string][]Constant{}

// encodeIntel runs asm2plan9s on one Intel-syntax instruction and returns
// its QUAD/LONG/WORD/BYTE directives as constants of their sizes.
func encodeIntel(text string) ([]Constant, error) {
	if ws, ok := intelCache[text]; ok {
		return ws, nil
	}
	// asm2plan9s assembles the comment of every line whose comment starts
	// at column 65 and replaces what precedes it with the directives.
	in := strings.Repeat(" ", 65) + "// " + text + "\n"
	cmd := exec.Command("go", "tool", "asm2plan9s")
	cmd.Stdin = strings.NewReader(in)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go tool asm2plan9s (needs GNU as): %v: %s", err, strings.TrimSpace(out.String()))
	}
	ws, err := parseDirectives(out.String())
	if err != nil {
		return nil, err
	}
	intelCache[text] = ws
	return ws, nil
}

// parseDirectives reads a line of asm2plan9s output,
//
//	LONG $0x0f1943c4; WORD $0x08c4 // VPALIGNR XMM8, XMM12, XMM12, 0x8
//
// into constants of the directives' sizes.
func parseDirectives(line string) ([]Constant, error) {
	code, _, _ := strings.Cut(strings.TrimSpace(line), "//")
	var ws []Constant
	for _, d := range strings.Split(code, ";") {
		op, arg, ok := strings.Cut(strings.TrimSpace(d), " $")
		if !ok {
			return nil, fmt.Errorf("asm2plan9s printed %q, not data directives", line)
		}
		bits := map[string]int{"BYTE": 8, "WORD": 16, "LONG": 32, "QUAD": 64}[op]
		v, err := strconv.ParseUint(strings.TrimSpace(arg), 0, 64)
		if bits == 0 || err != nil || v>>(bits-1)>>1 != 0 {
			return nil, fmt.Errorf("asm2plan9s printed %q: bad directive %q", line, d)
		}
		switch bits {
		case 8:
			ws = append(ws, U8(v))
		case 16:
			ws = append(ws, U16(v))
		case 32:
			ws = append(ws, U32(v))
		default:
			ws = append(ws, U64(v))
		}
	}
	return ws, nil
}

// bytesOf is the machine code of directives, in memory order.
func bytesOf(ws []Constant) []byte {
	var b []byte
	for _, w := range ws {
		var v uint64
		switch w := w.(type) {
		case U8:
			v = uint64(w)
		case U16:
			v = uint64(w)
		case U32:
			v = uint64(w)
		case U64:
			v = uint64(w)
		}
		for i := 0; i < w.Bytes(); i++ {
			b = append(b, byte(v>>(8*i)))
		}
	}
	return b
}
