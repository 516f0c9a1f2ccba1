package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/eval"
	"github.com/ebmcpu/ebmcpu/suite"
)

// TestSuiteShort runs the CI-sized suite end to end, then again to check
// that finished runs are skipped, then once more after deleting one run's
// eval.json to check that the redone run (now sequential) has the same bits.
func TestSuiteShort(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := ebmcpu("suite", "--short", "--out", dir)
	if code != 0 {
		t.Fatalf("suite --short: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	res, err := os.ReadFile(filepath.Join(dir, suite.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ebmcpu suite --short --out " + dir, "## 8gaussians", "| sv+gp | ", "| sv+none | ",
		"| 8gaussians | sv+gp | ", "## Goals of the default pairing (sv+gp)", "No divergence in any run: **",
		"8gaussians-sv+gp-s1 | ok | 300 |"} {
		if !strings.Contains(string(res), want) {
			t.Errorf("RESULTS.md lacks %q:\n%s", want, res)
		}
	}
	runs := []string{"8gaussians-sv+gp-s1", "8gaussians-sv+none-s1"}
	ckpt := map[string][]byte{}
	for _, r := range runs {
		b, err := os.ReadFile(filepath.Join(dir, "runs", r, suite.EvalJSON))
		if err != nil {
			t.Fatal(err)
		}
		var rep eval.Report
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatalf("%s eval.json: %v", r, err)
		}
		if rep.Step != suite.ShortSteps || rep.Dataset != "8gaussians" || rep.Test.KLGap == nil || rep.Generator.Modes == nil {
			t.Errorf("%s eval.json: step %d, dataset %q, KL gap %v, modes %v", r, rep.Step, rep.Dataset, rep.Test.KLGap, rep.Generator.Modes)
		}
		if _, err := os.Stat(filepath.Join(dir, "runs", r, suite.EvalPNG)); err != nil {
			t.Error(err)
		}
		if ckpt[r], err = os.ReadFile(filepath.Join(dir, "runs", r, ebm.CheckpointFile)); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(filepath.Join(dir, suite.GridFile))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("grid.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 2*suite.GridTileWidth || b.Dy() < 100 {
		t.Errorf("grid.png is %v, want %d px wide (two pairings)", b, 2*suite.GridTileWidth)
	}

	// Resume: nothing is redone.
	before, _ := os.Stat(filepath.Join(dir, "runs", runs[0], suite.EvalJSON))
	code, _, stderr = ebmcpu("suite", "--short", "--out", dir)
	if code != 0 || strings.Count(stderr, "done before") != 2 {
		t.Fatalf("second suite: exit %d, want both runs skipped:\n%s", code, stderr)
	}
	after, _ := os.Stat(filepath.Join(dir, "runs", runs[0], suite.EvalJSON))
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("a finished run's eval.json was rewritten on resume")
	}

	// A run without eval.json is redone, with the same bits at --parallel 1.
	if err := os.Remove(filepath.Join(dir, "runs", runs[1], suite.EvalJSON)); err != nil {
		t.Fatal(err)
	}
	// But first, --report tables the one finished run and trains nothing.
	code, stdout, stderr = ebmcpu("suite", "--short", "--out", dir, "--report")
	if code != 0 || !strings.Contains(stdout, "from 1 of 2 runs") {
		t.Fatalf("suite --report: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if res, err := os.ReadFile(filepath.Join(dir, suite.ResultsFile)); err != nil || !strings.Contains(string(res), "from the 1 of 2 runs finished") ||
		!strings.Contains(string(res), "`ebmcpu suite --short --out "+dir+"`") {
		t.Errorf("RESULTS.md after --report (%v):\n%s", err, res)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs", runs[1], suite.EvalJSON)); err == nil {
		t.Error("--report trained a run")
	}
	code, _, stderr = ebmcpu("suite", "--short", "--out", dir, "--parallel", "1")
	if code != 0 || strings.Count(stderr, "done before") != 1 {
		t.Fatalf("third suite: exit %d, want one run redone:\n%s", code, stderr)
	}
	again, err := os.ReadFile(filepath.Join(dir, "runs", runs[1], ebm.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, ckpt[runs[1]]) {
		t.Error("the redone run's checkpoint differs from the first (results should not depend on --parallel)")
	}
}

func TestSuiteBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sets", "nosuchset"}, "nosuchset"},
		{[]string{"--sets", "8gaussians,8gaussians"}, "8gaussians"},
		{[]string{"--pairings", "sv+foo"}, "sv+foo"},
		{[]string{"--pairings", "mi+none"}, "mi+none"},
		{[]string{"--seeds", "0"}, "seeds"},
		{[]string{"--seeds", "x"}, "seeds"},
		{[]string{"--steps", "-5"}, "steps"},
		{[]string{"--parallel", "0"}, "parallel"},
		{[]string{"--short", "extra"}, "extra"},
		{[]string{"--nosuchflag"}, "nosuchflag"},
		{[]string{"--report"}, "no finished run"},
	} {
		out := filepath.Join(dir, "s")
		expectBadInput(t, append([]string{"suite", "--out", out}, tc.args...), tc.want)
		if _, err := os.Stat(out); err == nil {
			t.Errorf("suite %v: left %s behind", tc.args, out)
		}
	}
}

// TestSuiteRefusesOtherRunLength checks that a suite directory holding runs
// of another length is not silently mixed into the table.
func TestSuiteRefusesOtherRunLength(t *testing.T) {
	dir := t.TempDir()
	args := []string{"suite", "--short", "--out", dir, "--pairings", "sv+none"}
	if code, _, stderr := ebmcpu(append(args, "--steps", "20")...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, _, stderr := ebmcpu(append(args, "--steps", "30")...)
	if code != 1 || !strings.Contains(stderr, "holds a finished run of 20 iterations, not 30") {
		t.Errorf("exit %d, stderr %q; want 1 naming the run lengths", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs", "8gaussians-sv+none-s1", suite.EvalJSON)); err != nil {
		t.Errorf("the finished run was removed: %v", err)
	}
}
