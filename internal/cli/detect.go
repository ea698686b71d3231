package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/internal/config"
	"github.com/seclake/seclake/internal/lake"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/jobs/detect"
	"github.com/seclake/seclake/schemas"
)

// localRoot returns the directory DuckDB reads for the lake: the lake itself
// when local, else a mirror of the given prefixes of the S3 lake.
func (a *App) localRoot(ctx context.Context, cfg config.Config, store storage.Store, cacheDir string, prefixes []string) (string, error) {
	if !strings.HasPrefix(cfg.Lake, "s3://") {
		return store.URI(), nil
	}
	dir := mirrorDir(cfg, cacheDir)
	n, err := lake.Mirror(ctx, store, dir, prefixes)
	if err != nil {
		return "", err
	}
	a.logger(cfg).Debug("mirrored lake", "objects_fetched", n, "dir", dir)
	return dir, nil
}

// committedCache is the file where readers keep which partitions each run
// manifest of the lake wrote into (lake.Committed), beside the mirror.
func committedCache(cfg config.Config, cacheDir string) string {
	return filepath.Join(mirrorDir(cfg, cacheDir), "committed.json")
}

// mirrorDir is where an S3 lake is mirrored for DuckDB: cacheDir when set,
// else a directory under the user cache named after the lake and endpoint.
func mirrorDir(cfg config.Config, cacheDir string) string {
	if cacheDir != "" {
		return cacheDir
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	sum := sha256.Sum256([]byte(cfg.Lake + "\x00" + cfg.S3.Endpoint))
	return filepath.Join(base, "seclake", hex.EncodeToString(sum[:8]))
}

// tablePrefixes are the key prefixes of every lake table.
func tablePrefixes() []string {
	var prefixes []string
	for _, t := range schemas.Tables() {
		prefixes = append(prefixes, t.Prefix)
	}
	return prefixes
}

// accountTypesFile reads an accounts.json ({"accounts":[{"id","type"}]}, as
// written by seclake generate) into id → type.
func accountTypesFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Accounts []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	for _, a := range f.Accounts {
		out[a.ID] = a.Type
	}
	return out, nil
}

func runDetect(ctx context.Context, a *App, args []string) error {
	fs := newFlagSet(a, "detect", "detect --lake <dir|s3://…> --from T --to T [--baseline-days 14] [--accounts accounts.json] [--top 10] [--json]")
	var c common
	c.register(fs)
	from := fs.String("from", "", "RFC3339 start of the detection window (split into days)")
	to := fs.String("to", "", "RFC3339 end of the detection window (exclusive)")
	baseline := fs.Int("baseline-days", 14, "days of history before each window day that form its baseline")
	accounts := fs.String("accounts", "", "accounts.json mapping account ids to prod|staging|dev (else detect.accounts in the config)")
	top := fs.Int("top", 10, "print this many top findings with their explanations (0 = none)")
	jsonOut := fs.Bool("json", false, "print the run summary as JSON")
	cacheDir := fs.String("cache", "", "where an S3 lake is mirrored for DuckDB (default: user cache dir)")
	threads := fs.Int("threads", 0, "DuckDB threads (0 = all cores)")
	// 300MB keeps the daily path of the bench lakes near 512 MiB of peak RSS (DuckDB's own
	// accounting leaves out parsers, aggregate states and the allocator's slack); 2GB runs
	// the 10M lake some 10% faster at ~1.1 GiB.
	memLimit := fs.String("memory-limit", "300MB", "DuckDB memory limit (it spills to the run's temp dir beyond it); \"\" = DuckDB's default, 80% of RAM")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usageErr("--from and --to are required")
	}
	win, err := parseWindow(*from, *to)
	if err != nil {
		return err
	}
	if !win.From.Before(win.To) {
		return usageErr("--from must be before --to")
	}
	cfg, err := c.resolve(a, fs)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%w", err)
	}
	types := cfg.Detect.Accounts
	if *accounts != "" {
		if types, err = accountTypesFile(*accounts); err != nil {
			return usageErr("--accounts: %w", err)
		}
	}
	a.applyMemoryLimit(cfg)
	store, err := openStore(ctx, cfg, cfg.Lake)
	if err != nil {
		return err
	}
	root, err := a.localRoot(ctx, cfg, store, *cacheDir, []string{"events/", "baselines/", "findings/"})
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := detect.Run(ctx, detect.Options{
		Lake: store, Root: root, From: win.From, To: win.To, BaselineDays: *baseline,
		Config: cfg.Detect, AccountTypes: types, Logger: a.logger(cfg), Threads: *threads, MemoryLimit: *memLimit, Committed: lake.NewCommitted(store, committedCache(cfg, *cacheDir)),
	})
	if err != nil {
		return err
	}
	if *jsonOut {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	fmt.Fprintf(a.Stdout, "detect %s: %d windows, %d findings (%d new, %d continued, %d suppressed, %d dropped by entity feedback); baseline days computed %d, reused %d; %.1fs\n",
		win.ID(), sum.Windows, sum.Findings, sum.New, sum.Continued, sum.Suppressed, sum.Ignored, sum.BaselineDays, sum.BaselineReused, time.Since(start).Seconds())
	if *top > 0 && sum.Findings > 0 {
		return printTopFindings(ctx, a.Stdout, root, *top)
	}
	return nil
}

// printTopFindings prints the most severe current findings with their explanations.
func printTopFindings(ctx context.Context, w interface{ Write([]byte) (int, error) }, root string, n int) error {
	eng, err := analytics.Open(ctx, root, analytics.Options{Tables: []string{"findings"}})
	if err != nil {
		return err
	}
	defer eng.Close()
	rows, err := eng.Query(ctx, `SELECT severity, severity_label, title, coalesce(attack_technique, ''), finding_id, explanation, recommendation
		FROM (SELECT * FROM findings QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY window_end DESC) = 1)
		WHERE status <> 'suppressed' ORDER BY severity DESC, last_seen DESC, finding_id LIMIT ?`, n)
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Fprintln(w, "\ntop findings:")
	for rows.Next() {
		var sev int
		var label, title, tech, id, exp, rec string
		if err := rows.Scan(&sev, &label, &title, &tech, &id, &exp, &rec); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n  [%s %d] %s (%s) %s\n    %s\n    → %s\n", strings.ToUpper(label), sev, title, tech, id, exp, rec)
	}
	return rows.Err()
}
