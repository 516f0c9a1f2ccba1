package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
	. "github.com/mmcloughlin/avo/reg"
)

func TestParseDirectives(t *testing.T) {
	ws, err := parseDirectives("    QUAD $0x0807060504030201; LONG $0x0f1943c4; WORD $0x08c4; BYTE $0xcb // VPALIGNR ...")
	if err != nil {
		t.Fatal(err)
	}
	if got := bytesOf(ws); !bytes.Equal(got, []byte{1, 2, 3, 4, 5, 6, 7, 8, 0xc4, 0x43, 0x19, 0x0f, 0xc4, 0x08, 0xcb}) {
		t.Errorf("bytes % x", got)
	}
	for _, bad := range []string{"", "    error: no such instruction", "    BYTE $0x1ff // x", "    DWORD $0x1 // x"} {
		if _, err := parseDirectives(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestIntelEncodesLikeTheGoAssembler encodes instructions the Go assembler
// does know both ways, through asm2plan9s and GNU as (Asm.Intel) and
// through avo and the Go assembler, and checks the bytes are the same: the
// escape hatch for BF16, VNNI or AMX instructions works as a drop-in.
func TestIntelEncodesLikeTheGoAssembler(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("asm2plan9s assembles for the machine it runs on")
	}
	if _, err := exec.LookPath("as"); err != nil {
		t.Skip("GNU as is not installed")
	}
	for _, c := range []struct {
		intel string
		goasm func(a *Asm)
	}{
		{"VFMADD231PS ymm1, ymm2, ymm3", func(a *Asm) { a.VFMADD231PS(Y(3), Y(2), Y(1)) }},
		{"VFMADD231PS zmm1, zmm2, DWORD PTR [rsi+64]{1to16}", func(a *Asm) { a.VFMADD231PS_BCST(M(RSI, 64), Z(2), Z(1)) }},
		{"VMOVUPS zmm20{k1}{z}, [rdi+rax*4+128]", func(a *Asm) { a.VMOVUPS_Z(MI(RDI, 128, RAX, 4), K(1), Z(20)) }},
		{"VPXORD zmm17, zmm18, zmm19", func(a *Asm) { a.VPXORD(Z(19), Z(18), Z(17)) }},
	} {
		t.Run(c.intel, func(t *testing.T) {
			ctx := build.NewContext()
			a := newAsm(ctx, AVX512)
			for _, fn := range []struct {
				name string
				body func()
			}{{"intel", func() { a.Intel(c.intel, "AVX512F") }}, {"goasm", func() { c.goasm(a) }}} {
				ctx.Function(fn.name)
				ctx.Attributes(attr.NOSPLIT)
				ctx.SignatureExpr("func()")
				fn.body()
				a.RET()
			}
			if a.err != nil {
				t.Fatal(a.err)
			}
			file, err := ctx.Result()
			if err == nil {
				err = pass.Compile.Execute(file)
			}
			if err != nil {
				t.Fatal(err)
			}
			src, err := printer.NewGoAsm(printer.Config{Name: "test", Pkg: "x"}).Print(file)
			if err != nil {
				t.Fatal(err)
			}
			code := assemble(t, src)
			if !bytes.Equal(code["intel"], code["goasm"]) || len(code["intel"]) < 2 {
				t.Errorf("asm2plan9s: % x\nGo assembler: % x\n%s", code["intel"], code["goasm"], src)
			}
		})
	}
}

// assemble runs the Go assembler on src and returns the machine code of
// its functions by name.
func assemble(t *testing.T, src []byte) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	s, o := filepath.Join(dir, "x_amd64.s"), filepath.Join(dir, "x.o")
	if err := os.WriteFile(s, src, 0o644); err != nil {
		t.Fatal(err)
	}
	inc := filepath.Join(runtime.GOROOT(), "pkg", "include")
	if out, err := exec.Command("go", "tool", "asm", "-p", "x", "-I", inc, "-o", o, s).CombinedOutput(); err != nil {
		t.Fatalf("go tool asm: %v\n%s\n%s", err, out, src)
	}
	out, err := exec.Command("go", "tool", "objdump", o).Output()
	if err != nil {
		t.Fatalf("go tool objdump: %v", err)
	}
	// objdump cannot decode every AVX-512 instruction, but it prints every
	// byte: TEXT x.name(SB) ..., then "file:line  0xaddr  hexbytes  text".
	text := regexp.MustCompile(`^TEXT x\.(\w+)\(SB\)`)
	line := regexp.MustCompile(`^\s+\S+:\d+\s+0x[0-9a-f]+\s+([0-9a-f]+)\s`)
	code := map[string][]byte{}
	var fn string
	for _, l := range strings.Split(string(out), "\n") {
		if m := text.FindStringSubmatch(l); m != nil {
			fn = m[1]
		} else if m := line.FindStringSubmatch(l); m != nil && fn != "" {
			code[fn] = append(code[fn], hexBytes(t, m[1])...)
		}
	}
	return code
}

func hexBytes(t *testing.T, h string) []byte {
	b := make([]byte, len(h)/2)
	for i := range b {
		var v byte
		for _, c := range h[2*i : 2*i+2] {
			v = v<<4 | byte(strings.IndexRune("0123456789abcdef", c))
		}
		b[i] = v
	}
	return b
}
