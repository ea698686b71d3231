package entity

import (
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzExtract feeds arbitrary bytes to the free-text columns and a typed
// column: no panic, every value valid UTF-8, rows in range, confidence at or
// above the threshold, output sorted.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		`{"instanceId":"i-0123456789abcdef0","accountId":"123456789012"}`,
		`{"policy":"{\"AWS\":\"arn:aws:iam::123456789012:role/R\"}"}`,
		`User: arn:aws:sts::123456789012:assumed-role/R/a@b.co is not authorized`,
		`{"a":"AKIAIOSFODNN7EXAMPLE","ip":"fe80::1%eth0","h":"x.example.com"}`,
		`{"unterminated":"arn:aws:s3:::b`, `"\`, `{"k":"\\"}`, "\xff\xfe@\xffexample.com", "1.2.3.4.", "arn:",
	} {
		f.Add(s, s)
	}
	x := New(Options{Threshold: 0.5})
	f.Fuzz(func(t *testing.T, a, b string) {
		mem := memory.NewGoAllocator()
		cols := []Column{
			StringColumn(mem, "request_parameters", []string{a, b}),
			StringColumn(mem, "error_message", []string{b, a}),
			StringColumn(mem, "resources", []string{a}),
			StringColumn(mem, "source_ip_address", []string{a, b}),
			StringColumn(mem, "user_identity_arn", []string{b, a}),
			StringColumn(mem, "event_source", []string{"s3.amazonaws.com", "ssm.amazonaws.com"}),
		}
		ents := x.Extract(cols, 2)
		for i, e := range ents {
			if e.Row < 0 || e.Row >= 2 {
				t.Fatalf("row %d out of range", e.Row)
			}
			if !utf8.ValidString(e.Value) {
				t.Fatalf("invalid UTF-8 value %q (%s)", e.Value, e.Kind)
			}
			if e.Confidence < x.Threshold {
				t.Fatalf("confidence %v below threshold", e.Confidence)
			}
			if i > 0 && (ents[i-1].Row > e.Row || ents[i-1].Row == e.Row && cmpEntity(ents[i-1], e) > 0) {
				t.Fatalf("not sorted at %d", i)
			}
		}
		ListColumns(ents, 2)
		(Redactor{Mode: "hmac"}).RedactText(a)
	})
}
