package rawlog

import (
	"path"
	"strings"
	"time"
)

// Layout is what an object key says about its content when it follows one of
// the AWS delivery layouts:
//
//	AWSLogs/[o-org/]<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<id>.json.gz
//	AWSLogs/[o-org/]<acct>/CloudTrail-Digest/…            (digest files: no events)
//	AWSLogs/[o-org/]<acct>/CloudTrail-Insight/…           (Insights events: not API activity)
//	AWSLogs/<acct>/vpcflowlogs/<region>/YYYY/MM/DD/<acct>_vpcflowlogs_<region>_<flow-log-id>_YYYYMMDDTHHMMZ_<hash>.log.gz
//	[prefix]<acct>/<region>/<bucket>/YYYY/MM/DD/YYYY-MM-DD-HH-MM-SS-<id>   (S3 access logs, date-partitioned)
//	[prefix]YYYY-MM-DD-HH-MM-SS-<id>                                       (S3 access logs, simple)
type Layout struct {
	Source  Source    // "" when the key says nothing
	NonData string    // non-empty when the key names a file that holds no events (digest, insight)
	Account string    // "" when unknown
	Region  string    // "" when unknown
	Time    time.Time // delivery time in the file name; zero when unknown
}

// ParseKey reads the delivery layout of an object key. It never fails: keys
// outside the known layouts give a Layout with empty fields.
func ParseKey(key string) Layout {
	var l Layout
	parts := strings.Split(key, "/")
	for i, p := range parts {
		if p != "AWSLogs" || i+2 >= len(parts) {
			continue
		}
		j := i + 1
		if strings.HasPrefix(parts[j], "o-") && j+2 < len(parts) { // organization trail
			j++
		}
		acct, kind := parts[j], parts[j+1]
		if !isAccountID(acct) {
			continue
		}
		l.Account = acct
		if j+2 < len(parts)-1 && isRegion(parts[j+2]) {
			l.Region = parts[j+2]
		}
		switch kind {
		case "CloudTrail":
			l.Source = CloudTrail
		case "CloudTrail-Digest":
			l.Source, l.NonData = CloudTrail, "CloudTrail digest file"
		case "CloudTrail-Insight":
			l.Source, l.NonData = CloudTrail, "CloudTrail Insights file"
		case "vpcflowlogs":
			l.Source = VPCFlow
		}
		l.Time = nameTime(path.Base(key))
		return l
	}
	base := path.Base(key)
	if t, ok := s3AccessNameTime(base); ok {
		l.Source, l.Time = S3Access, t
		// date-partitioned: …/<acct>/<region>/<bucket>/YYYY/MM/DD/<name>
		if n := len(parts); n >= 7 && isAccountID(parts[n-7]) && isRegion(parts[n-6]) {
			l.Account, l.Region = parts[n-7], parts[n-6]
		}
	}
	return l
}

// nameTime finds the _YYYYMMDDTHHMMZ_ stamp AWS puts in CloudTrail and flow
// log file names.
func nameTime(base string) time.Time {
	for _, f := range strings.Split(base, "_") {
		if len(f) == 14 && f[8] == 'T' && f[13] == 'Z' {
			if t, err := time.Parse("20060102T1504Z", f); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// s3AccessNameTime parses "YYYY-MM-DD-HH-MM-SS-<unique>".
func s3AccessNameTime(base string) (time.Time, bool) {
	if len(base) < 21 || base[19] != '-' {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02-15-04-05", base[:19])
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isRegion accepts names shaped like AWS regions: us-east-1, us-gov-west-1,
// ap-southeast-2, cn-north-1, eu-central-2.
func isRegion(s string) bool {
	p := strings.Split(s, "-")
	if len(p) < 3 || len(p) > 4 {
		return false
	}
	last := p[len(p)-1]
	if last == "" {
		return false
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	for _, q := range p[:len(p)-1] {
		if q == "" {
			return false
		}
		for i := 0; i < len(q); i++ {
			if q[i] < 'a' || q[i] > 'z' {
				return false
			}
		}
	}
	return true
}
