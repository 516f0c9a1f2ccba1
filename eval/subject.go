package eval

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/ebm"
)

// Subject is a model to evaluate: the run configuration and the two
// networks. Evaluate works on copies of the networks, so a training loop can
// pass its live networks between steps and keep training afterwards.
type Subject struct {
	Config ebm.Config
	Nets   bounds.Nets[float32]
	// Dims are the model's widths and image shape (zero: the widths of an
	// MLP's networks).
	Dims ebm.Dims
	// Aux holds the trained auxiliary parameters of the mi bound by name
	// (a checkpoint's "aux/<name>" tensors). Without them the model's own
	// mi bound is evaluated with freshly initialised auxiliary networks:
	// still a valid lower bound, but a loose one (the report says so).
	Aux map[string][]float32
	// Name labels the report (the checkpoint path); Step is the number of
	// training iterations behind the model (−1 if unknown).
	Name string
	Step int
}

// Load reads the model of a checkpoint file or run directory, with the
// trained auxiliary parameters of its bounds. A missing, corrupt or
// foreign file is an error naming it.
func Load(path string) (*Subject, error) {
	ckpt, _ := ebm.ResolveRun(path)
	m, err := ebm.LoadModel(ckpt)
	if err != nil {
		return nil, err
	}
	s, err := FromModel(m)
	if err != nil {
		return nil, err
	}
	s.Name = ckpt
	return s, nil
}

// FromModel returns the subject of a loaded model: copies of its networks
// and its auxiliary parameters.
func FromModel(m *ebm.Model) (*Subject, error) {
	nets, err := m.Networks()
	if err != nil {
		return nil, err
	}
	return &Subject{Config: m.Config(), Nets: nets, Dims: m.Dims(), Aux: m.AuxValues(), Step: m.Step()}, nil
}

// copyNets returns fresh copies of the subject's networks.
func (s *Subject) copyNets() (bounds.Nets[float32], error) {
	dims := s.Dims
	if dims == (ebm.Dims{}) {
		dims = ebm.Dims{Data: s.Nets.Energy.In(), Latent: s.Nets.Generator.In()}
	}
	nets, err := ebm.CopyNets(s.Config, dims, s.Nets)
	if err != nil {
		return nets, fmt.Errorf("the network does not match its configuration: %w", err)
	}
	return nets, nil
}
