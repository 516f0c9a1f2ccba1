package nn

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/asm"
)

// ConvSpec describes a DCGAN-like image network on C×H×W images (flattened
// NCHW, so an image batch is B×(C·H·W) like any other). For channel widths
// w₁…w_L, BuildConvEnergy makes
//
//	[Conv 3×3/1 (C→w₁) → act → Conv 4×4/2 (w₁→w₁) → act] → [Conv 3×3/1 (w₁→w₂) → act → Conv 4×4/2 → act]
//	→ … → Linear(w_L·h_L·w_L → 1) [→ OutputActivation] [→ Scale]
//
// (with Strided, each block is its Conv 4×4/2 → act alone: DCGAN's
// discriminator; padding 1 throughout; each block halves the resolution, h_{i+1} = ⌊h_i/2⌋,
// and the flatten before the Linear layer is implicit) and BuildConvGenerator
// its mirror image from a latent of width d,
//
//	Linear(d → w_L·h_L·w_L) → act → ConvT 4×4/2 (w_L→w_{L−1}) → act → … → ConvT 4×4/2 (w₁→C)
//	[→ OutputActivation] [→ Scale]
//
// each transposed convolution doubling the resolution back to the energy's
// sizes (output padding 1 where h_i or w_i is odd). With BatchNorm, a BatchNorm2D follows every hidden
// activation, as in MLPSpec (after the generator's Linear layer it
// normalises the output viewed as a w_L×h_L×w_L image).
// DefaultConvEnergy and DefaultConvGenerator give the sizes used for MNIST.
type ConvSpec struct {
	Channels int `json:"channels"` // C
	Height   int `json:"height"`   // H
	Width    int `json:"width"`    // W
	// Widths are the channel widths w₁…w_L of the blocks, from the full
	// resolution down.
	Widths []int `json:"widths"`
	// Latent is the generator's input width d (BuildConvEnergy ignores it).
	Latent     int    `json:"latent,omitempty"`
	Activation string `json:"activation"` // hidden activation, see ParseActivation
	// LeakySlope is the negative slope of "leakyrelu" (0 means torch's 0.01).
	LeakySlope       float64 `json:"leaky_slope,omitempty"`
	BatchNorm        bool    `json:"batch_norm,omitempty"`        // BatchNorm2D after each hidden activation
	OutputActivation string  `json:"output_activation,omitempty"` // after the last layer; "" for none
	OutputScale      bool    `json:"output_scale,omitempty"`      // learnable scalar output scale
	// Strided drops the energy's 3×3 stride-1 convolutions: each block is
	// one Conv 4×4/2 → act, DCGAN's discriminator. The generator ignores it.
	Strided bool `json:"strided,omitempty"`
}

// DefaultConvEnergy returns the energy spec for c×h×w images: blocks of
// 32, 64 and 128 channels with LeakyReLU(0.1) (SPEC §5's MNIST energy;
// 28×28 → 14 → 7 → 3, about 0.44 M parameters for one channel).
func DefaultConvEnergy(c, h, w int) ConvSpec {
	return ConvSpec{Channels: c, Height: h, Width: w, Widths: []int{32, 64, 128},
		Activation: "leakyrelu", LeakySlope: 0.1}
}

// DefaultConvGenerator returns the generator spec for c×h×w images from a
// latent of width d: the classic DCGAN generator Linear(d → 128·7·7) →
// ReLU → BatchNorm2D → ConvT(128→64) → ReLU → BatchNorm2D → ConvT(64→c) →
// tanh for 28×28 images in [−1, 1].
func DefaultConvGenerator(c, h, w, d int) ConvSpec {
	return ConvSpec{Channels: c, Height: h, Width: w, Widths: []int{64, 128}, Latent: d,
		Activation: "relu", BatchNorm: true, OutputActivation: "tanh"}
}

// convPlan is a checked ConvSpec: activations parsed and the resolution of
// every level.
type convPlan struct {
	act, outAct ActKind
	hs, ws      []int // level sizes: hs[0] = H, hs[i+1] = ⌊hs[i]/2⌋
}

func (spec ConvSpec) plan() (convPlan, error) {
	var p convPlan
	if spec.Channels <= 0 || spec.Height <= 0 || spec.Width <= 0 {
		return p, fmt.Errorf("nn: conv network: image shape %d×%d×%d must be positive", spec.Channels, spec.Height, spec.Width)
	}
	if len(spec.Widths) == 0 {
		return p, fmt.Errorf("nn: conv network needs at least one channel width")
	}
	p.hs, p.ws = []int{spec.Height}, []int{spec.Width}
	for i, w := range spec.Widths {
		if w <= 0 {
			return p, fmt.Errorf("nn: conv network widths must be positive, got %v", spec.Widths)
		}
		h, wd := p.hs[i], p.ws[i]
		if h < 2 || wd < 2 {
			return p, fmt.Errorf("nn: conv network: %d blocks halve a %d×%d image below 1×1", len(spec.Widths), spec.Height, spec.Width)
		}
		p.hs, p.ws = append(p.hs, h/2), append(p.ws, wd/2)
	}
	var err error
	if p.act, err = ParseActivation(spec.Activation); err != nil {
		return p, err
	}
	if spec.OutputActivation != "" {
		if p.outAct, err = ParseActivation(spec.OutputActivation); err != nil {
			return p, err
		}
	}
	if spec.LeakySlope < 0 || spec.LeakySlope != spec.LeakySlope {
		return p, fmt.Errorf("nn: conv network leaky slope must be non-negative, got %v", spec.LeakySlope)
	}
	return p, nil
}

// convNet collects the layers of a conv network.
type convNet[T asm.Float] struct {
	spec   ConvSpec
	layers []Layer[T]
}

func (b *convNet[T]) add(l Layer[T]) { b.layers = append(b.layers, l) }

func (b *convNet[T]) act(k ActKind, width int) {
	if k == Identity {
		return
	}
	a := NewActivation[T](k, width)
	if k == LeakyReLU && b.spec.LeakySlope != 0 {
		a.Slope = T(b.spec.LeakySlope)
	}
	b.add(a)
}

// hidden adds the hidden activation and, if asked, a BatchNorm2D for c×h×w.
func (b *convNet[T]) hidden(k ActKind, c, h, w int) {
	b.act(k, c*h*w)
	if b.spec.BatchNorm {
		b.add(NewBatchNorm2D[T](c, h, w))
	}
}

// output adds the output activation and scale.
func (b *convNet[T]) output(k ActKind, width int, s *Stream) (*Network[T], error) {
	if b.spec.OutputActivation != "" {
		b.act(k, width)
	}
	if b.spec.OutputScale {
		b.add(NewScale[T](width, s))
	}
	return NewSequential(b.layers...)
}

// BuildConvEnergy builds the energy spec describes (see ConvSpec),
// initialising it from s in layer order with torch's defaults; a nil stream
// leaves the parameters zero, for loading. Bad specs return an error.
func BuildConvEnergy[T asm.Float](spec ConvSpec, s *Stream) (*Network[T], error) {
	p, err := spec.plan()
	if err != nil {
		return nil, err
	}
	b := &convNet[T]{spec: spec}
	c := spec.Channels
	for i, w := range spec.Widths {
		h, wd := p.hs[i], p.ws[i]
		if !spec.Strided {
			b.add(NewConv2D[T](ConvShape{InC: c, H: h, W: wd, OutC: w, KH: 3, KW: 3, Stride: 1, Pad: 1}, true, s))
			b.hidden(p.act, w, h, wd)
			c = w
		}
		down := NewConv2D[T](ConvShape{InC: c, H: h, W: wd, OutC: w, KH: 4, KW: 4, Stride: 2, Pad: 1}, true, s)
		b.add(down)
		b.hidden(p.act, w, down.OutH(), down.OutW())
		c = w
	}
	L := len(spec.Widths)
	b.add(NewLinear[T](c*p.hs[L]*p.ws[L], 1, true, s))
	return b.output(p.outAct, 1, s)
}

// BuildConvGenerator builds the generator spec describes (see ConvSpec),
// initialising it from s in layer order with torch's defaults; a nil stream
// leaves the parameters zero, for loading. Bad specs (including a
// non-positive Latent) return an error.
func BuildConvGenerator[T asm.Float](spec ConvSpec, s *Stream) (*Network[T], error) {
	p, err := spec.plan()
	if err != nil {
		return nil, err
	}
	if spec.Latent <= 0 {
		return nil, fmt.Errorf("nn: conv generator needs a positive latent width, got %d", spec.Latent)
	}
	L := len(spec.Widths)
	b := &convNet[T]{spec: spec}
	c := spec.Widths[L-1]
	b.add(NewLinear[T](spec.Latent, c*p.hs[L]*p.ws[L], true, s))
	b.hidden(p.act, c, p.hs[L], p.ws[L])
	for i := L - 1; i >= 0; i-- {
		next := spec.Channels
		if i > 0 {
			next = spec.Widths[i-1]
		}
		h, w := p.hs[i+1], p.ws[i+1]
		up := NewConvTranspose2D[T](ConvShape{InC: c, H: h, W: w, OutC: next, KH: 4, KW: 4, Stride: 2, Pad: 1,
			OutPadH: p.hs[i] - 2*h, OutPadW: p.ws[i] - 2*w}, true, s)
		b.add(up)
		if i > 0 {
			b.hidden(p.act, next, p.hs[i], p.ws[i])
		}
		c = next
	}
	return b.output(p.outAct, spec.Channels*spec.Height*spec.Width, s)
}
