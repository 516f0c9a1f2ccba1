package asm

// SaffineRows sets dst[r·cols+j] = x[r·cols+j]·scale[j] + shift[j] for
// every row r < len(x)/cols and column j < cols: a per-column affine map of
// a row-major matrix (a bias add, a BatchNorm affine map, a column scaling)
// in one call instead of one call per row. An empty scale means 1 and an
// empty shift 0; with both, the multiply-add is one FMA. dst may alias x.
// len(x) must be a multiple of cols.
func SaffineRows(dst, x []float32, cols int, scale, shift []float32) {
	if len(x) == 0 {
		return
	}
	if cols <= 0 || len(x)%cols != 0 {
		panic("asm: SaffineRows: len(x) is not a positive multiple of cols")
	}
	checkLen("SaffineRows", len(x), len(dst))
	dst = dst[:len(x)]
	if len(scale) > 0 {
		checkLen("SaffineRows", cols, len(scale))
		scale = scale[:cols]
	}
	if len(shift) > 0 {
		checkLen("SaffineRows", cols, len(shift))
		shift = shift[:cols]
	}
	if len(scale) == 0 && len(shift) == 0 {
		copy(dst, x)
		return
	}
	k.srowAffine(dst, x, cols, scale, shift)
}

// srowAffineGeneric is the twin of the SaffineRows kernels; at least one of
// scale and shift is not empty.
func srowAffineGeneric(dst, x []float32, cols int, scale, shift []float32) {
	for r := 0; r < len(x); r += cols {
		d, v := dst[r:r+cols], x[r:r+cols]
		switch {
		case len(shift) == 0:
			for j, s := range scale {
				d[j] = v[j] * s
			}
		case len(scale) == 0:
			for j, b := range shift {
				d[j] = v[j] + b
			}
		default:
			for j, s := range scale {
				d[j] = fma32(v[j], s, shift[j])
			}
		}
	}
}
