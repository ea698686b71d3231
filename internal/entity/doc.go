// Package entity extracts security entities (accounts, principals, access
// keys, IPs, resource ids, buckets, keys, domains, e-mails, user agents…)
// from batches of event rows held as Arrow string columns.
//
// # Column-oriented
//
// The caller hands a batch as named columns ([]Column, names as in schemas/:
// "source_ip_address", "request_parameters", "srcaddr", "bucket", …).
// Extract makes one pass per column with an extractor chosen by the column
// name:
//
//   - typed columns (typedColumns in scan.go: userIdentity fields,
//     sourceIPAddress, recipientAccountId, flow log and access log columns)
//     give a fixed kind and role; the value is still validated (an address
//     must parse, an account id is 12 digits, an ARN must parse fully);
//   - free-text columns (request_parameters, response_elements,
//     additional_event_data, service_event_details, resources, user_identity,
//     error_message) go through a hand-written scanner: it walks the JSON text
//     without decoding it, tells keys from values, and looks for candidate
//     tokens with a byte-class table (ARNs, AKIA/ASIA keys, EC2 ids, dotted
//     quads, '@' for e-mails), each then validated. The enclosing JSON key
//     gives context for values that are ambiguous on their own (a 12-digit
//     number is an account id only under accountId, ownerId, userId, …; a
//     bucket under bucketName; a domain under host/domainName/…; a KMS key id
//     under keyId/kmsKeyId; an S3 object key, SSM parameter or secret name
//     under key/name/secretId when the row's event_source says S3, SSM or
//     Secrets Manager).
//
// Columns with other names are ignored. The event_source column, when given,
// is read first as per-row context; vpc_endpoint_id marks private source IPs
// as vpc_endpoint. The raw user_identity JSON is scanned only when the batch
// has no user_identity_arn column (old partitions): otherwise the typed
// identity columns carry its entities (ids and e-mails inside typed ARNs,
// e-mails in user_identity_principal_id and session_source_identity are
// found there), which saves a fifth of the scan with no loss on the
// labelled corpus.
//
// # Output
//
// Extract returns []Entity sorted by (Row, Kind, Value, Role), one entity per
// (Row, Kind, Value, Role) with the highest confidence (ties: smallest
// Field). Field is the source column, plus "." and the enclosing JSON key
// for JSON columns ("request_parameters.instanceId"). ListColumns folds them
// into the p_any_* list columns (see Lists). Options.Ignore drops entities an
// analyst marked "ignore".
//
// ExtractBatch gives the same entities grouped: a row's typed columns yield
// the same entities whenever their values are the same, so each distinct
// combination of a row's typed values (and its VPC endpoint flag) becomes
// one Tuple, validated and classified once and cached in the Extractor
// across batches (bounded); only the free-text entities are per row. Typed
// columns may come dictionary-encoded (Column.Dict); when all of them share
// one index array (the caller numbered the combinations, as the extract
// package does), a tuple is found by index without reading the values
// again.
//
// # Quality
//
// TestQuality scores 910 labelled events (310 real stratus-red-team events,
// labels in testdata/labels, and 600 synthetic CloudTrail/VPC Flow/S3 access
// events with planted entities and decoys) per kind and fails below
// precision 0.99 or recall 0.98.
//
// # Confidence and threshold
//
//	1.0  typed field (ConfTyped)
//	0.9  validated pattern in JSON text (ConfValidated): a fully parsed ARN, a
//	     whole JSON string value that parses as an IP (net/netip), an access
//	     key id, an EC2 id with 8 or 17 hex digits, an e-mail with a valid
//	     domain, or a value whose key names its kind
//	0.6  bare pattern (ConfBare): a dotted quad embedded in a longer string
//	     ("from 10.0.0.1", "1.2.3.4/32")
//
// DefaultThreshold is 0.7: typed and validated entities are kept, bare ones
// dropped. Options.Threshold lowers or raises it.
//
// # Normalisation
//
// IPs in canonical net/netip form (IPv6 compressed, zone stripped,
// IPv4-mapped unmapped; typed address columns accept IPv4 octets with
// leading zeros as decimal); e-mail addresses and domain names lower-cased;
// ARNs, bucket names, object keys, parameter and secret names as found.
//
// # Not extracted (deliberately)
//
// Timestamps, version strings and event names are never IPs (an embedded IP
// needs exactly four decimal octets 0–255 without leading zeros, not
// preceded or followed by a word byte or another .digit); 12-digit numbers
// outside ARNs and account keys; hex strings (request ids, hashes) that are
// not prefix-id tokens; AKIA/ASIA inside longer words; ARNs end at quotes,
// backslashes (escaped JSON), whitespace and separators, and ARNs holding
// wildcards are patterns, not entities (their account and bucket are kept).
package entity
