package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/seclake/seclake/internal/config"
	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/internal/extract"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	extractjob "github.com/seclake/seclake/jobs/extract"
)

// extraction builds the entity extraction of a run from the config and the
// analysts' feedback stored in the lake; nil when extraction is off.
func (a *App) extraction(ctx context.Context, cfg config.Config, lk storage.Store) (*extract.Extraction, error) {
	if !cfg.Entities.Extract {
		return nil, nil
	}
	fb, err := lake.LoadEntityFeedback(ctx, lk)
	if err != nil {
		return nil, err
	}
	ignore := map[string]bool{}
	for k, f := range fb {
		if f.Verdict == lake.VerdictIgnore {
			ignore[k] = true
		}
	}
	opts := entity.Options{Threshold: cfg.Entities.Threshold}
	if len(ignore) > 0 {
		opts.Ignore = func(k entity.Kind, v string) bool { return ignore[string(k)+"\x00"+v] }
	}
	x := &extract.Extraction{Extractor: entity.New(opts)}
	switch cfg.Entities.PII {
	case "redact":
		x.Redactor = &entity.Redactor{Mode: "redact"}
	case "hmac":
		key := a.Getenv(cfg.Entities.PIIKeyEnv)
		if len(key) < 16 {
			return nil, usageErr("entities.pii_key_env: %s must hold an HMAC key of at least 16 bytes", cfg.Entities.PIIKeyEnv)
		}
		x.Redactor = &entity.Redactor{Mode: "hmac", Key: []byte(key)}
	}
	return x, nil
}

func runFeedback(ctx context.Context, a *App, args []string) error {
	if len(args) > 0 && args[0] == "finding" {
		return runFeedbackFinding(ctx, a, args[1:])
	}
	if len(args) == 0 || args[0] != "entity" {
		return usageErr("usage: seclake feedback entity --lake … --kind … --value … --verdict ignore|sensitive|clear [--note …]\n" +
			"       seclake feedback finding --lake … --id … --verdict false-positive|true-positive [--note …]")
	}
	fs := newFlagSet(a, "feedback entity", "feedback entity --lake <dir|s3://…> --kind <kind> --value <value> --verdict ignore|sensitive|clear [--note text] [--by analyst]")
	var c common
	c.register(fs)
	kind := fs.String("kind", "", "entity kind, e.g. ip_address, access_key_id, iam_role_arn (see internal/entity)")
	value := fs.String("value", "", "entity value as extracted")
	verdict := fs.String("verdict", "", "ignore (drop from extraction and scoring), sensitive (raise finding severity) or clear")
	note := fs.String("note", "", "why")
	by := fs.String("by", "", "who decided")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *kind == "" || *value == "" || *verdict == "" {
		return usageErr("--kind, --value and --verdict are required")
	}
	known := false
	for _, k := range entity.Kinds {
		known = known || string(k) == *kind
	}
	if !known {
		return usageErr("--kind %q is not an entity kind (%v)", *kind, entity.Kinds)
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	lk, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return err
	}
	fb := lake.EntityFeedback{Kind: *kind, Value: *value, Verdict: *verdict, Note: *note, By: *by, At: time.Now().UTC()}
	if err := lake.PutEntityFeedback(ctx, lk, fb); err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "feedback stored: %s %s → %s (applies from the next convert or `seclake extract`)\n", *kind, *value, *verdict)
	return nil
}

func runExtract(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "extract", "extract --lake <dir|s3://…> [--from T] [--to T] [--tables cloudtrail,vpcflow,s3access]")
	var c common
	c.register(fs)
	from := fs.String("from", "", "RFC3339: first event hour to (re)extract")
	to := fs.String("to", "", "RFC3339: end of the event-time window (exclusive)")
	tables := fs.String("tables", "", "comma-separated event tables (default all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	cfg.Entities.Extract = true
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	win, err := parseWindow(*from, *to)
	if err != nil {
		return err
	}
	a.applyMemoryLimit(cfg)
	lk, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return err
	}
	x, err := a.extraction(ctx, cfg, lk)
	if err != nil {
		return err
	}
	m, err := extractjob.Run(ctx, extractjob.Config{Lake: lk, Window: win, Tables: splitList(*tables), Extraction: x, Logger: a.logger(cfg)})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "extracted entities for %d records in %d parts (window %s)\n", m.Counts.RecordsWritten, len(m.Outputs), win.ID())
	return nil
}
