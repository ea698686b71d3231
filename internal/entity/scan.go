package entity

import "strings"

// typedMode says how a typed column's value is validated and classified.
type typedMode uint8

const (
	tIP typedMode = iota
	tAccount
	tARN // any ARN; the kind comes from the ARN
	tAccessKey
	tUserAgent
	tResourceID // vpc-/subnet-/eni-/i-/…; the kind comes from the prefix
	tBucket
	tObjectKey
	tDomain
	tPrincipal // principal id / source identity: e-mails only
)

type typedSpec struct {
	mode typedMode
	role string
}

// typedColumns maps the typed columns of the event tables (schemas/) to how
// they are read. All give ConfTyped.
var typedColumns = map[string]typedSpec{
	// CloudTrail
	"source_ip_address":               {tIP, RoleSourceIP},
	"user_agent":                      {tUserAgent, RoleClient}, // also S3 access
	"recipient_account_id":            {tAccount, RoleRecipient},
	"vpc_endpoint_account_id":         {tAccount, RoleOwner},
	"user_identity_arn":               {tARN, RoleActor},
	"user_identity_account_id":        {tAccount, RoleActor},
	"user_identity_access_key_id":     {tAccessKey, RoleActor},
	"session_issuer_arn":              {tARN, RoleIssuer},
	"session_issuer_account_id":       {tAccount, RoleIssuer},
	"tls_client_provided_host_header": {tDomain, RoleTarget},
	"user_identity_principal_id":      {tPrincipal, RoleActor},
	"session_source_identity":         {tPrincipal, RoleActor},
	// VPC Flow
	"account_id":                 {tAccount, RoleOwner},
	"interface_id":               {tResourceID, RoleTarget},
	"srcaddr":                    {tIP, RoleSourceIP},
	"dstaddr":                    {tIP, RoleDestIP},
	"pkt_srcaddr":                {tIP, RoleSourceIP},
	"pkt_dstaddr":                {tIP, RoleDestIP},
	"vpc_id":                     {tResourceID, RoleTarget},
	"subnet_id":                  {tResourceID, RoleTarget},
	"instance_id":                {tResourceID, RoleTarget},
	"tgw_src_vpc_account_id":     {tAccount, RoleOwner},
	"tgw_dst_vpc_account_id":     {tAccount, RoleOwner},
	"tgw_src_vpc_id":             {tResourceID, RoleTarget},
	"tgw_dst_vpc_id":             {tResourceID, RoleTarget},
	"tgw_src_subnet_id":          {tResourceID, RoleTarget},
	"tgw_dst_subnet_id":          {tResourceID, RoleTarget},
	"tgw_src_eni":                {tResourceID, RoleTarget},
	"tgw_dst_eni":                {tResourceID, RoleTarget},
	"ecs_cluster_arn":            {tARN, RoleTarget},
	"ecs_container_instance_arn": {tARN, RoleTarget},
	"ecs_task_definition_arn":    {tARN, RoleTarget},
	"ecs_task_arn":               {tARN, RoleTarget},
	// S3 server access
	"bucket":           {tBucket, RoleTarget},
	"remote_ip":        {tIP, RoleSourceIP},
	"requester":        {tARN, RoleActor},
	"key":              {tObjectKey, RoleTarget},
	"host_header":      {tDomain, RoleTarget},
	"access_point_arn": {tARN, RoleTarget},
}

// jsonColumns are the free-text columns (JSON documents, or plain text for
// error_message) and the role of what is found in them.
var jsonColumns = map[string]string{
	"request_parameters":    RoleTarget,
	"response_elements":     RoleResponse,
	"additional_event_data": RoleContext,
	"service_event_details": RoleContext,
	"resources":             RoleTarget,
	"user_identity":         RoleActor,
	"error_message":         RoleMentioned,
}

func (b *batch) typedValue(i int, v string, t typedSpec) {
	switch t.mode {
	case tIP:
		if ip, ok := parseIP(v, true); ok {
			b.addIP(i, ip, ConfTyped, "")
		}
	case tAccount:
		if isAccountID(v) {
			b.add(i, AccountID, v, ConfTyped, "", "")
		}
	case tARN:
		if strings.HasPrefix(v, "arn:") && b.arn(i, v, ConfTyped, "") == len(v) {
			// EC2 ids (an instance as role session) and e-mails (SSO
			// sessions) inside the ARN.
			b.tokens(i, v[4:], "", true)
		}
	case tPrincipal:
		if strings.IndexByte(v, '@') >= 0 {
			b.emails(i, v, "")
		}
	case tAccessKey:
		if t := AccessKeyType(v); t != "" {
			b.add(i, AccessKeyID, v, ConfTyped, t, "")
		}
	case tUserAgent:
		// Few distinct agents per batch: classify each once.
		class, ok := b.uaClass[v]
		if !ok {
			class = ClassifyUserAgent(v)
			if len(b.uaClass) < 4096 {
				b.uaClass[strings.Clone(v)] = class
			}
		}
		b.add(i, UserAgent, v, ConfTyped, class, "")
	case tResourceID:
		if k := resourceKind(v); k != "" && idLen(v, 0) == len(v) {
			b.add(i, k, v, ConfTyped, "", "")
		}
	case tBucket:
		if validBucket(v) {
			b.add(i, S3Bucket, v, ConfTyped, "", "")
		}
	case tObjectKey:
		b.add(i, S3ObjectKey, v, ConfTyped, "", "")
	case tDomain:
		h := v
		if c := strings.LastIndexByte(h, ':'); c > 0 && strings.IndexByte(h, ':') == c {
			h = h[:c] // host:port
		}
		if validDomain(h) {
			b.addLower(i, DomainName, h, ConfTyped, "", "")
		}
	}
}

func (b *batch) jsonColumn(a Strings) {
	n := min(b.rows, a.Len())
	for i := 0; i < n; i++ {
		if a.IsNull(i) {
			continue
		}
		v := a.Value(i)
		j := 0
		for j < len(v) && isSpace(v[j]) {
			j++
		}
		if j < len(v) && (v[j] == '{' || v[j] == '[') {
			b.json(i, v)
		} else {
			b.str(i, v, "", kNone)
		}
	}
}

// json walks one JSON document without decoding it: every string is either
// a key (followed by ':') or a value, checked with the current key as
// context; numbers are checked only for account ids under an account key.
// Broken JSON is walked the same way and never fails.
func (b *batch) json(row int, s string) {
	key, kc := "", kNone
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			st := i + 1
			j := st
			for {
				k := strings.IndexByte(s[j:], '"')
				if k < 0 {
					j = len(s)
					break
				}
				j += k
				bs := 0
				for p := j - 1; p >= st && s[p] == '\\'; p-- {
					bs++
				}
				if bs&1 == 0 {
					break
				}
				j++
			}
			str := s[st:j]
			i = j + 1
			k := i
			for k < len(s) && isSpace(s[k]) {
				k++
			}
			if k < len(s) && s[k] == ':' {
				key, kc = str, b.classifyKey(str)
				i = k + 1
				continue
			}
			b.str(row, str, key, kc)
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-') {
				j++
			}
			if kc == kAccount && isAccountID(s[i:j]) {
				b.add(row, AccountID, s[i:j], ConfValidated, "", key)
			}
			i = j
		default:
			i++
		}
	}
}

// keyClass is what a JSON key says about its value.
type keyClass uint8

const (
	kNone keyClass = iota
	kAccount
	kBucket
	kDomain
	kKMS
	kS3Key
	kName       // "name"/"names": an SSM parameter or secret depending on the event source
	kSecretID   // secretId, secretIdList
	kParamNames // SSM parameter name keys
	kInstance   // instanceId(s): also accepts non-hex ids (anonymised samples)
)

var keyClasses = map[string]keyClass{
	"accountid": kAccount, "accountids": kAccount, "recipientaccountid": kAccount, "ownerid": kAccount,
	"userid": kAccount, "awsaccountid": kAccount, "sourceaccount": kAccount, "targetaccountid": kAccount,
	"vpcendpointaccountid": kAccount, "valuestoadd": kAccount, "valuestoremove": kAccount,
	"owneraccount": kAccount, "owneraccountid": kAccount, "destinationaccountid": kAccount,
	"bucketname": kBucket, "bucket": kBucket, "s3bucketname": kBucket, "s3bucket": kBucket,
	"domainname": kDomain, "hostname": kDomain, "dnsname": kDomain, "publicdnsname": kDomain,
	"privatednsname": kDomain, "host": kDomain, "fqdn": kDomain,
	"keyid": kKMS, "kmskeyid": kKMS, "kmskeyarn": kKMS, "ssekmskeyid": kKMS, "kmsmasterkeyid": kKMS,
	"targetkeyid": kKMS, "kmskeyidentifier": kKMS,
	"key":  kS3Key,
	"name": kName, "names": kName,
	"secretid": kSecretID, "secretidlist": kSecretID,
	"parametername": kParamNames, "parameternames": kParamNames,
	"instanceid": kInstance, "instanceids": kInstance,
}

// keyLens marks the lengths of the keys in keyClasses (a cheap filter
// before the map lookup).
var keyLens = func() (t [25]bool) {
	for k := range keyClasses {
		t[len(k)] = true
	}
	return t
}()

func (b *batch) classifyKey(k string) keyClass {
	// Keys repeat across events: a small direct-mapped cache avoids the
	// lower-casing and map lookup.
	if len(k) == 0 {
		return kNone
	}
	h := (uint(len(k))*131 + uint(k[0])*31 + uint(k[len(k)/2])*7 + uint(k[len(k)-1])) & uint(len(b.keyCache)-1)
	if e := &b.keyCache[h]; e.key == k {
		return e.class
	}
	c := classifyKey(k)
	b.keyCache[h] = keyCacheEntry{key: k, class: c} // valid for this Extract call: cleared in reset
	return c
}

type keyCacheEntry struct {
	key   string
	class keyClass
}

func classifyKey(k string) keyClass {
	if len(k) > 24 || !keyLens[len(k)] {
		return kNone
	}
	var buf [24]byte
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return keyClasses[string(buf[:len(k)])]
}

// Byte classes for the token scanner.
const (
	cWord  = 1 << iota // [A-Za-z0-9_-]: a token continues
	cStart             // a token of interest may start here
	cDigit
	cHexIP // [0-9a-fA-F:.]: may be part of an IP
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' {
			t[c] |= cWord
		}
		if b >= '0' && b <= '9' {
			t[c] |= cDigit | cStart
		}
		if b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' || b == ':' || b == '.' {
			t[c] |= cHexIP
		}
	}
	for _, b := range []byte("aAisve") {
		t[b] |= cStart
	}
	return t
}()

// str checks one JSON string value (raw, escapes left in place: tokens end
// at a backslash, so ARNs inside escaped JSON are cut at \").
func (b *batch) str(row int, v, key string, kc keyClass) {
	if len(v) < 3 {
		return
	}
	// Key-context rules on the whole value.
	switch kc {
	case kAccount:
		if isAccountID(v) {
			b.add(row, AccountID, v, ConfValidated, "", key)
		}
	case kBucket:
		if validBucket(v) {
			b.add(row, S3Bucket, v, ConfValidated, "", key)
		}
	case kDomain:
		if validDomain(v) {
			b.addLower(row, DomainName, v, ConfValidated, "", key)
		}
	case kKMS:
		if isKMSKeyRef(v) {
			b.add(row, KMSKey, v, ConfValidated, "", key)
		}
	case kS3Key:
		if b.ctx != nil && b.ctx[row] == ctxS3 && !strings.HasPrefix(v, "arn:") {
			b.add(row, S3ObjectKey, v, ConfValidated, "", key)
		}
	case kInstance:
		if n := looseInstanceID(v); n > 0 && idLen(v, 0) == 0 {
			b.add(row, InstanceID, v, ConfValidated, "", key)
		}
	case kName, kSecretID, kParamNames:
		if b.ctx != nil && !strings.HasPrefix(v, "arn:") && strings.IndexByte(v, '\\') < 0 {
			switch {
			case b.ctx[row] == ctxSSM && kc != kSecretID:
				b.add(row, SSMParameter, v, ConfValidated, "", key)
			case b.ctx[row] == ctxSecrets && kc != kParamNames:
				b.add(row, Secret, v, ConfValidated, "", key)
			}
		}
	}
	// A whole value that is an IP address.
	whole := false
	if len(v) <= 45 && class[v[0]]&cHexIP != 0 {
		ok := true
		for i := 0; i < len(v); i++ {
			if class[v[i]]&cHexIP == 0 {
				ok = false
				break
			}
		}
		if ok {
			if ip, good := parseIP(v, false); good {
				b.addIP(row, ip, ConfValidated, key)
				whole = true
			}
		}
	}
	b.tokens(row, v, key, whole)
}

// tokens finds the tokens (ARNs, access keys, EC2 ids, dotted quads,
// e-mails) in v.
func (b *batch) tokens(row int, v, key string, wholeIP bool) {
	n := len(v)
	for i := 0; i < n; {
		// v[i-1] is not a word byte (or i == 0): a token may start here.
		t := class[v[i]]
		if t&cStart != 0 {
			if k := b.token(row, v, i, key, wholeIP); k > 0 {
				i += k
				t = cWord // no token starts right after one
			}
		}
		if t&cWord != 0 {
			// Skip the rest of the word: tokens start only after a
			// non-word byte.
			for i++; i < n && class[v[i]]&cWord != 0; i++ {
			}
			continue
		}
		i++
	}
	if strings.IndexByte(v, '@') >= 0 {
		b.emails(row, v, key)
	}
}

// token tries the token kinds that may start at v[i] and returns the bytes
// consumed (0: nothing here).
func (b *batch) token(row int, v string, i int, key string, wholeIP bool) int {
	s := v[i:]
	switch c := s[0]; {
	case c == 'a' && strings.HasPrefix(s, "arn:"):
		if b.arn(row, s, ConfValidated, key) > 0 {
			// Keep scanning inside the ARN: an EC2 id may be a session
			// name (assumed-role/<role>/i-…) or a resource.
			return 4
		}
	case c == 'A':
		if len(s) >= 20 && (s[:4] == "AKIA" || s[:4] == "ASIA") && validAccessKey(s[:20]) &&
			(len(s) == 20 || class[s[20]]&cWord == 0) {
			b.add(row, AccessKeyID, s[:20], ConfValidated, AccessKeyType(s[:20]), key)
			return 20
		}
	case c >= '0' && c <= '9':
		if wholeIP || (i > 0 && v[i-1] == '.') {
			return 0
		}
		q, ok := parseDottedQuad(s, false)
		if !ok {
			return 0
		}
		if q.n < len(s) && (class[s[q.n]]&cWord != 0 || s[q.n] == '.' && q.n+1 < len(s) && class[s[q.n+1]]&cDigit != 0) {
			return 0
		}
		b.addIP(row, q.addr, ConfBare, key)
		return q.n
	default:
		if k := resourceKind(s); k != "" {
			if n := idLen(s, 0); n > 0 {
				b.add(row, k, s[:n], ConfValidated, "", key)
				return n
			}
		}
	}
	return 0
}

// resourceKind returns the kind named by an EC2 id prefix at the start of
// s, or "".
func resourceKind(s string) Kind {
	if len(s) < 3 {
		return ""
	}
	switch s[0] {
	case 'i':
		if s[1] == '-' {
			return InstanceID
		}
	case 'v':
		if strings.HasPrefix(s, "vpc-") {
			return VPCID
		}
		if strings.HasPrefix(s, "vol-") {
			return VolumeID
		}
	case 's':
		if strings.HasPrefix(s, "sg-") {
			return SecurityGroupID
		}
		if strings.HasPrefix(s, "subnet-") {
			return SubnetID
		}
		if strings.HasPrefix(s, "snap-") {
			return SnapshotID
		}
	case 'e':
		if strings.HasPrefix(s, "eni-") {
			return NetworkInterfaceID
		}
	case 'a':
		if strings.HasPrefix(s, "ami-") {
			return AMIID
		}
	}
	return ""
}

// idLen returns the length of the EC2 id (prefix-hex, 8 or 17 hex digits;
// AWS writes them lower-case, anonymised samples mix cases) at s[i:], or 0.
// The id must not be followed by a word byte.
func idLen(s string, i int) int {
	d := strings.IndexByte(s[i:], '-')
	if d <= 0 || d > 6 {
		return 0
	}
	j := i + d + 1
	h := j
	for h < len(s) && (s[h] >= '0' && s[h] <= '9' || s[h]|0x20 >= 'a' && s[h]|0x20 <= 'f') {
		h++
	}
	if n := h - j; n != 8 && n != 17 {
		return 0
	}
	if h < len(s) && class[s[h]]&cWord != 0 {
		return 0
	}
	return h - i
}

// looseInstanceID accepts "i-" + 8 to 17 letters and digits as a whole
// value; it is used only under an instanceId key.
func looseInstanceID(v string) int {
	if len(v) < 10 || len(v) > 19 || v[0] != 'i' || v[1] != '-' {
		return 0
	}
	for i := 2; i < len(v); i++ {
		if class[v[i]]&cWord == 0 || v[i] == '-' || v[i] == '_' {
			return 0
		}
	}
	return len(v)
}

const (
	maxARNField    = 64
	maxARNResource = 2048
)

// arnEnd returns where an ARN starting at s[0] ends: at whitespace, quotes,
// a backslash (escaped JSON), brackets and separators; a trailing '.' or ':'
// (end of a sentence) is not part of it.
func arnEnd(s string) int {
	i := 0
	for i < len(s) && !arnStop[s[i]] {
		i++
	}
	for i > 0 && (s[i-1] == '.' || s[i-1] == ':') {
		i--
	}
	return i
}

var arnStop = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c < 0x21 || c >= 0x7f
	}
	for _, c := range []byte("\"'\\`<>()[]{}|,;^") {
		t[c] = true
	}
	return t
}()

// arn parses the ARN at the start of s, adds it and its parts (account id,
// EC2 id, S3 bucket and key) and returns its length, or 0 when it is not a
// well-formed ARN (arn:partition:service:region:account:resource).
func (b *batch) arn(row int, s string, conf float32, key string) int {
	// Header fields first (short, bounded), so "arn:arn:arn:…" fails fast;
	// the resource is bounded too (IAM allows 2048 bytes), so scanning stays
	// linear on adversarial input.
	var f [4]string
	p := 4
	for i := 0; i < 4; i++ {
		w := s[p:min(len(s), p+maxARNField)]
		c := strings.IndexByte(w, ':')
		if c < 0 {
			return 0
		}
		f[i] = w[:c]
		p += c + 1
		if i == 0 && !strings.HasPrefix(f[0], "aws") {
			return 0
		}
	}
	n := p + arnEnd(s[p:min(len(s), p+maxARNResource)])
	a := s[:n]
	part, svc, region, acct, res := f[0], f[1], f[2], f[3], s[p:n]
	if !strings.HasPrefix(part, "aws") || !lowerDash(part) || svc == "" || !lowerDash(svc) ||
		!lowerDash(region) || res == "" {
		return 0
	}
	if acct != "" && acct != "aws" && !isAccountID(acct) {
		return 0
	}
	if isAccountID(acct) {
		b.add(row, AccountID, acct, conf, "", key)
	}
	wild := strings.ContainsAny(a, "*?")
	k := ARN
	switch svc {
	case "iam":
		switch {
		case res == "root":
			k = Root
		case strings.HasPrefix(res, "user/"):
			k = IAMUserARN
		case strings.HasPrefix(res, "role/"):
			k = IAMRoleARN
		}
	case "sts":
		switch {
		case strings.HasPrefix(res, "assumed-role/"):
			k = AssumedRoleARN
			if strings.HasPrefix(res[len("assumed-role/"):], "AWSReservedSSO") {
				k = SSOPrincipal
			}
		case strings.HasPrefix(res, "federated-user/"):
			k = FederatedPrincipal
		}
	case "kms":
		if strings.HasPrefix(res, "key/") || strings.HasPrefix(res, "alias/") {
			k = KMSKey
		}
	case "lambda":
		if strings.HasPrefix(res, "function:") {
			k = LambdaFunctionARN
		}
	case "secretsmanager":
		if strings.HasPrefix(res, "secret:") {
			k = Secret
		}
	case "ssm":
		if strings.HasPrefix(res, "parameter/") {
			k = SSMParameter
		}
	case "s3":
		if acct == "" && region == "" {
			bk, obj, _ := strings.Cut(res, "/")
			if validBucket(bk) {
				b.add(row, S3Bucket, bk, conf, "", key)
			}
			if obj != "" && !wild {
				b.add(row, S3ObjectKey, obj, conf, "", key)
			}
		}
	case "ec2":
		if sl := strings.IndexByte(res, '/'); sl > 0 {
			id := res[sl+1:]
			if rk := resourceKind(id); rk != "" && idLen(id, 0) == len(id) {
				b.add(row, rk, id, conf, "", key)
			}
		}
	}
	if !wild {
		b.add(row, k, a, conf, "", key)
	}
	return n
}

func lowerDash(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isKMSKeyRef accepts a key id (UUID), a multi-Region key id (mrk-+32 hex)
// or an alias name; ARNs are found by the ARN rule.
func isKMSKeyRef(v string) bool {
	switch {
	case strings.HasPrefix(v, "alias/"):
		return len(v) > 6 && strings.IndexByte(v, '\\') < 0 && strings.IndexByte(v, ' ') < 0
	case strings.HasPrefix(v, "mrk-"):
		return len(v) == 36 && isHex(v[4:])
	}
	return isUUID(v)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func isUUID(s string) bool {
	return len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' &&
		isHex(s[:8]) && isHex(s[9:13]) && isHex(s[14:18]) && isHex(s[19:23]) && isHex(s[24:])
}

// validBucket checks S3 bucket naming rules: 3–63 of [a-z0-9.-], starting
// and ending with a letter or digit, not an IP address.
func validBucket(s string) bool {
	if len(s) < 3 || len(s) > 63 || !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	if _, ok := parseDottedQuad(s, true); ok {
		return false
	}
	return true
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// validDomain checks a host name: at least two dot-separated labels of 1–63
// [A-Za-z0-9-] not starting or ending with '-', the last (TLD) alphabetic
// and at least two letters; at most 253 bytes.
func validDomain(s string) bool {
	if len(s) < 4 || len(s) > 253 {
		return false
	}
	labels, st := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
			continue
		}
		l := s[st:i]
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		labels++
		st = i + 1
	}
	tld := s[strings.LastIndexByte(s, '.')+1:]
	if labels < 2 || len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		c := tld[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isLocalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// findEmails calls fn with the [start, end) of every e-mail address in s.
func findEmails(s string, fn func(a, b int)) {
	from, lo := 0, 0 // lo: end of the previous match; matches never overlap
	for {
		k := strings.IndexByte(s[from:], '@')
		if k < 0 {
			return
		}
		at := from + k
		from = at + 1
		a := at
		for a > lo && at-a <= 64 && isLocalChar(s[a-1]) {
			a--
		}
		for a < at && s[a] == '.' {
			a++
		}
		if a == at || a > 0 && s[a-1] == '\\' {
			continue
		}
		e := at + 1
		for e < len(s) && isDomainChar(s[e]) {
			e++
		}
		for e > at+1 && (s[e-1] == '.' || s[e-1] == '-') {
			e--
		}
		if e < len(s) && s[e] == '@' {
			continue
		}
		if at-a > 64 || !validDomain(s[at+1:e]) {
			continue
		}
		fn(a, e)
		from, lo = e, e
	}
}

func (b *batch) emails(row int, v, key string) {
	findEmails(v, func(a, e int) { b.addLower(row, EmailAddress, v[a:e], ConfValidated, "", key) })
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
