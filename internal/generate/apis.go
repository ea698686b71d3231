package generate

import "strings"

// api is one CloudTrail event type with its per-kind call weights and
// generators for requestParameters/responseElements (append-style JSON).
type api struct {
	src    string // eventSource
	name   string // eventName
	ro     bool
	global bool   // recorded in us-east-1 whatever the caller's region
	by     string // for AWS-service calls: the invoking service ("" = any)
	w      [nKinds]float64
	req    func(b []byte, c *ectx) []byte
	resp   func(b []byte, c *ectx) []byte
	action string // IAM action, for AccessDenied messages
	host   string // TLS host header; "" = <svc>.<region>.amazonaws.com
}

// ectx is what a parameter generator may use: a per-event random value and
// the caller's context.
type ectx struct {
	r      uint64
	a      *Account
	region string
	p      *principal
	ms     int64
}

func (c *ectx) n(k int) int { c.r = mix(c.r); return int(c.r % uint64(k)) }

func raw(s string) func([]byte, *ectx) []byte {
	return func(b []byte, _ *ectx) []byte { return append(b, s...) }
}

func null(b []byte, _ *ectx) []byte { return append(b, "null"...) }

// appendJSONString appends s quoted; generator strings are ASCII without
// control characters, but quotes and backslashes are still escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' || ch == '\\':
			b = append(b, '\\', ch)
		case ch < 0x20:
			b = append(b, `\u00`...)
			b = append(b, hexdigits[ch>>4], hexdigits[ch&0xf])
		default:
			b = append(b, ch)
		}
	}
	return append(b, '"')
}

// kv appends "k":"v" (no comma handling: callers pass literal prefixes).
func obj1(k string, v func(c *ectx) string) func([]byte, *ectx) []byte {
	return func(b []byte, c *ectx) []byte {
		b = append(b, `{"`...)
		b = append(b, k...)
		b = append(b, `":`...)
		b = appendJSONString(b, v(c))
		return append(b, '}')
	}
}

func bucketOf(c *ectx) string { return c.a.buckets[c.n(len(c.a.buckets))] }
func funcOf(c *ectx) string   { return c.a.funcs[c.n(len(c.a.funcs))] }
func secretOf(c *ectx) string { return c.a.secrets[c.n(len(c.a.secrets))] }
func roleOf(c *ectx) string   { return c.a.roles[c.n(len(c.a.roles))] }
func instanceOf(c *ectx) string {
	v := c.a.vpcs[c.a.Regions[0]]
	return v.enis[c.n(len(v.enis))].instance
}

func wt(hum, ci, svc, lam, ec2, usr, aws float64) [nKinds]float64 {
	return [nKinds]float64{kHuman: hum, kCI: ci, kService: svc, kLambda: lam, kEC2: ec2, kIAMUser: usr, kAWSService: aws, kBreakGlass: 0.0001}
}

// catalogue returns the API table. Index order is part of the output format
// (it drives random choices), so append new APIs at the end.
func catalogue() []api {
	apis := []api{
		{src: "ec2.amazonaws.com", name: "DescribeInstances", ro: true, w: wt(8, 3, 0, 1, 2, 2, 3), req: raw(`{"instancesSet":{},"filterSet":{}}`), resp: null},
		{src: "ec2.amazonaws.com", name: "DescribeSecurityGroups", ro: true, w: wt(4, 3, 0, 0, 0, 0, 2), req: raw(`{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}`), resp: null},
		{src: "ec2.amazonaws.com", name: "DescribeVpcs", ro: true, w: wt(2, 2, 0, 0, 0, 0, 1), req: raw(`{"vpcSet":{},"filterSet":{}}`), resp: null},
		{src: "ec2.amazonaws.com", name: "DescribeSubnets", ro: true, w: wt(1, 2, 0, 0, 0, 0, 1), req: raw(`{"subnetSet":{},"filterSet":{}}`), resp: null},
		{src: "ec2.amazonaws.com", name: "DescribeNetworkInterfaces", ro: true, w: wt(1, 1, 0, 0, 0, 0, 2), by: "config.amazonaws.com", req: raw(`{"networkInterfaceIdSet":{},"filterSet":{}}`), resp: null},
		{src: "ec2.amazonaws.com", name: "DescribeVolumes", ro: true, w: wt(1, 1, 0, 0, 0, 0, 1), req: raw(`{"volumeSet":{},"filterSet":{}}`), resp: null},
		{src: "s3.amazonaws.com", name: "ListBuckets", ro: true, global: true, w: wt(5, 1, 0, 0, 0, 1, 0), host: "s3.amazonaws.com", req: raw(`{"Host":"s3.amazonaws.com"}`), resp: null},
		{src: "s3.amazonaws.com", name: "GetBucketLocation", ro: true, w: wt(3, 2, 1, 1, 0, 1, 0), req: func(b []byte, c *ectx) []byte {
			bk := bucketOf(c)
			b = append(b, `{"bucketName":"`...)
			b = append(b, bk...)
			b = append(b, `","Host":"`...)
			b = append(b, bk...)
			b = append(b, `.s3.amazonaws.com","location":""}`...)
			return b
		}, resp: null},
		{src: "s3.amazonaws.com", name: "GetBucketAcl", ro: true, w: wt(1, 0, 0, 0, 0, 0, 2), by: "config.amazonaws.com", req: func(b []byte, c *ectx) []byte {
			bk := bucketOf(c)
			b = append(b, `{"bucketName":"`...)
			b = append(b, bk...)
			b = append(b, `","Host":"`...)
			b = append(b, bk...)
			b = append(b, `.s3.amazonaws.com","acl":""}`...)
			return b
		}, resp: null},
		{src: "iam.amazonaws.com", name: "ListRoles", ro: true, global: true, w: wt(2, 1, 0, 0, 0, 0, 1), req: raw(`{"maxItems":1000}`), resp: null},
		{src: "iam.amazonaws.com", name: "GetRole", ro: true, global: true, w: wt(2, 4, 0, 0, 0, 0, 1), req: obj1("roleName", roleOf), resp: null},
		{src: "iam.amazonaws.com", name: "ListAttachedRolePolicies", ro: true, global: true, w: wt(1, 2, 0, 0, 0, 0, 0), req: obj1("roleName", roleOf), resp: null},
		{src: "iam.amazonaws.com", name: "GetPolicyVersion", ro: true, global: true, w: wt(0.5, 2, 0, 0, 0, 0, 0), req: raw(`{"policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess","versionId":"v112"}`), resp: null},
		{src: "sts.amazonaws.com", name: "GetCallerIdentity", ro: true, w: wt(3, 4, 1, 1, 1, 2, 0), req: null, resp: null},
		{src: "sts.amazonaws.com", name: "AssumeRole", ro: true, w: wt(0, 3, 1, 0.5, 0.5, 0, 0), req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"roleArn":"arn:aws:iam::`...)
			b = append(b, c.a.ID...)
			b = append(b, `:role/`...)
			b = append(b, roleOf(c)...)
			b = append(b, `","roleSessionName":"`...)
			b = appendHex(b, c.r, 16)
			return append(b, `","durationSeconds":3600}`...)
		}, resp: func(b []byte, c *ectx) []byte {
			b = append(b, `{"credentials":{"accessKeyId":"`...)
			b = appendB32(append(b, "ASIA"...), mix(c.r^0x77), 16)
			b = append(b, `","sessionToken":"IQoJb3JpZ2luX2VjE`...)
			b = appendB32(b, mix(c.r^0x78), 24)
			b = append(b, `","expiration":"`...)
			b = appendTime(b, c.ms+3_600_000, "Jan 2, 2006, 3:04:05 PM")
			b = append(b, `"},"assumedRoleUser":{"assumedRoleId":"`...)
			b = appendB32(append(b, "AROA"...), mix(c.r^0x79), 17)
			b = append(b, ':')
			b = appendHex(b, c.r, 16)
			b = append(b, `","arn":"arn:aws:sts::`...)
			b = append(b, c.a.ID...)
			b = append(b, `:assumed-role/`...)
			b = append(b, roleOf(c)...)
			b = append(b, '/')
			b = appendHex(b, c.r, 16)
			return append(b, `"}}`...)
		}},
		{src: "lambda.amazonaws.com", name: "ListFunctions20150331", ro: true, w: wt(2, 1, 0, 0, 0, 0, 0), req: null, resp: null},
		{src: "lambda.amazonaws.com", name: "GetFunction20150331v2", ro: true, w: wt(1, 3, 0, 0, 0, 0, 0), req: obj1("functionName", funcOf), resp: null},
		{src: "lambda.amazonaws.com", name: "UpdateFunctionCode20150331v2", w: wt(0.05, 2, 0, 0, 0, 0, 0), req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"functionName":"`...)
			b = append(b, funcOf(c)...)
			b = append(b, `","s3Bucket":"`...)
			b = append(b, c.a.buckets[1]...)
			b = append(b, `","s3Key":"builds/`...)
			b = appendHex(b, c.r, 40)
			return append(b, `.zip","publish":true,"dryRun":false}`...)
		}, resp: null},
		{src: "kms.amazonaws.com", name: "Decrypt", ro: true, w: wt(0.2, 1, 10, 6, 4, 1, 0), req: raw(`{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"redacted"}}`), resp: null},
		{src: "kms.amazonaws.com", name: "GenerateDataKey", ro: true, w: wt(0, 0.5, 6, 2, 3, 1, 0), req: raw(`{"keySpec":"AES_256","encryptionContext":{"aws:s3:arn":"redacted"}}`), resp: null},
		{src: "secretsmanager.amazonaws.com", name: "GetSecretValue", ro: true, w: wt(0.2, 0.5, 3, 3, 1, 0, 0), req: obj1("secretId", secretOf), resp: null},
		{src: "ssm.amazonaws.com", name: "GetParameter", ro: true, w: wt(0.5, 2, 3, 2, 2, 0, 0), req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"name":"/`...)
			b = append(b, c.a.Type...)
			b = append(b, '/')
			b = append(b, appNames[c.n(len(appNames))]...)
			return append(b, `/config","withDecryption":false}`...)
		}, resp: null},
		{src: "dynamodb.amazonaws.com", name: "DescribeTable", ro: true, w: wt(1, 1, 2, 2, 0, 0, 0), req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"tableName":"`...)
			b = append(b, appNames[c.n(len(appNames))]...)
			return append(b, `-table"}`...)
		}, resp: null},
		{src: "logs.amazonaws.com", name: "CreateLogStream", w: wt(0, 0, 1, 2, 1, 0, 0), req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"logGroupName":"/aws/lambda/`...)
			b = append(b, funcOf(c)...)
			b = append(b, `","logStreamName":"`...)
			b = appendTime(b, c.ms, "2006/01/02")
			b = append(b, `/[$LATEST]`...)
			b = appendHex(b, c.r, 32)
			return append(b, `"}`...)
		}, resp: null},
		{src: "ecr.amazonaws.com", name: "GetAuthorizationToken", ro: true, w: wt(0.2, 3, 1, 0, 1, 0, 0), req: null, resp: null},
		{src: "ecs.amazonaws.com", name: "DescribeServices", ro: true, w: wt(1, 3, 0, 0, 0, 0, 0), req: raw(`{"cluster":"main","services":["web"]}`), resp: null},
		{src: "ecs.amazonaws.com", name: "RegisterTaskDefinition", w: wt(0, 1, 0, 0, 0, 0, 0), req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"family":"`...)
			b = append(b, appNames[c.n(len(appNames))]...)
			b = append(b, `","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"512","memory":"1024","containerDefinitions":[{"name":"app","image":"`...)
			b = append(b, c.a.ID...)
			b = append(b, `.dkr.ecr.us-east-1.amazonaws.com/app:`...)
			b = appendHex(b, c.r, 12)
			return append(b, `","essential":true}]}`...)
		}, resp: null},
		{src: "ecs.amazonaws.com", name: "UpdateService", w: wt(0, 1, 0, 0, 0, 0, 0), req: raw(`{"cluster":"main","service":"web","forceNewDeployment":false}`), resp: null},
		{src: "cloudformation.amazonaws.com", name: "DescribeStacks", ro: true, w: wt(1, 4, 0, 0, 0, 0, 0), req: null, resp: null},
		{src: "cloudformation.amazonaws.com", name: "CreateChangeSet", w: wt(0, 0.7, 0, 0, 0, 0, 0), req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"stackName":"`...)
			b = append(b, appNames[c.n(len(appNames))]...)
			b = append(b, `-stack","changeSetName":"terraform-`...)
			b = appendHex(b, c.r, 8)
			return append(b, `","changeSetType":"UPDATE","capabilities":["CAPABILITY_IAM"]}`...)
		}, resp: null},
		{src: "cloudtrail.amazonaws.com", name: "DescribeTrails", ro: true, w: wt(0.3, 0.2, 0, 0, 0, 0, 1), by: "config.amazonaws.com", req: raw(`{"includeShadowTrails":false}`), resp: null},
		{src: "cloudtrail.amazonaws.com", name: "LookupEvents", ro: true, w: wt(0.3, 0, 0, 0, 0, 0, 0), req: raw(`{"maxResults":50}`), resp: null},
		{src: "guardduty.amazonaws.com", name: "ListDetectors", ro: true, w: wt(0.2, 0, 0, 0, 0, 0, 0), req: null, resp: null},
		{src: "ec2.amazonaws.com", name: "CreateTags", w: wt(0.5, 1, 0, 0, 0, 0, 1), by: "autoscaling.amazonaws.com", req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"resourcesSet":{"items":[{"resourceId":"`...)
			b = append(b, instanceOf(c)...)
			return append(b, `"}]},"tagSet":{"items":[{"key":"team","value":"platform"}]}}`...)
		}, resp: raw(`{"_return":true}`)},
		{src: "ec2.amazonaws.com", name: "RunInstances", w: wt(0.1, 0.3, 0, 0, 0, 0, 0.3), by: "autoscaling.amazonaws.com", req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"instancesSet":{"items":[{"imageId":"ami-`...)
			b = appendHex(b, c.r, 17)
			b = append(b, `","minCount":1,"maxCount":1}]},"instanceType":"`...)
			b = append(b, []string{"t3.medium", "m6i.large", "c6i.xlarge", "t3.small"}[c.n(4)]...)
			return append(b, `","monitoring":{"enabled":false},"disableApiTermination":false}`...)
		}, resp: func(b []byte, c *ectx) []byte {
			b = append(b, `{"requestId":"`...)
			b = appendUUID(b, c.r^0x11)
			b = append(b, `","reservationId":"r-`...)
			b = appendHex(b, c.r^0x12, 17)
			b = append(b, `","ownerId":"`...)
			b = append(b, c.a.ID...)
			return append(b, `","instancesSet":{"items":[{"instanceState":{"code":0,"name":"pending"}}]}}`...)
		}},
		{src: "ec2.amazonaws.com", name: "TerminateInstances", w: wt(0.05, 0.2, 0, 0, 0, 0, 0.2), by: "autoscaling.amazonaws.com", req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"instancesSet":{"items":[{"instanceId":"i-`...)
			b = appendHex(b, c.r, 17)
			return append(b, `"}]}}`...)
		}, resp: null},
		{src: "elasticloadbalancing.amazonaws.com", name: "DescribeTargetHealth", ro: true, w: wt(0.3, 1, 0, 0, 0, 0, 2), by: "elasticloadbalancing.amazonaws.com", req: raw(`{"targetGroupArn":"redacted"}`), resp: null},
		{src: "signin.amazonaws.com", name: "ConsoleLogin", global: true, w: wt(0.15, 0, 0, 0, 0, 0, 0), host: "signin.aws.amazon.com", req: null, resp: raw(`{"ConsoleLogin":"Success"}`)},
		{src: "s3.amazonaws.com", name: "PutObject", w: wt(0, 0, 0, 0, 0, 0, 1), by: "cloudtrail.amazonaws.com", req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"bucketName":"`...)
			b = append(b, c.a.buckets[2]...)
			b = append(b, `","key":"digest/`...)
			b = appendHex(b, c.r, 16)
			return append(b, `.json.gz","x-amz-acl":"bucket-owner-full-control"}`...)
		}, resp: null},
		{src: "sts.amazonaws.com", name: "AssumeRole", ro: true, by: "cross-account", req: func(b []byte, c *ectx) []byte {
			b = append(b, `{"roleArn":"arn:aws:iam::`...)
			b = append(b, c.a.ID...)
			b = append(b, `:role/deploy-from-shared","roleSessionName":"GitHubActions-`...)
			b = appendHex(b, c.r, 10)
			return append(b, `","durationSeconds":3600}`...)
		}, resp: func(b []byte, c *ectx) []byte {
			b = append(b, `{"credentials":{"accessKeyId":"`...)
			b = appendB32(append(b, "ASIA"...), mix(c.r^0x77), 16)
			b = append(b, `","expiration":"`...)
			b = appendTime(b, c.ms+3_600_000, "Jan 2, 2006, 3:04:05 PM")
			b = append(b, `"},"assumedRoleUser":{"arn":"arn:aws:sts::`...)
			b = append(b, c.a.ID...)
			b = append(b, `:assumed-role/deploy-from-shared/GitHubActions-`...)
			b = appendHex(b, c.r, 10)
			return append(b, `"}}`...)
		}},
	}
	for i := range apis {
		a := &apis[i]
		svc := strings.TrimSuffix(a.src, ".amazonaws.com")
		name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(a.name, "20150331"), "20150331v2"), "v2")
		if strings.HasSuffix(a.name, "20150331v2") {
			name = strings.TrimSuffix(a.name, "20150331v2")
		}
		a.action = svc + ":" + name
		if a.name == "ListFunctions20150331" {
			a.action = "lambda:ListFunctions"
		}
	}
	return apis
}
