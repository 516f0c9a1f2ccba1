package ebm_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// tinyRun writes the checkpoint of a small untrained model (no data, no
// training: fast under the fuzzer's instrumentation) into a temporary
// directory and returns the directory.
func tinyRun(t testing.TB) string {
	cfg := ebm.DefaultConfig()
	cfg.Energy.Hidden, cfg.Generator.Hidden = []int{8}, []int{8}
	cfg.EMA = 0 // the checkpoint holds no moving average
	nets, err := ebm.NewNets(cfg, ebm.Dims{Data: 2, Latent: 2}, nn.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	c := &nn.Checkpoint{Step: 5}
	ebm.AddNets(c, nets, nil, nil)
	if err := ebm.AddConfig(c, cfg, ebm.Dims{Data: 2, Latent: 2}); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "ebmcpu-fuzz-")
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.Save(filepath.Join(dir, ebm.CheckpointFile), c); err != nil {
		t.Fatal(err)
	}
	return dir
}

// FuzzConfigJSON decodes arbitrary config files: strict decoding,
// validation and the size checks never panic, and a config that passes
// them builds its networks within the memory limit.
func FuzzConfigJSON(f *testing.F) {
	for _, seed := range []string{`{"steps":200}`, `{"steps":200} garbage`, `null`, `[]`, `{"energy":{"hidden":[4611686018427387904]}}`,
		`{"batch":-3}`, `{"opt_energy":{"lr":1e39}}`, `{"latent_dim":7,"generator":{"hidden":[3]}}`, `{"diffusion":{"nodes":1e9}}`,
		`{"lower":"mi","mi":{"hidden":[]}}`, `{"dataset":"csv:"}`, `{"steps":2}{"steps":3}`} {
		f.Add([]byte(seed), 2)
	}
	f.Fuzz(func(t *testing.T, raw []byte, D int) {
		cfg := ebm.DefaultConfig()
		if ebm.DecodeStrict(raw, &cfg) != nil || cfg.Validate() != nil {
			return
		}
		cfg.MemoryLimit = 32 << 20
		if cfg.ValidateDims(ebm.Dims{Data: D, Latent: D}) != nil {
			return
		}
		if _, err := ebm.NewNets(cfg, ebm.Dims{Data: D, Latent: D}, nil); err != nil {
			t.Logf("valid config does not build: %v", err) // allowed: e.g. an unknown activation spelled oddly
		}
	})
}

var (
	fuzzOnce sync.Once
	fuzzDir  string
)

// fuzzCheckpoint is a valid checkpoint of a tiny model (made once).
func fuzzCheckpoint(t testing.TB) *nn.Checkpoint {
	fuzzOnce.Do(func() { fuzzDir = tinyRun(t) })
	c, err := nn.Load(filepath.Join(fuzzDir, ebm.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzCheckpointMeta doctors a checksum-valid checkpoint — its stored
// config, widths, step and one tensor value — and loads it: the readers
// never panic, and whatever loads is a usable model.
func FuzzCheckpointMeta(f *testing.F) {
	cfg, _ := json.Marshal(ebm.DefaultConfig())
	f.Add(cfg, []byte(`{"data_dim":2,"latent_dim":2}`), int64(30), 0.5)
	f.Add(cfg, []byte(`{"data_dim":100000000,"latent_dim":2}`), int64(30), 0.5)
	f.Add([]byte(`{"energy":{"hidden":[4611686018427387904]}}`), []byte(`{"data_dim":2,"latent_dim":2}`), int64(-1), math.NaN())
	f.Add([]byte(`{"latent_dim":1}`), []byte(`{"data_dim":2,"latent_dim":1}`), int64(1)<<62, math.Inf(1))
	f.Fuzz(func(t *testing.T, config, dims []byte, step int64, poke float64) {
		c := fuzzCheckpoint(t)
		// Keep what a doctored config may allocate small: the limit is
		// what is under test, not the machine's memory.
		var m map[string]any
		if json.Unmarshal(config, &m) == nil && m != nil {
			m["memory_limit"] = 64 << 20
			config, _ = json.Marshal(m)
		}
		c.SetConfig(config)
		c.SetBlob("dims", dims)
		c.Step = step
		c.Tensors()[0].Data[0] = poke
		p := filepath.Join(t.TempDir(), "c.ckpt")
		if err := nn.Save(p, c); err != nil {
			return
		}
		model, err := ebm.LoadModel(p)
		if err != nil {
			return
		}
		x := make([]float32, 3*model.Dim())
		if err := model.Energy(x, make([]float32, 3)); err != nil {
			t.Fatalf("a loaded model fails on zeros: %v", err)
		}
	})
}

// FuzzModel calls every method of a loaded model with arbitrary sizes and
// values: errors are fine, panics and non-finite outputs for finite inputs
// are not.
func FuzzModel(f *testing.F) {
	f.Add([]byte{0, 0, 128, 63, 0, 0, 0, 64}, 3, 2, 0.01)
	f.Add([]byte{0, 0, 192, 127}, -1, 5, 1e300)
	f.Add([]byte{}, 1<<30, 0, 0.0)
	f.Fuzz(func(t *testing.T, raw []byte, n, steps int, h float64) {
		fuzzOnce.Do(func() { fuzzDir = tinyRun(t) })
		m, err := ebm.LoadModel(fuzzDir)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, len(raw)/4)
		for i := range x {
			x[i] = math.Float32frombits(uint32(raw[4*i]) | uint32(raw[4*i+1])<<8 | uint32(raw[4*i+2])<<16 | uint32(raw[4*i+3])<<24)
		}
		rows := len(x) / m.Dim()
		e, s := make([]float32, rows), make([]float32, len(x))
		if m.Energy(x, e) == nil {
			for _, v := range e {
				if math.IsNaN(float64(v)) {
					t.Fatalf("NaN energy for finite input %v", x)
				}
			}
		}
		_ = m.Score(x, s)
		lo, hi := make([]float64, rows), make([]float64, rows)
		_ = m.LogDensityBounds(x, lo, hi)
		_ = m.Sample(n, 1, make([]float32, 8*m.Dim()))
		if steps > 20 {
			steps = 20
		}
		if _, err := m.Langevin(x, steps, h, steps%2 == 0, 1); err == nil {
			for _, v := range x {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatal("Langevin returned no error with non-finite states")
				}
			}
		}
	})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fuzzDir != "" {
		os.RemoveAll(fuzzDir)
	}
	os.Exit(code)
}
