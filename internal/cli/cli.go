// Package cli is seclake's command line: it turns flags, environment and the
// config file into a Config, builds the logger and the stores, and calls the
// jobs. cmd/seclake only hands it the process's streams.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/config"
	"github.com/seclake/seclake/internal/schedule"
	"github.com/seclake/seclake/internal/storage"
)

// App is one invocation's environment.
type App struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// StderrTTY reports whether stderr is a terminal (progress bars, text logs).
	StderrTTY bool
	// Now is the clock (nil: time.Now); tests inject a fixed time.
	Now func() time.Time
	// Clock drives `seclake schedule` (nil: the wall clock); tests inject a fake.
	Clock schedule.Clock
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, a *App, args []string) error
}

func (a *App) commands() []command {
	return []command{
		{"generate", "write realistic raw AWS logs with labelled attacks (no AWS account needed)", runGenerate},
		{"convert", "convert raw AWS logs into the Parquet lake", runConvert},
		{"query", "run DuckDB SQL over the lake", runQuery},
		{"extract", "(re)fill entity columns of existing partitions (backfill)", runExtract},
		{"feedback", "record an analyst verdict on an entity or a finding (feedback entity|finding)", runFeedback},
		{"detect", "score a window against baselines and write findings", runDetect},
		{"eval", "recall and precision of the lake's findings against labels.json", runEval},
		{"athena", "print Athena DDL for the lake tables (athena ddl)", runAthena},
		{"run", "run one activation of a scheduled job: run hourly|daily|quarterly", runRun},
		{"schedule", "local daemon: run the hourly/daily/quarterly jobs on their schedules", runSchedule},
		{"backfill", "convert any window in parallel hour×shard partitions, resumable", runBackfill},
		{"lake", "lake init (bucket encryption, lifecycle, object lock) | lake retention", runLake},
		{"notify", "send new findings to SNS, webhooks and Security Hub (routing from config)", runNotify},
		{"report", "compliance reports (SOC 2, PCI DSS, GDPR) for a period, log gaps, digest checks", runReport},
		{"version", "print the version", func(ctx context.Context, a *App, args []string) error {
			fmt.Fprintln(a.Stdout, "seclake", Version)
			return nil
		}},
	}
}

// Version is the build's version.
const Version = "0.1.0"

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Run executes args (without the program name) and returns the exit code:
// 0 success, 1 failure, 2 usage error.
func (a *App) Run(ctx context.Context, args []string) int {
	if a.Getenv == nil {
		a.Getenv = func(string) string { return "" }
	}
	cmds := a.commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		a.usage(cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, a, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		}
		var ee *exitError
		if errors.As(err, &ee) {
			fmt.Fprintln(a.Stderr, "seclake "+c.name+":", ee.err)
			return ee.code
		}
		fmt.Fprintln(a.Stderr, "seclake "+c.name+":", err)
		return 1
	}
	fmt.Fprintf(a.Stderr, "seclake: unknown command %q\n\n", args[0])
	a.usage(cmds)
	return 2
}

func (a *App) usage(cmds []command) {
	w := a.Stderr
	fmt.Fprintln(w, "seclake — batch jobs of a security data lake for AWS logs")
	fmt.Fprintln(w, "\nUsage: seclake <command> [flags]   (seclake <command> --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// common holds the flags every lake command shares.
type common struct {
	configPath string
	lake       string
	endpoint   string
	region     string
	pathStyle  bool
	kmsKey     string
	logLevel   string
	logFormat  string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configPath, "config", "", "YAML config file (flags and env override it)")
	fs.StringVar(&c.lake, "lake", "", "lake location: a directory or s3://bucket/prefix (default ./lake; env SECLAKE_LAKE)")
	fs.StringVar(&c.endpoint, "s3-endpoint", "", "custom S3 endpoint, e.g. http://127.0.0.1:9000 (env SECLAKE_S3_ENDPOINT)")
	fs.StringVar(&c.region, "s3-region", "", "AWS region of the buckets (env SECLAKE_S3_REGION, AWS_REGION)")
	fs.BoolVar(&c.pathStyle, "s3-path-style", false, "use path-style S3 addressing (MinIO) (env SECLAKE_S3_PATH_STYLE)")
	fs.StringVar(&c.kmsKey, "kms-key", "", "KMS key ARN/id/alias for SSE-KMS on every S3 write (env SECLAKE_KMS_KEY)")
	fs.StringVar(&c.logLevel, "log-level", "", "debug|info|warn|error")
	fs.StringVar(&c.logFormat, "log-format", "", "auto|json|text (auto: text on a terminal, JSON otherwise)")
}

// resolve layers defaults < file < env < flags and validates the result.
func (c *common) resolve(a *App, fs *flag.FlagSet) (config.Config, error) {
	cfg, err := config.Load(c.configPath)
	if err != nil {
		return cfg, err
	}
	if err := cfg.ApplyEnv(a.Getenv); err != nil {
		return cfg, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "lake":
			cfg.Lake = c.lake
		case "s3-endpoint":
			cfg.S3.Endpoint = c.endpoint
		case "s3-region":
			cfg.S3.Region = c.region
		case "s3-path-style":
			cfg.S3.PathStyle = c.pathStyle
		case "kms-key":
			cfg.S3.KMSKeyID = c.kmsKey
		case "log-level":
			cfg.Log.Level = c.logLevel
		case "log-format":
			cfg.Log.Format = c.logFormat
		}
	})
	return cfg, nil
}

// applyMemoryLimit sets the Go heap's soft limit from the config unless the
// GOMEMLIMIT environment variable already did.
func (a *App) applyMemoryLimit(cfg config.Config) {
	if a.Getenv("GOMEMLIMIT") == "" && cfg.MemoryLimitMiB > 0 {
		debug.SetMemoryLimit(int64(cfg.MemoryLimitMiB) << 20)
	}
}

func (a *App) logger(cfg config.Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.Log.Format == "text" || cfg.Log.Format == "auto" && a.StderrTTY {
		return slog.New(slog.NewTextHandler(a.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(a.Stderr, opts))
}

func s3Options(cfg config.Config) storage.S3Options {
	return storage.S3Options{
		Region:      cfg.S3.Region,
		Endpoint:    cfg.S3.Endpoint,
		PathStyle:   cfg.S3.PathStyle,
		KMSKeyID:    cfg.S3.KMSKeyID,
		MaxAttempts: cfg.S3.MaxAttempts,
	}
}

func openStore(ctx context.Context, cfg config.Config, uri string) (storage.Store, error) {
	return storage.Open(ctx, uri, s3Options(cfg))
}

func newFlagSet(a *App, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: seclake %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// isTTY reports whether f is a terminal.
func isTTY(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// IsTTY is exported for main.
func IsTTY(f *os.File) bool { return isTTY(f) }

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
