// Package lake knows the lake's layout (partition paths, object names), writes
// Parquet parts deterministically and keeps run manifests, the commit marker
// of every job run.
package lake

import (
	"fmt"
	"strings"
	"time"
)

// Unknown is the partition value used when a record carries no usable region
// or account.
const Unknown = "unknown"

// Partition is one leaf of the event layout, as in Amazon Security Lake:
// region=<r>/accountId=<a>/eventDay=YYYYMMDD/eventHour=HH.
type Partition struct {
	Region  string
	Account string
	Day     string // YYYYMMDD (UTC)
	Hour    int    // 0–23 (UTC)
}

// PartitionOf places an event by its UTC time; region and account are
// sanitised so that they are always safe path elements.
func PartitionOf(t time.Time, region, account string) Partition {
	t = t.UTC()
	return Partition{
		Region:  cleanValue(region),
		Account: cleanValue(account),
		Day:     t.Format("20060102"),
		Hour:    t.Hour(),
	}
}

// Path is the partition's relative path.
func (p Partition) Path() string {
	return fmt.Sprintf("region=%s/accountId=%s/eventDay=%s/eventHour=%02d", p.Region, p.Account, p.Day, p.Hour)
}

// Less orders partitions by day, hour, region, account.
func (p Partition) Less(q Partition) bool {
	if p.Day != q.Day {
		return p.Day < q.Day
	}
	if p.Hour != q.Hour {
		return p.Hour < q.Hour
	}
	if p.Region != q.Region {
		return p.Region < q.Region
	}
	return p.Account < q.Account
}

// cleanValue keeps [A-Za-z0-9._-] values of at most 64 bytes; anything else
// (empty, slashes, "=", spaces, control bytes) becomes Unknown so that a
// hostile field can never escape its partition.
func cleanValue(s string) string {
	if s == "" || len(s) > 64 || s == "." || s == ".." {
		return Unknown
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return Unknown
		}
	}
	return s
}

// EventsPrefix is where a source's events live: events/<source>/.
func EventsPrefix(source string) string { return "events/" + source + "/" }

// QuarantinePrefix is where a source's bad records live: quarantine/<source>/.
func QuarantinePrefix(source string) string { return "quarantine/" + source + "/" }

// RunPrefix is where a job's run manifests live.
func RunPrefix(job string) string { return "runs/" + job + "/" }

// DayOf formats a time as an eventDay value.
func DayOf(t time.Time) string { return t.UTC().Format("20060102") }

// joinKey joins key elements with "/", dropping empty ones.
func joinKey(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.Trim(p, "/")
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p)
	}
	return b.String()
}
