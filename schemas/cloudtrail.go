package schemas

import "time"

// CloudTrail is one CloudTrail event as stored in events/cloudtrail/.
//
// Every top-level field of the source record lands either in a typed column or,
// when unknown to this version, in Unmapped (a JSON object), so conversion is
// lossless. Free-form sections (requestParameters, responseElements, …) are kept
// as their original JSON text. Empty strings are written as NULL.
type CloudTrail struct {
	EventTime                    time.Time  `parquet:"event_time,timestamp(microsecond)"`
	EventVersion                 string     `parquet:"event_version,optional,dict"`
	EventID                      string     `parquet:"event_id,optional"`
	EventType                    string     `parquet:"event_type,optional,dict"`
	EventCategory                string     `parquet:"event_category,optional,dict"`
	EventSource                  string     `parquet:"event_source,optional,dict"`
	EventName                    string     `parquet:"event_name,optional,dict"`
	AWSRegion                    string     `parquet:"aws_region,optional,dict"`
	SourceIPAddress              string     `parquet:"source_ip_address,optional,dict"`
	UserAgent                    string     `parquet:"user_agent,optional,dict"`
	ErrorCode                    string     `parquet:"error_code,optional,dict"`
	ErrorMessage                 string     `parquet:"error_message,optional"`
	RequestID                    string     `parquet:"request_id,optional"`
	SharedEventID                string     `parquet:"shared_event_id,optional"`
	RecipientAccountID           string     `parquet:"recipient_account_id,optional,dict"`
	ReadOnly                     *bool      `parquet:"read_only,optional"`
	ManagementEvent              *bool      `parquet:"management_event,optional"`
	APIVersion                   string     `parquet:"api_version,optional,dict"`
	VPCEndpointID                string     `parquet:"vpc_endpoint_id,optional,dict"`
	VPCEndpointAccountID         string     `parquet:"vpc_endpoint_account_id,optional,dict"`
	SessionCredentialFromConsole string     `parquet:"session_credential_from_console,optional,dict"`
	TLSVersion                   string     `parquet:"tls_version,optional,dict"`
	TLSCipherSuite               string     `parquet:"tls_cipher_suite,optional,dict"`
	TLSClientProvidedHostHeader  string     `parquet:"tls_client_provided_host_header,optional,dict"`
	UserIdentityType             string     `parquet:"user_identity_type,optional,dict"`
	UserIdentityPrincipalID      string     `parquet:"user_identity_principal_id,optional,dict"`
	UserIdentityARN              string     `parquet:"user_identity_arn,optional,dict"`
	UserIdentityAccountID        string     `parquet:"user_identity_account_id,optional,dict"`
	UserIdentityAccessKeyID      string     `parquet:"user_identity_access_key_id,optional,dict"`
	UserIdentityUserName         string     `parquet:"user_identity_user_name,optional,dict"`
	UserIdentityInvokedBy        string     `parquet:"user_identity_invoked_by,optional,dict"`
	UserIdentityIdentityProvider string     `parquet:"user_identity_identity_provider,optional,dict"`
	UserIdentityCredentialID     string     `parquet:"user_identity_credential_id,optional,dict"`
	SessionIssuerType            string     `parquet:"session_issuer_type,optional,dict"`
	SessionIssuerPrincipalID     string     `parquet:"session_issuer_principal_id,optional,dict"`
	SessionIssuerARN             string     `parquet:"session_issuer_arn,optional,dict"`
	SessionIssuerAccountID       string     `parquet:"session_issuer_account_id,optional,dict"`
	SessionIssuerUserName        string     `parquet:"session_issuer_user_name,optional,dict"`
	SessionMFAAuthenticated      *bool      `parquet:"session_mfa_authenticated,optional"`
	SessionCreationDate          *time.Time `parquet:"session_creation_date,optional,timestamp(microsecond)"`
	SessionSourceIdentity        string     `parquet:"session_source_identity,optional,dict"`
	WebIDFederationProvider      string     `parquet:"web_id_federation_provider,optional,dict"`
	UserIdentity                 string     `parquet:"user_identity,optional"`
	RequestParameters            string     `parquet:"request_parameters,optional"`
	ResponseElements             string     `parquet:"response_elements,optional"`
	AdditionalEventData          string     `parquet:"additional_event_data,optional"`
	ServiceEventDetails          string     `parquet:"service_event_details,optional"`
	Resources                    string     `parquet:"resources,optional"`
	EdgeDeviceDetails            string     `parquet:"edge_device_details,optional"`
	Addendum                     string     `parquet:"addendum,optional"`
	Unmapped                     string     `parquet:"unmapped,optional"`
	Extracted
	// Classes of the source address and user agent (entity attrs; set by
	// extraction, see Derived).
	SourceIPClass  string `parquet:"source_ip_class,optional,dict"`
	UserAgentClass string `parquet:"user_agent_class,optional,dict"`
	SourceObject   string `parquet:"source_object,dict"`
	SourceOffset   int64  `parquet:"source_offset"`
}

// Time is the event time used for partitioning and sorting.
func (r *CloudTrail) Time() time.Time { return r.EventTime }
