package generate

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ev is one CloudTrail event before encoding. Benign events carry an api and
// a random value from which every other detail is derived; planned (attack or
// benign-rare) events carry their content in pe.
type ev struct {
	ms     int64
	acct   *Account // account whose trail records the event
	p      *principal
	api    *api
	region string
	ip, ua string
	r      uint64
	err    uint8 // 0 none, 1 access denied, 2 throttled
	pe     *plannedEvent
}

// plannedEvent is an event of a scenario, fully described at planning time.
type plannedEvent struct {
	ms           int64
	acct         *Account
	region       string
	p            *principal
	key, date    string
	ip, ua       string
	src, name    string
	ro           bool
	req, resp    string // raw JSON; "" = null
	errCode, msg string
	extra        string // additionalEventData raw JSON, "" = absent
	recipient    string
	eventID      string
	scen         int
}

func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		n := int(math.Round(lambda + math.Sqrt(lambda)*r.NormFloat64()))
		return max(n, 0)
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// traveling reports whether human p works from abroad during day (1 week in 12).
func traveling(seed int64, p *principal, ms int64) bool {
	day := ms / 86_400_000
	week := day / 7
	return h(uint64(seed), streamIP, uint64(p.id), uint64(week))%12 == 0 && day%7 >= 1 && day%7 <= 3
}

// benignSlot appends the benign events of one account and 5-minute slot.
func (g *runner) benignSlot(evs []ev, r *rand.Rand, a *Account, lambdas []float64, slotMs int64) []ev {
	for i, p := range g.org.byAcct[a.idx] {
		n := poisson(r, lambdas[i])
		for j := 0; j < n; j++ {
			e := ev{ms: slotMs + r.Int64N(300_000), acct: a, p: p, r: r.Uint64()}
			e.api = &g.org.apis[p.pickAPI(r.Float64())]
			e.region = p.regions[0]
			if len(p.regions) > 1 && r.IntN(10) < 3 {
				e.region = p.regions[r.IntN(len(p.regions))]
			}
			if e.api.global {
				e.region = "us-east-1"
			}
			e.ip = p.ips[0]
			if len(p.ips) > 1 && r.IntN(10) < 3 {
				e.ip = p.ips[r.IntN(len(p.ips))]
			}
			if p.kind == kHuman && traveling(g.cfg.Seed, p, e.ms) {
				e.ip = p.travel[0]
			}
			e.ua = p.uas[r.IntN(len(p.uas))]
			if u := r.Float64(); u < p.errRate {
				e.err = 1
			} else if u < p.errRate+p.throttle && e.api.ro {
				e.err = 2
			}
			evs = append(evs, e)
		}
	}
	return evs
}

func eventVersion(src string) string {
	switch src {
	case "signin.amazonaws.com":
		return "1.08"
	case "s3.amazonaws.com", "ec2.amazonaws.com":
		return "1.10"
	case "sts.amazonaws.com", "iam.amazonaws.com":
		return "1.11"
	}
	return "1.09"
}

// appendClock appends "YYYY-MM-DDTHH:MM:SSZ" for ms, reusing the hour prefix
// ("YYYY-MM-DDTHH:") computed once per file.
func appendClock(b []byte, hourPrefix string, hourMs, ms int64) []byte {
	s := (ms - hourMs) / 1000
	b = append(b, hourPrefix...)
	m, sec := s/60, s%60
	b = append(b, byte('0'+m/10), byte('0'+m%10), ':', byte('0'+sec/10), byte('0'+sec%10), 'Z')
	return b
}

func appendTime(b []byte, ms int64, layout string) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(b, layout)
}

func host(src, region string) string {
	svc := strings.TrimSuffix(src, ".amazonaws.com")
	switch svc {
	case "iam":
		return "iam.amazonaws.com"
	case "signin":
		return "signin.aws.amazon.com"
	}
	return svc + "." + region + ".amazonaws.com"
}

// appendIdentity writes userIdentity for p with the given key and session date.
func appendIdentity(b []byte, p *principal, key, date string) []byte {
	if key == "" {
		if p.hasDate && date != "" { // console sign-in: session context, no key
			b = append(b, p.uiBare[:len(p.uiBare)-1]...)
			b = append(b, p.uiMid[1:]...)
			b = append(b, date...)
			return append(b, p.uiPost...)
		}
		return append(b, p.uiBare...)
	}
	b = append(b, p.uiPre...)
	b = append(b, key...)
	if p.uiUserSess != "" && strings.HasPrefix(key, "ASIA") {
		b = append(b, p.uiUserSess...)
		b = append(b, date...)
		return append(b, p.uiPost...)
	}
	b = append(b, p.uiMid...)
	if p.hasDate {
		b = append(b, date...)
		b = append(b, p.uiPost...)
	}
	return b
}

// appendEvent encodes one event as CloudTrail JSON (append-style, no reflection).
func (g *runner) appendEvent(b []byte, e *ev, hourPrefix string, hourMs int64) []byte {
	if e.pe != nil {
		return g.appendPlanned(b, e.pe, hourPrefix, hourMs)
	}
	a, p := e.api, e.p
	acct := e.acct
	c := ectx{r: e.r, a: acct, region: e.region, p: p, ms: e.ms}
	console := a.name == "ConsoleLogin"
	b = append(b, `{"eventVersion":"`...)
	b = append(b, eventVersion(a.src)...)
	b = append(b, `","userIdentity":`...)
	key, date := p.key(g.cfg.Seed, e.ms)
	if console {
		key = ""
	}
	b = appendIdentity(b, p, key, date)
	b = append(b, `,"eventTime":"`...)
	b = appendClock(b, hourPrefix, hourMs, e.ms)
	b = append(b, `","eventSource":"`...)
	b = append(b, a.src...)
	b = append(b, `","eventName":"`...)
	b = append(b, a.name...)
	b = append(b, `","awsRegion":"`...)
	b = append(b, e.region...)
	b = append(b, `","sourceIPAddress":"`...)
	b = append(b, e.ip...)
	b = append(b, `","userAgent":`...)
	b = appendJSONString(b, e.ua)
	failed := e.err != 0
	switch e.err {
	case 1:
		if a.src == "ec2.amazonaws.com" {
			b = append(b, `,"errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation. User: `...)
		} else {
			b = append(b, `,"errorCode":"AccessDenied","errorMessage":"User: `...)
		}
		b = append(b, p.arn...)
		b = append(b, ` is not authorized to perform: `...)
		b = append(b, a.action...)
		b = append(b, ` because no identity-based policy allows the `...)
		b = append(b, a.action...)
		b = append(b, ` action"`...)
	case 2:
		if a.src == "ec2.amazonaws.com" {
			b = append(b, `,"errorCode":"Client.RequestLimitExceeded","errorMessage":"Request limit exceeded."`...)
		} else {
			b = append(b, `,"errorCode":"ThrottlingException","errorMessage":"Rate exceeded"`...)
		}
	}
	b = append(b, `,"requestParameters":`...)
	b = a.req(b, &c)
	b = append(b, `,"responseElements":`...)
	if failed {
		b = append(b, "null"...)
	} else {
		b = a.resp(b, &c)
	}
	if console {
		b = append(b, `,"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"}`...)
	} else {
		b = append(b, `,"requestID":"`...)
		b = appendUUID(b, mix(e.r^0x2))
		b = append(b, '"')
	}
	b = append(b, `,"eventID":"`...)
	b = appendUUID(b, mix(e.r^0x1))
	b = append(b, `","readOnly":`...)
	b = strconv.AppendBool(b, a.ro)
	if console {
		b = append(b, `,"eventType":"AwsConsoleSignIn"`...)
	} else {
		b = append(b, `,"eventType":"AwsApiCall"`...)
	}
	b = append(b, `,"managementEvent":true,"recipientAccountId":"`...)
	b = append(b, acct.ID...)
	b = append(b, `","eventCategory":"Management"`...)
	if p.kind != kAWSService && e.ip != "AWS Internal" {
		b = append(b, `,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"`...)
		if a.host != "" {
			b = append(b, a.host...)
		} else {
			b = append(b, host(a.src, e.region)...)
		}
		b = append(b, `"}`...)
	}
	if p.console && !console {
		b = append(b, `,"sessionCredentialFromConsole":"true"`...)
	}
	return append(b, '}')
}

func (g *runner) appendPlanned(b []byte, pe *plannedEvent, hourPrefix string, hourMs int64) []byte {
	console := pe.name == "ConsoleLogin"
	b = append(b, `{"eventVersion":"`...)
	b = append(b, eventVersion(pe.src)...)
	b = append(b, `","userIdentity":`...)
	b = appendIdentity(b, pe.p, pe.key, pe.date)
	b = append(b, `,"eventTime":"`...)
	b = appendClock(b, hourPrefix, hourMs, pe.ms)
	b = append(b, `","eventSource":"`...)
	b = append(b, pe.src...)
	b = append(b, `","eventName":"`...)
	b = append(b, pe.name...)
	b = append(b, `","awsRegion":"`...)
	b = append(b, pe.region...)
	b = append(b, `","sourceIPAddress":"`...)
	b = append(b, pe.ip...)
	b = append(b, `","userAgent":`...)
	b = appendJSONString(b, pe.ua)
	if pe.errCode != "" {
		b = append(b, `,"errorCode":`...)
		b = appendJSONString(b, pe.errCode)
		b = append(b, `,"errorMessage":`...)
		b = appendJSONString(b, pe.msg)
	}
	b = append(b, `,"requestParameters":`...)
	b = appendRaw(b, pe.req)
	b = append(b, `,"responseElements":`...)
	b = appendRaw(b, pe.resp)
	if pe.extra != "" {
		b = append(b, `,"additionalEventData":`...)
		b = append(b, pe.extra...)
	}
	if !console {
		b = append(b, `,"requestID":"`...)
		b = appendUUID(b, hs(pe.eventID))
		b = append(b, '"')
	}
	b = append(b, `,"eventID":"`...)
	b = append(b, pe.eventID...)
	b = append(b, `","readOnly":`...)
	b = strconv.AppendBool(b, pe.ro)
	if console {
		b = append(b, `,"eventType":"AwsConsoleSignIn"`...)
	} else {
		b = append(b, `,"eventType":"AwsApiCall"`...)
	}
	b = append(b, `,"managementEvent":true,"recipientAccountId":"`...)
	b = append(b, pe.recipient...)
	b = append(b, `","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"`...)
	b = append(b, host(pe.src, pe.region)...)
	return append(b, `"}}`...)
}

func appendRaw(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return append(b, s...)
}

// sortEvents orders a slot's events by region, time and then their random
// value (unique per event), so an unstable sort is still deterministic.
func sortEvents(evs []ev) {
	slices.SortFunc(evs, func(x, y ev) int {
		if c := strings.Compare(x.region, y.region); c != 0 {
			return c
		}
		if c := cmp.Compare(x.ms, y.ms); c != 0 {
			return c
		}
		return cmp.Compare(x.r, y.r)
	})
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func fileID(r uint64, n int) string {
	b := make([]byte, n)
	for i := range b {
		if i%8 == 0 {
			r = mix(r)
		}
		b[i] = alnum[(r>>(8*(i%8)))%62]
	}
	return string(b)
}

func cloudTrailKey(acct, region string, slotMs int64, id string) string {
	t := time.UnixMilli(slotMs).UTC()
	return "AWSLogs/" + acct + "/CloudTrail/" + region + "/" + t.Format("2006/01/02") + "/" +
		acct + "_CloudTrail_" + region + "_" + t.Format("20060102T1504Z") + "_" + id + ".json.gz"
}
