package entity

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestPathologicalInputs runs large repetitive inputs (long runs of "arn:",
// "a@", backslash-quotes, …) that make a naive scanner quadratic; it logs
// the time of each (no timed assertion: a regression shows as a slow test).
func TestPathologicalInputs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := New(Options{Threshold: 0.5})
	for _, alpha := range []string{"\"\\{}[]:,.@/ -_aArnsiv0123456789AKIASIAfe:%xyz\xff", "arn:", "a@", "@a.", "\\\"", "i-", "1.", "\"a\":", "AKIA"} {
		b := make([]byte, 1<<16)
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		for _, s := range []string{string(b), strings.Repeat(alpha, 1<<14)} {
			st := time.Now()
			mem := memory.NewGoAllocator()
			x.Extract([]Column{StringColumn(mem, "request_parameters", []string{s}), StringColumn(mem, "error_message", []string{s}), StringColumn(mem, "source_ip_address", []string{s}), StringColumn(mem, "user_identity_arn", []string{s})}, 1)
			(Redactor{Mode: "hmac"}).RedactText(s)
			t.Logf("%q: %v", alpha, time.Since(st))
		}
	}
}
