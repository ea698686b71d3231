package entity

import "testing"

func TestClassifyIP(t *testing.T) {
	for _, c := range []struct {
		in    string
		class string
		ok    bool
	}{
		{"8.8.8.8", IPPublic, true},
		{"52.94.76.1", IPPublic, true},
		{"10.0.0.1", IPPrivate, true},
		{"172.16.5.4", IPPrivate, true},
		{"172.31.255.255", IPPrivate, true},
		{"172.32.0.1", IPPublic, true},
		{"192.168.1.1", IPPrivate, true},
		{"100.64.0.1", IPCGNAT, true},
		{"100.127.255.254", IPCGNAT, true},
		{"100.128.0.1", IPPublic, true},
		{"169.254.169.254", IPLinkLocal, true},
		{"127.0.0.1", IPLoopback, true},
		{"0.0.0.0", IPUnspecified, true},
		{"224.0.0.251", IPMulticast, true},
		{"203.0.113.9", IPReserved, true},
		{"255.255.255.255", IPReserved, true},
		{"::1", IPLoopback, true},
		{"fe80::1%eth0", IPLinkLocal, true},
		{"fd12:3456:789a::1", IPPrivate, true},
		{"2600:1f18::1", IPPublic, true},
		{"2001:db8::1", IPReserved, true},
		{"::ffff:10.1.2.3", IPPrivate, true},
		{"AWS Internal", IPAWSInternal, false},
		{"ec2.amazonaws.com", IPAWSService, false},
		{"lambda.amazonaws.com", IPAWSService, false},
		{"1.2.3", "", false},
		{"2026.11.21", "", false},
		{"1.08", "", false},
		{"1.2.3.256", "", false},
		{"example.com", "", false},
		{"", "", false},
	} {
		class, ok := ClassifyIP(c.in)
		if class != c.class || ok != c.ok {
			t.Errorf("ClassifyIP(%q) = %q, %v; want %q, %v", c.in, class, ok, c.class, c.ok)
		}
	}
}

func TestAccessKeyType(t *testing.T) {
	for in, want := range map[string]string{
		"AKIAIOSFODNN7EXAMPLE":  "long_term",
		"ASIAJEXAMPLEXEG2JICE":  "temporary",
		"AIDAJQABLZS4A3QDU576":  "", // user id, not a key
		"AROAJQABLZS4A3QDU576":  "", // role id
		"AKIAIOSFODNN7EXAMPL":   "", // short
		"AKIAIOSFODNN7EXAMPLEX": "", // long
		"akiaiosfodnn7example":  "", // lower case
		"AKIAIOSFODNN7EXAMP-E":  "",
		"":                      "",
	} {
		if got := AccessKeyType(in); got != want {
			t.Errorf("AccessKeyType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassifyUserAgent(t *testing.T) {
	for _, c := range []struct{ ua, want string }{
		{"console.amazonaws.com", UAConsole},
		{"signin.amazonaws.com", UAConsole},
		{"AWS Signin, aws-internal/3 aws-sdk-java/1.12.720 Linux/5.10.216", UAAWSService},
		{"aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/s3.cp", UAAWSCLI},
		{"aws-cli/1.32.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.34.69", UAAWSCLI},
		{"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69", "sdk_python"},
		{"Botocore/1.29.165 Python/3.8.10 Linux/5.4.0", "sdk_python"},
		{"aws-sdk-go-v2/1.32.3 os/linux lang/go#1.23.1 md/GOOS#linux md/GOARCH#amd64 exec-env/grimoire", "sdk_go"},
		{"aws-sdk-go/1.44.327 (go1.20.7; linux; amd64)", "sdk_go"},
		{"aws-sdk-java/2.25.16 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java17 io/sync http/Apache cfg/retry-mode/legacy", "sdk_java"},
		{"aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.213 lang/js md/nodejs#20.12.0 api/s3#3.540.0", "sdk_javascript"},
		{"aws-sdk-nodejs/2.1589.0 linux/v18.19.1 exec-env/AWS_Lambda_nodejs18.x", "sdk_javascript"},
		{"aws-sdk-dotnet-coreclr/3.7.300.57 aws-sdk-dotnet-core/3.7.303.1 .NET_Core/8.0.3 OS/Microsoft_Windows_10.0.20348", "sdk_dotnet"},
		{"aws-sdk-ruby3/3.191.4 ua/2.0 api/s3#1.146.1 os/linux md/x86_64 lang/ruby#3.2.3 md/3.2.3", "sdk_ruby"},
		{"aws-sdk-php/3.301.1 OS/Linux/5.15.0 lang/php/8.2.17 GuzzleHttp/7", "sdk_php"},
		{"aws-sdk-rust/1.1.8 os/linux lang/rust/1.77.0", "sdk_rust"},
		{"AWSPowerShell.Common/4.1.548.0 .NET_Core/6.0.28 PowerShellCore/7.-1 (Microsoft Windows 10.0.19045; Win32NT)", "sdk_powershell"},
		{"Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3", UATerraform},
		{"APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/dev", UATerraform},
		{"cloudformation.amazonaws.com", UACloudFormation},
		{"aws-cdk/2.133.0 (node 20.12.0)", UACloudFormation},
		{"ec2.amazonaws.com", UAAWSService},
		{"AWS Internal", UAAWSService},
		{"[S3Console/0.4]", UAAWSService},
		{"stratus-red-team_6bf00313-712c-4fd2-9bdd-88f48a4b1282", UAOffensive},
		{"Boto3/1.17.0 Python/3.9.2 Linux/5.10.0-kali7-amd64 Botocore/1.20.0 Pacu", UAOffensive},
		{"Scout Suite/5.12.0 Boto3/1.26.0 Python/3.9", UAOffensive},
		{"ScoutSuite/5.14.0 aws-cli", UAOffensive},
		{"Prowler/3.15.0 aws-sdk", UAOffensive},
		{"curl/8.5.0", UAHTTPClient},
		{"python-requests/2.31.0", UAHTTPClient},
		{"Go-http-client/1.1", UAHTTPClient},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36", UABrowser},
		{"", UAUnknown},
		{"my-internal-tool/0.1", UAUnknown},
	} {
		if got := ClassifyUserAgent(c.ua); got != c.want {
			t.Errorf("ClassifyUserAgent(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
}
