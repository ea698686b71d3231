package convert

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestCorpus converts every folder of ../shared/corpus (real public samples
// with their quirks): no crash, every record accounted for, and what each
// folder must yield.
func TestCorpus(t *testing.T) {
	corpus := filepath.Join(repoRoot(t), "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skip("../shared/corpus not present")
	}
	// Counts verified by reading the files: LICENSE/SOURCE.md files are not
	// logs (one quarantined record each); the AWS library's null/renamed
	// eventTime and broken-JSON files quarantine one record each; its SQS
	// bodies and Elastic's digest and Insights files are skipped.
	cases := []struct {
		dir                    string
		written, quar, skipped int64
	}{
		{"aws-cloudtrail-processing-library-testfiles", 38, 7, 2},
		{"elastic-aws-test-samples", 72, 2, 2},
		{"dandi-s3-access-log-edgecases", 37, 1, 0},
		{"stratus-red-team-detonation-logs", 310, 2, 0},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			m, err := Run(context.Background(), Config{Raw: localStore(t, filepath.Join(corpus, c.dir)), Lake: localStore(t, t.TempDir()), Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			cnt := m.Counts
			t.Logf("%s: %+v", c.dir, cnt)
			if err := cnt.Check(); err != nil {
				t.Fatal(err)
			}
			if cnt.RecordsWritten != c.written || cnt.RecordsQuarantined != c.quar || cnt.FilesSkipped != c.skipped {
				t.Errorf("want %d written, %d quarantined, %d skipped; got %+v", c.written, c.quar, c.skipped, cnt)
			}
			for _, in := range m.Inputs {
				if in.Records != in.Written+in.Quarantined {
					t.Errorf("%s: %d read != %d + %d", in.Key, in.Records, in.Written, in.Quarantined)
				}
			}
		})
	}
}
