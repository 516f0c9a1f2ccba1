package trainer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ebmcpu/ebmcpu/nn"
)

// Checkpoint layout: the networks under "energy" and "generator", the
// auxiliary parameters of the mi bound as tensors "aux/<name>", optimiser
// states "opt_energy", "opt_generator", "opt_aux", the RNG, the CSV
// sampler ("sampler"), the guard ("guard"), the widths ("dims") and the
// config. Together they make a resumed run continue bit for bit, and the
// widths let a service load the model without the training data.

type guardState struct {
	LRScale   float64 `json:"lr_scale"`
	Rollbacks int     `json:"rollbacks"`
}

type dims struct {
	Data   int `json:"data_dim"`
	Latent int `json:"latent_dim"`
}

// dimsOf reads the data and latent widths stored in a checkpoint.
func dimsOf(c *nn.Checkpoint, path string) (dims, error) {
	var d dims
	b, ok := c.Blob("dims")
	if !ok {
		return d, fmt.Errorf("checkpoint %s: no network widths (not an ebmcpu training checkpoint)", path)
	}
	if err := json.Unmarshal(b, &d); err != nil || d.Data < 1 || d.Latent < 1 {
		return d, fmt.Errorf("checkpoint %s: bad network widths %q", path, b)
	}
	return d, nil
}

// auxOf returns the auxiliary parameters ("aux/<name>" tensors) of a
// checkpoint by name, or nil.
func auxOf(c *nn.Checkpoint) map[string][]float32 {
	var aux map[string][]float32
	for _, t := range c.Tensors() {
		if name, ok := strings.CutPrefix(t.Name, "aux/"); ok {
			v := make([]float32, len(t.Data))
			for i, x := range t.Data {
				v[i] = float32(x)
			}
			if aux == nil {
				aux = map[string][]float32{}
			}
			aux[name] = v
		}
	}
	return aux
}

// SetAux copies auxiliary parameter values by name (as AuxValues and
// checkpoints hold them) into ps, the parameters of an mi bound.
func SetAux(ps []*nn.Param[float32], aux map[string][]float32) error {
	for _, p := range ps {
		v, ok := aux[p.Name]
		if !ok || len(v) != len(p.Value) {
			return fmt.Errorf("auxiliary parameter %s of the mi bound is missing or has the wrong size", p.Name)
		}
		copy(p.Value, v)
	}
	return nil
}

// Checkpoint captures the complete training state.
func (t *Trainer) Checkpoint() (*nn.Checkpoint, error) {
	c := &nn.Checkpoint{Step: int64(t.step)}
	nn.AddNetwork(c, "energy", t.Energy)
	nn.AddNetwork(c, "generator", t.Generator)
	for _, p := range t.lower.AuxParams() {
		c.SetTensor(paramTensor("aux/"+p.Name, p))
	}
	opts := map[string]nn.Optimizer{"opt_energy": t.optE, "opt_generator": t.optG}
	if t.optAux != nil {
		opts["opt_aux"] = t.optAux
	}
	for _, name := range []string{"opt_energy", "opt_generator", "opt_aux"} {
		if o, ok := opts[name]; ok {
			if err := c.AddOptimizer(name, o); err != nil {
				return nil, err
			}
		}
	}
	if err := c.AddRNG(t.rng); err != nil {
		return nil, err
	}
	if t.sampler != nil {
		b, err := t.sampler.MarshalBinary()
		if err != nil {
			return nil, err
		}
		c.SetBlob("sampler", b)
	}
	g, _ := json.Marshal(guardState{t.guard.lrScale, t.guard.rollbacks})
	c.SetBlob("guard", g)
	dm, _ := json.Marshal(dims{Data: t.D, Latent: t.d})
	c.SetBlob("dims", dm)
	cfg, err := json.Marshal(t.cfg)
	if err != nil {
		return nil, err
	}
	c.SetConfig(cfg)
	return c, nil
}

func paramTensor(name string, p *nn.Param[float32]) *nn.Tensor {
	data := make([]float64, len(p.Value))
	for i, v := range p.Value {
		data[i] = float64(v)
	}
	return &nn.Tensor{Name: name, DType: nn.Float32, Shape: append([]int(nil), p.Shape...), Data: data}
}

// SaveCheckpoint writes the training state to path atomically and makes it
// the guard's last good state.
func (t *Trainer) SaveCheckpoint(path string) error {
	c, err := t.Checkpoint()
	if err != nil {
		return err
	}
	if err := nn.Save(path, c); err != nil {
		return err
	}
	t.guard.snapshot(t)
	return nil
}

// ConfigOf returns the run configuration stored in a checkpoint.
func ConfigOf(c *nn.Checkpoint, path string) (Config, error) {
	var cfg Config
	raw := c.Config()
	if len(raw) == 0 {
		return cfg, fmt.Errorf("checkpoint %s: no run configuration (not an ebmcpu training checkpoint)", path)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("checkpoint %s: run configuration: %w", path, err)
	}
	return cfg, nil
}

// Resume rebuilds the trainer saved at path, ready to continue where it
// stopped. steps, if positive, replaces the configured number of iterations
// (to extend a finished run).
func Resume(path string, steps int) (*Trainer, error) {
	c, err := nn.Load(path)
	if err != nil {
		return nil, err
	}
	cfg, err := ConfigOf(c, path)
	if err != nil {
		return nil, err
	}
	if steps > 0 {
		cfg.Steps = steps
	}
	t, err := New(cfg)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := t.restore(c); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return t, nil
}

// restore loads every piece of state New does not derive from the config.
func (t *Trainer) restore(c *nn.Checkpoint) error {
	if err := nn.LoadNetwork(c, "energy", t.Energy); err != nil {
		return err
	}
	if err := nn.LoadNetwork(c, "generator", t.Generator); err != nil {
		return err
	}
	if err := SetAux(t.lower.AuxParams(), auxOf(c)); err != nil {
		return err
	}
	if err := c.LoadOptimizer("opt_energy", t.optE); err != nil {
		return err
	}
	if err := c.LoadOptimizer("opt_generator", t.optG); err != nil {
		return err
	}
	if t.optAux != nil {
		if err := c.LoadOptimizer("opt_aux", t.optAux); err != nil {
			return err
		}
	}
	if err := c.LoadRNG(t.rng); err != nil {
		return err
	}
	if t.sampler != nil {
		b, ok := c.Blob("sampler")
		if !ok {
			return fmt.Errorf("the data sampler state is missing")
		}
		if err := t.sampler.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("data sampler state: %w", err)
		}
	}
	var g guardState
	if b, ok := c.Blob("guard"); ok {
		if err := json.Unmarshal(b, &g); err != nil {
			return fmt.Errorf("guard state: %w", err)
		}
	} else {
		g.LRScale = 1
	}
	t.guard.lrScale, t.guard.rollbacks = g.LRScale, g.Rollbacks
	t.applyLRScale()
	t.step = int(c.Step)
	t.guard.snapshot(t)
	return nil
}
