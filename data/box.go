package data

import "math"

// A Box is the axis-aligned rectangle [Min[0], Max[0]] × [Min[1], Max[1]].
type Box struct {
	Min, Max [2]float64
}

// Contains reports whether (x, y) lies in the closed box.
func (b Box) Contains(x, y float64) bool {
	return x >= b.Min[0] && x <= b.Max[0] && y >= b.Min[1] && y <= b.Max[1]
}

// Width returns the side lengths of the box.
func (b Box) Width() (w, h float64) { return b.Max[0] - b.Min[0], b.Max[1] - b.Min[1] }

// Square returns the smallest box [−B, B]² centred on the origin that
// contains b, the shape SPEC §7 uses for grid quadrature.
func (b Box) Square() Box {
	r := math.Max(math.Max(-b.Min[0], b.Max[0]), math.Max(-b.Min[1], b.Max[1]))
	return Box{Min: [2]float64{-r, -r}, Max: [2]float64{r, r}}
}

// Grow returns b enlarged by m on every side.
func (b Box) Grow(m float64) Box {
	return Box{
		Min: [2]float64{b.Min[0] - m, b.Min[1] - m},
		Max: [2]float64{b.Max[0] + m, b.Max[1] + m},
	}
}

// square returns [−r, r]².
func square(r float64) Box { return Box{Min: [2]float64{-r, -r}, Max: [2]float64{r, r}} }
