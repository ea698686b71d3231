package generate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Attacker infrastructure first octets; disjoint from every benign octet list.
var attackerOctets = []int{185, 45, 194, 5, 92, 179, 146, 23}

var attackerUAs = []string{
	"aws-cli/2.13.5 Python/3.11.4 Linux/6.3.0-kali1-amd64 exe/x86_64.kali.2023 prompt/off command/iam.list-users",
	"Boto3/1.28.62 md/Botocore#1.31.62 ua/2.0 os/linux#6.5.0-kali3-amd64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.62",
	"aws-sdk-go/1.44.327 (go1.21.0; linux; amd64)",
	"aws-cli/1.29.44 Python/3.9.2 Linux/5.10.0-23-cloud-amd64 botocore/1.31.44",
}

// sb builds one scenario's events.
type sb struct {
	g      *runner
	idx    int
	l      *Label
	r      *rand.Rand
	a      *Account
	p      *principal
	key    string
	date   string
	ip, ua string
	region string
	t      int64
	n      int
	burst  bool
}

func (s *sb) attackerIP(k int) string {
	return ipFrom(attackerOctets, h(uint64(s.g.cfg.Seed), streamScenario, uint64(s.idx), uint64(k), 0xa11))
}

func (s *sb) attackerKey(prefix string, k int) string {
	return accessKeyID(prefix, h(uint64(s.g.cfg.Seed), streamScenario, uint64(s.idx), uint64(k), 0xbee))
}

func isoMs(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z") }

// as switches the acting identity.
func (s *sb) as(p *principal, key, ip, ua string) {
	s.p, s.key, s.ip, s.ua = p, key, ip, ua
	s.date = isoMs(s.t - int64(s.r.IntN(120_000)))
	if p.fixDate != "" {
		s.date = p.fixDate
	}
}

// step advances the clock by a random duration in [lo, hi] seconds.
func (s *sb) step(lo, hi int) { s.t += int64(lo+s.r.IntN(hi-lo+1)) * 1000 }

func addUniq(xs []string, v string) []string {
	if v == "" || slices.Contains(xs, v) {
		return xs
	}
	return append(xs, v)
}

func (s *sb) note(ms int64, acct string) {
	if s.l.startMs == 0 || ms < s.l.startMs {
		s.l.startMs = ms
	}
	if ms > s.l.endMs {
		s.l.endMs = ms
	}
	s.l.AccountIDs = addUniq(s.l.AccountIDs, acct)
	s.l.SourceIPs = addUniq(s.l.SourceIPs, s.ip)
}

func (s *sb) call(src, name string, ro bool, req, resp string) *plannedEvent {
	return s.emit(src, name, ro, req, resp, "", "")
}

func (s *sb) denied(src, name, action, resource string) *plannedEvent {
	code, pre := "AccessDenied", "User: "
	if src == "ec2.amazonaws.com" {
		code, pre = "Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: "
	}
	msg := pre + s.p.arn + " is not authorized to perform: " + action + " on resource: " + resource + " because no identity-based policy allows the " + action + " action"
	return s.emit(src, name, true, "", "", code, msg)
}

func (s *sb) emit(src, name string, ro bool, req, resp, code, msg string) *plannedEvent {
	if s.burst {
		s.step(1, 12)
	}
	if s.t >= s.g.endMs || s.t < s.g.startMs {
		return &plannedEvent{}
	}
	region := s.region
	if src == "iam.amazonaws.com" || src == "signin.amazonaws.com" || (src == "s3.amazonaws.com" && name == "ListBuckets") {
		region = "us-east-1"
	}
	pe := &plannedEvent{ms: s.t, acct: s.a, region: region, p: s.p, key: s.key, date: s.date, ip: s.ip, ua: s.ua,
		src: src, name: name, ro: ro, req: req, resp: resp, errCode: code, msg: msg, recipient: s.a.ID, scen: s.idx,
		eventID: uuidString(h(uint64(s.g.cfg.Seed), streamScenario, uint64(s.idx), uint64(s.n)))}
	if name == "ConsoleLogin" {
		pe.key = ""
	}
	s.n++
	uk := unitKey{s.a.idx, s.t / 3_600_000}
	s.g.ct[uk] = append(s.g.ct[uk], pe)
	s.l.EventIDs = append(s.l.EventIDs, pe.eventID)
	s.l.Principals = addUniq(s.l.Principals, principalName(s.p))
	s.l.AccessKeyIDs = addUniq(s.l.AccessKeyIDs, pe.key)
	s.note(s.t, s.a.ID)
	return pe
}

func principalName(p *principal) string {
	if p.arn != "" {
		return p.arn
	}
	return p.name
}

func (s *sb) login(mfa bool) {
	pe := s.emit("signin.amazonaws.com", "ConsoleLogin", false, "", `{"ConsoleLogin":"Success"}`, "", "")
	used := "No"
	if mfa {
		used = "Yes"
	}
	pe.extra = `{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23","MobileVersion":"No","MFAUsed":"` + used + `"}`
}

// flow plans one egress VPC flow record from ENI eni of s.a in s.region.
func (s *sb) flow(eni int, dst string, dport int, bytes int64) {
	if s.t >= s.g.endMs {
		return
	}
	uk := unitKey{s.a.idx, s.t / 3_600_000}
	s.g.flows[uk] = append(s.g.flows[uk], &plannedFlow{ms: s.t, region: s.region, eni: eni, dst: dst, dport: dport, bytes: bytes, packets: bytes/1400 + 1, scen: s.idx})
	saved := s.ip
	s.ip = dst
	s.note(s.t, s.a.ID)
	s.ip = saved
}

// s3get plans one S3 access log GET line on bucket by the current identity.
func (s *sb) s3get(bucket, key string, size int64) {
	if s.t >= s.g.endMs {
		return
	}
	uk := unitKey{s.a.idx, s.t / 3_600_000}
	s.g.s3[uk] = append(s.g.s3[uk], &plannedS3{ms: s.t, bucket: bucket, ip: s.ip, requester: s.p.arn, key: key, ua: s.ua, size: size, scen: s.idx})
	s.l.Principals = addUniq(s.l.Principals, principalName(s.p))
	s.l.AccessKeyIDs = addUniq(s.l.AccessKeyIDs, s.key)
	s.note(s.t, s.a.ID)
}

// Identity helpers.

func (s *sb) first(a *Account, k kind) *principal {
	for _, p := range s.g.org.byAcct[a.idx] {
		if p.kind == k {
			return p
		}
	}
	return s.g.org.byAcct[a.idx][0]
}

func (s *sb) nth(a *Account, k kind, n int) *principal {
	var ps []*principal
	for _, p := range s.g.org.byAcct[a.idx] {
		if p.kind == k {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return s.first(a, k)
	}
	return ps[n%len(ps)]
}

// leaked returns a copy of IAM user p signing with an access key no benign
// caller ever uses (an old key left in a repository).
func (s *sb) leaked(p *principal, k int) *principal {
	c := *p
	c.fixKey = s.attackerKey("AKIA", k)
	return &c
}

// hijacked returns a copy of role principal p whose temporary credentials
// were stolen: the attacker's session has its own ASIA key.
func (s *sb) hijacked(p *principal, k int) *principal {
	c := *p
	c.fixKey = s.attackerKey("ASIA", k)
	c.fixDate = isoMs(s.t - 3_600_000)
	return &c
}

func (s *sb) newUser(a *Account, name string, k int) *principal {
	p := userPrincipal(s.g.cfg.Seed, kIAMUser, a, name, s.r)
	p.fixKey = s.attackerKey("AKIA", k)
	return p
}

func (s *sb) newRole(a *Account, role, session string, k int) *principal {
	p := rolePrincipal(s.g.cfg.Seed, kService, a, role, "", session, s.r)
	p.fixKey = s.attackerKey("ASIA", k)
	p.fixDate = isoMs(s.t)
	return p
}

func rootPrincipal(a *Account) *principal {
	head := `{"type":"Root","principalId":"` + a.ID + `","arn":"arn:aws:iam::` + a.ID + `:root","accountId":"` + a.ID + `"`
	return &principal{kind: kRoot, acct: a, name: "root", arn: "arn:aws:iam::" + a.ID + ":root", hasDate: true,
		uiPre: head + `,"accessKeyId":"`, uiMid: `","sessionContext":{"attributes":{"creationDate":"`, uiPost: `","mfaAuthenticated":"false"}}}`,
		uiBare: head + `}`}
}

func externalAccount(r *rand.Rand) string {
	return fmt.Sprintf("%012d", 900000000000+r.Int64N(99999999999))
}

// plan lays out every selected scenario and the legitimate rare events.
func (g *runner) plan() {
	ids, _ := g.cfg.selectedScenarios()
	defs := scenarioDefs()
	for _, d := range defs {
		if !slices.Contains(ids, d.id) {
			continue
		}
		g.planOne(d, true)
	}
	g.nAtt = len(g.labels)
	for _, d := range benignRareDefs() {
		g.planOne(d, false)
	}
}

func (g *runner) planOne(d scenarioDef, attack bool) {
	idx := len(g.labels)
	l := &Label{ID: d.id, Technique: d.technique, SlowAndLow: d.slow, Description: d.desc}
	g.labels = append(g.labels, l)
	r := newRand(g.cfg.Seed, streamScenario, hs(d.id))
	days := int64(g.cfg.Days)
	day := int64(0)
	if days > 1 {
		day = 1 + r.Int64N(days-1)
	}
	hour := int64(r.IntN(24))
	if d.hour >= 0 {
		hour = int64(d.hour)
	}
	start := g.startMs + day*86_400_000 + hour*3_600_000 + r.Int64N(1_800_000)
	if d.weekday >= 0 {
		for i := 0; i < 7 && int(time.UnixMilli(start).UTC().Weekday()) != d.weekday; i++ {
			start += 86_400_000
		}
	}
	dur := int64(d.hours) * 3_600_000
	if start+dur >= g.endMs {
		start = g.endMs - dur - 600_000
	}
	if start < g.startMs {
		start = g.startMs
	}
	accts := g.org.accounts
	a := accts[int(hs(d.id)%uint64(len(accts)))]
	if d.prod {
		a = accts[0]
	}
	s := &sb{g: g, idx: idx, l: l, r: r, a: a, t: start, region: a.Regions[0], burst: !d.slow}
	s.ua = attackerUAs[r.IntN(len(attackerUAs))]
	d.build(s)
	if l.startMs != 0 {
		l.Start, l.End = isoMs(l.startMs), isoMs(l.endMs)
	}
	for _, f := range []*[]string{&l.AccountIDs, &l.Principals, &l.AccessKeyIDs, &l.SourceIPs} {
		slices.Sort(*f)
		if *f == nil {
			*f = []string{}
		}
	}
	if l.EventIDs == nil {
		l.EventIDs = []string{}
	}
}
