package main

import (
	"fmt"
	"github.com/ebmcpu/ebmcpu/cmd/internal/cli"
	"io"
	"text/tabwriter"

	"github.com/ebmcpu/ebmcpu/data"
)

func runDatasets(args []string, stdout, stderr io.Writer) error {
	if err := cli.ParseFlags(cli.NewFlags("ebmcpu datasets", stderr), args); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDENSITY\tDEFINITION")
	for _, name := range data.Toys() {
		toy, err := data.NewToy(name)
		if err != nil {
			return err
		}
		density := "no"
		if toy.HasDensity() {
			density = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, density, toy.Formula())
	}
	fmt.Fprintln(tw, "csv:PATH\t-\ta CSV of floats, one sample per row (header optional)")
	fmt.Fprintln(tw, "mnist:DIR\t-\tMNIST or Fashion-MNIST IDX files in DIR (gzip or raw), scaled to [-1, 1]")
	return tw.Flush()
}
