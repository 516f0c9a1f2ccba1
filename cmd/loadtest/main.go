// Command loadtest drives an `ebmcpu serve` on a loopback address with
// concurrent clients and prints throughput, latency percentiles, errors and
// the server's memory before and after (package bench/loadtest). It refuses
// any address that is not a literal loopback one.
//
//	ebmcpu serve --model runs/RUN --addr 127.0.0.1:8080 &
//	go run ./cmd/loadtest --url http://127.0.0.1:8080 --model RUN --clients 64 --duration 10s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ebmcpu/ebmcpu/bench/loadtest"
)

func main() {
	cfg := loadtest.Config{}
	flag.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "the server (a literal loopback address)")
	flag.StringVar(&cfg.Model, "model", "", "the model's name (as in /v2/models/{name})")
	flag.IntVar(&cfg.Clients, "clients", 64, fmt.Sprintf("concurrent clients, 1..%d", loadtest.MaxClients))
	flag.DurationVar(&cfg.Duration, "duration", loadtest.MaxDuration/6, fmt.Sprintf("how long to send requests, at most %v", loadtest.MaxDuration))
	flag.IntVar(&cfg.Rows, "rows", 1, fmt.Sprintf("rows per request, 1..%d", loadtest.MaxRows))
	flag.Uint64Var(&cfg.Seed, "seed", 1, "seed of the random rows")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "loadtest: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadtest: %v\n", err)
		os.Exit(2)
	}
	rep.Write(os.Stdout)
	if rep.Errors > 0 {
		os.Exit(1)
	}
}
