package ebm

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/nn"
)

// The checkpoint of a run is an nn.Checkpoint holding, in this order:
//
//	tensors  "energy/…", "generator/…"       the networks (nn.AddNetwork)
//	         "base/mean", "base/precision"   the Gaussian base (Config.Base, bounds.Base)
//	         "aux/<name>"                    the auxiliary parameters of an mi lower bound
//	blobs    the training state the trainer adds (optimisers, RNG, sampler, guard)
//	         "dims"                          {"data_dim": D, "latent_dim": d}
//	         "config"                        the run's Config as JSON
//
// The model part (networks, auxiliary parameters, widths, config) is
// enough to load a Model without the training data; the training state
// makes a resumed run continue bit for bit.
const (
	energyPrefix    = "energy"
	emaPrefix       = "energy_ema" // the moving average of the energy's weights (Config.EMA > 0)
	generatorPrefix = "generator"
	auxPrefix       = "aux/"
	dimsBlob        = "dims"
	baseMean        = "base/mean"
	basePrecision   = "base/precision"
)

// Float32Tensor stores the float32 values v as a checkpoint tensor of the
// given shape.
func Float32Tensor(name string, v []float32, shape ...int) *nn.Tensor {
	data := make([]float64, len(v))
	for i, x := range v {
		data[i] = float64(x)
	}
	return &nn.Tensor{Name: name, DType: nn.Float32, Shape: shape, Data: data}
}

// Float32Values returns the values of a tensor Float32Tensor stored, as
// float32.
func Float32Values(t *nn.Tensor) []float32 {
	v := make([]float32, len(t.Data))
	for i, x := range t.Data {
		v[i] = float32(x)
	}
	return v
}

// Dims are the widths of a model: the data width D, the latent width d,
// and for images their shape (D = Channels·Height·Width).
type Dims struct {
	Data     int `json:"data_dim"`
	Latent   int `json:"latent_dim"`
	Channels int `json:"channels,omitempty"`
	Height   int `json:"height,omitempty"`
	Width    int `json:"width,omitempty"`
}

// Image reports whether the dims describe images.
func (d Dims) Image() bool {
	return d.Channels > 0 && d.Height > 0 && d.Width > 0 && d.Channels*d.Height*d.Width == d.Data
}

// AddNets adds the networks, the Gaussian base (if any), the moving
// average of the energy's weights (nil without one) and the auxiliary
// parameters of the lower bound to c: the tensors of a model checkpoint.
func AddNets(c *nn.Checkpoint, nets bounds.Nets[float32], ema *nn.Network[float32], aux []*nn.Param[float32]) {
	nn.AddNetwork(c, energyPrefix, nets.Energy)
	nn.AddNetwork(c, generatorPrefix, nets.Generator)
	if b := nets.Base; b.Precision != nil {
		D := len(b.Mean)
		c.SetTensor(Float32Tensor(baseMean, b.Mean, D))
		c.SetTensor(Float32Tensor(basePrecision, b.Precision, D, D))
	}
	if ema != nil {
		nn.AddNetwork(c, emaPrefix, ema)
	}
	for _, p := range aux {
		c.SetTensor(Float32Tensor(auxPrefix+p.Name, p.Value, p.Shape...))
	}
}

// AddConfig adds the widths and the configuration to c, after the
// trainer's own blobs.
func AddConfig(c *nn.Checkpoint, cfg Config, dims Dims) error {
	dm, err := json.Marshal(dims)
	if err != nil {
		return err
	}
	c.SetBlob(dimsBlob, dm)
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	c.SetConfig(b)
	return nil
}

// Saved is a checkpoint read from disk with its model part decoded.
type Saved struct {
	Path   string
	Ckpt   *nn.Checkpoint
	Config Config
	Dims   Dims
	// Aux holds the auxiliary parameters of the lower bound by name (nil
	// for sv).
	Aux map[string][]float32
}

// ReadCheckpoint reads the checkpoint file at path and decodes its model
// part. A missing, corrupt or foreign file is an error naming it.
func ReadCheckpoint(path string) (*Saved, error) {
	c, err := nn.Load(path)
	if err != nil {
		return nil, err
	}
	s := &Saved{Path: path, Ckpt: c}
	raw := c.Config()
	if len(raw) == 0 {
		return nil, fmt.Errorf("checkpoint %s: no run configuration (not an ebmcpu training checkpoint)", path)
	}
	if err := DecodeStrict(raw, &s.Config); err != nil {
		return nil, fmt.Errorf("checkpoint %s: run configuration: %w", path, err)
	}
	b, ok := c.Blob(dimsBlob)
	if !ok {
		return nil, fmt.Errorf("checkpoint %s: no network widths (not an ebmcpu training checkpoint)", path)
	}
	if err := json.Unmarshal(b, &s.Dims); err != nil || s.Dims.Data < 1 || s.Dims.Latent < 1 ||
		s.Dims.Data > MaxDataWidth || s.Dims.Latent > MaxWidth || s.Config.latent(s.Dims.Data) != s.Dims.Latent ||
		(s.Dims != Dims{Data: s.Dims.Data, Latent: s.Dims.Latent} && !s.Dims.Image()) {
		return nil, fmt.Errorf("checkpoint %s: bad network widths %q for latent_dim %d", path, b, s.Config.LatentDim)
	}
	// The stored settings must make sense before anything is built from
	// them (a checksum only proves the bytes are the ones written).
	if err := s.Config.Validate(); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := s.Config.ValidateDims(s.Dims); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if c.Step < 0 || c.Step > MaxSteps {
		return nil, fmt.Errorf("checkpoint %s: step %d out of range", path, c.Step)
	}
	for _, t := range c.Tensors() {
		for _, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("checkpoint %s: tensor %s holds a non-finite value", path, t.Name)
			}
		}
	}
	for _, t := range c.Tensors() {
		if name, ok := strings.CutPrefix(t.Name, auxPrefix); ok {
			if s.Aux == nil {
				s.Aux = map[string][]float32{}
			}
			s.Aux[name] = Float32Values(t)
		}
	}
	return s, nil
}

// Step is the number of training iterations behind the checkpoint.
func (s *Saved) Step() int { return int(s.Ckpt.Step) }

// Nets builds the networks of the model the checkpoint holds: the
// generator, the energy's base, and the energy with the moving average of
// its weights when the run kept one (Config.EMA), else its last weights.
func (s *Saved) Nets() (bounds.Nets[float32], error) {
	nets, err := NewNets(s.Config, s.Dims, nil)
	if err != nil {
		return nets, fmt.Errorf("checkpoint %s: %w", s.Path, err)
	}
	if nets.Base, err = s.Base(); err != nil {
		return nets, err
	}
	energy := energyPrefix
	if s.Config.EMA > 0 {
		energy = emaPrefix
	}
	if err := nn.LoadNetwork(s.Ckpt, energy, nets.Energy); err != nil {
		return nets, err
	}
	return nets, nn.LoadNetwork(s.Ckpt, generatorPrefix, nets.Generator)
}

// LoadTraining loads the training state's networks: the energy's last
// weights, the generator, and the moving average into ema (nil without one).
func (s *Saved) LoadTraining(nets bounds.Nets[float32], ema *nn.Network[float32]) error {
	if err := nn.LoadNetwork(s.Ckpt, energyPrefix, nets.Energy); err != nil {
		return err
	}
	if ema != nil {
		if err := nn.LoadNetwork(s.Ckpt, emaPrefix, ema); err != nil {
			return err
		}
	}
	return nn.LoadNetwork(s.Ckpt, generatorPrefix, nets.Generator)
}

// Base returns the parameter-free part of the model's energy: the
// confinement of its config and the Gaussian base the run fitted (FitBase),
// as the checkpoint stores it.
func (s *Saved) Base() (bounds.Base[float32], error) {
	b := bounds.Base[float32]{Confine: s.Config.Confine}
	if s.Config.Base.Weight == 0 {
		return b, nil
	}
	D := s.Dims.Data
	read := func(name string, size int) []float32 {
		if t, ok := s.Ckpt.Tensor(name); ok && len(t.Data) == size {
			return Float32Values(t)
		}
		return nil
	}
	if b.Mean, b.Precision = read(baseMean, D), read(basePrecision, D*D); b.Mean == nil || b.Precision == nil {
		return b, fmt.Errorf("checkpoint %s: the Gaussian base (%s, %s) is missing or of another size", s.Path, baseMean, basePrecision)
	}
	if err := b.Validate(D); err != nil {
		return b, fmt.Errorf("checkpoint %s: %w", s.Path, err)
	}
	return b, nil
}

// SetAux copies auxiliary parameter values by name (as checkpoints hold
// them) into ps, the parameters of an mi bound.
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

// AuxValues returns copies of the values of ps by name, as SetAux takes
// them (nil when there are none).
func AuxValues(ps []*nn.Param[float32]) map[string][]float32 {
	if len(ps) == 0 {
		return nil
	}
	m := make(map[string][]float32, len(ps))
	for _, p := range ps {
		m[p.Name] = append([]float32(nil), p.Value...)
	}
	return m
}
