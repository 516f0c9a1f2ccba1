package ebm

import (
	"fmt"
	"strings"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/nn"
)

// LowerBound names the generator's entropy bound of SPEC §3.
type LowerBound string

// UpperBound names the energy's gap bound of SPEC §4.
type UpperBound string

// The bounds a Config can name.
const (
	// LowerSV is the singular-value bound (a), LowerMI the
	// mutual-information bound (b) of a noisy generator.
	LowerSV LowerBound = "sv"
	LowerMI LowerBound = "mi"
	// UpperGP is the gradient-penalty bound (c), UpperDiffusion the
	// diffusion bound (d), UpperNone the lower-bound-only minimax game: the
	// unstable baseline the bounds fix.
	UpperGP        UpperBound = "gp"
	UpperDiffusion UpperBound = "diffusion"
	UpperNone      UpperBound = "none"
)

// The registry: every bound a Config can name, with its constructor. The
// trainer, the evaluation and Validate all go through it.
var (
	lowerBounds = map[LowerBound]func(c Config, nets bounds.Nets[float32], batch int, s *nn.Stream) (bounds.EntropyLower[float32], error){
		LowerSV: func(c Config, nets bounds.Nets[float32], batch int, s *nn.Stream) (bounds.EntropyLower[float32], error) {
			return bounds.NewSVEntropy(nets, c.SV, batch, s)
		},
		LowerMI: func(c Config, nets bounds.Nets[float32], batch int, s *nn.Stream) (bounds.EntropyLower[float32], error) {
			return bounds.NewMIEntropy(nets, c.MI, batch, s)
		},
	}
	upperBounds = map[UpperBound]func(c Config, nets bounds.Nets[float32], batch int, s *nn.Stream) (bounds.GapUpper[float32], error){
		UpperGP: func(c Config, nets bounds.Nets[float32], batch int, s *nn.Stream) (bounds.GapUpper[float32], error) {
			return bounds.NewGradientPenalty(nets, c.GP, batch, s)
		},
		UpperDiffusion: func(c Config, nets bounds.Nets[float32], batch int, s *nn.Stream) (bounds.GapUpper[float32], error) {
			return bounds.NewDiffusion(nets, c.Diffusion, batch, s)
		},
		UpperNone: func(Config, bounds.Nets[float32], int, *nn.Stream) (bounds.GapUpper[float32], error) { return nil, nil },
	}
	lowerOrder = []LowerBound{LowerSV, LowerMI}
	upperOrder = []UpperBound{UpperGP, UpperDiffusion, UpperNone}
)

// Valid reports whether the registry knows b.
func (b LowerBound) Valid() error {
	if _, ok := lowerBounds[b]; !ok {
		return fmt.Errorf("lower = %q, want %s", string(b), orList(lowerOrder))
	}
	return nil
}

// Valid reports whether the registry knows b.
func (b UpperBound) Valid() error {
	if _, ok := upperBounds[b]; !ok {
		return fmt.Errorf("upper = %q, want %s", string(b), orList(upperOrder))
	}
	return nil
}

func orList[S ~string](names []S) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// NewLower builds the lower bound kind with the settings of c for batches
// of at most batch latents, its random draws from s.
func NewLower(c Config, kind LowerBound, nets bounds.Nets[float32], batch int, s *nn.Stream) (bounds.EntropyLower[float32], error) {
	if err := kind.Valid(); err != nil {
		return nil, err
	}
	l, err := lowerBounds[kind](c, nets, batch, s)
	if err != nil {
		return nil, fmt.Errorf("lower bound %s: %w", kind, err)
	}
	return l, nil
}

// NewUpper builds the upper bound kind with the settings of c (nil for
// UpperNone), like NewLower.
func NewUpper(c Config, kind UpperBound, nets bounds.Nets[float32], batch int, s *nn.Stream) (bounds.GapUpper[float32], error) {
	if err := kind.Valid(); err != nil {
		return nil, err
	}
	u, err := upperBounds[kind](c, nets, batch, s)
	if err != nil {
		return nil, fmt.Errorf("upper bound %s: %w", kind, err)
	}
	return u, nil
}

// Bounds are the bounds a run trains with.
type Bounds struct {
	Lower bounds.EntropyLower[float32]
	Upper bounds.GapUpper[float32] // nil: the lower-bound-only baseline
	// ZeroGP is the "0GP" baseline penalty, nil unless Config.ZeroGP > 0.
	ZeroGP *bounds.ZeroGP[float32]
}

// NewBounds builds the bounds of c for nets and batches of at most batch
// latents, drawing from the streams "probes/<name>" of rng.
func NewBounds(c Config, nets bounds.Nets[float32], batch int, rng *nn.RNG) (Bounds, error) {
	var b Bounds
	var err error
	if b.Lower, err = NewLower(c, c.Lower, nets, batch, rng.Stream("probes/"+string(c.Lower))); err != nil {
		return b, err
	}
	if c.Upper != UpperNone { // no stream for none: the checkpoint holds every stream made
		if b.Upper, err = NewUpper(c, c.Upper, nets, batch, rng.Stream("probes/"+string(c.Upper))); err != nil {
			return b, err
		}
	}
	if c.ZeroGP > 0 {
		if b.ZeroGP, err = bounds.NewZeroGP(nets, c.ZeroGP, batch); err != nil {
			return b, fmt.Errorf("zero_gp: %w", err)
		}
	}
	return b, nil
}

// NewNets builds the energy (D → 1) and generator (d → D) networks of c for
// data of the given dims, initialised from the streams "init/energy" and
// "init/generator" of rng (nil: left for a checkpoint to fill), with the
// confinement of c; a Gaussian base is FitBase's or a checkpoint's.
func NewNets(c Config, dims Dims, rng *nn.RNG) (bounds.Nets[float32], error) {
	var se, sg *nn.Stream
	if rng != nil {
		se, sg = rng.Stream("init/energy"), rng.Stream("init/generator")
	}
	e, err := newNet(c.Energy, dims, false, se)
	if err != nil {
		return bounds.Nets[float32]{}, fmt.Errorf("energy network: %w", err)
	}
	g, err := newNet(c.Generator, dims, true, sg)
	if err != nil {
		return bounds.Nets[float32]{}, fmt.Errorf("generator network: %w", err)
	}
	return bounds.Nets[float32]{Energy: e, Generator: g, Base: bounds.Base[float32]{Confine: c.Confine}}, nil
}

// DimsOf returns the dims of a model of c on the data src: the data width,
// the latent width (latent_dim, or the data width), and an image's shape.
func DimsOf(c Config, src *data.Source) Dims {
	d := Dims{Data: src.Dim()}
	d.Latent = c.latent(d.Data)
	if im := src.Images; im != nil {
		d.Channels, d.Height, d.Width = 1, im.Height, im.Width
	}
	return d
}

// newNet builds the energy (D → 1) or the generator (d → D) nc describes.
func newNet(nc NetConfig, dims Dims, generator bool, s *nn.Stream) (*nn.Network[float32], error) {
	switch nc.Arch {
	case ArchMLP, "mlp":
		in, out := dims.Data, 1
		if generator {
			in, out = dims.Latent, dims.Data
		}
		widths := append(append([]int{in}, nc.Hidden...), out)
		return nn.BuildMLP[float32](nn.MLPSpec{Widths: widths, Activation: nc.Activation, LeakySlope: nc.LeakySlope,
			BatchNorm: nc.BatchNorm, SpectralNorm: nc.SpectralNorm, OutputActivation: nc.OutputActivation, OutputScale: nc.OutputScale}, s)
	case ArchConv, ArchDCGAN:
		if !dims.Image() {
			return nil, fmt.Errorf("arch %s needs image data; the data are %d numbers a row", nc.Arch, dims.Data)
		}
		spec := nn.ConvSpec{Channels: dims.Channels, Height: dims.Height, Width: dims.Width, Widths: nc.Hidden,
			Latent: dims.Latent, Activation: nc.Activation, LeakySlope: nc.LeakySlope, BatchNorm: nc.BatchNorm,
			OutputActivation: nc.OutputActivation, OutputScale: nc.OutputScale, Strided: nc.Arch == ArchDCGAN}
		if generator {
			return nn.BuildConvGenerator[float32](spec, s)
		}
		return nn.BuildConvEnergy[float32](spec, s)
	}
	return nil, fmt.Errorf("arch %q, want mlp, conv or dcgan", nc.Arch)
}

// CopyNets returns fresh networks of c with the values of nets, for code
// that must not share them (a bound trains its own networks; an evaluation
// runs beside training).
func CopyNets(c Config, dims Dims, nets bounds.Nets[float32]) (bounds.Nets[float32], error) {
	out, err := NewNets(c, dims, nil)
	if err != nil {
		return out, err
	}
	if err := nn.CopyState(out.Energy, nets.Energy); err != nil {
		return out, fmt.Errorf("energy network: %w", err)
	}
	if err := nn.CopyState(out.Generator, nets.Generator); err != nil {
		return out, fmt.Errorf("generator network: %w", err)
	}
	out.Base = nets.Base // read-only: shared
	return out, nil
}
