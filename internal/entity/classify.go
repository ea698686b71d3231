package entity

import (
	"net/netip"
	"strings"
)

// IP classes returned by ClassifyIP (and stored in Entity.Attr of ip_address
// entities). vpc_endpoint is set by Extract, not ClassifyIP: a private source
// IP of an event that carries a vpc_endpoint_id reached AWS through a VPC
// endpoint.
const (
	IPPublic      = "public"
	IPPrivate     = "private"      // RFC 1918, IPv6 ULA fc00::/7
	IPCGNAT       = "cgnat"        // 100.64.0.0/10 (RFC 6598)
	IPLoopback    = "loopback"     // 127/8, ::1
	IPLinkLocal   = "link_local"   // 169.254/16 (incl. the 169.254.169.254 metadata service), fe80::/10
	IPMulticast   = "multicast"    // 224/4, ff00::/8
	IPUnspecified = "unspecified"  // 0.0.0.0, ::
	IPReserved    = "reserved"     // documentation, benchmarking, 240/4, broadcast
	IPAWSInternal = "aws_internal" // not an address: "AWS Internal"
	IPAWSService  = "aws_service"  // not an address: a service principal such as ec2.amazonaws.com
	IPVPCEndpoint = "vpc_endpoint"
)

var (
	cgnat    = netip.MustParsePrefix("100.64.0.0/10")
	reserved = []netip.Prefix{
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("2001:db8::/32"),
	}
)

// ClassifyIP classifies the value of a source/destination address field.
// ok is true when s is an IP address (IPv4 dotted quad or IPv6, zone
// stripped); class is then one of the IP* constants. For the non-address
// values CloudTrail writes in sourceIPAddress it returns ok=false with class
// aws_internal ("AWS Internal") or aws_service (a service host name such as
// "ec2.amazonaws.com"); anything else gives ("", false).
func ClassifyIP(s string) (class string, ok bool) {
	a, ok := parseIP(s, false)
	if !ok {
		switch {
		case strings.EqualFold(s, "AWS Internal"):
			return IPAWSInternal, false
		case isServicePrincipal(s):
			return IPAWSService, false
		}
		return "", false
	}
	return classifyAddr(a), true
}

func classifyAddr(a netip.Addr) string {
	switch {
	case a.IsUnspecified():
		return IPUnspecified
	case a.IsLoopback():
		return IPLoopback
	case a.IsLinkLocalUnicast():
		return IPLinkLocal
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return IPMulticast
	case a.IsPrivate():
		return IPPrivate
	case a.Is4() && cgnat.Contains(a):
		return IPCGNAT
	}
	if a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return IPReserved
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return IPReserved
		}
	}
	return IPPublic
}

// parseIP parses an IPv4 or IPv6 address, strips an IPv6 zone and unmaps
// IPv4-mapped IPv6. lenient accepts IPv4 octets with leading zeros as decimal
// ("075.050.255.67", seen in anonymised samples); it is used for typed
// address columns only, never for free text.
func parseIP(s string, lenient bool) (netip.Addr, bool) {
	if len(s) < 2 || len(s) > 64 {
		return netip.Addr{}, false
	}
	if strings.IndexByte(s, ':') < 0 {
		// IPv4: parsed here (netip allocates an error for every non-address).
		if q, ok := parseDottedQuad(s, lenient); ok && q.n == len(s) {
			return q.addr, true
		}
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").Unmap(), true
	}
	return netip.Addr{}, false
}

// parseDottedQuad parses a.b.c.d at the start of s and returns the address
// and the number of bytes consumed. It requires
// exactly four decimal octets 0–255; leadingZero allows "075".
func parseDottedQuad(s string, leadingZero bool) (quadLen, bool) {
	var b [4]byte
	i := 0
	for part := 0; part < 4; part++ {
		if part > 0 {
			if i >= len(s) || s[i] != '.' {
				return quadLen{}, false
			}
			i++
		}
		st := i
		v := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-st < 3 {
			v = v*10 + int(s[i]-'0')
			i++
		}
		n := i - st
		if n == 0 || v > 255 || (n > 1 && s[st] == '0' && !leadingZero) {
			return quadLen{}, false
		}
		b[part] = byte(v)
	}
	return quadLen{addr: netip.AddrFrom4(b), n: i}, true
}

type quadLen struct {
	addr netip.Addr
	n    int
}

// isServicePrincipal reports whether s is an AWS service host name such as
// "ec2.amazonaws.com" or "lambda.amazonaws.com.cn", as CloudTrail writes in
// sourceIPAddress and invokedBy when a service acts for a principal.
func isServicePrincipal(s string) bool {
	for _, suf := range [...]string{".amazonaws.com", ".amazonaws.com.cn", ".amazon.com"} {
		if len(s) > len(suf) && strings.HasSuffix(s, suf) {
			return validDomain(s)
		}
	}
	return false
}

// AccessKeyType classifies an access key id: "long_term" (AKIA…, an IAM user
// key), "temporary" (ASIA…, STS credentials) or "" when id is not a
// well-formed access key id (prefix + 16 upper-case base-32 characters).
func AccessKeyType(id string) string {
	if !validAccessKey(id) {
		return ""
	}
	if id[1] == 'K' {
		return "long_term"
	}
	return "temporary"
}

func validAccessKey(id string) bool {
	if len(id) != 20 || (id[:4] != "AKIA" && id[:4] != "ASIA") {
		return false
	}
	for i := 4; i < 20; i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// User agent classes returned by ClassifyUserAgent.
const (
	UAConsole        = "console"
	UAAWSCLI         = "aws_cli"
	UAAWSService     = "aws_service"
	UATerraform      = "terraform"
	UACloudFormation = "cloudformation"
	UAOffensive      = "offensive_tool"
	UAHTTPClient     = "http_client"
	UABrowser        = "browser"
	UAUnknown        = "unknown"
	// SDK classes are "sdk_" + language: sdk_go, sdk_python, sdk_java,
	// sdk_javascript, sdk_dotnet, sdk_ruby, sdk_php, sdk_cpp, sdk_rust,
	// sdk_powershell, sdk_kotlin, sdk_swift.
)

// uaRules are checked in order on the lower-cased user agent; the first
// match wins. Offensive tools come first: they embed SDK strings (Pacu and
// ScoutSuite run on boto3, Stratus on aws-sdk-go-v2) and must not be
// classified as the SDK.
var uaRules = []struct{ sub, class string }{
	{"stratus-red-team", UAOffensive},
	{"pacu", UAOffensive},
	{"scoutsuite", UAOffensive},
	{"scout suite", UAOffensive},
	{"prowler", UAOffensive},
	{"cloudfox", UAOffensive},
	{"cloudsplaining", UAOffensive},
	{"weirdaal", UAOffensive},
	{"enumerate-iam", UAOffensive},
	{"kali", UAOffensive},
	{"parrot", UAOffensive},
	{"terraform", UATerraform},
	{"cloudformation", UACloudFormation},
	{"aws-cdk", UACloudFormation},
	{"aws-internal", UAAWSService},
	{"signin.amazonaws.com", UAConsole},
	{"console.amazonaws.com", UAConsole},
	{"console.aws.amazon.com", UAConsole},
	{"aws-cli/", UAAWSCLI},
	{"aws-sdk-go", "sdk_go"},
	{"boto3/", "sdk_python"},
	{"botocore/", "sdk_python"},
	{"aws-sdk-java", "sdk_java"},
	{"aws-sdk-js", "sdk_javascript"},
	{"aws-sdk-nodejs", "sdk_javascript"},
	{"aws-sdk-dotnet", "sdk_dotnet"},
	{"aws-sdk-net", "sdk_dotnet"},
	{"aws-sdk-ruby", "sdk_ruby"},
	{"aws-sdk-php", "sdk_php"},
	{"aws-sdk-cpp", "sdk_cpp"},
	{"aws-sdk-rust", "sdk_rust"},
	{"aws-sdk-kotlin", "sdk_kotlin"},
	{"aws-sdk-swift", "sdk_swift"},
	{"aws-tools-for-powershell", "sdk_powershell"},
	{"awspowershell", "sdk_powershell"},
	{"curl/", UAHTTPClient},
	{"python-requests", UAHTTPClient},
	{"python-urllib", UAHTTPClient},
	{"wget/", UAHTTPClient},
	{"go-http-client", UAHTTPClient},
	{"okhttp", UAHTTPClient},
	{"postmanruntime", UAHTTPClient},
	{"insomnia", UAHTTPClient},
	{"mozilla/", UABrowser},
}

// ClassifyUserAgent returns the class of a user agent string: console,
// aws_cli, sdk_<language>, terraform, cloudformation, aws_service,
// offensive_tool, http_client, browser or unknown. A service host name
// ("ec2.amazonaws.com"), "AWS Internal" and the "[…]" wrapped agents AWS
// services send are aws_service.
func ClassifyUserAgent(ua string) string {
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return UAUnknown
	}
	if strings.EqualFold(ua, "AWS Internal") {
		return UAAWSService
	}
	l := strings.ToLower(ua)
	for _, r := range uaRules {
		if strings.Contains(l, r.sub) {
			return r.class
		}
	}
	if strings.HasPrefix(ua, "[") || strings.Contains(l, ".amazonaws.com") {
		return UAAWSService
	}
	return UAUnknown
}
