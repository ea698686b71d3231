package detect

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/analytics"
	"github.com/seclake/seclake/internal/storage"
	"github.com/seclake/seclake/internal/testutil"
	"github.com/seclake/seclake/jobs/convert"
)

// TestStratusDetonations runs detect over every file of
// ../shared/corpus/stratus-red-team-detonation-logs (each the CloudTrail of
// one Stratus Red Team technique), converted into its own temporary lake with
// no baseline, and reports which detectors fire. Files whose technique has a
// specific detector must be caught by it.
func TestStratusDetonations(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "..", "shared", "corpus", "stratus-red-team-detonation-logs")
	files, _ := filepath.Glob(filepath.Join(dir, "aws.*.json"))
	if len(files) == 0 {
		t.Skip("stratus-red-team-detonation-logs not present")
	}
	must := map[string]string{
		"aws.defense-evasion.cloudtrail-stop":            "evasion_cloudtrail_disabled",
		"aws.defense-evasion.cloudtrail-delete":          "evasion_cloudtrail_disabled",
		"aws.defense-evasion.cloudtrail-event-selectors": "evasion_cloudtrail_disabled",
		"aws.defense-evasion.vpc-remove-flow-logs":       "evasion_flow_logs_deleted",
		"aws.exfiltration.ec2-share-ebs-snapshot":        "exfil_snapshot_shared_external",
		"aws.exfiltration.ec2-share-ami":                 "exfil_snapshot_shared_external",
		"aws.exfiltration.s3-backdoor-bucket-policy":     "exfil_public_bucket_policy",
	}
	var detected, specific int
	var table []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		ds := stratusDetectors(t, f)
		if len(ds) > 0 {
			detected++
		}
		spec := slices.DeleteFunc(slices.Clone(ds), func(d string) bool {
			return d == "first_seen_session" || d == "access_key_first_use"
		})
		if len(spec) > 0 {
			specific++
		}
		table = append(table, name+": "+strings.Join(ds, ","))
		if want, ok := must[name]; ok && !slices.Contains(ds, want) {
			t.Errorf("%s: want detector %s, got %v", name, want, ds)
		}
	}
	t.Logf("stratus: %d of %d files raise a finding, %d by a technique-specific detector\n%s", detected, len(files), specific, strings.Join(table, "\n"))
}

func stratusDetectors(t *testing.T, file string) []string {
	t.Helper()
	rawDir := t.TempDir()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rawDir, filepath.Base(file)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, _ := storage.NewLocal(rawDir)
	root := t.TempDir()
	lk, _ := storage.NewLocal(root)
	ctx := context.Background()
	if _, err := convert.Run(ctx, convert.Config{Raw: raw, Lake: lk, Source: "cloudtrail", Workers: 1}); err != nil {
		t.Fatal(err)
	}
	eng, err := analytics.Open(ctx, root, analytics.Options{Tables: []string{"cloudtrail"}})
	if err != nil {
		t.Fatal(err)
	}
	var lo, hi time.Time
	err = eng.DB().QueryRowContext(ctx, "SELECT min(event_time), max(event_time) FROM cloudtrail").Scan(&lo, &hi)
	eng.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, Options{Lake: lk, Root: root, From: lo.Truncate(24 * time.Hour), To: hi.Truncate(24 * time.Hour).Add(24 * time.Hour), BaselineDays: 1, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	fs, err := LatestFindings(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Detector) {
			out = append(out, f.Detector)
		}
	}
	sort.Strings(out)
	return out
}
