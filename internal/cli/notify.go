package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/seclake/seclake/internal/config"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/notify"
	notifyjob "github.com/seclake/seclake/jobs/notify"
)

func runNotify(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "notify", `notify --lake <dir|s3://b/p> --from T --to T [--config file.yaml]

Sends the findings that first appeared in [from, to) with status new to the
targets in the config's notify section (SNS, HTTPS webhook, Security Hub),
routed by severity and account type, and writes them as an ASFF batch to
exports/asff/<window>/findings.json. Webhook keys come from the environment
variable or Secrets Manager secret a target names, never from the file.`)
	var c common
	c.register(fs)
	from := fs.String("from", "", "window start: RFC3339 or YYYY-MM-DD")
	to := fs.String("to", "", "window end (exclusive): RFC3339 or YYYY-MM-DD")
	minSev := fs.Int("min-severity", -1, "lowest severity delivered when no routes are configured (notify.min_severity)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if *minSev >= 0 {
		cfg.Notify.MinSeverity = *minSev
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	var w lake.Window
	if w.From, err = parseWhen(*from); err != nil || w.From.IsZero() {
		return usageErr("--from %q: want RFC3339 or YYYY-MM-DD", *from)
	}
	if w.To, err = parseWhen(*to); err != nil || w.To.IsZero() || !w.To.After(w.From) {
		return usageErr("--to %q: want RFC3339 or YYYY-MM-DD after --from", *to)
	}
	log := a.logger(cfg)
	store, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return err
	}
	targets, router, asff, err := buildTargets(ctx, cfg, a.Getenv, log)
	if err != nil {
		return err
	}
	res, err := notifyjob.Run(ctx, notifyjob.Config{Lake: store, Window: w, Targets: targets, Router: router, ASFF: asff, Logger: log})
	if res != nil {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	}
	return err
}

func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// buildTargets turns notify.targets into notifiers. AWS clients use the
// standard credential chain; a target's endpoint and region override.
func buildTargets(ctx context.Context, cfg config.Config, getenv func(string) string, log *slog.Logger) ([]notify.Notifier, notify.Router, notify.ASFFOptions, error) {
	router := notify.Router{MinSeverity: cfg.Notify.MinSeverity}
	for _, r := range cfg.Notify.Routes {
		router.Routes = append(router.Routes, notify.Route{AccountType: r.AccountType, MinSeverity: r.MinSeverity, Targets: r.Targets})
	}
	var asff notify.ASFFOptions
	if len(cfg.Notify.Targets) == 0 {
		return nil, router, asff, nil
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.S3.Region))
	if err != nil {
		return nil, router, asff, fmt.Errorf("notify: AWS config: %w", err)
	}
	region := func(t config.Target) string {
		if t.Region != "" {
			return t.Region
		}
		return awsCfg.Region
	}
	endpoint := func(t config.Target) *string {
		if t.Endpoint == "" {
			return nil
		}
		return aws.String(t.Endpoint)
	}
	var out []notify.Notifier
	for _, t := range cfg.Notify.Targets {
		router.All = append(router.All, t.Name)
		switch t.Type {
		case "sns":
			out = append(out, &notify.SNS{TargetName: t.Name, TopicARN: t.TopicARN, Client: sns.NewFromConfig(awsCfg, func(o *sns.Options) {
				o.Region, o.BaseEndpoint = region(t), endpoint(t)
			})})
		case "securityhub":
			asff = notify.ASFFOptions{ProductARN: t.ProductARN, AccountID: t.AccountID, Region: region(t)}
			out = append(out, &notify.SecurityHub{TargetName: t.Name, Options: asff, Client: securityhub.NewFromConfig(awsCfg, func(o *securityhub.Options) {
				o.Region, o.BaseEndpoint = region(t), endpoint(t)
			})})
		case "webhook":
			src := notify.SecretSource{Getenv: getenv}
			if t.SecretARN != "" {
				src.SecretsManager = secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) { o.Region = region(t) })
			}
			key, err := src.Resolve(ctx, t.SecretEnv, t.SecretARN)
			if err != nil {
				return nil, router, asff, fmt.Errorf("notify.targets %s: %w", t.Name, err)
			}
			out = append(out, &notify.Webhook{TargetName: t.Name, URL: t.URL, Key: key, Logger: log})
		}
	}
	return out, router, asff, nil
}
