package generate

import (
	"context"
	"encoding/json"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seclake/seclake/internal/storage"
)

type discardWriter struct{ bytes atomic.Int64 }

func (d *discardWriter) Put(_ context.Context, _ string, r io.Reader, _ storage.PutOptions) error {
	n, err := io.Copy(io.Discard, r)
	d.bytes.Add(n)
	return err
}

func benchConfig(workers int) Config {
	c := DefaultConfig()
	c.Days, c.Rate, c.Workers, c.Sources = 1, 100_000, workers, []string{SourceCloudTrail}
	return c
}

// BenchmarkGenerateCloudTrail measures end-to-end CloudTrail generation
// (events, JSON, gzip, Put) and reports events/s.
func BenchmarkGenerateCloudTrail(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run("workers="+itoa(workers), func(b *testing.B) {
			var events, bytes int64
			start := time.Now()
			for i := 0; i < b.N; i++ {
				w := &discardWriter{}
				sum, err := Run(context.Background(), benchConfig(workers), w)
				if err != nil {
					b.Fatal(err)
				}
				events += sum.Events[SourceCloudTrail]
				bytes += w.bytes.Load()
			}
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(events)/el, "events/s")
			b.ReportMetric(float64(bytes)/el/1e6, "gzMB/s")
		})
	}
}

// sampleEvents generates one busy hour of benign events for account 0.
func sampleEvents(b *testing.B) (*runner, []ev, string, int64) {
	cfg := benchConfig(1)
	g := newRunner(cfg, &discardWriter{})
	hourMs := g.startMs + 14*3_600_000
	r := newRand(cfg.Seed, streamCloudTrail, 0, uint64(hourMs/3_600_000))
	t := time.UnixMilli(hourMs).UTC()
	var lam []float64
	for _, p := range g.org.byAcct[0] {
		lam = append(lam, g.org.scale*p.weight*activity(p, t)/12)
	}
	var evs []ev
	for s := int64(0); s < 12; s++ {
		evs = g.benignSlot(evs, r, g.org.accounts[0], lam, hourMs+s*300_000)
	}
	if len(evs) == 0 {
		b.Fatal("no events")
	}
	return g, evs, t.Format("2006-01-02T15:"), hourMs
}

// jsRecord is a CloudTrail event as a reflection-based encoder would hold it.
type jsRecord struct {
	EventVersion                 string         `json:"eventVersion"`
	UserIdentity                 map[string]any `json:"userIdentity"`
	EventTime                    string         `json:"eventTime"`
	EventSource                  string         `json:"eventSource"`
	EventName                    string         `json:"eventName"`
	AWSRegion                    string         `json:"awsRegion"`
	SourceIPAddress              string         `json:"sourceIPAddress"`
	UserAgent                    string         `json:"userAgent"`
	ErrorCode                    string         `json:"errorCode,omitempty"`
	ErrorMessage                 string         `json:"errorMessage,omitempty"`
	RequestParameters            map[string]any `json:"requestParameters"`
	ResponseElements             map[string]any `json:"responseElements"`
	AdditionalEventData          map[string]any `json:"additionalEventData,omitempty"`
	RequestID                    string         `json:"requestID,omitempty"`
	EventID                      string         `json:"eventID"`
	ReadOnly                     bool           `json:"readOnly"`
	EventType                    string         `json:"eventType"`
	ManagementEvent              bool           `json:"managementEvent"`
	RecipientAccountID           string         `json:"recipientAccountId"`
	EventCategory                string         `json:"eventCategory"`
	TLSDetails                   map[string]any `json:"tlsDetails,omitempty"`
	SessionCredentialFromConsole string         `json:"sessionCredentialFromConsole,omitempty"`
}

func encodeAppend(g *runner, evs []ev, prefix string, hourMs int64, buf []byte) ([]byte, int) {
	n := 0
	for i := range evs {
		buf = g.appendEvent(buf[:0], &evs[i], prefix, hourMs)
		n += len(buf)
	}
	return buf, n
}

func encodeJSON(b *testing.B, recs []jsRecord) int {
	n := 0
	for i := range recs {
		out, err := json.Marshal(&recs[i])
		if err != nil {
			b.Fatal(err)
		}
		n += len(out)
	}
	return n
}

// BenchmarkEncodeCloudTrail measures the append-style encoder alone and
// reports its speed-up over encoding/json on the same events, measured in the
// same run (x_encoding_json).
func BenchmarkEncodeCloudTrail(b *testing.B) {
	g, evs, prefix, hourMs := sampleEvents(b)
	recs := toRecords(b, g, evs, prefix, hourMs)
	buf := make([]byte, 0, 8192)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		buf, _ = encodeAppend(g, evs, prefix, hourMs, buf)
	}
	appendS := time.Since(start).Seconds() / float64(b.N*len(evs))
	b.StopTimer()
	rounds := max(1, b.N/4)
	start = time.Now()
	for i := 0; i < rounds; i++ {
		encodeJSON(b, recs)
	}
	jsonS := time.Since(start).Seconds() / float64(rounds*len(recs))
	b.ReportMetric(1/appendS, "events/s")
	b.ReportMetric(1/jsonS, "json_events/s")
	b.ReportMetric(jsonS/appendS, "x_encoding_json")
}

// BenchmarkEncodeCloudTrailEncodingJSON is the baseline: the same events
// marshalled with encoding/json.
func BenchmarkEncodeCloudTrailEncodingJSON(b *testing.B) {
	g, evs, prefix, hourMs := sampleEvents(b)
	recs := toRecords(b, g, evs, prefix, hourMs)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		encodeJSON(b, recs)
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "events/s")
}

func toRecords(b *testing.B, g *runner, evs []ev, prefix string, hourMs int64) []jsRecord {
	recs := make([]jsRecord, len(evs))
	for i := range evs {
		if err := json.Unmarshal(g.appendEvent(nil, &evs[i], prefix, hourMs), &recs[i]); err != nil {
			b.Fatal(err)
		}
	}
	return recs
}
