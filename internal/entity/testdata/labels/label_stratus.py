#!/usr/bin/env python3
"""Independent labeller for the stratus-red-team corpus.

Writes testdata/labels/stratus.json: for each event (file + index into the
file's top-level array, never the event itself) the expected entities
(kind, value) at the default threshold. It is a second implementation of the
rules in doc.go, over *decoded* JSON with regular expressions, so that the Go
scanner is checked against something that shares no code with it. Labels the
two disagreed on were adjudicated by hand; the overrides are in OVERRIDES at
the bottom, each with the reason.

usage: label_stratus.py /work/shared/corpus/stratus-red-team-detonation-logs > stratus.json
"""
import ipaddress, json, os, re, sys

ACCOUNT_KEYS = {"accountid", "accountids", "recipientaccountid", "ownerid", "userid", "awsaccountid",
                "sourceaccount", "targetaccountid", "vpcendpointaccountid", "valuestoadd", "valuestoremove",
                "owneraccount", "owneraccountid", "destinationaccountid"}
BUCKET_KEYS = {"bucketname", "bucket", "s3bucketname", "s3bucket"}
DOMAIN_KEYS = {"domainname", "hostname", "dnsname", "publicdnsname", "privatednsname", "host", "fqdn"}
KMS_KEYS = {"keyid", "kmskeyid", "kmskeyarn", "ssekmskeyid", "kmsmasterkeyid", "targetkeyid", "kmskeyidentifier"}

ACCT = re.compile(r"^[0-9]{12}$")
DOMAIN = re.compile(r"^(?=.{4,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
AK = re.compile(r"(?<![A-Za-z0-9_-])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9_-])")
EC2 = re.compile(r"(?<![A-Za-z0-9_-])(i|vpc|vol|sg|subnet|snap|eni|ami)-([0-9a-fA-F]{17}|[0-9a-fA-F]{8})(?![A-Za-z0-9_-])")
EC2KIND = {"i": "instance_id", "vpc": "vpc_id", "vol": "volume_id", "sg": "security_group_id",
           "subnet": "subnet_id", "snap": "snapshot_id", "eni": "network_interface_id", "ami": "ami_id"}
ARN = re.compile(r"(?<![A-Za-z0-9_-])arn:[^\s\"'\\`<>()\[\]{}|,;^]+")
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9.-]+")


def arn_entities(a):
    """Entities of one ARN candidate, or None when it is not an ARN."""
    a = a.rstrip(".:")
    p = a.split(":", 5)
    if len(p) != 6:
        return None
    _, part, svc, region, acct, res = p
    low = re.compile(r"^[a-z0-9-]*$")
    if not part.startswith("aws") or not low.match(part) or not svc or not low.match(svc) \
            or not low.match(region) or not res:
        return None
    if acct not in ("", "aws") and not ACCT.match(acct):
        return None
    out = []
    if ACCT.match(acct):
        out.append(("aws_account_id", acct))
    wild = "*" in a or "?" in a
    kind = "arn"
    if svc == "iam":
        if res == "root": kind = "root"
        elif res.startswith("user/"): kind = "iam_user_arn"
        elif res.startswith("role/"): kind = "iam_role_arn"
    elif svc == "sts":
        if res.startswith("assumed-role/"):
            kind = "sso_principal" if res[len("assumed-role/"):].startswith("AWSReservedSSO") else "assumed_role_arn"
        elif res.startswith("federated-user/"): kind = "federated_principal"
    elif svc == "kms" and (res.startswith("key/") or res.startswith("alias/")): kind = "kms_key"
    elif svc == "lambda" and res.startswith("function:"): kind = "lambda_function_arn"
    elif svc == "secretsmanager" and res.startswith("secret:"): kind = "secret"
    elif svc == "ssm" and res.startswith("parameter/"): kind = "ssm_parameter"
    elif svc == "s3" and acct == "" and region == "":
        bk, _, obj = res.partition("/")
        if BUCKET.match(bk) and not is_ip(bk, True): out.append(("s3_bucket", bk))
        if obj and not wild: out.append(("s3_object_key", obj))
    elif svc == "ec2" and "/" in res:
        m = EC2.fullmatch(res.split("/", 1)[1])
        if m: out.append((EC2KIND[m.group(1)], m.group(0)))
    if not wild:
        out.append((kind, a))
    return out


def is_ip(s, lenient=False):
    return parse_ip(s, lenient) is not None


def parse_ip(s, lenient=False):
    s = s.split("%")[0] if ":" in s else s
    try:
        a = ipaddress.ip_address(s)
    except ValueError:
        if lenient and re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", s) and all(int(x) < 256 for x in s.split(".")):
            return ".".join(str(int(x)) for x in s.split("."))
        return None
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped:
        a = a.ipv4_mapped
    return str(a)


def text_entities(v, key, ctx):
    out = []
    k = (key or "").lower()
    if k in ACCOUNT_KEYS and ACCT.match(v): out.append(("aws_account_id", v))
    if k in ("instanceid", "instanceids") and re.fullmatch(r"i-[A-Za-z0-9]{8,17}", v) and not EC2.fullmatch(v):
        out.append(("instance_id", v))
    if k in BUCKET_KEYS and BUCKET.match(v) and not is_ip(v, True): out.append(("s3_bucket", v))
    if k in DOMAIN_KEYS and DOMAIN.match(v): out.append(("domain_name", v.lower()))
    if k in KMS_KEYS and (UUID.match(v) or re.fullmatch(r"mrk-[0-9a-f]{32}", v) or
                          (v.startswith("alias/") and len(v) > 6 and " " not in v)):
        out.append(("kms_key", v))
    if not v.startswith("arn:"):
        if k == "key" and ctx == "s3.amazonaws.com": out.append(("s3_object_key", v))
        if k in ("name", "names", "parametername", "parameternames") and ctx == "ssm.amazonaws.com":
            out.append(("ssm_parameter", v))
        if k in ("name", "names", "secretid", "secretidlist") and ctx == "secretsmanager.amazonaws.com":
            out.append(("secret", v))
    if len(v) <= 45 and re.fullmatch(r"[0-9a-fA-F:.]+", v) and ("." in v or ":" in v):
        ip = parse_ip(v)
        if ip and (":" in v or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", v)):
            out.append(("ip_address", ip))
    for m in ARN.finditer(v):
        e = arn_entities(m.group(0))
        if e: out += e
    for m in AK.finditer(v): out.append(("access_key_id", m.group(0)))
    for m in EC2.finditer(v): out.append((EC2KIND[m.group(1)], m.group(0)))
    for m in EMAIL.finditer(v):
        local, dom = m.group(0).split("@", 1)
        local = local.lstrip(".")
        dom = dom.rstrip(".-")
        if local and DOMAIN.match(dom):
            out.append(("email_address", (local + "@" + dom).lower()))
    return out


def walk(x, key, ctx, out):
    if isinstance(x, dict):
        for k, v in x.items():
            walk(v, k, ctx, out)
    elif isinstance(x, list):
        for v in x:
            walk(v, key, ctx, out)
    elif isinstance(x, str):
        out += text_entities(x, key, ctx)
    elif isinstance(x, int) and not isinstance(x, bool):
        if (key or "").lower() in ACCOUNT_KEYS and ACCT.match(str(x)):
            out.append(("aws_account_id", str(x)))


def label(e):
    out = []
    ui = e.get("userIdentity") or {}
    si = ((ui.get("sessionContext") or {}).get("sessionIssuer")) or {}
    ip = parse_ip(e.get("sourceIPAddress") or "", True)
    if ip: out.append(("ip_address", ip))
    if e.get("userAgent"): out.append(("user_agent", e["userAgent"]))
    for v in (e.get("recipientAccountId"), e.get("vpcEndpointAccountId"), ui.get("accountId"), si.get("accountId")):
        if v and ACCT.match(v): out.append(("aws_account_id", v))
    for v in (ui.get("arn"), si.get("arn")):
        if v and v.startswith("arn:"):
            ents = arn_entities(v)
            if ents and ents[-1][1] == v: out += ents
    if ui.get("accessKeyId") and AK.fullmatch(ui["accessKeyId"]): out.append(("access_key_id", ui["accessKeyId"]))
    host = (e.get("tlsDetails") or {}).get("clientProvidedHostHeader")
    if host:
        h = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if DOMAIN.match(h): out.append(("domain_name", h.lower()))
    ctx = e.get("eventSource")
    for k in ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails",
              "resources", "userIdentity"):
        if e.get(k) is not None:
            walk(e[k], None, ctx, out)
    if isinstance(e.get("errorMessage"), str):
        out += text_entities(e["errorMessage"], None, ctx)
    return sorted(set(out))


# Hand adjudications: (file, index) -> {"add": [...], "remove": [...], "why": "..."}.
OVERRIDES = {}


def main(d):
    res = []
    for f in sorted(os.listdir(d)):
        if not f.endswith(".json"):
            continue
        for i, e in enumerate(json.load(open(os.path.join(d, f)))):
            ents = set(label(e))
            o = OVERRIDES.get((f, i))
            if o:
                ents |= {tuple(x) for x in o.get("add", [])}
                ents -= {tuple(x) for x in o.get("remove", [])}
            res.append({"ref": {"file": f, "index": i},
                        "entities": [{"kind": k, "value": v} for k, v in sorted(ents)]})
    json.dump({"source": "stratus-red-team-detonation-logs", "labeller": "label_stratus.py",
               "events": res}, sys.stdout, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
