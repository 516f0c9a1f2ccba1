package bounds

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/nn"
)

// Element-type dispatch to the asm kernels, as in package nn: the float32
// instance goes to the S kernels, float64 to the D kernels. The conversions
// to any do not escape, so they allocate nothing.

// axpy sets y += alpha·x.
func axpy[T nn.Float](alpha float64, x, y []T) {
	if xs, ok := any(x).([]float32); ok {
		asm.Saxpy(float32(alpha), xs, any(y).([]float32))
		return
	}
	asm.Daxpy(alpha, any(x).([]float64), any(y).([]float64))
}

// scal sets x = alpha·x.
func scal[T nn.Float](alpha float64, x []T) {
	if xs, ok := any(x).([]float32); ok {
		asm.Sscal(float32(alpha), xs)
		return
	}
	asm.Dscal(alpha, any(x).([]float64))
}

// dot returns Σ x∘y, accumulated in float64 for float64 and by the float32
// kernel otherwise (rows here are short).
func dot[T nn.Float](x, y []T) float64 {
	if xs, ok := any(x).([]float32); ok {
		return float64(asm.Sdot(xs, any(y).([]float32)))
	}
	return asm.Ddot(any(x).([]float64), any(y).([]float64))
}

// sub sets dst = a − b.
func sub[T nn.Float](dst, a, b []T) {
	if d, ok := any(dst).([]float32); ok {
		asm.Ssub(d, any(a).([]float32), any(b).([]float32))
		return
	}
	asm.Dsub(any(dst).([]float64), any(a).([]float64), any(b).([]float64))
}

// combineTangents sets out_b = Σ_t c[b·k + t]·cols[t·B + b] for B samples:
// the product J_b c_b from the k Jacobian columns of a tangent pass
// (cols is (k·B)×n, tangent layout) and per-sample coefficients (B×k).
func combineTangents[T nn.Float](out []T, cols []T, c []T, B, k, n int) {
	clear(out[:B*n])
	for t := 0; t < k; t++ {
		for b := 0; b < B; b++ {
			if ct := c[b*k+t]; ct != 0 {
				axpy(float64(ct), cols[(t*B+b)*n:(t*B+b+1)*n], out[b*n:(b+1)*n])
			}
		}
	}
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
