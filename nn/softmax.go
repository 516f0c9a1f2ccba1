package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Softmax writes the row-wise softmax of the B×K logits z into p (B×K; p may
// be z): p_bj = exp(z_bj − m_b) / Σ_i exp(z_bi − m_b) with m_b = max_i z_bi,
// summed in float64 so that large or very negative logits neither overflow
// nor lose the small probabilities.
func Softmax[T asm.Float](z []T, K int, p []T) {
	if K <= 0 || len(z)%K != 0 {
		panic("nn: Softmax: logits length is not a multiple of a positive class count")
	}
	checkLen("Softmax", "p", len(p), len(z))
	for r := 0; r < len(z); r += K {
		row, out := z[r:r+K], p[r:r+K]
		m := rowMax(row)
		var s float64
		for j, v := range row {
			e := math.Exp(float64(v) - m)
			out[j] = T(e) // out may alias row: v was read first
			s += e
		}
		inv := 1 / s
		for j := range out {
			out[j] = T(float64(out[j]) * inv)
		}
	}
}

// SoftmaxCrossEntropy returns the mean cross-entropy of the B×K logits z
// against the class indices labels (len B, each in [0, K)),
//
//	L = (1/B) Σ_b [log Σ_j exp(z_bj) − z_b,y_b],
//
// computed with the row maximum subtracted, in float64 (torch's
// nn.CrossEntropyLoss with reduction="mean"). If grad is not nil it receives
// ∂L/∂z = (softmax(z_b) − onehot(y_b))/B (B×K; grad may be z). It allocates
// nothing. A label outside [0, K) panics.
func SoftmaxCrossEntropy[T asm.Float](z []T, K int, labels []int, grad []T) float64 {
	if K <= 0 || len(z)%K != 0 {
		panic("nn: SoftmaxCrossEntropy: logits length is not a multiple of a positive class count")
	}
	B := len(z) / K
	checkLen("SoftmaxCrossEntropy", "labels", len(labels), B)
	if grad != nil {
		checkLen("SoftmaxCrossEntropy", "grad", len(grad), len(z))
	}
	var loss float64
	invB := 1 / float64(B)
	for b, y := range labels {
		if y < 0 || y >= K {
			panic("nn: SoftmaxCrossEntropy: label out of range")
		}
		row := z[b*K : (b+1)*K]
		m := rowMax(row)
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(s)
		loss += lse - float64(row[y])
		if grad != nil {
			g := grad[b*K : (b+1)*K]
			for j, v := range row {
				g[j] = T(math.Exp(float64(v)-lse) * invB) // reads row[j] before writing g[j]
			}
			g[y] -= T(invB)
		}
	}
	return loss * invB
}

// rowMax returns the largest value of a non-empty row as a float64.
func rowMax[T asm.Float](row []T) float64 {
	m := float64(row[0])
	for _, v := range row[1:] {
		m = max(m, float64(v))
	}
	return m
}
