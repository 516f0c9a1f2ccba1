package suite

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/eval"
)

func TestMeanStd(t *testing.T) {
	m, s, n := meanStd([]float64{1, 2, math.NaN(), 3})
	if m != 2 || s != 1 || n != 3 {
		t.Errorf("meanStd = %v, %v, %d; want 2, 1, 3 (NaN skipped)", m, s, n)
	}
	if got := cell([]float64{1, math.NaN()}, 2); got != "1.00 (1/2)" {
		t.Errorf("cell = %q", got)
	}
	if got := cell([]float64{math.NaN()}, 2); got != "—" {
		t.Errorf("cell of no values = %q", got)
	}
}

func TestValidateAndSteps(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(c.Sets) != 9 || len(c.Specs()) != 135 {
		t.Errorf("full suite: %d sets, %d runs; want 9 and 135", len(c.Sets), len(c.Specs()))
	}
	// Seed-major: the first runs are every set and pairing with seed 1.
	perSeed := len(c.Sets) * len(c.Pairings)
	for i, s := range c.Specs() {
		if want := uint64(i/perSeed + 1); s.Seed != want {
			t.Fatalf("run %d (%s) has seed %d, want %d", i, s.Name(), s.Seed, want)
		}
	}
	if c.StepsFor("sv+gp") != DefaultSteps || c.StepsFor("mi+diffusion") != DefaultDiffusionSteps {
		t.Error("default steps per pairing")
	}
	c.Steps = 7
	if c.StepsFor("sv+diffusion") != 7 {
		t.Error("--steps must set every pairing")
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.Sets = []string{"nope"} },
		func(c *Config) { c.Pairings = []string{"gp+sv"} },
		func(c *Config) { c.Pairings = []string{"sv+gp", "sv+gp"} },
		func(c *Config) { c.Seeds = 0 },
		func(c *Config) { c.Parallel = 0 },
	} {
		c := DefaultConfig()
		bad(&c)
		if c.Validate() == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

// rec is an evaluated record with a KL gap, its test NLL (a data entropy
// of 1 nat) and mode coverage.
func rec(set, pairing string, seed uint64, kl float64, covered int) *Record {
	r := &eval.Report{}
	e := bounds.Estimate{Value: kl}
	r.Test.KLGap = &e
	r.Test.NLL = bounds.Estimate{Value: kl + 1}
	if covered >= 0 {
		r.Generator.Modes = &eval.ModeReport{K: 8, Covered: covered, HighQuality: 0.95}
	}
	return &Record{Set: set, Pairing: pairing, Seed: seed, Status: "ok", Report: r}
}

// noDensity drops the KL gap of r: a set without a closed-form density.
func noDensity(r *Record) *Record {
	r.Report.Test.KLGap = nil
	return r
}

func TestGoals(t *testing.T) {
	c := DefaultConfig()
	c.Sets = []string{"8gaussians", "rings", "pinwheel"}
	c.Pairings = []string{"sv+gp", "sv+none"}
	c.Out = t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(c.Out, "reference"), 0o755))
	for set, nll := range map[string]float64{"8gaussians": 1.05, "rings": 1.0, "pinwheel": 2.95} { // the KDE's test NLL
		b, err := json.Marshal(Reference{Set: set, KDE: RefScore{NLL: bounds.Estimate{Value: nll}}})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(referencePath(c, set), b, 0o644))
	}
	good := []*Record{
		rec("8gaussians", "sv+gp", 1, 0.1, 8), rec("8gaussians", "sv+none", 1, 0.5, 8),
		rec("rings", "sv+gp", 1, 0.08, -1), rec("rings", "sv+none", 1, 0.3, -1),
		noDensity(rec("pinwheel", "sv+gp", 1, 2, -1)), noDensity(rec("pinwheel", "sv+none", 1, 3, -1)),
	}
	for _, g := range goals(c, good) {
		if strings.Contains(g, "does not hold") || strings.Contains(g, "not measured") {
			t.Errorf("all goals met, but: %s", g)
		}
	}
	bad := []*Record{
		rec("8gaussians", "sv+gp", 1, 0.3, 7), rec("8gaussians", "sv+none", 1, 0.2, 8),
		{Set: "rings", Pairing: "sv+gp", Seed: 1, Status: "diverged", Rollbacks: 5}, rec("rings", "sv+none", 1, 0.3, -1),
		noDensity(rec("pinwheel", "sv+gp", 1, 3, -1)), noDensity(rec("pinwheel", "sv+none", 1, 2, -1)),
	}
	got := goals(c, bad)
	if len(got) < 5 {
		t.Fatalf("goals = %q", got)
	}
	for i, g := range got[:5] {
		if !strings.Contains(g, "does not hold") {
			t.Errorf("goal %d should fail: %s", i, g)
		}
	}
	if !strings.Contains(got[2], "above 0.10 on 8gaussians") || !strings.Contains(got[3], "more than 0.10 on 8gaussians, pinwheel") {
		t.Errorf("the KL and KDE goals should name the sets that miss them: %s / %s", got[2], got[3])
	}
	if !strings.Contains(got[4], "not better on 8gaussians, rings, pinwheel") {
		t.Errorf("baseline goal should fail on every set: %s", got[4])
	}
}

func TestResultsListViolations(t *testing.T) {
	c := DefaultConfig()
	c.Sets, c.Pairings, c.Seeds = []string{"8gaussians"}, []string{"sv+gp"}, 2
	ok, bad := rec("8gaussians", "sv+gp", 1, 0.3, 8), rec("8gaussians", "sv+gp", 2, 0.4, 8)
	bad.Report.Violations = []eval.Violation{{Side: "lower", Bound: "sv-exact", Excess: 0.5}}
	var b strings.Builder
	if err := writeResults(&b, c, []*Record{ok, bad}, "abc", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "8gaussians-sv+gp-s2: lower sv-exact by 0.500") {
		t.Errorf("RESULTS.md does not list the violation:\n%s", b.String())
	}
	b.Reset()
	if err := writeResults(&b, c, []*Record{ok}, "abc", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No evaluation flagged") {
		t.Errorf("RESULTS.md without violations:\n%s", b.String())
	}
}
