-- Helpers shared by the baseline and detector SQL (temporary macros, one connection).
CREATE OR REPLACE TEMP MACRO is_ipv4(ip) AS coalesce(regexp_full_match(ip, '[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}'), false);
-- /24 prefix of an IPv4 address (the "ASN-like" grouping of source addresses); IPv6: first 4 groups.
CREATE OR REPLACE TEMP MACRO ip24(ip) AS CASE
  WHEN is_ipv4(ip) THEN regexp_extract(ip, '^([0-9]+\.[0-9]+\.[0-9]+)\.', 1)
  WHEN ip LIKE '%:%' THEN array_to_string(string_split(ip, ':')[1:4], ':')
END;
CREATE OR REPLACE TEMP MACRO is_private_ip(ip) AS is_ipv4(ip) AND (
  ip LIKE '10.%' OR ip LIKE '192.168.%' OR ip LIKE '127.%' OR ip LIKE '169.254.%'
  OR regexp_full_match(ip, '172\.(1[6-9]|2[0-9]|3[01])\..*') OR regexp_full_match(ip, '100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\..*'));
CREATE OR REPLACE TEMP MACRO is_public_ip(ip) AS (is_ipv4(ip) AND NOT is_private_ip(ip)) OR (ip LIKE '%:%' AND NOT ip LIKE 'fe80:%' AND NOT ip LIKE 'fd%');
-- Coarse user agent class: a new class for a principal is a first-seen signal.
CREATE OR REPLACE TEMP MACRO ua_class(ua) AS CASE
  WHEN ua IS NULL THEN 'none'
  WHEN regexp_matches(lower(ua), 'kali|parrot|pacu|stratus|cloudgoat|pentoo|blackarch') THEN 'offensive_tool'
  WHEN ua LIKE '%.amazonaws.com' OR ua = 'AWS Internal' OR ua LIKE 'AWS Signin%' THEN 'aws_service'
  WHEN regexp_matches(lower(ua), 'console\.aws|mozilla/|aws-internal/3') THEN 'console'
  WHEN lower(ua) LIKE '%terraform%' THEN 'terraform'
  WHEN lower(ua) LIKE 'aws-cli/%' THEN 'aws_cli'
  WHEN regexp_matches(lower(ua), 'boto3|botocore') THEN 'sdk_python'
  WHEN lower(ua) LIKE 'aws-sdk-go%' THEN 'sdk_go'
  WHEN lower(ua) LIKE 'aws-sdk-java%' THEN 'sdk_java'
  WHEN lower(ua) LIKE 'aws-sdk-js%' OR lower(ua) LIKE 'aws-sdk-nodejs%' THEN 'sdk_js'
  ELSE 'other'
END;
-- The acting principal of a CloudTrail event.
CREATE OR REPLACE TEMP MACRO principal_of(arn, typ, invoked_by) AS coalesce(arn, CASE WHEN typ = 'AWSService' THEN invoked_by END, typ);
CREATE OR REPLACE TEMP MACRO hour_of_week(t) AS CAST(((isodow(t) - 1) * 24 + hour(t)) AS INTEGER);
-- Mean and sample standard deviation of integer-valued x from exact sums: count n, s1 = Σx and
-- s2 = Σx² as HUGEINT. Integer sums do not depend on the order the parallel aggregation adds in,
-- so the results are the same bytes on every run; avg() and stddev_samp() over DOUBLE vary in
-- their last bits, which rounding to 1e-6 does not hide once values reach 10⁷ (bytes).
CREATE OR REPLACE TEMP MACRO exact_mean(n, s1) AS round(s1 / n, 6);
CREATE OR REPLACE TEMP MACRO exact_stddev(n, s1, s2) AS
  CASE WHEN n < 2 THEN 0 ELSE round(sqrt((n * s2 - s1 * s1) / (n * (n - 1))), 6) END;
