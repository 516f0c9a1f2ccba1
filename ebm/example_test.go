package ebm_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"sync"

	"github.com/ebmcpu/ebmcpu/ebm"
	"github.com/ebmcpu/ebmcpu/trainer"
)

// trainTiny trains a small model into a temporary directory, as
// `ebmcpu train` would, and returns the directory.
func trainTiny() string {
	dir, err := os.MkdirTemp("", "ebmcpu-example-")
	if err != nil {
		panic(err)
	}
	cfg := ebm.DefaultConfig()
	cfg.Steps, cfg.Batch, cfg.PlotEvery = 20, 32, 0
	cfg.Energy.Hidden, cfg.Generator.Hidden = []int{16}, []int{16}
	t, err := trainer.New(cfg)
	if err != nil {
		panic(err)
	}
	if err := t.Run(context.Background(), dir, nil, trainer.Hooks{}); err != nil {
		panic(err)
	}
	return dir
}

// A service loads a trained model once and scores batches from many
// goroutines at the same time.
func ExampleLoadModel() {
	dir := trainTiny()
	defer os.RemoveAll(dir)

	m, err := ebm.LoadModel(dir) // a run directory or a checkpoint file
	if err != nil {
		panic(err)
	}
	x := []float32{0, 0, 1, -1, 2, 0.5} // three 2-D points, row-major
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := make([]float32, 3)
			score := make([]float32, 6)
			if err := m.Energy(x, e); err != nil {
				panic(err)
			}
			if err := m.Score(x, score); err != nil { // −∇E, the direction of higher density
				panic(err)
			}
		}()
	}
	wg.Wait()
	fmt.Println("data width", m.Dim(), "latent width", m.LatentDim())
	// Output: data width 2 latent width 2
}

// Generator samples, refined by Metropolis-adjusted Langevin dynamics on
// the EBM, and bounds on the log-density of data points.
func ExampleModel_Langevin() {
	dir := trainTiny()
	defer os.RemoveAll(dir)
	m, err := ebm.LoadModel(dir)
	if err != nil {
		panic(err)
	}
	x := make([]float32, 100*m.Dim())
	if err := m.Sample(100, 7, x); err != nil {
		panic(err)
	}
	acc, err := m.Langevin(x, 20, 0.01, true, 7)
	if err != nil {
		panic(err)
	}
	lo, hi := make([]float64, 100), make([]float64, 100)
	if err := m.LogDensityBounds(x, lo, hi); err != nil {
		panic(err)
	}
	fmt.Println("acceptance in (0, 1]:", acc > 0 && acc <= 1)
	fmt.Println("lower ≤ upper:", lo[0] <= hi[0] && !math.IsNaN(hi[0]))
	// Output:
	// acceptance in (0, 1]: true
	// lower ≤ upper: true
}
