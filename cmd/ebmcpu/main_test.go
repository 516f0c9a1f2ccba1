package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/ebm"
)

// ebmcpu runs the command in-process and returns its exit status and output.
func ebmcpu(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// expectBadInput runs a command that must fail on its input: exit status 2,
// nothing on stdout, and exactly one line on stderr that names want.
func expectBadInput(t *testing.T, args []string, want string) {
	t.Helper()
	code, stdout, stderr := ebmcpu(args...)
	msg := strings.TrimSpace(stderr)
	switch {
	case code != 2:
		t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, stderr)
	case stdout != "":
		t.Errorf("%v: wrote to stdout: %q", args, stdout)
	case strings.Contains(msg, "\n"):
		t.Errorf("%v: message is not one line: %q", args, msg)
	case !strings.Contains(msg, want):
		t.Errorf("%v: message %q does not name %q", args, msg, want)
	}
}

// tinyTrain is a fast training run's flags.
func tinyTrain(out string, extra ...string) []string {
	return append([]string{"train", "--out", out, "--steps", "30", "--batch", "16", "--energy.hidden", "8",
		"--generator.hidden", "8", "--log_every", "10", "--checkpoint_every", "10", "--plot_every", "0"}, extra...)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// idxFile writes an IDX image file with the given magic, gzipped.
func idxFile(t *testing.T, dir string, magic uint32) {
	t.Helper()
	var raw bytes.Buffer
	binary.Write(&raw, binary.BigEndian, []uint32{magic, 2, 28, 28})
	raw.Write(make([]byte, 2*28*28))
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(raw.Bytes())
	w.Close()
	if err := os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var labels bytes.Buffer
	binary.Write(&labels, binary.BigEndian, []uint32{2049, 2})
	labels.Write([]byte{3, 7})
	if err := os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), labels.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadInputIsOneLineExit2 checks every kind of bad input: exit status 2,
// a single line naming the input, and no run directory left behind.
func TestBadInputIsOneLineExit2(t *testing.T) {
	mnist := t.TempDir()
	idxFile(t, mnist, 0x0bad)
	corrupt := writeFile(t, "bad.ckpt", "EBMCPUCK not really a checkpoint")
	notADir := writeFile(t, "plainfile", "") // a run directory cannot be made under a file, even as root
	cases := []struct {
		name string
		args []string
		want string // a fragment the message must contain
	}{
		{"unknown command", []string{"frobnicate"}, "frobnicate"},
		{"unknown flag", []string{"train", "--no-such-flag"}, "no-such-flag"},
		{"bad int", []string{"train", "--steps", "many"}, "--steps"},
		{"bad float", []string{"train", "--gp.weight", "x"}, "--gp.weight"},
		{"bad int list", []string{"train", "--energy.hidden", "100,a"}, "--energy.hidden"},
		{"unknown dataset", []string{"train", "--dataset", "9gaussians"}, "9gaussians"},
		{"unknown lower", []string{"train", "--lower", "xx"}, "lower"},
		{"unknown activation", []string{"train", "--energy.activation", "swish2"}, "swish2"},
		{"adaptive ULA negatives", []string{"train", "--negatives.mala=false", "--negatives.target_acceptance", "0.6"}, "negatives.target_acceptance"},
		{"weighted and refined negatives", []string{"train", "--negatives.resample", "0"}, "negatives.importance=false"},
		{"resampling without chains", []string{"train", "--negatives.steps", "0"}, "negatives.resample"},
		{"resample above 1", []string{"train", "--negatives.resample", "1.5"}, "negatives.resample"},
		{"resampled persistent chains", []string{"train", "--negatives.restart", "0.1"}, "negatives.restart"},
		{"target acceptance 1", []string{"train", "--negatives.target_acceptance", "1"}, "negatives.target_acceptance"},
		{"ragged csv", []string{"train", "--dataset", "csv:" + writeFile(t, "r.csv", "1,2\n3\n")}, "r.csv"},
		{"non-numeric csv", []string{"train", "--dataset", "csv:" + writeFile(t, "n.csv", "1,2\n3,abc\n")}, "n.csv"},
		{"NaN in csv", []string{"train", "--dataset", "csv:" + writeFile(t, "nan.csv", "1,2\nNaN,3\n")}, "nan.csv"},
		{"empty csv", []string{"train", "--dataset", "csv:" + writeFile(t, "e.csv", "")}, "e.csv"},
		{"missing csv", []string{"train", "--dataset", "csv:/no/such/file.csv"}, "file.csv"},
		{"wrong idx magic", []string{"train", "--dataset", "mnist:" + mnist}, "train-images-idx3-ubyte.gz"},
		{"corrupt checkpoint", []string{"sample", "--model", corrupt}, "bad.ckpt"},
		{"missing checkpoint", []string{"sample", "--model", "/no/such/run"}, "/no/such/run"},
		{"resume corrupt", []string{"train", "--resume", corrupt}, "bad.ckpt"},
		{"config file typo", []string{"train", "--config", writeFile(t, "c.json", `{"stepz": 3}`)}, "stepz"},
		{"bad config json", []string{"train", "--config", writeFile(t, "c2.json", `{"steps": `)}, "c2.json"},
		{"unwritable out", []string{"train", "--out", filepath.Join(notADir, "run"), "--steps", "1"}, "plainfile"},
		{"sample without model", []string{"sample"}, "--model"},
		{"bench without name", []string{"bench"}, "gemm"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wd := t.TempDir()
			old, _ := os.Getwd()
			os.Chdir(wd)
			defer os.Chdir(old)
			expectBadInput(t, tc.args, tc.want)
			if _, err := os.Stat(filepath.Join(wd, "runs")); err == nil {
				t.Errorf("a run directory was created despite the error")
			}
		})
	}
}

// TestTrainSampleResume runs a tiny training end to end: the run directory
// holds the config, metrics and checkpoint; sample reads it; --resume
// extends it; an existing run directory is refused.
func TestTrainSampleResume(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := ebmcpu(tinyTrain(dir)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	for _, f := range []string{"config.json", "metrics.jsonl", "checkpoint.ckpt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("run directory lacks %s", f)
		}
	}
	metrics, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if n := bytes.Count(metrics, []byte("\n")); n != 4 {
		t.Fatalf("metrics.jsonl has %d lines, want 4 (the bracket's certification, then every 10 of 30 steps)", n)
	}
	if !bytes.Contains(metrics, []byte(`"event":"bracket: lower certified if the generator is injective (sv-exact); upper NOT certified`)) {
		t.Fatalf("metrics.jsonl does not say which side of the bracket is certified:\n%s", metrics)
	}
	if code, _, errOut := ebmcpu(tinyTrain(dir)...); code != 2 || !strings.Contains(errOut, "already holds a run") {
		t.Fatalf("second train into the same directory: exit %d, %q", code, errOut)
	}
	code, out, errOut := ebmcpu("sample", "--model", dir, "-n", "7", "--langevin", "3")
	if code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 8 || lines[0] != "x0,x1" {
		t.Fatalf("sample output: %q", out)
	}
	if code, _, errOut := ebmcpu("train", "--resume", dir, "--steps", "50"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errOut)
	}
	metrics, _ = os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if n := bytes.Count(metrics, []byte("\n")); n != 6 {
		t.Fatalf("after resuming to 50 steps metrics.jsonl has %d lines, want 6", n)
	}
	if code, _, _ := ebmcpu("train", "--resume", dir, "--batch", "8"); code != 2 {
		t.Fatalf("--resume with a config flag: exit %d, want 2", code)
	}
}

// TestEvalEveryLeavesTrainingUnchanged trains the same tiny run with and
// without evaluations every 15 iterations: the reports appear, and the
// trained energy is bit-identical (evaluation works on copies, with its own
// random streams).
func TestEvalEveryLeavesTrainingUnchanged(t *testing.T) {
	plain, evald := filepath.Join(t.TempDir(), "plain"), filepath.Join(t.TempDir(), "evald")
	if code, _, errOut := ebmcpu(tinyTrain(plain)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	if code, _, errOut := ebmcpu(tinyTrain(evald, "--eval_every", "15")...); code != 0 {
		t.Fatalf("train with evaluations: exit %d: %s", code, errOut)
	}
	for _, f := range []string{"eval-000015.json", "eval-000030.json"} {
		if _, err := os.Stat(filepath.Join(evald, f)); err != nil {
			t.Fatalf("missing %s", f)
		}
	}
	x := []float32{0, 0, 1, -1, -2, 0.5, 3, 3}
	var energies [2][]float32
	for i, dir := range []string{plain, evald} {
		m, err := ebm.LoadModel(dir)
		if err != nil {
			t.Fatal(err)
		}
		energies[i] = make([]float32, 4)
		if err := m.Energy(x, energies[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range energies[0] {
		if math.Float32bits(energies[0][i]) != math.Float32bits(energies[1][i]) {
			t.Fatalf("energy %d differs: %v vs %v", i, energies[0][i], energies[1][i])
		}
	}
}
