package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var updateFuzzSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite testdata/fuzz/FuzzLoad from fuzzSeeds")

// fuzzSeeds are the committed seed inputs of FuzzLoad: small valid
// checkpoints and each kind of damage.
func fuzzSeeds(t testing.TB) map[string][]byte {
	r := NewRNG(7)
	tiny, err := BuildMLP[float32](MLPSpec{Widths: []int{2, 3, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}, r.Stream("init"))
	if err != nil {
		t.Fatal(err)
	}
	bn, err := BuildMLP[float64](MLPSpec{Widths: []int{1, 2, 1}, Activation: "tanh", BatchNorm: true}, r.Stream("init"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Checkpoint{Step: 42}
	c.SetConfig([]byte(`{"seed":7}`))
	AddNetwork(c, "energy", tiny)
	AddNetwork(c, "generator", bn)
	if err := c.AddOptimizer("energy", NewAdam(tiny.Params(), DefaultAdam())); err != nil {
		t.Fatal(err)
	}
	r.Stream("data").Uint64()
	if err := c.AddRNG(r); err != nil {
		t.Fatal(err)
	}
	valid, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	empty, _ := (&Checkpoint{}).Encode()
	newer := bytes.Clone(empty)
	binary.LittleEndian.PutUint32(newer[8:], ckptVersion+1)
	binary.LittleEndian.PutUint32(newer[24:], crc(newer[:24]))
	flipped := bytes.Clone(valid)
	flipped[len(flipped)/3] ^= 0x40
	return map[string][]byte{
		"valid":     valid,
		"empty":     empty,
		"truncated": valid[:len(valid)*2/3],
		"newer":     newer,
		"flipped":   flipped,
		"foreign":   []byte("PK\x03\x04 not a checkpoint"),
	}
}

// TestFuzzSeeds writes the seed corpus with -update-fuzz-seeds and otherwise
// checks that the committed seeds are present and current.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzLoad")
	for name, data := range fuzzSeeds(t) {
		file := filepath.Join(dir, name)
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
		if *updateFuzzSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil || string(got) != content {
			t.Errorf("seed %s is missing or stale (%v): run go test ./nn -run TestFuzzSeeds -update-fuzz-seeds", file, err)
		}
	}
}

// fixChecksums returns data with a consistent length field and checksums, so
// the fuzzer reaches the section parser; nil if there is no header to fix.
func fixChecksums(data []byte) []byte {
	if len(data) < ckptHeaderLen+ckptTrailerLen || string(data[:len(ckptMagic)]) != ckptMagic {
		return nil
	}
	d := bytes.Clone(data)
	n := len(d) - ckptHeaderLen - ckptTrailerLen
	binary.LittleEndian.PutUint64(d[16:], uint64(n))
	binary.LittleEndian.PutUint32(d[24:], crc(d[:24]))
	binary.LittleEndian.PutUint32(d[ckptHeaderLen+n:], crc(d[ckptHeaderLen:ckptHeaderLen+n]))
	return d
}

// FuzzLoad: decoding arbitrary bytes never panics; failures are
// *CheckpointError values; successes re-encode stably and can be applied to
// networks, optimizers and RNGs without panicking.
func FuzzLoad(f *testing.F) {
	for _, d := range fuzzSeeds(f) {
		f.Add(d)
	}
	tiny, _ := BuildMLP[float32](MLPSpec{Widths: []int{2, 3, 1}, Activation: "prelu", SpectralNorm: true, OutputScale: true}, nil)
	bn, _ := BuildMLP[float64](MLPSpec{Widths: []int{1, 2, 1}, Activation: "tanh", BatchNorm: true}, nil)
	opt := NewAdam(tiny.Params(), DefaultAdam())
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range [][]byte{data, fixChecksums(data)} {
			if d == nil {
				continue
			}
			c, err := Decode(d)
			if err != nil {
				var ce *CheckpointError
				if !errors.As(err, &ce) || ce.Kind == nil || ce.Problem == "" {
					t.Fatalf("error %v is not a complete *CheckpointError", err)
				}
				continue
			}
			enc, err := c.Encode()
			if err != nil {
				t.Fatalf("a decoded checkpoint does not encode: %v", err)
			}
			c2, err := Decode(enc)
			if err != nil {
				t.Fatalf("re-encoded checkpoint does not decode: %v", err)
			}
			if enc2, _ := c2.Encode(); !bytes.Equal(enc, enc2) {
				t.Fatalf("encoding is not stable")
			}
			_ = LoadNetwork(c, "energy", tiny)
			_ = LoadNetwork(c, "generator", bn)
			_ = c.LoadOptimizer("energy", opt)
			_ = c.LoadRNG(NewRNG(0))
		}
	})
}
