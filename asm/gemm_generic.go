package asm

import "math"

// The generic tier's GEMM micro-kernels: a 4×4 tile, computed as two 4×2
// halves so that each half's 8 sums, 2 B values and the A value in use
// (nearly) fit the 15 float registers Go's amd64 ABI leaves free; a
// 16-sum 4×4 loop spills most of its sums every iteration. Like the
// assembly kernels they add the k products in order from -0 (+0 when
// overwriting), then add the sum to C and the bias; Go does not fuse the
// multiply and the add on amd64, so their bits differ from the assembly
// tiers'.

func sgemm4x4Generic(p *GemmPanel[float32]) {
	p.check(4, 4)
	gemmPanelGeneric(p)
}

func dgemm4x4Generic(p *GemmPanel[float64]) {
	p.check(4, 4)
	gemmPanelGeneric(p)
}

// gemmPanelGeneric runs a checked panel with a 4×4 tile.
func gemmPanelGeneric[T Float](p *GemmPanel[T]) {
	z := T(math.Copysign(0, -1))
	over := p.Flags&GemmOverwrite != 0
	if over {
		z = 0
	}
	var s [4][4]T
	for t, i0 := 0, 0; i0 < p.M; t, i0 = t+1, i0+4 {
		for h := 0; h < 4; h += 2 {
			for i := range s {
				s[i][h], s[i][h+1] = z, z
			}
			if p.K > 0 {
				gemm4x2Generic(p.K, p.A[t*p.TsA:], p.RsA, p.CsA, p.B[h:], p.Ldb, &s, h)
			}
		}
		for i := 0; i < min(4, p.M-i0); i++ {
			c := p.C[(i0+i)*p.Ldc : (i0+i)*p.Ldc+p.Cols]
			for j := range c {
				v := s[i][j]
				if !over {
					v += c[j]
				}
				switch {
				case p.Flags&GemmBiasCols != 0:
					v += p.Bias[j]
				case p.Flags&GemmBiasRows != 0:
					v += p.Bias[i0+i]
				}
				c[j] = v
			}
		}
	}
}

// gemm4x2Generic adds the K products, each rounded to T (the conversion
// keeps a compiler that may fuse from fusing), of the 4 rows of A (row i at
// a[i·rs:], stepping by cs) and columns h, h+1 of B (row p at b[p·ldb:])
// to the sums s[i][h], s[i][h+1]. kk must be ≥ 1.
func gemm4x2Generic[T Float](kk int, a []T, rs, cs int, b []T, ldb int, s *[4][4]T, h int) {
	s00, s01, s10, s11 := s[0][h], s[0][h+1], s[1][h], s[1][h+1]
	s20, s21, s30, s31 := s[2][h], s[2][h+1], s[3][h], s[3][h+1]
	a = a[:(kk-1)*cs+3*rs+1]
	b = b[:(kk-1)*ldb+2]
	for ia, ib := 0, 0; ib < len(b); ia, ib = ia+cs, ib+ldb {
		b0, b1 := b[ib], b[ib+1]
		a0 := a[ia]
		s00 += T(a0 * b0)
		s01 += T(a0 * b1)
		a1 := a[ia+rs]
		s10 += T(a1 * b0)
		s11 += T(a1 * b1)
		a2 := a[ia+2*rs]
		s20 += T(a2 * b0)
		s21 += T(a2 * b1)
		a3 := a[ia+3*rs]
		s30 += T(a3 * b0)
		s31 += T(a3 * b1)
	}
	s[0][h], s[0][h+1], s[1][h], s[1][h+1] = s00, s01, s10, s11
	s[2][h], s[2][h+1], s[3][h], s[3][h+1] = s20, s21, s30, s31
}
