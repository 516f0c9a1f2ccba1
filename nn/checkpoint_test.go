package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	toyEnergySpec    = MLPSpec{Widths: []int{2, 16, 16, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}
	toyGeneratorSpec = MLPSpec{Widths: []int{2, 16, 16, 2}, Activation: "prelu", BatchNorm: true}
)

// trainedState is a small training run: two networks after a few steps (so
// buffers and moments are not at their initial values), their optimizers and
// the RNG.
type trainedState struct {
	rng       *RNG
	energy    *Network[float32]
	generator *Network[float32]
	optE      *Adam[float32]
	optG      *Adam[float32]
}

func newTrainedState(t testing.TB, steps int) *trainedState {
	r := NewRNG(2024)
	e, err := BuildMLP[float32](toyEnergySpec, r.Stream("init/energy"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := BuildMLP[float32](toyGeneratorSpec, r.Stream("init/generator"))
	if err != nil {
		t.Fatal(err)
	}
	st := &trainedState{rng: r, energy: e, generator: g,
		optE: NewAdam(e.Params(), AdamConfig{LR: 2e-4, Beta1: 0, Beta2: 0.9, Eps: 1e-6}),
		optG: NewAdam(g.Params(), AdamConfig{LR: 2e-4, Beta1: 0, Beta2: 0.9, Eps: 1e-6})}
	st.train(steps)
	return st
}

// train runs steps of "generator output → energy" training: the generator
// minimises mean E(G(z)), the energy minimises mean E(x) − mean E(G(z)).
func (st *trainedState) train(steps int) {
	const B = 8
	z := make([]float32, B*2)
	x := make([]float32, B*2)
	gy := make([]float32, B)
	ew, ew2, gw := st.energy.NewWorkspace(B, 0), st.energy.NewWorkspace(B, 0), st.generator.NewWorkspace(B, 0)
	for i := 0; i < steps; i++ {
		Normal(st.rng.Stream("latents"), z)
		Normal(st.rng.Stream("data"), x)
		fake := gw.Forward(z, Train)
		st.energy.ZeroGrad()
		ew.Forward(x, Train)
		vfill(gy, 1.0/B)
		ew.Backward(gy, GradParams)
		ew2.Forward(fake, Train)
		vfill(gy, -1.0/B)
		ew2.Backward(gy, GradParams)
		st.optE.Step()

		st.generator.ZeroGrad()
		Normal(st.rng.Stream("latents"), z)
		fake = gw.Forward(z, Train)
		ew2.Forward(fake, Train)
		vfill(gy, 1.0/B)
		gfake := ew2.Backward(gy, GradInput)
		gw.Backward(gfake, GradParams)
		st.optG.Step()
	}
}

func (st *trainedState) checkpoint(t testing.TB) *Checkpoint {
	c := &Checkpoint{Step: 1234}
	c.SetConfig([]byte(`{"dataset":"8gaussians","seed":2024}`))
	AddNetwork(c, "energy", st.energy)
	AddNetwork(c, "generator", st.generator)
	if err := c.AddOptimizer("energy", st.optE); err != nil {
		t.Fatal(err)
	}
	if err := c.AddOptimizer("generator", st.optG); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRNG(st.rng); err != nil {
		t.Fatal(err)
	}
	return c
}

// restore builds fresh networks (no init) and loads everything from c.
func restore(t testing.TB, c *Checkpoint) *trainedState {
	e, _ := BuildMLP[float32](toyEnergySpec, nil)
	g, _ := BuildMLP[float32](toyGeneratorSpec, nil)
	st := &trainedState{rng: NewRNG(0), energy: e, generator: g,
		optE: NewAdam(e.Params(), AdamConfig{}), optG: NewAdam(g.Params(), AdamConfig{})}
	for _, err := range []error{
		LoadNetwork(c, "energy", e), LoadNetwork(c, "generator", g),
		c.LoadOptimizer("energy", st.optE), c.LoadOptimizer("generator", st.optG), c.LoadRNG(st.rng),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func stateBits(n *Network[float32]) []uint32 {
	var b []uint32
	for _, p := range n.Params() {
		for _, v := range p.Value {
			b = append(b, math.Float32bits(v))
		}
	}
	for _, p := range n.Buffers() {
		for _, v := range p.Value {
			b = append(b, math.Float32bits(v))
		}
	}
	return b
}

func sameBits(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCheckpointRoundTrip saves a training state, loads it into fresh
// objects, checks every bit, and checks that training continues identically.
func TestCheckpointRoundTrip(t *testing.T) {
	st := newTrainedState(t, 3)
	c := st.checkpoint(t)
	path := filepath.Join(t.TempDir(), "run.ckpt")
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	c2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Step != 1234 || string(c2.Config()) != string(c.Config()) {
		t.Errorf("step/config: %d %q", c2.Step, c2.Config())
	}
	enc1, _ := c.Encode()
	enc2, _ := c2.Encode()
	if !bytes.Equal(enc1, enc2) {
		t.Errorf("re-encoding a loaded checkpoint changes its bytes")
	}
	st2 := restore(t, c2)
	if !sameBits(stateBits(st.energy), stateBits(st2.energy)) || !sameBits(stateBits(st.generator), stateBits(st2.generator)) {
		t.Fatalf("restored networks differ")
	}
	st.train(3)
	st2.train(3)
	if !sameBits(stateBits(st.energy), stateBits(st2.energy)) || !sameBits(stateBits(st.generator), stateBits(st2.generator)) {
		t.Errorf("training from the restored state diverges")
	}

	// A float64 twin loads the float32 checkpoint exactly.
	e64, _ := BuildMLP[float64](toyEnergySpec, nil)
	if err := LoadNetwork(c2, "energy", e64); err != nil {
		t.Fatal(err)
	}
	for _, p := range e64.Params() {
		tt, _ := c2.Tensor("energy/params/" + p.Name)
		if tt.DType != Float32 || !equalBits(p.Value, tt.Data) {
			t.Fatalf("float64 load of %s differs from the checkpoint", p.Name)
		}
	}
}

func TestCheckpointErrors(t *testing.T) {
	st := newTrainedState(t, 1)
	good, err := st.checkpoint(t).Encode()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	newer := mod(func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[8:], ckptVersion+1)
		binary.LittleEndian.PutUint32(b[24:], crc(b[:24]))
		return b
	})
	cases := []struct {
		name string
		data []byte
		kind error
		msg  string
	}{
		{"empty", nil, ErrTruncated, "header"},
		{"magic-prefix", good[:5], ErrTruncated, "header"},
		{"header-cut", good[:20], ErrTruncated, "header"},
		{"body-cut", good[:len(good)/2], ErrTruncated, "announces"},
		{"last-byte-cut", good[:len(good)-1], ErrTruncated, "announces"},
		{"trailing", append(bytes.Clone(good), 0), ErrCorrupt, "after the end"},
		{"body-flip", mod(func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b }), ErrCorrupt, "body checksum"},
		{"crc-flip", mod(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), ErrCorrupt, "body checksum"},
		{"header-flip", mod(func(b []byte) []byte { b[17] ^= 1; return b }), ErrCorrupt, "header checksum"},
		{"foreign-json", []byte(`{"not": "a checkpoint"}`), ErrNotCheckpoint, "magic"},
		{"foreign-png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrNotCheckpoint, "magic"},
		{"newer", newer, ErrVersion, "newer"},
	}
	for _, c := range cases {
		path := write(c.name+".ckpt", c.data)
		_, err := Load(path)
		var ce *CheckpointError
		switch {
		case err == nil:
			t.Errorf("%s: loaded without error", c.name)
		case !errors.Is(err, c.kind) || !errors.As(err, &ce):
			t.Errorf("%s: error %v, want kind %v", c.name, err, c.kind)
		case !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.msg):
			t.Errorf("%s: error %q should name the file and say %q", c.name, err, c.msg)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.ckpt")); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.ckpt") {
		t.Errorf("missing file: %v", err)
	}

	// Mismatches against the network: all-or-nothing, clear messages.
	path := write("good.ckpt", good)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	small, _ := BuildMLP[float32](MLPSpec{Widths: []int{2, 8, 16, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}, NewStream(1, "x"))
	before := stateBits(small)
	err = LoadNetwork(c, "energy", small)
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "energy/params/0.weight") ||
		!strings.Contains(err.Error(), "[16 2]") || !strings.Contains(err.Error(), "[8 2]") || !strings.Contains(err.Error(), path) {
		t.Errorf("shape mismatch: %v", err)
	}
	if !sameBits(before, stateBits(small)) {
		t.Errorf("a failed load changed the network")
	}
	noSN, _ := BuildMLP[float32](MLPSpec{Widths: []int{2, 16, 16, 1}, Activation: "prelu", OutputScale: true}, nil)
	if err := LoadNetwork(c, "energy", noSN); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "weight_u") {
		t.Errorf("extra tensor: %v", err)
	}
	if err := LoadNetwork(c, "critic", noSN); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing network: %v", err)
	}
	if err := c.LoadOptimizer("energy", NewAdam(small.Params(), AdamConfig{})); !errors.Is(err, ErrMismatch) {
		t.Errorf("optimizer for another network: %v", err)
	}
	if err := c.LoadOptimizer("critic", NewAdam(small.Params(), AdamConfig{})); !errors.Is(err, ErrMismatch) {
		t.Errorf("missing optimizer: %v", err)
	}
}

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.ckpt")
	c := &Checkpoint{Step: 1}
	c.SetBlob("x", []byte("first"))
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	c.Step = 2
	c.SetBlob("x", []byte("second, longer"))
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := got.Blob("x"); got.Step != 2 || string(b) != "second, longer" {
		t.Errorf("overwrite: step %d blob %q", got.Step, b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after two saves, want 1", len(entries))
	}
	if err := Save(filepath.Join(dir, "no", "such", "dir.ckpt"), c); err == nil || !strings.Contains(err.Error(), "dir.ckpt") {
		t.Errorf("save into a missing directory: %v", err)
	}
}
