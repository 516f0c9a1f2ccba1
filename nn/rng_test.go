package nn

import (
	"math"
	"testing"
)

func TestNormalMoments(t *testing.T) {
	const n = 200001 // odd: exercises the half pair
	x := make([]float64, n)
	Normal(NewStream(7, "probes"), x)
	var m1, m2, m4 float64
	for _, v := range x {
		m1 += v
		m2 += v * v
		m4 += v * v * v * v
	}
	m1, m2, m4 = m1/n, m2/n, m4/n
	// Standard errors: 1/√n ≈ 0.0022 for the mean, √2/√n for the variance.
	if math.Abs(m1) > 0.01 || math.Abs(m2-1) > 0.015 || math.Abs(m4-3) > 0.1 {
		t.Errorf("moments (mean %v, var %v, 4th %v), want (0, 1, 3)", m1, m2, m4)
	}
	u := make([]float32, n)
	Uniform(NewStream(7, "noise"), u, -2, 3)
	var mu float64
	for _, v := range u {
		if v < -2 || v >= 3 {
			t.Fatalf("uniform value %v outside [−2, 3)", v)
		}
		mu += float64(v) / n
	}
	if math.Abs(mu-0.5) > 0.02 {
		t.Errorf("uniform mean %v, want 0.5", mu)
	}
}

// TestRNGState: a restored RNG continues every stream exactly where the saved
// one was, updates streams handed out earlier in place, and rejects garbage.
func TestRNGState(t *testing.T) {
	r := NewRNG(99)
	data, lat := r.Stream("data"), r.Stream("latents")
	buf := make([]float64, 7)
	Normal(data, buf)
	lat.Uint64()
	st, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 10)
	Normal(data, want)
	wantLat := lat.Uint64()
	wantNew := r.Stream("probes").Uint64()

	// Restore into the same RNG: the held pointers continue from the save.
	if err := r.UnmarshalBinary(st); err != nil {
		t.Fatal(err)
	}
	got := make([]float64, 10)
	Normal(data, got)
	if !equalBits(got, want) || lat.Uint64() != wantLat {
		t.Errorf("restored streams do not continue from the saved position")
	}
	if r.Stream("probes").Uint64() != NewStream(99, "probes").Uint64() {
		t.Errorf("a stream created after the save did not restart")
	}
	// Restore into a fresh RNG with another seed.
	r2 := NewRNG(1)
	if err := r2.UnmarshalBinary(st); err != nil {
		t.Fatal(err)
	}
	if r2.Seed() != 99 {
		t.Errorf("seed %d, want 99", r2.Seed())
	}
	Normal(r2.Stream("data"), got)
	if !equalBits(got, want) || r2.Stream("latents").Uint64() != wantLat || r2.Stream("probes").Uint64() != wantNew {
		t.Errorf("fresh RNG restored from state diverges")
	}
	for _, bad := range [][]byte{nil, []byte("junk"), st[:len(st)-3], append(append([]byte{}, st...), 0)} {
		if err := NewRNG(0).UnmarshalBinary(bad); err == nil {
			t.Errorf("state of %d bytes accepted", len(bad))
		}
	}
}
