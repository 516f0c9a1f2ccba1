package main

import (
	"bytes"
	"fmt"
	"go/format"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
)

// Command is how the generated files say they were made: go generate runs
// the //go:generate line of asm/doc.go, go run -C _gen . (this generator).
var Command = []string{"go", "generate", "./asm"}

var cfg = printer.Config{Argv: Command, Pkg: "asm"}

// Header is the first line of every generated file.
func Header() string { return "// " + cfg.GeneratedWarning() }

// constraint is the build constraint of every file with assembly or
// declarations of it.
const constraint = "amd64,!noasm"

// Generate builds every family for every tier and returns the contents of
// the generated files of package asm by file name.
func Generate(families []*KernelFamily) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range families {
		var files []*ir.File
		for _, t := range Tiers {
			if !f.implements(t) {
				continue
			}
			file, err := f.build(t)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", f.Name, t.Lower, err)
			}
			src, err := printer.NewGoAsm(cfg).Print(file)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", f.Name, t.Lower, err)
			}
			out[f.Name+"_"+t.Lower+"_amd64.s"] = withDoc(src, f.Doc[t])
			files = append(files, file)
		}
		stubs, err := f.stubs(files)
		if err != nil {
			return nil, fmt.Errorf("%s: stubs: %w", f.Name, err)
		}
		out[f.Name+"_stubs_amd64.go"] = stubs
	}
	table, err := kernelTable(families)
	if err != nil {
		return nil, err
	}
	out["kernels_gen.go"] = table
	reg, err := registration(families)
	if err != nil {
		return nil, err
	}
	out["kernels_gen_amd64.go"] = reg
	return out, nil
}

// build runs the family's kernel bodies for tier t through avo: one
// function per kernel, then avo's checks and passes (pass.Compile).
func (f *KernelFamily) build(t *Tier) (*ir.File, error) {
	c := build.NewContext()
	c.ConstraintExpr(constraint)
	a := newAsm(c, t)
	for _, k := range f.Kernels {
		if !k.Implements(t) {
			continue
		}
		c.Function(k.FuncName(t))
		c.Attributes(attr.NOSPLIT)
		c.SignatureExpr(k.Sig)
		c.Doc(k.doc(t)...)
		c.Pragma("noescape")
		a.E = k.E
		k.Body(a)
	}
	file, err := c.Result()
	if err == nil {
		err = a.err
	}
	if err != nil {
		return nil, err
	}
	if err := pass.Compile.Execute(file); err != nil {
		return nil, err
	}
	// Data first, then the functions, in the order they were written.
	sort.SliceStable(file.Sections, func(i, j int) bool {
		_, gi := file.Sections[i].(*ir.Global)
		_, gj := file.Sections[j].(*ir.Global)
		return gi && !gj
	})
	return file, nil
}

// implements reports whether some kernel of f has an implementation for t.
func (f *KernelFamily) implements(t *Tier) bool {
	for _, k := range f.Kernels {
		if k.Implements(t) {
			return true
		}
	}
	return false
}

// doc is the doc comment of k's assembly function for tier t.
func (k *Kernel) doc(t *Tier) []string {
	d := k.FuncName(t) + " " + k.Doc
	if s := k.TierDoc[t]; s != "" {
		d += " " + s
	}
	return wrap(d, 76)
}

// stubs prints the Go declarations of the functions of files, kernel by
// kernel, weakest tier first.
func (f *KernelFamily) stubs(files []*ir.File) ([]byte, error) {
	byName := map[string]*ir.Function{}
	for _, file := range files {
		for _, fn := range file.Functions() {
			byName[fn.Name] = fn
		}
	}
	all := ir.NewFile()
	all.Constraints = files[0].Constraints
	for _, k := range f.Kernels {
		for _, t := range Tiers {
			if k.Implements(t) {
				all.AddSection(byName[k.FuncName(t)])
			}
		}
	}
	return printer.NewStubs(cfg).Print(all)
}

// withDoc puts the family's comment for the tier under the #include line
// of an assembly file (avo has no file comments).
func withDoc(src []byte, doc string) []byte {
	const include = "#include \"textflag.h\"\n"
	i := bytes.Index(src, []byte(include))
	if i < 0 || doc == "" {
		return src
	}
	i += len(include)
	var b bytes.Buffer
	b.Write(src[:i])
	b.WriteString("\n")
	for _, line := range strings.Split(strings.TrimSpace(doc), "\n") {
		b.WriteString(strings.TrimRight("// "+line, " ") + "\n")
	}
	b.Write(src[i:])
	return b.Bytes()
}

// kernelTable writes kernels_gen.go: the table type with a field per
// kernel, and the generic tier's table of twins.
func kernelTable(families []*KernelFamily) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\npackage asm\n\n", Header())
	b.WriteString(`// kernels is one tier's implementation of every kernel: the table the public
// wrappers call through. Its fields are the kernel list of asm/_gen, family by
// family (the family's Go file holds the wrappers and the twins).
type kernels struct {
`)
	for i, f := range families {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "\t// %s.go\n", f.Name)
		for _, k := range f.Kernels {
			if !k.NoField {
				fmt.Fprintf(&b, "\t%s %s\n", k.Slot, k.FieldType())
			}
		}
	}
	b.WriteString(`}

// genericKernels returns the generic tier's table: the pure-Go twins.
func genericKernels() *kernels {
	return &kernels{
`)
	for i, f := range families {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, k := range f.Kernels {
			if !k.NoField {
				fmt.Fprintf(&b, "\t\t%s: %s,\n", k.Slot, k.GenericValue())
			}
		}
	}
	b.WriteString("\t}\n}\n")
	return format.Source(b.Bytes())
}

// registration writes kernels_gen_amd64.go: the assembly tiers' tables.
func registration(families []*KernelFamily) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n\n//go:build amd64 && !noasm\n\npackage asm\n\n", Header())
	fmt.Fprintf(&b, `// maxBuiltTier is the strongest tier this build has kernels for.
const maxBuiltTier = %s

// registerAsmTiers fills the tables of the assembly tiers. Each starts from a
// copy of the next weaker tier's table and replaces the kernels it implements.
func registerAsmTiers() {
`, Tiers[len(Tiers)-1].Name)
	prev := "*tables[Generic]"
	for _, t := range Tiers {
		fmt.Fprintf(&b, "\t%s := %s\n", t.Lower, prev)
		for _, f := range families {
			for _, k := range f.Kernels {
				if k.Implements(t) && !k.NoField {
					fmt.Fprintf(&b, "\t%s.%s = %s\n", t.Lower, k.Slot, k.TierValue(t))
				}
			}
		}
		fmt.Fprintf(&b, "\ttables[%s] = &%s\n\n", t.Name, t.Lower)
		prev = t.Lower
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
