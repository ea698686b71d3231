package entity

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/seclake/seclake/schemas"
)

// ke is an expected (kind, value).
type ke struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

// gen builds synthetic events with planted entities and decoys. Every
// planted entity is recorded in want as it is planted (labels by
// construction); decoys are recorded nowhere.
type gen struct {
	r    *rand.Rand
	want map[ke]bool
}

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

func (g *gen) expect(k Kind, v string) string { g.want[ke{k, v}] = true; return v }

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// nzDigits is digits without a leading zero (a valid JSON number).
func (g *gen) nzDigits(n int) string { return string(rune('1'+g.r.IntN(9))) + g.digits(n-1) }

func (g *gen) hex(n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[g.r.IntN(16)]
	}
	return string(b)
}

func (g *gen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

var words = []string{"alpha", "billing", "prod", "staging", "data", "ops", "web", "etl", "audit", "backup",
	"payments", "ml", "reports", "infra", "shared", "legacy", "core", "edge"}

func (g *gen) word() string { return words[g.r.IntN(len(words))] }
func (g *gen) name() string { return g.word() + "-" + g.word() + "-" + g.hex(4) }

func (g *gen) acct() string { return g.expect(AccountID, g.digits(12)) }

func (g *gen) id(prefix string, k Kind) string {
	n := 17
	if g.r.IntN(4) == 0 {
		n = 8
	}
	return g.expect(k, prefix+"-"+g.hex(n))
}

func (g *gen) accessKey(prefix string) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := []byte(prefix)
	for len(b) < 20 {
		b = append(b, a[g.r.IntN(len(a))])
	}
	return g.expect(AccessKeyID, string(b))
}

func (g *gen) publicIP() string {
	return g.expect(IPAddress, fmt.Sprintf("%d.%d.%d.%d", g.pick4(3, 18, 34, 52, 54, 81, 185), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254)))
}

func (g *gen) pick4(v ...int) int { return v[g.r.IntN(len(v))] }

func (g *gen) privateIP() string {
	return g.expect(IPAddress, fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254)))
}

func (g *gen) bucket() string { return g.expect(S3Bucket, g.word()+"-"+g.word()+"-"+g.digits(4)) }

func (g *gen) userARN(acct string) string {
	return g.expect(IAMUserARN, "arn:aws:iam::"+acct+":user/"+g.pick("", "ops/")+g.word()+"."+g.word())
}

func (g *gen) roleARN(acct string) string {
	return g.expect(IAMRoleARN, "arn:aws:iam::"+acct+":role/"+g.name())
}

func (g *gen) kmsARN(acct, region string) string {
	return g.expect(KMSKey, "arn:aws:kms:"+region+":"+acct+":key/"+g.uuid())
}

func (g *gen) uuid() string {
	return g.hex(8) + "-" + g.hex(4) + "-" + g.hex(4) + "-" + g.hex(4) + "-" + g.hex(12)
}

func (g *gen) email() string {
	v := g.pick("Alice", "bob", "c.smith", "ops-team+alerts", "SecOps") + "@" + g.pick("Example.com", "corp.example.co.uk", "mail.example.org")
	g.expect(EmailAddress, strings.ToLower(v))
	return v
}

func (g *gen) region() string {
	return g.pick("us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1")
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type obj = map[string]any

// decoys returns a JSON object of classic false-positive bait.
func (g *gen) decoys() obj {
	return obj{
		"requestId":     g.uuid(),
		"clientToken":   g.hex(32),
		"sha256":        g.hex(64),
		"etag":          g.hex(32),
		"version":       g.pick("1.2.3", "2026.11.21", "1.08", "10.0.19045", "v1.2.3.4", "3.11.4.2-beta"),
		"createdAt":     "2026-11-21T10:20:30.123Z",
		"orderNumber":   g.digits(12),
		"serial":        json.Number(g.nzDigits(12)),
		"phone":         "+1 " + g.digits(12),
		"note":          "build 2026.11.21 of app 1.2.3 took 1.08s; ticket #" + g.digits(12),
		"marker":        "NOTAKIA" + strings.Repeat("X", 16),
		"token":         "AKIA" + strings.Repeat("Q", 20),
		"instanceType":  g.pick("t3.micro", "p2.xlarge", "m5.large"),
		"description":   "sg-like text sg-xyz and i-nothex00000000 and vpc-12",
		"policyVersion": "2012-10-17",
		"cidr":          "10.0.0.0/16",
		"headers":       "X-Forwarded-For-Version: 4.3.2",
	}
}

// synthCloudTrail returns n CloudTrail rows and their expected entities.
func synthCloudTrail(seed uint64, n int) ([]schemas.CloudTrail, [][]ke) {
	g := newGen(seed)
	rows := make([]schemas.CloudTrail, n)
	want := make([][]ke, n)
	for i := range rows {
		g.want = map[ke]bool{}
		r := &rows[i]
		region := g.region()
		acct := g.acct()
		r.RecipientAccountID = acct
		r.EventVersion = "1.09"
		r.EventName = "Describe" + g.word()
		r.EventTime = synthTime
		r.AWSRegion = region
		r.RequestID = g.uuid()
		r.EventID = g.uuid()
		g.identity(r, acct)
		g.source(r)
		g.userAgent(r)
		g.template(r, acct, region)
		if g.r.IntN(3) == 0 {
			host := r.EventSource
			if host == "" {
				host = "ec2.amazonaws.com"
			}
			h := strings.Replace(host, ".amazonaws.com", "."+region+".amazonaws.com", 1)
			r.TLSClientProvidedHostHeader = h
			g.expect(DomainName, h)
		}
		for k := range g.want {
			want[i] = append(want[i], k)
		}
	}
	return rows, want
}

func (g *gen) identity(r *schemas.CloudTrail, acct string) {
	switch g.r.IntN(6) {
	case 0, 1:
		r.UserIdentityType = "IAMUser"
		r.UserIdentityAccountID = acct
		r.UserIdentityARN = g.userARN(acct)
		r.UserIdentityAccessKeyID = g.accessKey("AKIA")
		r.UserIdentityPrincipalID = "AIDA" + strings.ToUpper(g.hex(16))
	case 2:
		r.UserIdentityType = "AssumedRole"
		r.UserIdentityAccountID = acct
		role := g.name()
		sess := g.pick("cli", "botocore-session-"+g.digits(10), "i-"+g.hex(17))
		if strings.HasPrefix(sess, "i-") {
			g.expect(InstanceID, sess)
		}
		r.UserIdentityARN = g.expect(AssumedRoleARN, "arn:aws:sts::"+acct+":assumed-role/"+role+"/"+sess)
		r.SessionIssuerARN = g.expect(IAMRoleARN, "arn:aws:iam::"+acct+":role/"+role)
		r.SessionIssuerAccountID = acct
		r.SessionIssuerType = "Role"
		r.UserIdentityAccessKeyID = g.accessKey("ASIA")
	case 3:
		r.UserIdentityType = "AssumedRole"
		r.UserIdentityAccountID = acct
		mail := g.email()
		role := "AWSReservedSSO_AdministratorAccess_" + g.hex(16)
		r.UserIdentityARN = g.expect(SSOPrincipal, "arn:aws:sts::"+acct+":assumed-role/"+role+"/"+mail)
		r.SessionIssuerARN = g.expect(IAMRoleARN, "arn:aws:iam::"+acct+":role/aws-reserved/sso.amazonaws.com/"+role)
		r.UserIdentityAccessKeyID = g.accessKey("ASIA")
	case 4:
		r.UserIdentityType = "Root"
		r.UserIdentityAccountID = acct
		r.UserIdentityARN = g.expect(Root, "arn:aws:iam::"+acct+":root")
	case 5:
		r.UserIdentityType = "FederatedUser"
		r.UserIdentityAccountID = acct
		r.UserIdentityARN = g.expect(FederatedPrincipal, "arn:aws:sts::"+acct+":federated-user/"+g.word())
		r.UserIdentityAccessKeyID = g.accessKey("ASIA")
	}
	ui := obj{"type": r.UserIdentityType, "accountId": r.UserIdentityAccountID, "arn": r.UserIdentityARN,
		"principalId": r.UserIdentityPrincipalID}
	if r.UserIdentityAccessKeyID != "" {
		ui["accessKeyId"] = r.UserIdentityAccessKeyID
	}
	if r.SessionIssuerARN != "" {
		ui["sessionContext"] = obj{"sessionIssuer": obj{"arn": r.SessionIssuerARN, "accountId": acct, "type": "Role"},
			"attributes": obj{"creationDate": "2026-11-21T10:00:00Z", "mfaAuthenticated": "false"}}
	}
	r.UserIdentity = mustJSON(ui)
}

func (g *gen) source(r *schemas.CloudTrail) {
	switch g.r.IntN(8) {
	case 0:
		r.SourceIPAddress = "AWS Internal"
	case 1:
		r.SourceIPAddress = g.pick("ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com")
	case 2:
		r.SourceIPAddress = g.privateIP()
		r.VPCEndpointID = "vpce-" + g.hex(17)
	case 3:
		ip := g.pick("2001:DB8:0:0:0:0:0:1", "fe80::1%eth0", "2600:1f18:abcd::10", "::ffff:52.1.2.3")
		r.SourceIPAddress = ip
		g.expect(IPAddress, map[string]string{"2001:DB8:0:0:0:0:0:1": "2001:db8::1", "fe80::1%eth0": "fe80::1",
			"2600:1f18:abcd::10": "2600:1f18:abcd::10", "::ffff:52.1.2.3": "52.1.2.3"}[ip])
	default:
		r.SourceIPAddress = g.publicIP()
	}
}

func (g *gen) userAgent(r *schemas.CloudTrail) {
	r.UserAgent = g.expect(UserAgent, g.pick(
		"aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/s3.cp",
		"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.12.2",
		"aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0",
		"Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 aws-sdk-go-v2/1.25.3",
		"console.amazonaws.com", "AWS Internal", "cloudformation.amazonaws.com",
		"Boto3/1.17.0 Python/3.9.2 Linux/5.10.0-kali7-amd64 Botocore/1.20.0 Pacu",
		"curl/8.5.0", "python-requests/2.31.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	))
}

var synthTime = schemas.CloudTrail{}.EventTime

// template fills the event-specific columns.
func (g *gen) template(r *schemas.CloudTrail, acct, region string) {
	switch g.r.IntN(12) {
	case 0: // RunInstances
		r.EventSource, r.EventName = "ec2.amazonaws.com", "RunInstances"
		subnet, vpc := g.id("subnet", SubnetID), g.id("vpc", VPCID)
		r.RequestParameters = mustJSON(obj{
			"instancesSet": obj{"items": []obj{{"imageId": g.id("ami", AMIID), "minCount": 1, "maxCount": 1}}},
			"subnetId":     subnet,
			"groupSet":     obj{"items": []obj{{"groupId": g.id("sg", SecurityGroupID)}}},
			"instanceType": "t3.micro",
			"clientToken":  g.uuid(),
			"blockDeviceMapping": obj{"items": []obj{{"deviceName": "/dev/xvda",
				"ebs": obj{"volumeSize": 8, "kmsKeyId": g.kmsARN(acct, region)}}}},
		})
		r.ResponseElements = mustJSON(obj{"reservationId": "r-" + g.hex(17), "ownerId": acct,
			"instancesSet": obj{"items": []obj{{"instanceId": g.id("i", InstanceID), "privateIpAddress": g.privateIP(),
				"vpcId": vpc, "subnetId": subnet, "launchTime": 1763720430000,
				"networkInterfaceSet": obj{"items": []obj{{"networkInterfaceId": g.id("eni", NetworkInterfaceID),
					"privateDnsName": g.expect(DomainName, "ip-10-1-2-3."+region+".compute.internal")}}},
				"blockDeviceMapping": obj{"items": []obj{{"ebs": obj{"volumeId": g.id("vol", VolumeID)}}}}}}},
			"requesterId": g.digits(12)}) // requesterId is not an account key: decoy
	case 1: // snapshot share
		r.EventSource, r.EventName = "ec2.amazonaws.com", "ModifySnapshotAttribute"
		r.RequestParameters = mustJSON(obj{"snapshotId": g.id("snap", SnapshotID), "attributeType": "CREATE_VOLUME_PERMISSION",
			"createVolumePermission": obj{"add": obj{"items": []obj{{"userId": g.acct()}}}}, "extra": g.decoys()})
		r.ResponseElements = mustJSON(obj{"_return": true, "requestId": g.uuid(), "volumeId": g.id("vol", VolumeID)})
	case 2: // S3 object access
		r.EventSource, r.EventName = "s3.amazonaws.com", g.pick("GetObject", "PutObject")
		b := g.bucket()
		key := g.expect(S3ObjectKey, g.word()+"/2026/11/"+g.name()+".csv")
		kms := g.kmsARN(acct, region)
		host := g.expect(DomainName, b+".s3."+region+".amazonaws.com")
		r.RequestParameters = mustJSON(obj{"bucketName": b, "Host": host, "key": key,
			"x-amz-server-side-encryption-aws-kms-key-id": kms})
		r.AdditionalEventData = mustJSON(obj{"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
			"bytesTransferredIn": 0, "x-amz-id-2": g.hex(40), "AuthenticationMethod": "AuthHeader"})
		g.expect(ARN, "arn:aws:s3:::"+b+"/"+key)
		g.expect(ARN, "arn:aws:s3:::"+b)
		r.Resources = mustJSON([]obj{{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::" + b + "/" + key},
			{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + b}})
	case 3: // KMS
		r.EventSource, r.EventName = "kms.amazonaws.com", "Decrypt"
		kid := g.expect(KMSKey, g.pick(g.uuid(), "alias/"+g.word()+"-key", "mrk-"+g.hex(32)))
		fn := g.expect(LambdaFunctionARN, "arn:aws:lambda:"+region+":"+acct+":function:"+g.name())
		r.RequestParameters = mustJSON(obj{"keyId": kid, "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
			"encryptionContext": obj{"aws:lambda:FunctionArn": fn}})
		r.Resources = mustJSON([]obj{{"accountId": acct, "type": "AWS::KMS::Key", "ARN": g.kmsARN(acct, region)}})
	case 4: // IAM access key + user with tags
		r.EventSource, r.EventName = "iam.amazonaws.com", "CreateAccessKey"
		user := g.word() + "." + g.word()
		r.RequestParameters = mustJSON(obj{"userName": user, "tags": []obj{{"key": "owner", "value": g.email()}}})
		r.ResponseElements = mustJSON(obj{"accessKey": obj{"accessKeyId": g.accessKey("AKIA"), "status": "Active",
			"userName": user, "createDate": "Nov 21, 2026 10:00:00 AM"},
			"user": obj{"arn": g.userARN(acct), "userId": "AIDA" + strings.ToUpper(g.hex(16)), "path": "/"}})
	case 5: // STS AssumeRole
		r.EventSource, r.EventName = "sts.amazonaws.com", "AssumeRole"
		other := g.acct()
		role := g.roleARN(other)
		sess := g.email()
		r.RequestParameters = mustJSON(obj{"roleArn": role, "roleSessionName": sess, "durationSeconds": 3600,
			"externalId": g.digits(12)})
		rn := role[strings.LastIndexByte(role, '/')+1:]
		r.ResponseElements = mustJSON(obj{"credentials": obj{"accessKeyId": g.accessKey("ASIA"),
			"sessionToken": "IQoJb3JpZ2luX2VjE" + g.hex(80), "expiration": "Nov 21, 2026, 11:00:00 AM"},
			"assumedRoleUser": obj{"assumedRoleId": "AROA" + strings.ToUpper(g.hex(16)) + ":" + sess,
				"arn": g.expect(AssumedRoleARN, "arn:aws:sts::"+other+":assumed-role/"+rn+"/"+strings.ToLower(sess))}})
		g.expect(EmailAddress, strings.ToLower(sess))
	case 6: // Secrets Manager
		r.EventSource, r.EventName = "secretsmanager.amazonaws.com", "GetSecretValue"
		if g.r.IntN(2) == 0 {
			r.RequestParameters = mustJSON(obj{"secretId": g.expect(Secret, "prod/"+g.word()+"/db-password")})
		} else {
			r.RequestParameters = mustJSON(obj{"secretId": g.expect(Secret, "arn:aws:secretsmanager:"+region+":"+acct+":secret:"+g.name()+"-"+g.hex(6))})
		}
		r.AdditionalEventData = mustJSON(g.decoys())
	case 7: // SSM
		r.EventSource, r.EventName = "ssm.amazonaws.com", g.pick("GetParameters", "PutParameter")
		p1, p2 := g.expect(SSMParameter, "/"+g.word()+"/"+g.word()+"/api-key"), g.expect(SSMParameter, "/"+g.word()+"/token-"+g.hex(4))
		if r.EventName == "GetParameters" {
			r.RequestParameters = mustJSON(obj{"names": []string{p1, p2}, "withDecryption": true})
			g.expect(ARN, "arn:aws:ssm:"+region+":"+acct+":document/AWS-RunShellScript")
			r.ResponseElements = mustJSON(obj{"documentArn": "arn:aws:ssm:" + region + ":" + acct + ":document/AWS-RunShellScript"})
		} else {
			delete(g.want, ke{SSMParameter, p2})
			r.RequestParameters = mustJSON(obj{"name": p1, "type": "SecureString", "keyId": g.expect(KMSKey, "alias/aws/ssm"),
				"overwrite": true, "tier": "Standard", "version": 3})
		}
	case 8: // Lambda
		r.EventSource, r.EventName = "lambda.amazonaws.com", "CreateFunction20150331"
		name := g.name()
		role := g.roleARN(acct)
		fn := g.expect(LambdaFunctionARN, "arn:aws:lambda:"+region+":"+acct+":function:"+name)
		r.RequestParameters = mustJSON(obj{"functionName": name, "role": role, "runtime": "python3.12",
			"handler": "index.handler", "kMSKeyArn": g.kmsARN(acct, region),
			"environment": obj{"variables": obj{"WEBHOOK": "https://hooks.example.com/" + g.hex(24)}}})
		r.ResponseElements = mustJSON(obj{"functionName": name, "functionArn": fn, "codeSha256": g.hex(43) + "=",
			"version": "$LATEST", "lastModified": "2026-11-21T10:20:30.000+0000", "codeSize": 123456789012})
	case 9: // security group ingress + error text
		r.EventSource, r.EventName = "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"
		r.RequestParameters = mustJSON(obj{"groupId": g.id("sg", SecurityGroupID), "vpcId": g.id("vpc", VPCID),
			"ipPermissions": obj{"items": []obj{{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
				"ipRanges": obj{"items": []obj{{"cidrIp": g.pick("0.0.0.0/0", "203.0.113.7/32", "10.0.0.0/8")}}}}}}})
		r.ErrorCode = "Client.UnauthorizedOperation"
		who := r.UserIdentityARN
		if who == "" {
			who = g.userARN(acct)
		}
		r.ErrorMessage = "You are not authorized to perform this operation. User: " + who +
			" is not authorized to perform: ec2:AuthorizeSecurityGroupIngress on resource: " +
			g.expect(ARN, "arn:aws:ec2:"+region+":"+acct+":security-group/"+g.id("sg", SecurityGroupID)) +
			". Encoded authorization failure message: " + g.hex(48) + " (build 2026.11.21, v1.2.3, took 1.08s)"
	case 10: // IAM policy with escaped ARNs, federation domain, SES
		r.EventSource, r.EventName = "iam.amazonaws.com", "PutRolePolicy"
		other := g.acct()
		trusted := g.roleARN(other)
		b := g.bucket()
		policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + trusted +
			`"},"Action":"s3:*","Resource":["arn:aws:s3:::` + b + `/*","` + g.expect(ARN, "arn:aws:s3:::"+b) + `"],` +
			`"Condition":{"StringEquals":{"aws:RequestTag/CostCenter":"` + g.digits(12) + `"}}}]}`
		r.RequestParameters = mustJSON(obj{"roleName": g.name(), "policyName": "inline", "policyDocument": policy})
		r.AdditionalEventData = mustJSON(obj{"domainName": g.expect(DomainName, "sso."+g.word()+".example.com"),
			"destination": obj{"toAddresses": []string{g.email()}}, "source": g.email(), "server": g.publicIP()})
	case 11: // decoy-only event plus a lonely account under ownerId
		r.EventSource, r.EventName = "ec2.amazonaws.com", "DescribeImages"
		r.RequestParameters = mustJSON(obj{"ownersSet": obj{"items": []obj{{"owner": "self"}}},
			"filterSet": obj{"items": []obj{{"name": "tag:Version", "valueSet": obj{"items": []obj{{"value": "2026.11.21"}, {"value": "1.2.3"}, {"value": "1.08"}}}}}},
			"extra":     g.decoys()})
		r.ResponseElements = mustJSON(obj{"imagesSet": obj{"items": []obj{{"imageId": g.id("ami", AMIID),
			"imageOwnerId": g.digits(12), "ownerId": json.Number(g.expect(AccountID, g.nzDigits(12))), "creationDate": "2026-11-21T10:20:30.000Z",
			"imageLocation": "amazon/al2023-ami-2023.6.20241121.0-kernel-6.1-x86_64", "kernelVersion": "6.1.115"}}}})
	}
	if r.ResponseElements == "" && g.r.IntN(2) == 0 {
		r.ResponseElements = mustJSON(obj{"requestId": g.uuid(), "_return": true, "meta": g.decoys()})
	}
}

// synthFlow returns VPC flow rows and their expected entities.
func synthFlow(seed uint64, n int) ([]schemas.VPCFlow, [][]ke) {
	g := newGen(seed)
	rows := make([]schemas.VPCFlow, n)
	want := make([][]ke, n)
	for i := range rows {
		g.want = map[ke]bool{}
		r := &rows[i]
		r.AccountID = g.acct()
		r.InterfaceID = g.id("eni", NetworkInterfaceID)
		r.SrcAddr = g.privateIP()
		r.DstAddr = g.publicIP()
		r.VPCID = g.id("vpc", VPCID)
		r.SubnetID = g.id("subnet", SubnetID)
		if g.r.IntN(2) == 0 {
			r.InstanceID = g.id("i", InstanceID)
		}
		if g.r.IntN(3) == 0 {
			r.PktSrcAddr = g.expect(IPAddress, "2600:1f18:a"+g.hex(3)+"::1")
		}
		r.Action = "ACCEPT"
		r.LogStatus = "OK"
		r.AZID = "use1-az" + g.digits(1)
		for k := range g.want {
			want[i] = append(want[i], k)
		}
	}
	return rows, want
}

// synthS3 returns S3 server access rows and their expected entities.
func synthS3(seed uint64, n int) ([]schemas.S3Access, [][]ke) {
	g := newGen(seed)
	rows := make([]schemas.S3Access, n)
	want := make([][]ke, n)
	for i := range rows {
		g.want = map[ke]bool{}
		r := &rows[i]
		r.BucketOwner = g.hex(64) // canonical user id: not an entity
		r.Bucket = g.bucket()
		r.RemoteIP = g.publicIP()
		acct := g.acct()
		r.Requester = g.userARN(acct)
		r.RequestID = strings.ToUpper(g.hex(16))
		r.Operation = "REST.GET.OBJECT"
		r.Key = g.expect(S3ObjectKey, "logs/"+g.word()+"/"+g.hex(8)+".gz")
		r.RequestURI = "GET /" + r.Key + " HTTP/1.1"
		r.UserAgent = g.expect(UserAgent, g.pick("aws-cli/2.15.30 Python/3.11.8", "S3Console/0.4, aws-internal/3", "curl/8.5.0"))
		r.HostID = g.hex(60)
		r.HostHeader = g.expect(DomainName, r.Bucket+".s3.us-east-1.amazonaws.com")
		for k := range g.want {
			want[i] = append(want[i], k)
		}
	}
	return rows, want
}
