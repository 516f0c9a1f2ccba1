package ebm

import (
	"fmt"

	"github.com/ebmcpu/ebmcpu/bounds"
	"github.com/ebmcpu/ebmcpu/data"
	"github.com/ebmcpu/ebmcpu/gaussian"
	"github.com/ebmcpu/ebmcpu/nn"
)

// BaseFitRows is the most training points the Gaussian base is fitted to.
const BaseFitRows = 10000

// FitBase returns the parameter-free part of the energy of a model of c on
// the data src (bounds.Base): the confinement, and with a Gaussian base
// (c.Base.Weight > 0) β times the precision (Σ + λI)⁻¹ and the mean of the
// first BaseFitRows training points, or of as many fresh draws of a
// built-in set from the stream "base" of c.Seed. A run fits it once; its
// checkpoint keeps it (AddNets).
func FitBase(c Config, src *data.Source) (bounds.Base[float32], error) {
	b := bounds.Base[float32]{Confine: c.Confine}
	if c.Base.Weight == 0 {
		return b, nil
	}
	D := src.Dim()
	var x []float32
	if f := src.Finite(); f != nil {
		x = data.Head(f, BaseFitRows)
	} else {
		x = make([]float32, BaseFitRows*D)
		src.Draw(nn.NewStream(c.Seed, "base").Rand, x, BaseFitRows)
	}
	m, err := gaussian.FitMoments(x, D)
	if err != nil {
		return b, fmt.Errorf("gaussian_base: %w", err)
	}
	g, err := gaussian.New(m, c.Base.Ridge)
	if err != nil {
		return b, fmt.Errorf("gaussian_base: %w", err)
	}
	p, err := g.Precision()
	if err != nil {
		return b, fmt.Errorf("gaussian_base: %w", err)
	}
	b.Mean, b.Precision = make([]float32, D), make([]float32, D*D)
	for i, v := range g.Mean {
		b.Mean[i] = float32(v)
	}
	for i, v := range p {
		b.Precision[i] = float32(c.Base.Weight * v)
	}
	if err := b.Validate(D); err != nil { // a weight so large that β·(Σ + λI)⁻¹ overflows float32
		return b, fmt.Errorf("gaussian_base.weight = %g: %w", c.Base.Weight, err)
	}
	return b, nil
}
