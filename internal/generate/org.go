package generate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Account is one AWS account of the synthetic organisation (accounts.json).
type Account struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Type    string   `json:"type"` // prod, staging, dev
	Regions []string `json:"regions"`

	idx      int
	buckets  []string
	vpcs     map[string]*vpc // by region
	natIP    map[string]string
	funcs    []string
	secrets  []string
	roles    []string
	trailArn string
	detector string
}

type vpc struct {
	id, flowLogID string
	subnets       []string
	azIDs         []string
	enis          []eni
}

type eni struct {
	id, instance, ip, subnet, az string
	role                         uint8 // 0 web, 1 app, 2 db, 3 batch
}

type kind uint8

const (
	kHuman kind = iota
	kCI
	kService
	kLambda
	kEC2
	kIAMUser
	kAWSService
	kBreakGlass
	kRoot
	nKinds
)

// principal is one identity as CloudTrail shows it. The userIdentity JSON is
// prebuilt in pieces around the two values that vary per call: the access key
// and the session creation date.
type principal struct {
	id      int
	kind    kind
	acct    *Account
	name    string // display name: email, role or user name
	arn     string // identity ARN (assumed-role ARN for roles)
	keyPfx  string // "AKIA", "ASIA" or "" (no key)
	fixKey  string // a fixed access key (IAM users, attackers)
	fixDate string // fixed session creation date (attackers)
	sessH   int    // session length in hours (temporary credentials)
	mfa     bool

	uiPre, uiMid, uiPost string // userIdentity = uiPre key uiMid [date uiPost]
	uiBare               string // userIdentity without an access key
	uiUserSess           string // IAM users signing with a console session (ASIA) key: after the key
	hasDate              bool

	ips      []string
	travel   []string
	uas      []string
	console  bool // human console user (UA + sessionCredentialFromConsole)
	regions  []string
	weight   float64
	tz       int
	shift    int
	errRate  float64
	throttle float64
	chain    bool  // cross-account caller: only AssumeRole into the recorded account
	apis     []int // api indices
	cum      []float64
}

func (p *principal) key(seed int64, ms int64) (key, date string) {
	if p.fixKey != "" {
		return p.fixKey, p.fixDate
	}
	if p.keyPfx == "" {
		return "", ""
	}
	hour := ms / 3_600_000
	sess := hour / int64(max(p.sessH, 1))
	r := h(uint64(seed), streamKey, uint64(p.id), uint64(sess))
	start := time.UnixMilli(sess*int64(max(p.sessH, 1))*3_600_000 - int64(r%1800_000)).UTC()
	return accessKeyID(p.keyPfx, r), start.Format("2006-01-02T15:04:05Z")
}

type org struct {
	seed     int64
	accounts []*Account
	benign   []*principal
	byAcct   [][]*principal
	apis     []api
	scale    float64
	usedIPs  map[string]bool // every benign source IP
}

var regionSets = map[string][]string{
	"prod":    {"us-east-1", "eu-west-1", "us-west-2"},
	"staging": {"us-east-1", "eu-west-1"},
	"dev":     {"us-east-1"},
}

// unusedRegions are enabled but never used by benign traffic.
var unusedRegions = []string{"ap-southeast-2", "sa-east-1", "ap-northeast-3", "me-south-1", "af-south-1"}

var firstNames = []string{"alice", "bob", "carmen", "deepak", "elena", "farid", "grace", "hiro", "ines", "jonas", "kwame", "lena", "mateo", "nadia", "oliver", "priya", "quentin", "rosa", "sven", "tariq", "uma", "victor", "wen", "ximena", "yusuf", "zoe"}
var lastNames = []string{"nguyen", "smith", "garcia", "mueller", "rossi", "kim", "okafor", "dubois", "silva", "novak", "tanaka", "cohen", "haddad", "larsen", "patel"}
var appNames = []string{"orders", "payments", "catalog", "search", "auth", "billing", "notify", "inventory", "reports", "ingest", "ledger", "profile"}

// Benign public IP first octets; attacker octets are disjoint (see attackerIP).
var officeOctets = []int{52, 54, 34, 18}
var homeOctets = []int{73, 86, 81, 98, 24, 71}
var travelOctets = []int{103, 177, 41, 200, 61}

func ipFrom(octets []int, r uint64) string {
	o := octets[r%uint64(len(octets))]
	return fmt.Sprintf("%d.%d.%d.%d", o, (r>>8)%256, (r>>16)%256, 1+(r>>24)%254)
}

var (
	uaConsole = []string{"AWS Internal", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0"}
	uaCLI     = []string{"aws-cli/2.17.52 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe sid/3a1f8b2e4c6d md/prompt#off md/command#ec2.describe-instances", "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls"}
	uaBoto    = []string{"Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.36", "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.109 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69"}
	uaTF      = []string{"APN/1.0 HashiCorp/1.0 Terraform/1.9.7 (+https://www.terraform.io) terraform-provider-aws/5.70.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.0 ua/2.1 os/linux lang/go#1.23.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.179.2"}
	uaGo      = []string{"aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/sts#1.32.2", "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/secretsmanager#1.32.4"}
	uaJava    = []string{"aws-sdk-java/2.28.16 Linux/5.10.226-214.879.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy"}
	uaNode    = []string{"aws-sdk-js/3.670.0 ua/2.1 os/linux#5.10.226 lang/js md/nodejs#20.17.0 api/dynamodb#3.670.0 exec-env/AWS_Lambda_nodejs20.x"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func buildOrg(cfg Config) *org {
	r := newRand(cfg.Seed, streamOrg)
	o := &org{seed: cfg.Seed, apis: catalogue(), usedIPs: map[string]bool{}}
	types := []string{"prod", "staging", "dev"}
	for i := 0; i < cfg.Accounts; i++ {
		t := types[i%3]
		a := &Account{
			ID:      fmt.Sprintf("%012d", 100000000000+r.Int64N(899999999999)),
			Name:    fmt.Sprintf("acme-%s", t),
			Type:    t,
			Regions: regionSets[t],
			idx:     i,
			vpcs:    map[string]*vpc{},
			natIP:   map[string]string{},
		}
		if i >= 3 {
			a.Name = fmt.Sprintf("acme-%s-%d", t, i/3+1)
		}
		for _, app := range appNames[:4+r.IntN(4)] {
			a.funcs = append(a.funcs, fmt.Sprintf("%s-%s-handler", app, t))
			a.secrets = append(a.secrets, fmt.Sprintf("%s/%s/db-credentials", t, app))
			a.roles = append(a.roles, fmt.Sprintf("%s-%s-task-role", app, t))
		}
		a.buckets = []string{
			fmt.Sprintf("acme-%s-app-data-%s", t, hexString(r.Uint64(), 6)),
			fmt.Sprintf("acme-%s-artifacts-%s", t, hexString(r.Uint64(), 6)),
			fmt.Sprintf("acme-%s-reports-%s", t, hexString(r.Uint64(), 6)),
		}
		a.trailArn = fmt.Sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/org-trail", a.ID)
		a.detector = hexString(r.Uint64(), 32)
		for ri, reg := range a.Regions {
			v := &vpc{id: resID("vpc", r.Uint64()), flowLogID: "fl-" + hexString(r.Uint64(), 17)}
			azs := azIDs(reg)
			for s := 0; s < 3; s++ {
				v.subnets = append(v.subnets, resID("subnet", r.Uint64()))
				v.azIDs = append(v.azIDs, azs[s%len(azs)])
			}
			n := 6 + r.IntN(6)
			if ri > 0 {
				n = 3 + r.IntN(3)
			}
			for e := 0; e < n; e++ {
				s := r.IntN(3)
				v.enis = append(v.enis, eni{
					id: resID("eni", r.Uint64()), instance: resID("i", r.Uint64()),
					ip:     fmt.Sprintf("10.%d.%d.%d", 10+i, s*16+r.IntN(16), 4+r.IntN(250)),
					subnet: v.subnets[s], az: v.azIDs[s], role: uint8(e % 4),
				})
			}
			a.vpcs[reg] = v
			a.natIP[reg] = ipFrom(officeOctets, r.Uint64())
		}
		o.accounts = append(o.accounts, a)
	}
	offices := []string{ipFrom(officeOctets, r.Uint64()), ipFrom(officeOctets, r.Uint64()), ipFrom(officeOctets, r.Uint64())}
	officeTZ := []int{-5, 1, 5}
	o.byAcct = make([][]*principal, len(o.accounts))
	add := func(p *principal) {
		p.id = len(o.benign) + 1
		o.benign = append(o.benign, p)
		o.byAcct[p.acct.idx] = append(o.byAcct[p.acct.idx], p)
		for _, ip := range p.ips {
			o.usedIPs[ip] = true
		}
		for _, ip := range p.travel {
			o.usedIPs[ip] = true
		}
	}
	per := cfg.Principals / cfg.Accounts
	human := 0
	for ai, a := range o.accounts {
		n := per
		if ai < cfg.Principals%cfg.Accounts {
			n++
		}
		nCI, nSvc, nLam, nEC2, nUsr := max(1, n/10), max(1, n*15/100), max(1, n/10), max(1, n/10), max(1, n/20)
		nHum := max(1, n-nCI-nSvc-nLam-nEC2-nUsr)
		for i := 0; i < nHum; i++ {
			first, last := firstNames[human%len(firstNames)], lastNames[(human/len(firstNames)+human*7)%len(lastNames)]
			human++
			email := fmt.Sprintf("%s.%s@acme.example", first, last)
			office := r.IntN(len(offices))
			perm := pick(r, []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "DeveloperAccess"})
			if a.Type == "prod" && perm == "AdministratorAccess" {
				perm = "ReadOnlyAccess"
			}
			role := fmt.Sprintf("AWSReservedSSO_%s_%s", perm, hexString(r.Uint64(), 16))
			p := rolePrincipal(cfg.Seed, kHuman, a, role, "aws-reserved/sso.amazonaws.com/", email, r)
			p.mfa = false
			p.sessH = 8
			p.ips = []string{offices[office], ipFrom(homeOctets, r.Uint64())}
			if r.IntN(3) == 0 {
				p.ips = append(p.ips, ipFrom(homeOctets, r.Uint64()))
			}
			p.travel = []string{ipFrom(travelOctets, r.Uint64())}
			p.console = r.IntN(2) == 0
			if p.console {
				p.uas = uaConsole
			} else {
				p.uas = append(append([]string{}, uaCLI...), uaBoto[1], uaTF[0])
			}
			p.weight, p.tz, p.errRate, p.throttle = 1.0+r.Float64(), officeTZ[office], 0.02, 0.002
			if a.Type == "dev" {
				p.errRate = 0.04
			}
			p.regions = a.Regions
			add(p)
		}
		for i := 0; i < nCI; i++ {
			p := rolePrincipal(cfg.Seed, kCI, a, fmt.Sprintf("github-actions-deploy-%s", appNames[(i+ai)%len(appNames)]), "", "GitHubActions", r)
			p.sessH, p.ips, p.uas = 1, []string{ipFrom([]int{4, 20, 140}, r.Uint64()), ipFrom([]int{4, 20, 140}, r.Uint64())}, append(append([]string{}, uaTF...), uaCLI[1], uaGo[0])
			p.weight, p.shift, p.errRate, p.throttle, p.regions = 3, r.IntN(3), 0.01, 0.01, a.Regions
			add(p)
		}
		for i := 0; i < nSvc; i++ {
			app := a.roles[(i+ai)%len(a.roles)]
			p := rolePrincipal(cfg.Seed, kService, a, app, "", hexString(r.Uint64(), 32), r)
			p.sessH, p.ips, p.uas = 6, []string{"AWS Internal", a.natIP[a.Regions[0]]}, append(append([]string{}, uaJava...), uaGo[1])
			p.weight, p.errRate, p.throttle, p.regions = 4, 0.003, 0.01, a.Regions[:1]
			add(p)
		}
		for i := 0; i < nLam; i++ {
			fn := a.funcs[(i+2*ai)%len(a.funcs)]
			p := rolePrincipal(cfg.Seed, kLambda, a, fn+"-role", "service-role/", fn, r)
			p.sessH, p.ips, p.uas = 12, []string{a.natIP[a.Regions[0]]}, append(append([]string{}, uaBoto[0]), uaNode...)
			p.weight, p.errRate, p.throttle, p.regions = 2, 0.005, 0.005, a.Regions[:1]
			add(p)
		}
		for i := 0; i < nEC2; i++ {
			reg := a.Regions[i%len(a.Regions)]
			inst := a.vpcs[reg].enis[i%len(a.vpcs[reg].enis)].instance
			p := rolePrincipal(cfg.Seed, kEC2, a, fmt.Sprintf("%s-ec2-instance-role", appNames[(i+3)%len(appNames)]), "", inst, r)
			p.sessH, p.ips, p.uas = 6, []string{a.natIP[reg]}, append(append([]string{}, uaCLI[1]), uaJava...)
			p.weight, p.errRate, p.throttle, p.regions = 1.5, 0.005, 0.005, []string{reg}
			add(p)
		}
		for i := 0; i < nUsr; i++ {
			name := fmt.Sprintf("legacy-%s-sync", appNames[(i+5)%len(appNames)])
			p := userPrincipal(cfg.Seed, kIAMUser, a, name, r)
			p.ips, p.uas = []string{a.natIP[a.Regions[0]], offices[0]}, append(append([]string{}, uaBoto[1]), uaCLI[1])
			p.weight, p.errRate, p.throttle, p.regions = 0.5, 0.01, 0.002, a.Regions[:1]
			add(p)
		}
		for _, svc := range []string{"config.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "cloudtrail.amazonaws.com"} {
			p := &principal{kind: kAWSService, acct: a, name: svc, arn: "", weight: 1, regions: a.Regions, ips: []string{svc}, uas: []string{svc}}
			p.uiBare = `{"type":"AWSService","invokedBy":"` + svc + `"}`
			add(p)
		}
		if ai == 0 {
			bg := userPrincipal(cfg.Seed, kBreakGlass, a, "breakglass-admin", r)
			bg.mfa, bg.ips, bg.uas, bg.regions = true, []string{offices[0]}, uaConsole[1:2], a.Regions[:1]
			bg.uiPost = `","mfaAuthenticated":"true"}}}`
			add(bg)
		}
	}
	// AssumeRole chains: the CI role of the first account deploys into the
	// others through a deploy role there (recorded in the target account).
	if ci := o.firstOf(0, kCI); ci != nil {
		for ai := 1; ai < len(o.accounts); ai++ {
			c := *ci
			c.chain, c.weight = true, ci.weight*0.3
			o.benign = append(o.benign, &c)
			o.byAcct[ai] = append(o.byAcct[ai], &c)
		}
	}
	for _, p := range o.benign {
		o.assignAPIs(p)
	}
	// Normalise so that the mean over the window is cfg.Rate events/hour.
	var total float64
	hours := cfg.Days * 24
	start := cfg.Start.Truncate(time.Hour).UTC()
	for hi := 0; hi < hours; hi++ {
		t := start.Add(time.Duration(hi) * time.Hour)
		for _, p := range o.benign {
			total += p.weight * activity(p, t)
		}
	}
	o.scale = float64(cfg.Rate) * float64(hours) / math.Max(total, 1e-9)
	return o
}

// resID returns an EC2 resource id: prefix, "-0", 16 hex digits.
func resID(prefix string, r uint64) string { return prefix + "-0" + hexString(r, 16) }

func azIDs(region string) []string {
	switch region {
	case "us-east-1":
		return []string{"use1-az1", "use1-az2", "use1-az4"}
	case "eu-west-1":
		return []string{"euw1-az1", "euw1-az2", "euw1-az3"}
	case "us-west-2":
		return []string{"usw2-az1", "usw2-az2", "usw2-az3"}
	}
	return []string{region[:2] + "1-az1", region[:2] + "1-az2"}
}

func rolePrincipal(seed int64, k kind, a *Account, role, path, session string, r *rand.Rand) *principal {
	roleID := uniqueID("AROA", r.Uint64())
	roleArn := "arn:aws:iam::" + a.ID + ":role/" + path + role
	p := &principal{kind: k, acct: a, name: session, keyPfx: "ASIA", hasDate: true}
	if k != kHuman {
		p.name = role
	}
	p.arn = "arn:aws:sts::" + a.ID + ":assumed-role/" + role + "/" + session
	head := `{"type":"AssumedRole","principalId":"` + roleID + ":" + session + `","arn":"` + p.arn + `","accountId":"` + a.ID + `"`
	p.uiPre = head + `,"accessKeyId":"`
	p.uiBare = head + `}`
	p.uiMid = `","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"` + roleID + `","arn":"` + roleArn + `","accountId":"` + a.ID + `","userName":"` + role + `"},"webIdFederationData":{},"attributes":{"creationDate":"`
	p.uiPost = `","mfaAuthenticated":"false"}}}`
	return p
}

func userPrincipal(seed int64, k kind, a *Account, name string, r *rand.Rand) *principal {
	p := &principal{kind: k, acct: a, name: name, keyPfx: "AKIA"}
	p.arn = "arn:aws:iam::" + a.ID + ":user/" + name
	p.fixKey = accessKeyID("AKIA", h(uint64(seed), streamKey, r.Uint64()))
	head := `{"type":"IAMUser","principalId":"` + uniqueID("AIDA", r.Uint64()) + `","arn":"` + p.arn + `","accountId":"` + a.ID + `"`
	p.uiPre = head + `,"accessKeyId":"`
	p.uiMid = `","userName":"` + name + `"}`
	p.uiPost = `","mfaAuthenticated":"false"}}}`
	p.uiBare = head + `,"userName":"` + name + `"}`
	p.uiUserSess = `","userName":"` + name + `","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`
	return p
}

// activity is the relative call volume of p at hour t (1 = its usual level).
func activity(p *principal, t time.Time) float64 {
	utcH := t.Hour()
	wd := t.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	switch p.kind {
	case kHuman:
		lt := t.Add(time.Duration(p.tz) * time.Hour)
		lh, lwd := lt.Hour(), lt.Weekday()
		if lwd == time.Saturday || lwd == time.Sunday {
			return 0.01
		}
		switch {
		case lh >= 9 && lh <= 11, lh >= 13 && lh <= 16:
			return 2.2
		case lh == 12 || lh == 8 || lh == 17:
			return 1.0
		case lh >= 18 && lh <= 21:
			return 0.15
		}
		return 0.01
	case kCI:
		if weekend {
			return 0.05
		}
		switch utcH {
		case 10 + p.shift, 14 + p.shift, 16:
			return 6
		case 2:
			return 1
		}
		return 0.1
	case kService, kEC2, kAWSService:
		return 0.85 + 0.3*diurnal(utcH)
	case kLambda:
		return 0.4 + 1.2*diurnal(utcH)
	case kIAMUser:
		if utcH == 2 || utcH == 3 {
			return 4
		}
		if weekend {
			return 0.05
		}
		return 0.3
	}
	return 0
}

// diurnal peaks mid-afternoon UTC (0..1).
func diurnal(hour int) float64 {
	return 0.5 + 0.5*math.Sin((float64(hour)-9)*math.Pi/12)
}

func (o *org) assignAPIs(p *principal) {
	var c float64
	for i := range o.apis {
		w := o.apis[i].w[p.kind]
		if cross := o.apis[i].by == "cross-account"; cross || p.chain {
			w = 0
			if cross && p.chain {
				w = 1
			}
		}
		if p.kind == kAWSService && o.apis[i].by != "" && o.apis[i].by != p.name {
			w = 0
		}
		if o.apis[i].name == "ConsoleLogin" && !p.console {
			w = 0
		}
		if w > 0 {
			c += w
			p.apis = append(p.apis, i)
			p.cum = append(p.cum, c)
		}
	}
}

func (o *org) firstOf(acct int, k kind) *principal {
	for _, p := range o.byAcct[acct] {
		if p.kind == k {
			return p
		}
	}
	return nil
}

func (p *principal) pickAPI(u float64) int {
	x := u * p.cum[len(p.cum)-1]
	lo, hi := 0, len(p.cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if p.cum[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return p.apis[lo]
}
