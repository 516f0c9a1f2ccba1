package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalCommand evaluates a tiny trained run: exit 0, a summary on
// stdout, a JSON report that decodes and a PNG panel next to it.
func TestEvalCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := ebmcpu(tinyTrain(dir)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	code, out, errOut := ebmcpu("eval", "--model", dir, "--grid", "30", "--samples", "100", "--latents", "50")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"log Z =", "test NLL", "upper gp", "eval.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "eval.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Units string `json:"units"`
		Grid  struct {
			N int `json:"n"`
		} `json:"grid"`
		Panel string `json:"panel"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Units != "nats" || rep.Grid.N != 30 || rep.Panel != filepath.Join(dir, "eval.png") {
		t.Errorf("report: %+v", rep)
	}
	f, err := os.Open(filepath.Join(dir, "eval.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("panel: %v", err)
	}
	// --out elsewhere: the panel follows the report.
	other := filepath.Join(t.TempDir(), "r.json")
	if code, _, errOut := ebmcpu("eval", "--model", filepath.Join(dir, "checkpoint.ckpt"), "--out", other, "--grid", "20",
		"--samples", "50", "--latents", "20"); code != 0 {
		t.Fatalf("eval --out: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(other), "r.png")); err != nil {
		t.Errorf("no panel next to --out: %v", err)
	}
}

// TestEvalBadInput: every bad input exits 2 with one line naming it and
// writes nothing.
func TestEvalBadInput(t *testing.T) {
	csv := writeFile(t, "d.csv", "1,2\n3,4\n5,6.5\n2,1\n")
	moved := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := ebmcpu(tinyTrain(moved, "--dataset", "csv:"+csv)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	os.Remove(csv)
	good := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := ebmcpu(tinyTrain(good)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	corrupt := writeFile(t, "bad.ckpt", "EBMCPUCK not really a checkpoint")
	notADir := writeFile(t, "plainfile", "")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no model", []string{"eval"}, "--model"},
		{"unknown flag", []string{"eval", "--model", good, "--frob"}, "frob"},
		{"bad grid", []string{"eval", "--model", good, "--grid", "2"}, "grid"},
		{"bad samples", []string{"eval", "--model", good, "--samples", "1"}, "samples"},
		{"bad box", []string{"eval", "--model", good, "--box", "-1"}, "box"},
		{"bad seed", []string{"eval", "--model", good, "--seed", "x"}, "-seed"},
		{"missing checkpoint", []string{"eval", "--model", "/no/such/run"}, "/no/such/run"},
		{"corrupt checkpoint", []string{"eval", "--model", corrupt}, "bad.ckpt"},
		{"unwritable out", []string{"eval", "--model", good, "--out", filepath.Join(notADir, "r.json")}, "plainfile"},
		{"moved data", []string{"eval", "--model", moved}, "d.csv"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectBadInput(t, tc.args, tc.want)
			for _, d := range []string{moved, good} {
				for _, f := range []string{"eval.json", "eval.png"} {
					if _, err := os.Stat(filepath.Join(d, f)); err == nil {
						t.Errorf("%s written despite the error", f)
					}
				}
			}
		})
	}
}
