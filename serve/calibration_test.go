package serve

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/serve/servetest"
)

func TestCalibrateQuantile(t *testing.T) {
	// Energies 1..100 shuffled: fpr 0.05 allows 5 above, the threshold is 95.
	e := make([]float32, 100)
	for i := range e {
		e[i] = float32(i + 1)
	}
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(e), func(i, j int) { e[i], e[j] = e[j], e[i] })
	orig := slices.Clone(e)
	c, err := Calibrate(e, 0.05, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c.Threshold != 95 || c.N != 100 || c.FPR != 0.05 || c.HeldOutFPR != 0.05 || c.Source != "test" {
		t.Fatalf("%+v, want threshold 95 with held-out fpr 0.05", c)
	}
	if !slices.Equal(e, orig) {
		t.Fatal("Calibrate modified its input")
	}
	if c.Outlier(95) || !c.Outlier(95.01) {
		t.Fatal("outlier means E > threshold")
	}

	// fpr·n = 0.29·100 is 28.999999999999996 in floating point: still 29 above.
	if c, _ := Calibrate(e, 0.29, ""); c.Threshold != 71 {
		t.Fatalf("fpr 0.29: threshold %v, want 71", c.Threshold)
	}
	// Fewer points than 1/fpr: nothing may lie above, the threshold is the maximum.
	if c, _ := Calibrate(e[:10], 0.01, ""); c.Threshold != float64(slices.Max(e[:10])) || c.HeldOutFPR != 0 {
		t.Fatalf("n=10, fpr 0.01: %+v, want the maximum", c)
	}
	// Ties at the threshold: fewer than fpr·n lie strictly above.
	ties := []float32{1, 2, 3, 3, 3, 3, 3, 3, 3, 4}
	if c, _ := Calibrate(ties, 0.3, ""); c.Threshold != 3 || c.HeldOutFPR != 0.1 {
		t.Fatalf("ties: %+v, want threshold 3 with held-out fpr 0.1", c)
	}
}

// TestCalibrateProperty checks on random data that at most fpr·n held-out
// energies lie above the threshold and that the next lower order statistic
// would let more through.
func TestCalibrateProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		n := 1 + rng.IntN(500)
		fpr := 0.001 + rng.Float64()*0.5
		e := make([]float32, n)
		for i := range e {
			e[i] = float32(rng.NormFloat64())
		}
		c, err := Calibrate(e, fpr, "")
		if err != nil {
			t.Fatal(err)
		}
		above := 0
		for _, v := range e {
			if c.Outlier(v) {
				above++
			}
		}
		if float64(above) > fpr*float64(n)+1e-9 || math.Abs(float64(above)/float64(n)-c.HeldOutFPR) > 1e-12 {
			t.Fatalf("n=%d fpr=%v: %d above (held-out fpr %v)", n, fpr, above, c.HeldOutFPR)
		}
		lower := math.Inf(-1)
		for _, v := range e {
			if float64(v) < c.Threshold {
				lower = max(lower, float64(v))
			}
		}
		if !math.IsInf(lower, -1) {
			more := 0
			for _, v := range e {
				if float64(v) > lower {
					more++
				}
			}
			if float64(more) <= fpr*float64(n) {
				t.Fatalf("n=%d fpr=%v: threshold %v is not the lowest allowed (%v lets %d through)", n, fpr, c.Threshold, lower, more)
			}
		}
	}
}

func TestCalibrateErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    []float32
		fpr  float64
	}{
		{"empty", nil, 0.1},
		{"fpr 0", []float32{1}, 0},
		{"fpr 1", []float32{1}, 1},
		{"fpr NaN", []float32{1}, math.NaN()},
		{"NaN energy", []float32{1, float32(math.NaN())}, 0.1},
		{"Inf energy", []float32{float32(math.Inf(1)), 1}, 0.1},
	} {
		if c, err := Calibrate(tc.e, tc.fpr, ""); err == nil {
			t.Errorf("%s: got %+v, want an error", tc.name, c)
		}
	}
}

func TestCalibrationSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, CalibrationFile)
	c := Calibration{Threshold: -1.25, FPR: 0.01, N: 5000, HeldOutFPR: 0.0098, Source: "moons, test split"}
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCalibration(path)
	if err != nil {
		t.Fatal(err)
	}
	if *got != c {
		t.Fatalf("loaded %+v, saved %+v", *got, c)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("%d files after Save, want 1 (no temporary left)", len(ents))
	}

	bad := Calibration{Threshold: math.Inf(1), FPR: 0.01, N: 1}
	if err := bad.Save(path); err == nil {
		t.Fatal("saved an infinite threshold")
	}
	for name, text := range map[string]string{
		"unknown field": `{"threshold":1,"fpr":0.1,"n":10,"held_out_fpr":0,"source":"","extra":1}`,
		"bad fpr":       `{"threshold":1,"fpr":1.5,"n":10,"held_out_fpr":0,"source":""}`,
		"no points":     `{"threshold":1,"fpr":0.1,"n":0,"held_out_fpr":0,"source":""}`,
		"held-out>fpr":  `{"threshold":1,"fpr":0.1,"n":10,"held_out_fpr":0.2,"source":""}`,
		"not JSON":      `threshold = 1`,
	} {
		p := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCalibration(p); err == nil || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("%s: err %v, want an error naming the file", name, err)
		}
	}
	if _, err := LoadCalibration(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("loaded a missing file")
	}
}

func TestCalibrateModel(t *testing.T) {
	m := servetest.NewModel(2)
	x := randRows(rand.New(rand.NewPCG(7, 7)), 101, 2)
	e := make([]float32, 101)
	if err := m.Energy(x, e); err != nil {
		t.Fatal(err)
	}
	want, _ := Calibrate(e, 0.1, "held out")
	got, err := CalibrateModel(m, x, 16, 0.1, "held out")
	if err != nil || got != want {
		t.Fatalf("%+v (%v), want %+v", got, err, want)
	}
	if m.MaxRowsSeen() != 101 || m.Calls() != 1+7 {
		t.Errorf("%d calls, largest %d rows: want one of 101 rows, then 7 of at most 16", m.Calls(), m.MaxRowsSeen())
	}
	if _, err := CalibrateModel(m, x[:3], 16, 0.1, ""); err == nil {
		t.Error("accepted a partial row")
	}
	if _, err := CalibrateModel(m, x, 0, 0.1, ""); err == nil {
		t.Error("accepted batch 0")
	}
}
