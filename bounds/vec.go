package bounds

import "github.com/ebmcpu/ebmcpu/asm"

// combineTangents sets out_b = Σ_t c[b·k + t]·cols[t·B + b] for B samples:
// the product J_b c_b from the k Jacobian columns of a tangent pass
// (cols is (k·B)×n, tangent layout) and per-sample coefficients (B×k).
func combineTangents[T asm.Float](out []T, cols []T, c []T, B, k, n int) {
	clear(out[:B*n])
	for t := 0; t < k; t++ {
		for b := 0; b < B; b++ {
			if ct := c[b*k+t]; ct != 0 {
				asm.Axpy(ct, cols[(t*B+b)*n:(t*B+b+1)*n], out[b*n:(b+1)*n])
			}
		}
	}
}
