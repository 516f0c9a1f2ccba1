package asm

import (
	"math/rand/v2"
	"testing"
)

func TestAffineRowsMatchesTwin(t *testing.T) {
	forEachTier(t, func(t *testing.T, tier SIMDTier) {
		rng := rand.New(rand.NewPCG(51, uint64(tier)))
		var u ulpTally
		for cols := 1; cols <= 70; cols += 1 + cols/12 {
			for _, rows := range []int{1, 2, 5} {
				for mode := 1; mode <= 3; mode++ { // 1 scale, 2 shift, 3 both
					n := rows * cols
					off := (cols + rows) % 4
					x := newGuarded[float32](n, off, 4)
					dst := newGuarded[float32](n, (off+1)%4, -4)
					scale := newGuarded[float32](cols, (off+2)%4, 9)
					shift := newGuarded[float32](cols, (off+3)%4, 8)
					randomFill(rng, x.view())
					randomFill(rng, scale.view())
					randomFill(rng, shift.view())
					var sc, sh []float32
					if mode&1 != 0 {
						sc = scale.view()
					}
					if mode&2 != 0 {
						sh = shift.view()
					}
					want := make([]float32, n)
					srowAffineGeneric(want, x.view(), cols, sc, sh)
					SaffineRows(dst.view(), x.view(), cols, sc, sh)
					dst.check(t, "SaffineRows")
					for i, w := range want {
						u.add(t, "SaffineRows", n, i, dst.view()[i], w)
						r, j := i/cols, i%cols
						if mode == 1 && w != x.view()[r*cols+j]*sc[j] ||
							mode == 2 && w != x.view()[r*cols+j]+sh[j] {
							t.Fatalf("twin: mode %d [%d] = %v", mode, i, w)
						}
					}
					// In place.
					SaffineRows(x.view(), x.view(), cols, sc, sh)
					x.check(t, "SaffineRows in place")
					sameSlice(t, "SaffineRows in place", n, off, x.view(), dst.view())
				}
			}
		}
		u.check(t, "SaffineRows")
		// Neither operand: a copy; no rows: nothing.
		x, d := []float32{1, 2, 3, 4}, make([]float32, 4)
		SaffineRows(d, x, 2, nil, nil)
		sameSlice(t, "SaffineRows copy", 4, 0, d, x)
		SaffineRows(nil, nil, 0, nil, nil)
	})
}

func TestAffineRowsPanicsOnBadShape(t *testing.T) {
	for _, c := range []struct {
		name         string
		dst, x       int
		cols         int
		scale, shift int
	}{
		{"ragged", 6, 6, 4, 4, 0},
		{"zero cols", 6, 6, 0, 0, 0},
		{"short dst", 5, 6, 3, 3, 0},
		{"short scale", 6, 6, 3, 2, 0},
		{"short shift", 6, 6, 3, 0, 2},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			SaffineRows(make([]float32, c.dst), make([]float32, c.x), c.cols, make([]float32, c.scale), make([]float32, c.shift))
		}()
	}
}
