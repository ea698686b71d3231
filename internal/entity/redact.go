package entity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Redactor hides personal data (e-mail addresses, IAM user names) in event
// tables. Mode "redact" replaces a value by a fixed marker; mode "hmac"
// replaces it by "h:" + the first 16 hex digits of HMAC-SHA256(Key, value),
// which is stable for a key, so redacted values stay joinable across tables
// and runs. E-mail addresses are lower-cased before hashing.
type Redactor struct {
	Key  []byte
	Mode string // "redact" | "hmac"
}

// Apply returns the redacted form of value for kinds holding personal data:
// email_address, iam_user_name, and iam_user_arn (only the user name part of
// the ARN is replaced, so account and path stay usable). Other kinds are
// returned unchanged.
func (r Redactor) Apply(kind Kind, value string) string {
	switch kind {
	case EmailAddress:
		return r.sub("email", strings.ToLower(value))
	case IAMUserName:
		return r.sub("user", value)
	case IAMUserARN:
		i := strings.LastIndexByte(value, '/')
		if i < 0 || i == len(value)-1 {
			return value
		}
		return value[:i+1] + r.sub("user", value[i+1:])
	}
	return value
}

func (r Redactor) sub(what, v string) string {
	if v == "" {
		return v
	}
	if r.Mode == "hmac" {
		m := hmac.New(sha256.New, r.Key)
		m.Write([]byte(v))
		return "h:" + hex.EncodeToString(m.Sum(nil))[:16]
	}
	return "[redacted-" + what + "]"
}

// RedactText replaces every e-mail address inside free text s (an error
// message, a JSON document) by Apply(EmailAddress, address).
func (r Redactor) RedactText(s string) string {
	var b strings.Builder
	last := 0
	findEmails(s, func(a, e int) {
		b.WriteString(s[last:a])
		b.WriteString(r.Apply(EmailAddress, s[a:e]))
		last = e
	})
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
