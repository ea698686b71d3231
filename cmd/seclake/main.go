// Command seclake runs the batch jobs of a security data lake for AWS logs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/seclake/seclake/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	app := &cli.App{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, StderrTTY: cli.IsTTY(os.Stderr)}
	code := app.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
