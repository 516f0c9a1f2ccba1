package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ebmcpu/ebmcpu/bounds"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/nn"
	"github.com/ebmcpu/ebmcpu/trainer"
)

// tinyConfig is a fast run of a pairing on tiny networks.
func tinyConfig(dataset, lower, upper string) ebm.Config {
	cfg := ebm.DefaultConfig()
	cfg.Dataset, cfg.Lower, cfg.Upper = dataset, ebm.LowerBound(lower), ebm.UpperBound(upper)
	cfg.Steps, cfg.Batch = 30, 32
	cfg.Energy.Hidden, cfg.Generator.Hidden = []int{16, 16}, []int{16, 16}
	cfg.Diffusion.Nodes, cfg.Diffusion.StepsPerNode = 3, 2
	cfg.PlotEvery, cfg.CheckpointEvery = 0, 0
	return cfg
}

// trainTiny trains cfg for its steps and returns the trainer.
func trainTiny(t *testing.T, cfg ebm.Config) *trainer.Trainer {
	t.Helper()
	tr, err := trainer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range cfg.Steps {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

// quick are small evaluation settings for tests.
func quick() Options {
	return Options{Grid: 40, Samples: 200, TestPoints: 2000, Latents: 100, BoundBatch: 50, Seed: 3,
		AIS:       AISConfig{Temps: 50, Chains: 50, PilotChains: 20},
		Langevin:  LangevinConfig{Steps: 20, BurnIn: 20},
		Diffusion: nil}
}

// firstNonFinite reports the path of the first non-finite float in v
// in v (Diffusion acceptance and similar may legitimately be NaN: skip
// fields named in allowNaN).
func firstNonFinite(v reflect.Value, path string, allowNaN map[string]bool) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return firstNonFinite(v.Elem(), path, allowNaN)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || allowNaN[f.Name] {
				continue
			}
			if p := firstNonFinite(v.Field(i), path+"."+f.Name, allowNaN); p != "" {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if p := firstNonFinite(v.Index(i), path, allowNaN); p != "" {
				return p
			}
		}
	case reflect.Float64:
		if x := v.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
			return path
		}
	}
	return ""
}

// TestEvaluateTinyModel trains a tiny model for a few dozen steps and
// evaluates it: a valid report with finite numbers, a JSON file that
// decodes, and a PNG panel.
func TestEvaluateTinyModel(t *testing.T) {
	tr := trainTiny(t, tinyConfig("8gaussians", "sv", "gp"))
	s := &Subject{Config: tr.Config(), Nets: tr.Nets, Step: tr.StepCount()}
	r, err := Evaluate(s, quick())
	if err != nil {
		t.Fatal(err)
	}
	if p := firstNonFinite(reflect.ValueOf(r), "report", nil); p != "" {
		t.Errorf("non-finite value at %s", p)
	}
	if r.LogZMethod != "grid" || r.Grid == nil || r.AIS == nil {
		t.Fatalf("2-D report: method %q, grid %v, ais %v", r.LogZMethod, r.Grid != nil, r.AIS != nil)
	}
	if r.Test.KLGap == nil || r.Test.DataEntropy == nil || r.Generator.Modes == nil || r.Generator.Modes.K != 8 {
		t.Fatalf("8gaussians report lacks the KL gap or the modes: %+v", r.Test)
	}
	kinds := map[string]int{}
	for _, b := range r.Bracket {
		kinds[b.Side+"/"+b.Kind]++
		if b.Error != "" {
			t.Errorf("bound %s failed: %s", b.Kind, b.Error)
		}
	}
	for _, k := range []string{"lower/sv", "upper/gp", "upper/diffusion"} {
		if kinds[k] == 0 {
			t.Errorf("the bracket lacks %s: %v", k, kinds)
		}
	}
	jp := filepath.Join(t.TempDir(), "eval.json")
	if err := r.WriteJSON(jp); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(jp)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.LogZ != r.LogZ || back.Test.NLL != r.Test.NLL || len(back.Bracket) != len(r.Bracket) {
		t.Errorf("JSON round trip changed the report")
	}
	var sum strings.Builder
	if err := r.Summary(&sum); err != nil || !strings.Contains(sum.String(), "test NLL") {
		t.Errorf("summary: %v\n%s", err, sum.String())
	}
}

// TestEvaluateCheckpointMI saves an mi + diffusion model as a checkpoint
// and evaluates it through Load: the trained auxiliary networks are
// loaded, the own bracket is reported as approximate, and gp and the
// exact sv bound are evaluated although the model was not trained with
// them. Through EvaluateModel (no auxiliary parameters) the report says
// the mi bound is loose.
func TestEvaluateCheckpointMI(t *testing.T) {
	cfg := tinyConfig("rings", "mi", "diffusion")
	cfg.MI.Hidden = []int{8}
	tr := trainTiny(t, cfg)
	path := filepath.Join(t.TempDir(), "model.ckpt")
	if err := tr.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Aux) == 0 || s.Step != cfg.Steps || s.Name != path {
		t.Fatalf("Load: %d auxiliary tensors, step %d, name %q", len(s.Aux), s.Step, s.Name)
	}
	r, err := Evaluate(s, quick())
	if err != nil {
		t.Fatal(err)
	}
	has := func(side, kind string, trained, approx bool) bool {
		for _, b := range r.Bracket {
			if b.Side == side && b.Kind == kind && b.Trained == trained && b.Approximate == approx && b.Error == "" {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		side, kind      string
		trained, approx bool
	}{
		{"lower", "mi", true, false},
		{"lower", "sv", false, false},
		{"upper", "gp", false, false},
		{"upper", "diffusion", false, false},
		{"upper", "diffusion", true, true}, // the trained pairing
	} {
		if !has(c.side, c.kind, c.trained, c.approx) {
			t.Errorf("bracket lacks %+v: %+v", c, r.Bracket)
		}
	}
	for _, n := range r.Notes {
		if strings.Contains(n, "freshly initialised") {
			t.Errorf("auxiliary networks were loaded, yet: %q", n)
		}
	}
	if r.Test.DataEntropy == nil || r.Generator.Modes != nil {
		t.Errorf("rings: entropy %v, modes %v", r.Test.DataEntropy, r.Generator.Modes)
	}
	m, err := ebm.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := EvaluateModel(m, quick())
	if err != nil {
		t.Fatal(err)
	}
	// A loaded Model carries the trained auxiliary networks too: its own
	// lower bound is the same as through Load.
	for _, n := range r2.Notes {
		if strings.Contains(n, "freshly initialised") {
			t.Errorf("EvaluateModel lost the auxiliary networks: %q", n)
		}
	}
	if own, own2 := ownLower(r), ownLower(r2); own == nil || own2 == nil || *own != *own2 {
		t.Errorf("the model's own lower bound differs between Load and LoadModel: %v vs %v", own, own2)
	}
	// The same subject and options give the same report.
	r3, err := Evaluate(s, quick())
	if err != nil {
		t.Fatal(err)
	}
	r.Seconds, r3.Seconds = 0, 0
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(r3)
	if string(a) != string(b) {
		t.Errorf("two evaluations of the same model differ")
	}
}

// TestEvaluateCSV3D evaluates a model of 3-D CSV data: log Z by AIS,
// labelled a stochastic lower bound with an optimistic NLL, and a panel
// of the first two coordinates.
func TestEvaluateCSV3D(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("a,b,c\n")
	s := nn.NewStream(5, "csv")
	for range 300 {
		fmt.Fprintf(&sb, "%g,%g,%g\n", s.NormFloat64(), 0.5*s.NormFloat64()+1, 2*s.NormFloat64())
	}
	csv := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(csv, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := tinyConfig("csv:"+csv, "sv", "none")
	tr := trainTiny(t, cfg)
	r, err := Evaluate(&Subject{Config: tr.Config(), Nets: tr.Nets, Step: -1}, quick())
	if err != nil {
		t.Fatal(err)
	}
	if r.LogZMethod != "ais" || r.AIS == nil || r.Grid != nil || !r.Test.Optimistic || r.Test.N != 60 {
		t.Fatalf("3-D report: method %q, grid %v, optimistic %v, %d test rows", r.LogZMethod, r.Grid != nil, r.Test.Optimistic, r.Test.N)
	}
	if !strings.Contains(r.AIS.Note, "LOWER bound") {
		t.Errorf("AIS note %q", r.AIS.Note)
	}
	if p := firstNonFinite(reflect.ValueOf(r), "report", map[string]bool{"Diffusion": true}); p != "" {
		t.Errorf("non-finite value at %s", p)
	}
	// The baseline was trained without an upper bound; both are evaluated.
	ups := 0
	for _, b := range r.Bracket {
		if b.Side == "upper" && b.Error == "" && !b.Trained {
			ups++
		}
	}
	if ups != 2 {
		t.Errorf("%d upper bounds evaluated for the baseline, want 2", ups)
	}
}

// TestEvaluateErrors: options out of range, a subject without networks and
// a data set that moved are errors; the last is ErrData.
func TestEvaluateErrors(t *testing.T) {
	tr := trainTiny(t, tinyConfig("moons", "sv", "gp"))
	s := &Subject{Config: tr.Config(), Nets: tr.Nets}
	for _, o := range []Options{{Grid: 2}, {Samples: 1}, {Box: -1}, {Latents: 1}} {
		if _, err := Evaluate(s, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	if _, err := Evaluate(&Subject{Config: s.Config}, quick()); err == nil {
		t.Error("a subject without networks accepted")
	}
	moved := *s
	moved.Config.Dataset = "csv:/no/such/data.csv"
	if _, err := Evaluate(&moved, quick()); !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "data.csv") {
		t.Errorf("moved data: %v", err)
	}
}

// ownLower returns the log Z of the report's trained lower bound.
func ownLower(r *Report) *bounds.Estimate {
	for i, b := range r.Bracket {
		if b.Side == "lower" && b.Trained {
			return &r.Bracket[i].LogZ
		}
	}
	return nil
}
