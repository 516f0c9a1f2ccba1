// Command _gen generates the assembly kernels of package asm and the Go code
// that declares and registers them, following the recipe of asm/doc.go. Run
// it from the module root with
//
//	go run -C asm/_gen .
//
// (or go generate ./asm). With -check it writes nothing and instead fails
// if the files of package asm differ from a fresh generation (make
// asm-check); -out names another directory than asm.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// families is every kernel family of package asm, in the order of the
// kernel table.
func families() []*KernelFamily {
	return []*KernelFamily{
		vector(),
		lincomb(),
		activation(),
		pack(),
		gemm(),
		adam(),
		fused(),
		rows(),
		peak(),
	}
}

func main() {
	// Not flag.CommandLine: avo's build package defines its own flags there.
	flags := flag.NewFlagSet("asm/_gen", flag.ExitOnError)
	out := flags.String("out", "..", "the directory of package asm")
	check := flags.Bool("check", false, "compare the files of -out with a fresh generation instead of writing them")
	_ = flags.Parse(os.Args[1:])
	files, err := Generate(families())
	if err == nil && *check {
		var problems []string
		problems, err = Check(*out, files)
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, p)
		}
		if err == nil && len(problems) > 0 {
			err = fmt.Errorf("package asm differs from a fresh generation (%d problems)", len(problems))
		}
	} else if err == nil {
		err = write(*out, files)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "asm/_gen:", err)
		os.Exit(1)
	}
}

// write writes files into dir and removes the files of dir that this
// generator wrote before but no longer writes.
func write(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	stale, err := Stale(dir, files)
	if err != nil {
		return err
	}
	for _, name := range stale {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// Stale lists the files of dir that start with this generator's header but
// are not among files.
func Stale(dir string, files map[string][]byte) ([]string, error) {
	var stale []string
	for _, pattern := range []string{"*.go", "*.s"} {
		matches, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		for _, path := range matches {
			name := filepath.Base(path)
			if _, ok := files[name]; ok {
				continue
			}
			gen, err := generated(path)
			if err != nil {
				return nil, err
			}
			if gen {
				stale = append(stale, name)
			}
		}
	}
	sort.Strings(stale)
	return stale, nil
}

// generated reports whether the file at path starts with Header.
func generated(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return false, nil
	}
	return strings.TrimSpace(string(bytes.TrimSpace(line))) == Header(), nil
}

// Check compares a fresh generation, files, with the directory dir and
// describes every difference: a generated file that is missing from dir or
// differs from files (with a diff), a file of dir this generator wrote but
// no longer writes, and a generated file that git does not track.
func Check(dir string, files map[string][]byte) ([]string, error) {
	var problems []string
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		have, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, name+": missing; run go generate ./asm")
		case err != nil:
			return nil, err
		case !bytes.Equal(have, files[name]):
			problems = append(problems, name+": differs from a fresh generation; run go generate ./asm"+
				diff(filepath.Join(dir, name), files[name]))
		}
	}
	stale, err := Stale(dir, files)
	if err != nil {
		return nil, err
	}
	for _, name := range stale {
		problems = append(problems, name+": no longer generated; go generate ./asm removes it")
	}
	tracked, err := gitFiles(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if tracked != nil && !tracked[name] {
			problems = append(problems, name+": generated but not tracked by git (git add it)")
		}
	}
	return problems, nil
}

// diff is the unified diff from the file at path to want, its first 50
// lines, or "" if the diff command is not there.
func diff(path string, want []byte) string {
	tmp, err := os.CreateTemp("", "asmgen-*")
	if err != nil {
		return ""
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(want)
	if cerr := tmp.Close(); err != nil || cerr != nil {
		return ""
	}
	out, _ := exec.Command("diff", "-u", path, tmp.Name()).Output()
	lines := strings.SplitAfter(string(out), "\n")
	if len(lines) > 50 {
		lines = append(lines[:50], "...\n")
	}
	return "\n" + strings.TrimRight(strings.Join(lines, ""), "\n")
}

// gitFiles is the set of files of dir that git tracks, or nil if dir is
// not in a git work tree (or git is missing): then nothing is checked.
func gitFiles(dir string) (map[string]bool, error) {
	if err := exec.Command("git", "-C", dir, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		fmt.Fprintln(os.Stderr, "asm/_gen: not in a git work tree; not checking that the generated files are tracked")
		return nil, nil
	}
	out, err := exec.Command("git", "-C", dir, "ls-files", "-z", "--", ".").Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %w", err)
	}
	files := map[string]bool{}
	for _, name := range strings.Split(string(out), "\x00") {
		files[name] = true
	}
	return files, nil
}
