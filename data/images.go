package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Images holds N grey-scale images of Height × Width bytes, row-major, image
// after image, as stored in IDX files (MNIST, Fashion-MNIST): 0 is the
// background, 255 full ink. Keeping bytes costs D bytes per image instead of
// 8D for float64 (47 MB for MNIST's training set instead of 376 MB).
type Images struct {
	N, Height, Width int
	Pix              []uint8
	// Labels holds one class per image, or nil.
	Labels []uint8
}

// Dim returns Height·Width.
func (im *Images) Dim() int { return im.Height * im.Width }

// Image returns the pixels of image i (a view into Pix).
func (im *Images) Image(i int) []uint8 { d := im.Dim(); return im.Pix[i*d : (i+1)*d] }

// Take returns a new Images holding the images (and labels) idx, in that
// order.
func (im *Images) Take(idx []int) *Images {
	out := &Images{N: len(idx), Height: im.Height, Width: im.Width, Pix: make([]uint8, 0, len(idx)*im.Dim())}
	for _, i := range idx {
		out.Pix = append(out.Pix, im.Image(i)...)
		if im.Labels != nil {
			out.Labels = append(out.Labels, im.Labels[i])
		}
	}
	return out
}

// Scale selects the range pixels are mapped to.
type Scale int

const (
	// Symmetric maps pixels to [−1, 1]: 2v/255 − 1, or 2(v + u)/256 − 1 with
	// dequantisation. The GAN-style networks of SPEC §5 expect it.
	Symmetric Scale = iota
	// Unit maps pixels to [0, 1]: v/255, or (v + u)/256 with dequantisation.
	Unit
)

func (s Scale) String() string {
	switch s {
	case Symmetric:
		return "[-1,1]"
	case Unit:
		return "[0,1]"
	}
	return fmt.Sprintf("Scale(%d)", int(s))
}

// Source returns im as a Finite dataset of float32 rows scaled by s. With
// dequantize, every draw of a row adds fresh uniform noise u ~ U(0, 1) to
// each byte value v before dividing by 256, so the data have a density on
// the continuous cube and likelihoods are comparable with the literature:
// see BitsPerDim for the units. Without it pixels are divided by 255 and the
// extremes map exactly to the ends of the range.
func (im *Images) Source(s Scale, dequantize bool) Finite {
	return pixelSource{im, s, dequantize}
}

type pixelSource struct {
	im         *Images
	scale      Scale
	dequantize bool
}

func (p pixelSource) Len() int { return p.im.N }
func (p pixelSource) Dim() int { return p.im.Dim() }

func (p pixelSource) Row(i int, dst []float32, rng *rand.Rand) {
	pix := p.im.Image(i)
	dst = dst[:len(pix)]
	sym := p.scale == Symmetric
	for j, v := range pix {
		var x float64
		if p.dequantize {
			x = (float64(v) + unit(rng)) / 256
		} else {
			x = float64(v) / 255
		}
		if sym {
			x = 2*x - 1
		}
		dst[j] = float32(x)
	}
}

// BitsPerDim converts a negative log-likelihood in nats per image, measured on
// dequantised data of dimension d in scale s, to bits per dimension of the
// 8-bit images: NLL₀₁ = NLL − d·ln 2 for Symmetric (the map u ↦ 2u − 1
// multiplies densities by 2^−d), then bits/dim = NLL₀₁/(d ln 2) + 8, where the
// 8 bits are the log 256 of the dequantisation bins. The result is an upper
// bound on the discrete model's code length when NLL is exact.
func BitsPerDim(nll float64, d int, s Scale) float64 {
	if s == Symmetric {
		nll -= float64(d) * math.Ln2
	}
	return nll/(float64(d)*math.Ln2) + 8
}

// LoadMNIST reads an images file and its labels file (IDX, gzip or raw) and
// checks that they describe the same number of items.
func LoadMNIST(imagesPath, labelsPath string) (*Images, error) {
	im, err := LoadIDXImages(imagesPath)
	if err != nil {
		return nil, err
	}
	lb, err := LoadIDXLabels(labelsPath)
	if err != nil {
		return nil, err
	}
	if len(lb) != im.N {
		return nil, fmt.Errorf("%s has %d labels but %s has %d images", labelsPath, len(lb), imagesPath, im.N)
	}
	im.Labels = lb
	return im, nil
}

// mnistFiles are the standard file stems of MNIST and Fashion-MNIST.
var mnistFiles = map[bool][2]string{
	false: {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
	true:  {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
}

// LoadMNISTDir loads the training (test = false) or test split from dir,
// which holds the files under their standard names
// (train-images-idx3-ubyte, …, t10k-labels-idx1-ubyte), each either raw or
// with a ".gz" suffix.
func LoadMNISTDir(dir string, test bool) (*Images, error) {
	var paths [2]string
	for k, stem := range mnistFiles[test] {
		for _, name := range []string{stem + ".gz", stem} {
			p := filepath.Join(dir, name)
			if _, err := os.Stat(p); err == nil {
				paths[k] = p
				break
			}
		}
		if paths[k] == "" {
			return nil, fmt.Errorf("%s: no %s[.gz] file", dir, stem)
		}
	}
	return LoadMNIST(paths[0], paths[1])
}

// ToDataset returns the images scaled by s (without dequantisation) as a
// float64 Dataset, 8 bytes per pixel; prefer Source for large sets.
func (im *Images) ToDataset(s Scale) *Dataset {
	d := &Dataset{N: im.N, D: im.Dim(), X: make([]float64, len(im.Pix))}
	for j, v := range im.Pix {
		x := float64(v) / 255
		if s == Symmetric {
			x = 2*x - 1
		}
		d.X[j] = x
	}
	return d
}
