package classify

import (
	"embed"
	"fmt"
	"strings"
)

// The shipped classifiers: models/mnist.ckpt and models/fashion-mnist.ckpt,
// made by `make classifiers` (cmd/trainclassifier with DefaultSpec
// and DefaultTrain), with their SHA-256 sums in models/SHA256SUMS.
//
//go:embed models/mnist.ckpt models/fashion-mnist.ckpt models/SHA256SUMS
var models embed.FS

// Datasets lists the names Pretrained accepts.
var Datasets = []string{"mnist", "fashion-mnist"}

// Pretrained returns a fresh copy of the shipped classifier for dataset
// "mnist" (MNIST digits) or "fashion-mnist" (Fashion-MNIST articles).
func Pretrained(dataset string) (*Classifier, error) {
	for _, d := range Datasets {
		if d == dataset {
			b, err := models.ReadFile("models/" + d + ".ckpt")
			if err != nil {
				return nil, err
			}
			return Decode(b)
		}
	}
	return nil, fmt.Errorf("classify: no pretrained classifier for %q (want one of %s)", dataset, strings.Join(Datasets, ", "))
}
