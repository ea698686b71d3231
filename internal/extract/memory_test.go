package extract

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/seclake/seclake/internal/entity"
	"github.com/seclake/seclake/schemas"
)

// TestBatchSharesAndReleases: repeated combinations share one tuple's lists,
// rows with own text entities get their own, and the pooled Arrow scratch
// (views over the rows' strings) keeps no row alive after extraction.
func TestBatchSharesAndReleases(t *testing.T) {
	x := &Extraction{Extractor: entity.New(entity.Options{})}
	collected := make(chan bool, 1)
	func() {
		rows := make([]schemas.CloudTrail, 300)
		// The request parameters of every row live in one block the test
		// watches: a view left in a pooled scratch would keep it alive.
		params := `{"bucketName":"acme-logs","roleArn":"arn:aws:iam::444455556666:role/x"}`
		block := new([4096]byte)
		copy(block[:], params)
		watched := unsafe.String(&block[0], len(params))
		runtime.SetFinalizer(block, func(*[4096]byte) { collected <- true })
		for i := range rows {
			r := &rows[i]
			r.EventID = string(rune('a' + i%26))
			r.SourceIPAddress = []string{"52.95.110.1", "10.0.0.1", "2600:1f18::1"}[i%3]
			r.UserAgent = "aws-cli/2.15.0"
			r.RecipientAccountID = "111122223333"
			r.UserIdentityARN = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com"
			r.UserIdentityAccountID = "111122223333"
			if i%7 == 1 {
				r.RequestParameters = watched
			}
		}
		x.CloudTrail(rows)
		if rows[0].TypedEntities == 0 || rows[0].SourceIPClass != "public" || rows[1].SourceIPClass != "private" {
			t.Fatalf("row 0: bits %b, classes %q %q", rows[0].TypedEntities, rows[0].SourceIPClass, rows[1].SourceIPClass)
		}
		// rows 0 and 3 have the same typed values: their lists are one slice
		if &rows[0].PAnyAccountIDs[0] != &rows[3].PAnyAccountIDs[0] {
			t.Error("rows with the same typed values do not share their lists")
		}
		if len(rows[0].Entities) != 0 {
			t.Errorf("row 0 lists %v: its entities are all derived", rows[0].Entities)
		}
		if len(rows[1].Entities) == 0 || len(rows[1].PAnyS3Buckets) != 1 || rows[1].SourceIPClass != "private" {
			t.Errorf("row 1: own entities %v, buckets %v", rows[1].Entities, rows[1].PAnyS3Buckets)
		}
	}()
	// One collection: a scratch parked in the pool survives it (pools keep
	// their items through one cycle), so only a scratch that dropped its
	// references lets the block go now.
	runtime.GC()
	select {
	case <-collected:
		return
	case <-time.After(2 * time.Second):
	}
	t.Fatal("the rows' text is still referenced after extraction (a pooled scratch keeps it alive)")
}
