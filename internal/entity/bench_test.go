package entity

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/seclake/seclake/internal/rawlog"
	"github.com/seclake/seclake/internal/rawlog/cloudtrail"
	"github.com/seclake/seclake/schemas"
)

const benchEvents = 10000

// benchBatch is ~10k synthetic CloudTrail events as Arrow columns, and the
// bytes of the columns Extract reads.
func benchBatch(b *testing.B) ([]Column, []schemas.CloudTrail, int64) {
	rows, _ := synthCloudTrail(42, benchEvents)
	cols := rowsToColumns(b, memory.DefaultAllocator, rows)
	var n int64
	for _, c := range cols {
		_, typed := typedColumns[c.Name]
		_, text := jsonColumns[c.Name]
		if !typed && !text || c.Name == "user_identity" { // skipped: typed identity columns present
			continue
		}
		for i := 0; i < c.Values.Len(); i++ {
			n += int64(len(c.Values.Value(i)))
		}
	}
	return cols, rows, n
}

func reportEvents(b *testing.B, events int) {
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkExtract: bytes are the text of the columns Extract reads.
func BenchmarkExtract(b *testing.B) {
	cols, _, n := benchBatch(b)
	x := New(Options{})
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if len(x.Extract(cols, benchEvents)) == 0 {
			b.Fatal("nothing extracted")
		}
	}
	reportEvents(b, benchEvents)
}

// BenchmarkExtractAndLists adds the list columns.
func BenchmarkExtractAndLists(b *testing.B) {
	cols, _, n := benchBatch(b)
	x := New(Options{})
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ListColumns(x.Extract(cols, benchEvents), benchEvents)
	}
	reportEvents(b, benchEvents)
}

// baselineJSON decodes every JSON column value into map[string]any and
// walks it, touching every string (what a per-event map walk would cost
// before any matching).
func baselineJSON(cols []Column) int {
	var walk func(v any) int
	walk = func(v any) int {
		switch v := v.(type) {
		case map[string]any:
			n := 0
			for k, e := range v {
				n += len(k) + walk(e)
			}
			return n
		case []any:
			n := 0
			for _, e := range v {
				n += walk(e)
			}
			return n
		case string:
			return len(v)
		}
		return 0
	}
	total := 0
	for _, c := range cols {
		if _, ok := jsonColumns[c.Name]; !ok {
			continue
		}
		for i := 0; i < c.Values.Len(); i++ {
			if c.Values.IsNull(i) {
				continue
			}
			var v any
			if json.Unmarshal([]byte(c.Values.Value(i)), &v) == nil {
				total += walk(v)
			}
		}
	}
	return total
}

// baselineRegexp runs one alternation of the candidate patterns over every
// free-text value (what "regexp over every value" would cost).
var candidateRE = regexp.MustCompile(`arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12}|aws)?:[^\s"\\,]+|` +
	`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|\b(?:i|vpc|subnet|sg|eni|ami|snap|vol)-[0-9a-f]{8,17}\b|` +
	`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

func baselineRegexp(cols []Column) int {
	total := 0
	for _, c := range cols {
		if _, ok := jsonColumns[c.Name]; !ok {
			continue
		}
		for i := 0; i < c.Values.Len(); i++ {
			if !c.Values.IsNull(i) {
				total += len(candidateRE.FindAllStringIndex(c.Values.Value(i), -1))
			}
		}
	}
	return total
}

// jsonBytes is the text of the free-text columns only (what the baselines
// read); BenchmarkExtractJSONOnly reads the same.
func jsonOnly(cols []Column) ([]Column, int64) {
	var out []Column
	var n int64
	for _, c := range cols {
		if _, ok := jsonColumns[c.Name]; ok || c.Name == "event_source" {
			out = append(out, c)
			if ok {
				for i := 0; i < c.Values.Len(); i++ {
					n += int64(len(c.Values.Value(i)))
				}
			}
		}
	}
	return out, n
}

func BenchmarkExtractJSONOnly(b *testing.B) {
	all, _, _ := benchBatch(b)
	cols, n := jsonOnly(all)
	x := New(Options{})
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x.Extract(cols, benchEvents)
	}
	reportEvents(b, benchEvents)
}

func BenchmarkBaselineJSONDecodeWalk(b *testing.B) {
	all, _, _ := benchBatch(b)
	cols, n := jsonOnly(all)
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		baselineJSON(cols)
	}
	reportEvents(b, benchEvents)
}

func BenchmarkBaselineRegexp(b *testing.B) {
	all, _, _ := benchBatch(b)
	cols, n := jsonOnly(all)
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		baselineRegexp(cols)
	}
	reportEvents(b, benchEvents)
}

// BenchmarkRatio times the scanner and both baselines over the same
// free-text columns in the same run and reports how many times faster the
// scanner is (x_vs_json, x_vs_regexp).
func BenchmarkRatio(b *testing.B) {
	all, _, _ := benchBatch(b)
	cols, _ := jsonOnly(all)
	x := New(Options{})
	x.Extract(cols, benchEvents) // warm the scratch pool and sizing hints
	var te, tj, tr time.Duration
	for b.Loop() {
		t0 := time.Now()
		x.Extract(cols, benchEvents)
		t1 := time.Now()
		baselineJSON(cols)
		t2 := time.Now()
		baselineRegexp(cols)
		t3 := time.Now()
		te, tj, tr = te+t1.Sub(t0), tj+t2.Sub(t1), tr+t3.Sub(t2)
	}
	b.ReportMetric(float64(tj)/float64(te), "x_vs_json")
	b.ReportMetric(float64(tr)/float64(te), "x_vs_regexp")
}

// rawCloudTrail renders rows back to one CloudTrail delivery file (raw
// JSON), so the convert path can be timed with and without extraction.
func rawCloudTrail(rows []schemas.CloudTrail) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i, r := range rows {
		if i > 0 {
			buf.WriteByte(',')
		}
		ev := map[string]any{"eventVersion": r.EventVersion, "eventTime": "2026-11-21T10:20:30Z",
			"eventSource": r.EventSource, "eventName": r.EventName, "awsRegion": r.AWSRegion,
			"sourceIPAddress": r.SourceIPAddress, "userAgent": r.UserAgent, "requestID": r.RequestID,
			"eventID": r.EventID, "eventType": "AwsApiCall", "recipientAccountId": r.RecipientAccountID,
			"userIdentity": json.RawMessage(r.UserIdentity)}
		for k, v := range map[string]string{"requestParameters": r.RequestParameters,
			"responseElements": r.ResponseElements, "additionalEventData": r.AdditionalEventData,
			"resources": r.Resources} {
			if v != "" {
				ev[k] = json.RawMessage(v)
			}
		}
		if r.ErrorMessage != "" {
			ev["errorCode"], ev["errorMessage"] = r.ErrorCode, r.ErrorMessage
		}
		if r.VPCEndpointID != "" {
			ev["vpcEndpointId"] = r.VPCEndpointID
		}
		if r.TLSClientProvidedHostHeader != "" {
			ev["tlsDetails"] = map[string]string{"tlsVersion": "TLSv1.3", "clientProvidedHostHeader": r.TLSClientProvidedHostHeader}
		}
		buf.Write([]byte(mustJSON(ev)))
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

// ctColumns are the CloudTrail string columns the convert benchmark builds.
var ctColumns = []struct {
	name string
	get  func(*schemas.CloudTrail) string
}{
	{"event_source", func(r *schemas.CloudTrail) string { return r.EventSource }},
	{"source_ip_address", func(r *schemas.CloudTrail) string { return r.SourceIPAddress }},
	{"user_agent", func(r *schemas.CloudTrail) string { return r.UserAgent }},
	{"recipient_account_id", func(r *schemas.CloudTrail) string { return r.RecipientAccountID }},
	{"user_identity_arn", func(r *schemas.CloudTrail) string { return r.UserIdentityARN }},
	{"user_identity_account_id", func(r *schemas.CloudTrail) string { return r.UserIdentityAccountID }},
	{"user_identity_access_key_id", func(r *schemas.CloudTrail) string { return r.UserIdentityAccessKeyID }},
	{"session_issuer_arn", func(r *schemas.CloudTrail) string { return r.SessionIssuerARN }},
	{"vpc_endpoint_id", func(r *schemas.CloudTrail) string { return r.VPCEndpointID }},
	{"tls_client_provided_host_header", func(r *schemas.CloudTrail) string { return r.TLSClientProvidedHostHeader }},
	{"user_identity", func(r *schemas.CloudTrail) string { return r.UserIdentity }},
	{"request_parameters", func(r *schemas.CloudTrail) string { return r.RequestParameters }},
	{"response_elements", func(r *schemas.CloudTrail) string { return r.ResponseElements }},
	{"additional_event_data", func(r *schemas.CloudTrail) string { return r.AdditionalEventData }},
	{"resources", func(r *schemas.CloudTrail) string { return r.Resources }},
	{"error_message", func(r *schemas.CloudTrail) string { return r.ErrorMessage }},
}

// convert parses raw CloudTrail with the production parser and builds the
// Arrow string columns (the part of convert that extraction sits next to);
// with extract it also runs Extract and ListColumns per batch of 10k rows.
func convert(b *testing.B, raw []byte, x *Extractor) {
	var p cloudtrail.Parser
	batch := make([]schemas.CloudTrail, 0, benchEvents)
	flush := func() {
		cols := make([]Column, 0, len(ctColumns))
		vals := make([]string, len(batch))
		for _, c := range ctColumns {
			for i := range batch {
				vals[i] = c.get(&batch[i])
			}
			cols = append(cols, StringColumn(memory.DefaultAllocator, c.name, vals))
		}
		if x != nil {
			ListColumns(x.Extract(cols, len(batch)), len(batch))
		}
		for _, c := range cols {
			c.Values.Release()
		}
		batch = batch[:0]
	}
	_, err := p.Parse(context.Background(), bytes.NewReader(raw), rawlog.Object{Key: "k"}, rawlog.Sink[schemas.CloudTrail]{
		Row: func(r schemas.CloudTrail) error {
			batch = append(batch, r)
			if len(batch) == benchEvents {
				flush()
			}
			return nil
		},
		Bad: func(rawlog.Bad) error { b.Fatal("bad record"); return nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(batch) > 0 {
		flush()
	}
}

// BenchmarkConvert{Without,With}Extract: bytes are raw CloudTrail JSON.
// Their ratio bounds what extraction adds to convert (the real convert also
// writes Parquet, so the share there is smaller).
func BenchmarkConvertWithoutExtract(b *testing.B) { benchConvert(b, false) }
func BenchmarkConvertWithExtract(b *testing.B)    { benchConvert(b, true) }

func benchConvert(b *testing.B, extract bool) {
	_, rows, _ := benchBatch(b)
	raw := rawCloudTrail(rows)
	var x *Extractor
	if extract {
		x = New(Options{})
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		convert(b, raw, x)
	}
	reportEvents(b, benchEvents)
}

// BenchmarkExtractStratus runs over the real stratus-red-team events
// (repeated to ~10k rows); skipped without the corpus.
func BenchmarkExtractStratus(b *testing.B) {
	ev := loadStratus(b)
	var rows []schemas.CloudTrail
	for len(rows) < benchEvents {
		for i := range ev {
			rows = append(rows, ev[i].Row)
		}
	}
	cols := rowsToColumns(b, memory.DefaultAllocator, rows)
	var n int64
	for _, c := range cols {
		_, typed := typedColumns[c.Name]
		_, text := jsonColumns[c.Name]
		if typed || text && c.Name != "user_identity" {
			for i := 0; i < c.Values.Len(); i++ {
				n += int64(len(c.Values.Value(i)))
			}
		}
	}
	x := New(Options{})
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ListColumns(x.Extract(cols, len(rows)), len(rows))
	}
	reportEvents(b, len(rows))
}

// BenchmarkListColumns folds one batch's entities into the list columns.
func BenchmarkListColumns(b *testing.B) {
	cols, _, _ := benchBatch(b)
	ents := New(Options{}).Extract(cols, benchEvents)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ListColumns(ents, benchEvents)
	}
	reportEvents(b, benchEvents)
}
