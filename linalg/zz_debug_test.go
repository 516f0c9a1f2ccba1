package linalg
import ("testing";"fmt")
func TestZZDebug(t *testing.T) {
	rng := newTestRand(21)
	const B, D, d, m = 2, 25, 9, 3
	data, _ := batchWithSpectrum(rng, B, D, d, specGeometric)
	for it := 8; it < 20; it++ {
	l := NewLOBPCG[float64](3)
	l.BlockSize, l.MaxIter = m, it
	var res SMinResult[float64]
	l.Solve(NewDenseOperator(B, D, d, data), nil, &res)
	// consistency of JX with X for op 0
	worst := 0.0
	for i := 0; i < m; i++ {
		x := l.s[i*d:(i+1)*d]
		jx := matVec(data[:D*d], D, d, x)
		for j := range jx { jx[j] -= l.js[i*D+j] }
		worst = max(worst, nrm2(jx))
	}
	fmt.Printf("%d incons %.3e lam=%v\n", it, worst, l.lam[:9])
	}
}
