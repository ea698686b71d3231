// Command seclake runs the batch jobs of a security data lake for AWS logs.
//
// SECLAKE_CPUPROFILE=file writes a Go CPU profile of the whole run to file (for
// `go tool pprof`); it covers Go code only, not DuckDB's threads.
// SECLAKE_MEMPROFILE=file writes the Go heap profile (allocations since the
// start, and what is live) at the end of the run.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/seclake/seclake/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	app := &cli.App{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, StderrTTY: cli.IsTTY(os.Stderr)}
	stopProfile := startProfile(os.Getenv("SECLAKE_CPUPROFILE"))
	code := app.Run(ctx, os.Args[1:])
	stopProfile()
	writeHeapProfile(os.Getenv("SECLAKE_MEMPROFILE"))
	stop()
	os.Exit(code)
}

func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "seclake: SECLAKE_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "seclake: SECLAKE_CPUPROFILE: %v\n", err)
		}
	}
}

func writeHeapProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "seclake: SECLAKE_MEMPROFILE: %v\n", err)
	}
}
