package generate

import (
	"fmt"
	"strconv"
)

type scenarioDef struct {
	id, technique, desc string
	slow                bool
	hours               int // upper bound of the duration, for placement
	hour                int // fixed UTC start hour, -1 = random
	weekday             int // first matching weekday from the chosen day, -1 = any
	prod                bool
	build               func(s *sb)
}

// ScenarioIDs lists the attack scenario ids in catalogue order.
func ScenarioIDs() []string {
	var ids []string
	for _, d := range scenarioDefs() {
		ids = append(ids, d.id)
	}
	return ids
}

// ScenarioTechnique returns the ATT&CK technique id of an attack scenario.
func ScenarioTechnique(id string) string {
	for _, d := range scenarioDefs() {
		if d.id == id {
			return d.technique
		}
	}
	return ""
}

const adminPolicy = `{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}`

func def(id, tech, desc string, hours int, build func(s *sb)) scenarioDef {
	return scenarioDef{id: id, technique: tech, desc: desc, hours: hours, hour: -1, weekday: -1, build: build}
}

func slow(d scenarioDef) scenarioDef   { d.slow = true; return d }
func inProd(d scenarioDef) scenarioDef { d.prod = true; return d }

func scenarioDefs() []scenarioDef {
	return []scenarioDef{
		inProd(def("compromised-key-recon", "T1078.004", "leaked long-term access key of a legacy IAM user used from a new IP/ASN: recon burst with many AccessDenied", 1, func(s *sb) {
			u := s.leaked(s.first(s.a, kIAMUser), 0)
			s.as(u, u.fixKey, s.attackerIP(0), attackerUAs[0])
			iam := "iam.amazonaws.com"
			s.call("sts.amazonaws.com", "GetCallerIdentity", true, "", "")
			for i := 0; i < 3; i++ {
				s.call(iam, "ListUsers", true, `{"maxItems":100}`, "")
				s.denied(iam, "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails", "*")
				s.call(iam, "ListRoles", true, `{"maxItems":100}`, "")
				s.denied(iam, "ListAttachedUserPolicies", "iam:ListAttachedUserPolicies", "arn:aws:iam::"+s.a.ID+":user/"+u.name)
				s.denied(iam, "ListGroups", "iam:ListGroups", "arn:aws:iam::"+s.a.ID+":group/")
				s.denied("secretsmanager.amazonaws.com", "ListSecrets", "secretsmanager:ListSecrets", "*")
				s.call("s3.amazonaws.com", "ListBuckets", true, `{"Host":"s3.amazonaws.com"}`, "")
				s.denied("ec2.amazonaws.com", "DescribeInstances", "ec2:DescribeInstances", "*")
			}
		})),
		def("privesc-create-policy-version", "T1098.003", "new default version of a customer managed policy granting *:*", 1, func(s *sb) {
			u := s.leaked(s.first(s.a, kIAMUser), 0)
			s.as(u, u.fixKey, s.attackerIP(0), attackerUAs[1])
			pol := "arn:aws:iam::" + s.a.ID + ":policy/" + u.name + "-policy"
			s.call("iam.amazonaws.com", "ListAttachedUserPolicies", true, `{"userName":"`+u.name+`"}`, "")
			s.call("iam.amazonaws.com", "GetPolicy", true, `{"policyArn":"`+pol+`"}`, "")
			s.call("iam.amazonaws.com", "CreatePolicyVersion", false, `{"policyArn":"`+pol+`","policyDocument":"`+adminPolicy+`","setAsDefault":true}`,
				`{"policyVersion":{"versionId":"v2","isDefaultVersion":true,"createDate":"`+isoMs(s.t)+`"}}`)
			s.call("iam.amazonaws.com", "ListUsers", true, `{"maxItems":100}`, "")
		}),
		inProd(def("privesc-attach-admin-policy", "T1098.003", "AttachUserPolicy AdministratorAccess to the compromised user", 1, func(s *sb) {
			u := s.leaked(s.nth(s.a, kIAMUser, 1), 1)
			s.as(u, u.fixKey, s.attackerIP(0), attackerUAs[0])
			s.denied("iam.amazonaws.com", "ListAttachedUserPolicies", "iam:ListAttachedUserPolicies", "arn:aws:iam::"+s.a.ID+":user/"+u.name)
			s.call("iam.amazonaws.com", "AttachUserPolicy", false, `{"userName":"`+u.name+`","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`, "")
			s.call("iam.amazonaws.com", "ListAttachedUserPolicies", true, `{"userName":"`+u.name+`"}`, "")
		})),
		def("privesc-passrole-lambda", "T1648", "PassRole of an admin role to a new Lambda function (CreateFunction) from a hijacked developer session", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kHuman), 0)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			role := "arn:aws:iam::" + s.a.ID + ":role/" + s.a.roles[0]
			s.call("iam.amazonaws.com", "ListRoles", true, `{"maxItems":1000}`, "")
			s.call("lambda.amazonaws.com", "CreateFunction20150331", false,
				`{"functionName":"sys-maint-`+hexString(s.r.Uint64(), 6)+`","runtime":"python3.12","role":"`+role+`","handler":"index.handler","code":{},"publish":true}`,
				`{"functionName":"sys-maint","runtime":"python3.12","role":"`+role+`","state":"Pending"}`)
			s.call("lambda.amazonaws.com", "AddPermission20150331v2", false, `{"functionName":"sys-maint","statementId":"1","action":"lambda:InvokeFunction","principal":"*"}`, "")
		}),
		def("privesc-update-assume-role-policy", "T1098.003", "UpdateAssumeRolePolicy trusting an external account", 1, func(s *sb) {
			u := s.leaked(s.first(s.a, kIAMUser), 2)
			s.as(u, u.fixKey, s.attackerIP(1), attackerUAs[2])
			ext := externalAccount(s.r)
			s.call("iam.amazonaws.com", "GetRole", true, `{"roleName":"`+s.a.roles[1]+`"}`, "")
			s.call("iam.amazonaws.com", "UpdateAssumeRolePolicy", false, `{"roleName":"`+s.a.roles[1]+`","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::`+ext+`:root\"},\"Action\":\"sts:AssumeRole\"}]}"}`, "")
		}),
		inProd(def("persist-access-key-other-user", "T1098.001", "CreateAccessKey for another IAM user, then use of the new key", 2, func(s *sb) {
			u := s.leaked(s.first(s.a, kIAMUser), 0)
			s.as(u, u.fixKey, s.attackerIP(0), attackerUAs[1])
			victim := s.first(s.a, kBreakGlass)
			newKey := s.attackerKey("AKIA", 5)
			s.call("iam.amazonaws.com", "ListAccessKeys", true, `{"userName":"`+victim.name+`"}`, "")
			s.call("iam.amazonaws.com", "CreateAccessKey", false, `{"userName":"`+victim.name+`"}`,
				`{"accessKey":{"userName":"`+victim.name+`","accessKeyId":"`+newKey+`","status":"Active","createDate":"`+isoMs(s.t)+`"}}`)
			s.step(600, 3000)
			v := *victim
			v.fixKey = newKey
			s.as(&v, newKey, s.attackerIP(1), attackerUAs[2])
			s.call("sts.amazonaws.com", "GetCallerIdentity", true, "", "")
			s.call("iam.amazonaws.com", "ListUsers", true, "", "")
		})),
		def("persist-login-profile", "T1098", "CreateLoginProfile for a programmatic user, then console sign-in without MFA", 2, func(s *sb) {
			u := s.leaked(s.first(s.a, kIAMUser), 0)
			s.as(u, u.fixKey, s.attackerIP(0), attackerUAs[0])
			s.call("iam.amazonaws.com", "CreateLoginProfile", false, `{"userName":"`+u.name+`","passwordResetRequired":false}`,
				`{"loginProfile":{"userName":"`+u.name+`","createDate":"`+isoMs(s.t)+`","passwordResetRequired":false}}`)
			s.step(300, 1800)
			s.as(u, "", s.attackerIP(0), uaConsole[1])
			s.login(false)
			s.as(u, s.attackerKey("ASIA", 1), s.attackerIP(0), uaConsole[1])
			s.call("iam.amazonaws.com", "ListUsers", true, "", "")
		}),
		def("persist-create-admin-user", "T1136.003", "new IAM user with AdministratorAccess and an access key", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kHuman), 0)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			name := "svc-backup-" + hexString(s.r.Uint64(), 4)
			nu := s.newUser(s.a, name, 3)
			s.call("iam.amazonaws.com", "CreateUser", false, `{"userName":"`+name+`"}`, `{"user":{"path":"/","userName":"`+name+`","arn":"`+nu.arn+`"}}`)
			s.call("iam.amazonaws.com", "AttachUserPolicy", false, `{"userName":"`+name+`","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`, "")
			s.call("iam.amazonaws.com", "CreateAccessKey", false, `{"userName":"`+name+`"}`,
				`{"accessKey":{"userName":"`+name+`","accessKeyId":"`+nu.fixKey+`","status":"Active","createDate":"`+isoMs(s.t)+`"}}`)
			s.step(60, 600)
			s.as(nu, nu.fixKey, s.attackerIP(1), attackerUAs[2])
			s.call("sts.amazonaws.com", "GetCallerIdentity", true, "", "")
		}),
		inProd(def("evasion-cloudtrail-stop", "T1562.008", "StopLogging on the organisation trail", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kCI), 0)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			s.call("cloudtrail.amazonaws.com", "DescribeTrails", true, `{"includeShadowTrails":false}`, "")
			s.call("cloudtrail.amazonaws.com", "GetTrailStatus", true, `{"name":"`+s.a.trailArn+`"}`, "")
			s.call("cloudtrail.amazonaws.com", "StopLogging", false, `{"name":"`+s.a.trailArn+`"}`, "")
		})),
		def("evasion-cloudtrail-delete", "T1562.008", "DeleteTrail", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kCI), 1)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[3])
			s.call("cloudtrail.amazonaws.com", "DescribeTrails", true, `{"includeShadowTrails":false}`, "")
			s.call("cloudtrail.amazonaws.com", "DeleteTrail", false, `{"name":"`+s.a.trailArn+`"}`, "")
		}),
		def("evasion-event-selectors", "T1562.008", "PutEventSelectors dropping management events", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kCI), 2)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			s.call("cloudtrail.amazonaws.com", "GetEventSelectors", true, `{"trailName":"`+s.a.trailArn+`"}`, "")
			s.call("cloudtrail.amazonaws.com", "PutEventSelectors", false, `{"trailName":"`+s.a.trailArn+`","eventSelectors":[{"readWriteType":"ReadOnly","includeManagementEvents":false,"dataResources":[],"excludeManagementEventSources":[]}]}`, `{"trailARN":"`+s.a.trailArn+`"}`)
		}),
		def("evasion-delete-flow-logs", "T1562.008", "DeleteFlowLogs on the VPC", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kEC2), 0)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[2])
			fl := s.a.vpcs[s.region].flowLogID
			s.call("ec2.amazonaws.com", "DescribeFlowLogs", true, `{"DescribeFlowLogsRequest":""}`, "")
			s.call("ec2.amazonaws.com", "DeleteFlowLogs", false, `{"DeleteFlowLogsRequest":{"FlowLogId":{"tag":1,"content":"`+fl+`"}}}`, `{"DeleteFlowLogsResponse":{"xmlns":"http://ec2.amazonaws.com/doc/2016-11-15/","requestId":"`+uuidString(s.r.Uint64())+`","unsuccessful":""}}`)
		}),
		inProd(def("evasion-guardduty-delete", "T1562.001", "GuardDuty DeleteDetector", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kHuman), 1)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			s.call("guardduty.amazonaws.com", "ListDetectors", true, "", "")
			s.call("guardduty.amazonaws.com", "DeleteDetector", false, `{"detectorId":"`+s.a.detector+`"}`, "")
		})),
		def("evasion-trail-bucket-lifecycle", "T1070", "1-day expiration lifecycle on the trail bucket", 1, func(s *sb) {
			u := s.leaked(s.first(s.a, kIAMUser), 4)
			s.as(u, u.fixKey, s.attackerIP(2), attackerUAs[0])
			b := s.a.buckets[2]
			s.call("s3.amazonaws.com", "PutBucketLifecycle", false, `{"bucketName":"`+b+`","Host":"`+b+`.s3.amazonaws.com","lifecycle":"","LifecycleConfiguration":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","Rule":{"ID":"cleanup","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Days":1}}}}`, "")
		}),
		inProd(def("cred-secrets-burst", "T1555.006", "ListSecrets then GetSecretValue of every secret within minutes", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kLambda), 0)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			s.call("secretsmanager.amazonaws.com", "ListSecrets", true, "", "")
			for i := 0; i < 3; i++ {
				for _, sec := range s.a.secrets {
					if s.r.IntN(4) == 0 {
						s.denied("secretsmanager.amazonaws.com", "GetSecretValue", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:"+s.region+":"+s.a.ID+":secret:"+sec)
					} else {
						s.call("secretsmanager.amazonaws.com", "GetSecretValue", true, `{"secretId":"`+sec+`"}`, "")
					}
				}
			}
		})),
		def("cred-ec2-password-data", "T1552", "GetPasswordData on many instances, mostly denied", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kEC2), 1)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[2])
			for _, e := range s.a.vpcs[s.region].enis {
				if s.r.IntN(3) == 0 {
					s.call("ec2.amazonaws.com", "GetPasswordData", true, `{"instanceId":"`+e.instance+`"}`, "")
				} else {
					s.denied("ec2.amazonaws.com", "GetPasswordData", "ec2:GetPasswordData", "arn:aws:ec2:"+s.region+":"+s.a.ID+":instance/*")
				}
			}
		}),
		def("cred-ssm-decrypt", "T1552", "SSM GetParameters with decryption over many SecureString parameters", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kService), 0)
			s.as(p, p.fixKey, s.attackerIP(1), attackerUAs[1])
			s.call("ssm.amazonaws.com", "DescribeParameters", true, `{"maxResults":50}`, "")
			for i, app := range appNames {
				s.call("ssm.amazonaws.com", "GetParameters", true, fmt.Sprintf(`{"names":["/%s/%s/api-key","/%s/%s/db-password"],"withDecryption":true}`, s.a.Type, app, s.a.Type, app), "")
				if i > 8 {
					break
				}
			}
		}),
		inProd(def("exfil-s3-volume", "T1530", "S3 GetObject volume spike by a new principal from a new IP (server access logs)", 1, func(s *sb) {
			p := s.hijacked(s.nth(s.a, kService, 1), 2)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			s.call("s3.amazonaws.com", "ListBuckets", true, `{"Host":"s3.amazonaws.com"}`, "")
			s.burst = false
			for i := 0; i < 400; i++ {
				s.step(1, 4)
				s.s3get(s.a.buckets[0], fmt.Sprintf("exports/customers/part-%05d.csv.gz", i), 5_000_000+s.r.Int64N(40_000_000))
			}
		})),
		def("exfil-public-bucket-policy", "T1530", "public PutBucketPolicy (Principal *) after removing the public access block", 1, func(s *sb) {
			u := s.leaked(s.first(s.a, kIAMUser), 0)
			s.as(u, u.fixKey, s.attackerIP(0), attackerUAs[0])
			b := s.a.buckets[0]
			s.call("s3.amazonaws.com", "DeleteBucketPublicAccessBlock", false, `{"bucketName":"`+b+`","Host":"`+b+`.s3.amazonaws.com","publicAccessBlock":""}`, "")
			s.call("s3.amazonaws.com", "PutBucketPolicy", false, `{"bucketName":"`+b+`","Host":"`+b+`.s3.amazonaws.com","policy":"","bucketPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::`+b+`/*"}]}}`, "")
		}),
		inProd(def("exfil-snapshot-share", "T1537", "EBS snapshot shared with an external account", 1, func(s *sb) {
			p := s.hijacked(s.first(s.a, kHuman), 2)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[2])
			snap := resID("snap", s.r.Uint64())
			s.call("ec2.amazonaws.com", "CreateSnapshot", false, `{"volumeId":"`+resID("vol", s.r.Uint64())+`","description":"backup"}`, `{"snapshotId":"`+snap+`","status":"pending"}`)
			s.step(300, 900)
			s.call("ec2.amazonaws.com", "ModifySnapshotAttribute", false, `{"snapshotId":"`+snap+`","createVolumePermission":{"add":{"items":[{"userId":"`+externalAccount(s.r)+`"}]}},"attributeType":"CREATE_VOLUME_PERMISSION"}`, `{"_return":true}`)
		})),
		inProd(def("exfil-vpc-bytes-out", "T1048", "VPC flow bytes-out spike from one instance to a new external IP", 1, func(s *sb) {
			e := s.a.vpcs[s.region].enis[1]
			s.l.Principals = addUniq(s.l.Principals, "arn:aws:ec2:"+s.region+":"+s.a.ID+":instance/"+e.instance)
			dst := s.attackerIP(0)
			for i := 0; i < 40; i++ {
				s.step(30, 60)
				s.flow(1, dst, 443, 80_000_000+s.r.Int64N(120_000_000))
			}
		})),
		def("lateral-cross-account-assume-role", "T1078.004", "AssumeRole chain from a hijacked CI session into other accounts", 2, func(s *sb) {
			p := s.hijacked(s.first(s.a, kCI), 3)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			accts := s.g.org.accounts
			for hop := 1; hop <= 2 && hop <= len(accts); hop++ {
				to := accts[(s.a.idx+hop)%len(accts)]
				sess := "OrganizationAccountAccessRole"
				nr := s.newRole(to, sess, "maint-"+strconv.Itoa(hop), 10+hop)
				s.a, s.region = to, to.Regions[0] // logged in the role owner's account
				s.call("sts.amazonaws.com", "AssumeRole", true, `{"roleArn":"arn:aws:iam::`+to.ID+`:role/`+sess+`","roleSessionName":"maint-`+strconv.Itoa(hop)+`"}`,
					`{"credentials":{"accessKeyId":"`+nr.fixKey+`","expiration":"`+isoMs(s.t+3_600_000)+`"}}`)
				s.as(nr, nr.fixKey, s.ip, s.ua)
				s.call("iam.amazonaws.com", "ListRoles", true, "", "")
				s.call("ec2.amazonaws.com", "DescribeInstances", true, `{"instancesSet":{},"filterSet":{}}`, "")
				s.step(120, 900)
			}
		}),
		def("discovery-all-regions", "T1580", "describe calls in every region within minutes", 1, func(s *sb) {
			u := s.leaked(s.first(s.a, kIAMUser), 6)
			s.as(u, u.fixKey, s.attackerIP(0), attackerUAs[1])
			for _, reg := range allRegions {
				s.region = reg
				s.call("ec2.amazonaws.com", "DescribeInstances", true, `{"instancesSet":{},"filterSet":{}}`, "")
				s.call("ec2.amazonaws.com", "DescribeSecurityGroups", true, `{"securityGroupSet":{},"filterSet":{}}`, "")
				s.call("lambda.amazonaws.com", "ListFunctions20150331", true, "", "")
			}
		}),
		def("cryptomining-unused-regions", "T1496", "RunInstances of GPU instance types in regions the organisation never uses", 2, func(s *sb) {
			p := s.hijacked(s.first(s.a, kCI), 4)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[2])
			for i, reg := range unusedRegions[:3] {
				s.region = reg
				for j, typ := range []string{"p3.16xlarge", "g4dn.12xlarge", "c5.24xlarge"} {
					req := `{"instancesSet":{"items":[{"imageId":"ami-` + hexString(s.r.Uint64(), 17) + `","minCount":10,"maxCount":10}]},"instanceType":"` + typ + `"}`
					if (i+j)%3 == 0 {
						s.emit("ec2.amazonaws.com", "RunInstances", false, req, "", "Client.VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to.")
					} else {
						s.call("ec2.amazonaws.com", "RunInstances", false, req, `{"reservationId":"r-`+hexString(s.r.Uint64(), 17)+`","ownerId":"`+s.a.ID+`"}`)
					}
				}
			}
		}),
		def("console-login-no-mfa-new-country", "T1078.004", "console sign-in without MFA from a new country, then browsing", 1, func(s *sb) {
			name := "ops-" + firstNames[s.r.IntN(len(firstNames))]
			u := userPrincipal(s.g.cfg.Seed, kIAMUser, s.a, name, s.r)
			u.fixKey = ""
			s.as(u, "", s.attackerIP(0), uaConsole[2])
			s.login(false)
			s.as(u, s.attackerKey("ASIA", 0), s.attackerIP(0), uaConsole[2])
			s.call("s3.amazonaws.com", "ListBuckets", true, `{"Host":"s3.amazonaws.com"}`, "")
			s.call("iam.amazonaws.com", "ListUsers", true, "", "")
			s.call("ec2.amazonaws.com", "DescribeInstances", true, `{"instancesSet":{},"filterSet":{}}`, "")
		}),
		inProd(def("root-account-usage", "T1078.004", "root console sign-in without MFA and root access key creation", 1, func(s *sb) {
			root := rootPrincipal(s.a)
			s.as(root, "", s.attackerIP(0), uaConsole[1])
			s.login(false)
			s.as(root, s.attackerKey("ASIA", 0), s.attackerIP(0), uaConsole[1])
			s.call("iam.amazonaws.com", "GetAccountSummary", true, "", "")
			s.call("iam.amazonaws.com", "CreateAccessKey", false, "", `{"accessKey":{"accessKeyId":"`+s.attackerKey("AKIA", 1)+`","status":"Active","createDate":"`+isoMs(s.t)+`"}}`)
		})),
		slow(inProd(def("slow-recon-leaked-key", "T1087.004", "slow-and-low: leaked key enumerating IAM one call every 15–45 minutes for ~14 hours from rotating IPs", 23, func(s *sb) {
			u := s.leaked(s.nth(s.a, kIAMUser, 1), 7)
			apis := []string{"ListUsers", "ListRoles", "ListPolicies", "ListGroups", "GetAccountAuthorizationDetails", "ListAccessKeys"}
			for i := 0; i < 30; i++ {
				s.as(u, u.fixKey, s.attackerIP(i%3), attackerUAs[1])
				name := apis[s.r.IntN(len(apis))]
				if s.r.IntN(3) == 0 {
					s.denied("iam.amazonaws.com", name, "iam:"+name, "*")
				} else {
					s.call("iam.amazonaws.com", name, true, "", "")
				}
				s.step(900, 2700)
			}
		}))),
		slow(def("slow-secrets-harvest", "T1555.006", "slow-and-low: one GetSecretValue every 30–60 minutes for ~16 hours with stolen service credentials", 20, func(s *sb) {
			p := s.hijacked(s.first(s.a, kService), 5)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[2])
			for i := 0; i < 20; i++ {
				sec := s.a.secrets[i%len(s.a.secrets)]
				s.call("secretsmanager.amazonaws.com", "GetSecretValue", true, `{"secretId":"`+sec+`"}`, "")
				s.step(1800, 3600)
			}
		})),
		slow(inProd(def("slow-s3-exfil", "T1530", "slow-and-low: about a dozen S3 GetObject per hour for ~15 hours from one new IP", 24, func(s *sb) {
			p := s.hijacked(s.first(s.a, kLambda), 6)
			s.as(p, p.fixKey, s.attackerIP(0), attackerUAs[1])
			for i := 0; i < 200; i++ {
				s.s3get(s.a.buckets[0], fmt.Sprintf("backups/db/%04d.dump", i), 1_000_000+s.r.Int64N(20_000_000))
				s.step(120, 420)
			}
		}))),
	}
}

var allRegions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1"}

// benignRareDefs are legitimate events that look unusual; a good detector
// does not flag them. They are labelled under "benign_rare".
func benignRareDefs() []scenarioDef {
	rare := func(id, desc string, hours, hour, weekday int, build func(s *sb)) scenarioDef {
		return scenarioDef{id: id, technique: "none", desc: desc, hours: hours, hour: hour, weekday: weekday, prod: true, build: build}
	}
	return []scenarioDef{
		rare("rare-new-employee", "a new employee's first SSO session: console sign-in and first-seen read APIs from the office", 3, 14, 2, func(s *sb) {
			office := s.first(s.a, kHuman).ips[0]
			p := rolePrincipal(s.g.cfg.Seed, kHuman, s.a, "AWSReservedSSO_ReadOnlyAccess_"+hexString(s.r.Uint64(), 16), "aws-reserved/sso.amazonaws.com/", "newhire.okoro@acme.example", s.r)
			p.fixKey, p.fixDate = accessKeyID("ASIA", h(uint64(s.g.cfg.Seed), streamKey, 0x4e1)), isoMs(s.t)
			s.as(p, "", office, uaConsole[1])
			s.login(false)
			s.as(p, p.fixKey, office, uaConsole[1])
			for _, n := range []string{"DescribeInstances", "DescribeVpcs", "DescribeSecurityGroups"} {
				s.call("ec2.amazonaws.com", n, true, `{"filterSet":{}}`, "")
				s.step(60, 600)
			}
			s.call("s3.amazonaws.com", "ListBuckets", true, `{"Host":"s3.amazonaws.com"}`, "")
			s.call("iam.amazonaws.com", "ListRoles", true, "", "")
		}),
		rare("rare-quarterly-key-rotation", "an administrator rotates a legacy user's access key from the office", 1, 15, 3, func(s *sb) {
			admin := s.first(s.a, kHuman)
			k, d := admin.key(s.g.cfg.Seed, s.t)
			s.as(admin, k, admin.ips[0], uaCLI[0])
			s.date = d
			u := s.first(s.a, kIAMUser)
			s.call("iam.amazonaws.com", "ListAccessKeys", true, `{"userName":"`+u.name+`"}`, "")
			s.call("iam.amazonaws.com", "CreateAccessKey", false, `{"userName":"`+u.name+`"}`, `{"accessKey":{"userName":"`+u.name+`","accessKeyId":"`+accessKeyID("AKIA", h(uint64(s.g.cfg.Seed), streamKey, 0x707))+`","status":"Active"}}`)
			s.call("iam.amazonaws.com", "UpdateAccessKey", false, `{"userName":"`+u.name+`","accessKeyId":"`+u.fixKey+`","status":"Inactive"}`, "")
		}),
		rare("rare-new-service-deploy", "the CI role deploys a brand-new service: new role, policy and function", 1, 14, 2, func(s *sb) {
			ci := s.first(s.a, kCI)
			k, _ := ci.key(s.g.cfg.Seed, s.t)
			s.as(ci, k, ci.ips[0], uaTF[0])
			_, s.date = ci.key(s.g.cfg.Seed, s.t)
			role := "recommendations-" + s.a.Type + "-role"
			s.call("iam.amazonaws.com", "CreateRole", false, `{"roleName":"`+role+`","assumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}`, "")
			s.call("iam.amazonaws.com", "PutRolePolicy", false, `{"roleName":"`+role+`","policyName":"dynamodb-read","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\",\"dynamodb:Query\"],\"Resource\":\"*\"}]}"}`, "")
			s.call("lambda.amazonaws.com", "CreateFunction20150331", false, `{"functionName":"recommendations-`+s.a.Type+`","runtime":"python3.12","role":"arn:aws:iam::`+s.a.ID+`:role/`+role+`","handler":"app.handler","code":{}}`, "")
			s.call("logs.amazonaws.com", "CreateLogGroup", false, `{"logGroupName":"/aws/lambda/recommendations-`+s.a.Type+`"}`, "")
		}),
		rare("rare-weekend-oncall", "an on-call engineer fixes an incident on a Saturday night from home", 2, 23, 6, func(s *sb) {
			p := s.nth(s.a, kHuman, 1)
			k, d := p.key(s.g.cfg.Seed, s.t)
			s.as(p, k, p.ips[len(p.ips)-1], uaCLI[0])
			s.date = d
			s.call("ec2.amazonaws.com", "DescribeInstances", true, `{"instancesSet":{},"filterSet":{}}`, "")
			s.call("ecs.amazonaws.com", "DescribeServices", true, `{"cluster":"main","services":["web"]}`, "")
			s.call("ecs.amazonaws.com", "UpdateService", false, `{"cluster":"main","service":"web","forceNewDeployment":true}`, "")
			s.call("ec2.amazonaws.com", "RebootInstances", false, `{"instancesSet":{"items":[{"instanceId":"`+s.a.vpcs[s.region].enis[0].instance+`"}]}}`, `{"_return":true}`)
		}),
		rare("rare-breakglass-drill", "quarterly break-glass drill: MFA console sign-in from the office and read-only checks", 1, 10, 4, func(s *sb) {
			bg := s.first(s.a, kBreakGlass)
			s.as(bg, "", bg.ips[0], uaConsole[1])
			s.login(true)
			s.as(bg, accessKeyID("ASIA", h(uint64(s.g.cfg.Seed), streamKey, 0xb9)), bg.ips[0], uaConsole[1])
			s.call("iam.amazonaws.com", "GetAccountSummary", true, "", "")
			s.call("iam.amazonaws.com", "ListUsers", true, "", "")
		}),
	}
}
