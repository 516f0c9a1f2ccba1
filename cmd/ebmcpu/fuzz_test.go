package main

import (
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"strings"
	"testing"

	"github.com/ebmcpu/ebmcpu/ebm"
)

// FuzzTrainFlags feeds arbitrary command lines (arguments separated by
// newlines) through the flag → config path of `ebmcpu train`: parsing,
// applying and validating must never panic, and a config that validates
// must also pass the size checks without allocating anything big.
func FuzzTrainFlags(f *testing.F) {
	for _, seed := range []string{
		"--steps\n100", "--energy.hidden\n100000,100000", "--batch\n4611686018427387904", "--opt_energy.lr\nInf",
		"--dataset\ncsv:", "--energy.hidden\n", "--lower\nmi\n--upper\ndiffusion", "--gp.weight\nNaN", "--seed\n-1",
		"--diffusion.steps_per_node\n-1", "--latent_dim\n3", "--stratified\n--dataset\nrings",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fs := cli.NewFlags("ebmcpu train", io.Discard)
		cf := registerConfigFlags(fs, ebm.DefaultConfig())
		if cli.ParseFlags(fs, strings.Split(line, "\n")) != nil {
			return
		}
		cfg, err := runConfig("", cf)
		if err != nil || cfg.Validate() != nil {
			return
		}
		cfg.MemoryLimit = 64 << 20
		toy := ebm.Dims{Data: 2, Latent: 2}
		if cfg.ValidateDims(toy) == nil && cfg.Footprint(toy) > cfg.MemoryLimit {
			t.Fatalf("validated a config of %d bytes over the limit", cfg.Footprint(toy))
		}
	})
}
