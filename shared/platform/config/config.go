// Package config reads the platform's configuration from the environment once, at start.
//
// Every setting has a default that works for the local stack, so `make dev` needs no
// environment at all; a deployment sets the names CDK passes to each function.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// PasswordPolicy is the portal's password policy. Cognito enforces the parts it knows
// (length and character classes); the portal enforces counts, history and expiry itself.
type PasswordPolicy struct {
	MinLength      int   `json:"minLength"`
	MinUpper       int   `json:"minUpper"`
	MinLower       int   `json:"minLower"`
	MinDigits      int   `json:"minDigits"`
	MinSpecial     int   `json:"minSpecial"`
	MaxRepeated    int   `json:"maxRepeated"`
	HistorySize    int   `json:"historySize"`
	MaxAgeDays     int   `json:"maxAgeDays"`
	ExpiryWarnDays []int `json:"expiryWarningDays"`
}

// Config is everything a function or the dev server needs to know about its surroundings.
type Config struct {
	// Local is true when running against moto on this machine (enables the dev mail endpoint).
	Local bool
	// Region is the AWS region of every client.
	Region string
	// AWSEndpoint overrides every AWS endpoint (moto in local mode); empty on AWS.
	AWSEndpoint string
	// PortalTable is the DynamoDB table of portal data (profiles, sessions, links).
	PortalTable string
	// TPPTable is the TPP API's DynamoDB table (OAuth state, consents, payments, the
	// sandbox bank's ledger).
	TPPTable string
	// UserPoolName names the Cognito user pool the local bootstrap creates or finds.
	UserPoolName string
	// UserPoolID and UserPoolClientID identify the Cognito pool and its app client.
	UserPoolID       string
	UserPoolClientID string
	// OpsGroup is the Cognito group of the bank's operations staff.
	OpsGroup string
	// MailFrom is the verified SES sender of every portal email.
	MailFrom string
	// PortalURL is the public base URL of the portal, used in emailed links.
	PortalURL string
	// OriginSecret is the value CloudFront sends in the OriginVerifyHeader of every request
	// it passes to the portal's HTTP API; a function serving that API refuses a request
	// without it (httpapi.RequireOrigin), so that CloudFront, and its WAF, is the only way
	// in. Empty, the check is off: locally the dev server is the only way in.
	OriginSecret string
	// ActivationTTL is how long an activation link stays valid. It only confirms the
	// address, so it may wait a few days for the user to read their mail.
	ActivationTTL time.Duration
	// ResetTTL is how long a password-reset link stays valid: an hour by default, because
	// the link sets a password, so every copy of it (a mailbox, a forwarded mail, a proxy
	// log) is worth taking over the account until it expires.
	ResetTTL time.Duration
	// SessionTTL is how long a portal session lives without a refresh.
	SessionTTL time.Duration
	// SessionMaxAge is how long a session can be refreshed before the user signs in again.
	SessionMaxAge time.Duration
	// IdleTimeout ends a session without activity for that long; OpsIdleTimeout that of
	// an operations user. Zero disables it.
	IdleTimeout    time.Duration
	OpsIdleTimeout time.Duration
	// FreshAuthWindow is how long after entering their password a user may make the
	// changes that need it confirmed (operations decisions, production secret resets).
	FreshAuthWindow time.Duration
	// LimitAttempts limits the attempts of the public forms by account and by client
	// address (account.Attempts). The test stacks, whose every user signs up and in from
	// one address, turn it off; the tests of the limits turn it on.
	LimitAttempts bool
	// Password is the password policy.
	Password PasswordPolicy
	// DecisionTimeout is how long a request waits for an operations decision before it
	// expires (the approval workflow's task timeout).
	DecisionTimeout time.Duration
	// SecondApproverKinds are the request kinds that need two approvers when they concern
	// production (approval.Service.RequireSecondApprover).
	SecondApproverKinds []string
	// ApprovalStateMachineName and ApprovalStateMachineARN identify the approval workflow
	// (the local bootstrap finds it by name; functions get the ARN).
	ApprovalStateMachineName string
	ApprovalStateMachineARN  string
	// InvitationTTL is how long an invitation link stays valid.
	InvitationTTL time.Duration
	// OrgMaxMembers caps an organization's members (seed: "up to 10 developers").
	OrgMaxMembers int
	// SandboxCADir holds the sandbox CA that issues test eIDAS certificates and is trusted
	// for onboarding; empty where there is no sandbox CA.
	SandboxCADir string
	// SandboxCASecretARN is the Secrets Manager secret that holds the sandbox CA in a
	// deployment (created empty by the identity stack; the first cold start that needs the
	// CA creates it there); it takes the place of SandboxCADir on AWS.
	SandboxCASecretARN string
	// SandboxCACertSecretARN is the Secrets Manager secret that holds the sandbox CA's
	// certificate alone (written by the functions that hold the CA), which the functions
	// that only trust the CA's certificates read instead of the CA's key.
	SandboxCACertSecretARN string
	// OAuthKeySecretARN is the Secrets Manager secret of the authorization server's key
	// in a deployment (generated by the identity stack), read at cold start by the
	// functions that sign or check codes, tokens or the bank pages' cookies; empty
	// locally, where every start makes a random key.
	OAuthKeySecretARN string
	// RegistrationKeySecretARN is the Secrets Manager secret of the registration API's
	// response-signing key (generated by the identity stack; locally, the bootstrap makes
	// it on moto), read at cold start by the registration API's functions. Empty, the API
	// has no key and refuses installations.
	RegistrationKeySecretARN string
	// SessionKeyID is the symmetric KMS key (ID, ARN or alias) that seals the portal
	// sessions' Cognito tokens in the portal table.
	SessionKeyID string
	// PasswordKeyID is the KMS HMAC key (ID, ARN or alias) of the password history's MACs.
	PasswordKeyID string
	// TruststoreFile is a PEM file of the eIDAS CAs trusted in live onboarding.
	TruststoreFile string
	// TPPURL is the TPP API's mutual-TLS origin: the OAuth2 issuer, and the origin of its
	// token, PAR, revocation and introspection endpoints.
	TPPURL string
	// OAuthAuthorizeURL is the OAuth2 authorization endpoint on the browser-reachable
	// origin (a browser cannot present a client certificate).
	OAuthAuthorizeURL string
	// AccessTokenTTL and RefreshTokenTTL are how long OAuth2 access and refresh tokens live.
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// SandboxCACRLURL is where the sandbox CA's CRL is published, named as the CRL
	// distribution point of every certificate it issues: by default the portal's own
	// /sandbox-ca/crl.der (the dev server serves it locally, CloudFront from S3 deployed).
	SandboxCACRLURL string
	// CRLBucket is the S3 bucket the sandbox CA's CRL is published to, under CRLObjectKey.
	CRLBucket string
	// RevocationTimeout bounds each CRL download and OCSP request of a revocation check.
	RevocationTimeout time.Duration
	// SandboxBankSeed generates the sandbox bank's customers, accounts and transactions:
	// the same seed gives the same bank, byte for byte.
	SandboxBankSeed int
	// SandboxBankDate is the sandbox bank's "today" (YYYY-MM-DD): its transactions cover the
	// 13 months up to it and its balances are as of it, so every load is the same bank.
	SandboxBankDate string
	// SupportEmail and SupportHours are how developers reach the bank's API support, shown
	// on the portal's help page; a deployment sets its own team's address.
	SupportEmail string
	SupportHours string
	// UsagePlanIDs are the TPP API's usage plans by the name of a product's plan
	// ("ais-sandbox" to its API Gateway ID), where the portal keeps each subscription's
	// usage key; empty where there is no TPP API (then no usage key is kept).
	UsagePlanIDs map[string]string
}

// CRLPath is the path of the sandbox CA's CRL under the portal's URL, and (without its
// leading slash) its key in the CRL bucket: one stable address locally and deployed.
const CRLPath = "/sandbox-ca/crl.der"

// CRLObjectKey is the CRL's key in CRLBucket.
const CRLObjectKey = "sandbox-ca/crl.der"

// The KMS aliases of the account keys, where the local stack creates them: the defaults
// of SessionKeyID and PasswordKeyID (a deployment names its own keys).
const (
	DefaultSessionKey  = "alias/portal-session-tokens"
	DefaultPasswordKey = "alias/portal-password-history"
)

// The authorization server's fixed addresses and code lifetime, which the TPP area serves
// and the portal shows developers (next to TPPURL and the configured token lifetimes);
// both read them here, since the portal may not import the TPP area.
const (
	// OAuthMetadataPath is the authorization server's metadata (RFC 8414) under TPPURL.
	OAuthMetadataPath = "/.well-known/oauth-authorization-server"
	// OAuthTokenPath and OAuthPARPath are the token and pushed authorization request
	// endpoints under TPPURL.
	OAuthTokenPath = "/oauth2/token"
	OAuthPARPath   = "/oauth2/par"
	// OAuthRegisterPath is dynamic client registration's endpoint (RFC 7591) under TPPURL,
	// which the portal serves and the authorization server's metadata names.
	OAuthRegisterPath = "/oauth2/register"
	// AuthorizationCodeTTL is how long an authorization code can be exchanged: short, as
	// a code travels through the customer's browser.
	AuthorizationCodeTTL = 60 * time.Second
	// SandboxCustomersPath lists the sandbox bank's customers on the browser-reachable
	// origin of the TPP area (the authorization endpoint's).
	SandboxCustomersPath = "/sandbox-bank/customers"
)

// FromEnv reads the configuration, returning an error that names the bad variable.
func FromEnv() (Config, error) {
	r := reader{get: os.Getenv}
	c := Config{
		Local:                    r.boolean("LOCAL_MODE", false),
		Region:                   r.str("AWS_REGION", "eu-west-1"),
		AWSEndpoint:              r.str("AWS_ENDPOINT_URL", ""),
		PortalTable:              r.str("PORTAL_TABLE", "devportal-portal"),
		TPPTable:                 r.str("TPP_TABLE", "devportal-tpp"),
		UserPoolName:             r.str("USER_POOL_NAME", "devportal-users"),
		UserPoolID:               r.str("USER_POOL_ID", ""),
		UserPoolClientID:         r.str("USER_POOL_CLIENT_ID", ""),
		OpsGroup:                 r.str("OPS_GROUP", "operations"),
		MailFrom:                 r.str("MAIL_FROM", "no-reply@devportal.example"),
		PortalURL:                strings.TrimRight(r.str("PORTAL_URL", "http://127.0.0.1:8080"), "/"),
		OriginSecret:             r.str("ORIGIN_VERIFY_SECRET", ""),
		ActivationTTL:            r.duration("ACTIVATION_LINK_TTL", 72*time.Hour),
		ResetTTL:                 r.duration("RESET_LINK_TTL", time.Hour),
		SessionTTL:               r.duration("SESSION_TTL", 12*time.Hour),
		SessionMaxAge:            r.duration("SESSION_MAX_AGE", 7*24*time.Hour),
		IdleTimeout:              r.duration("IDLE_TIMEOUT", 8*time.Hour),
		OpsIdleTimeout:           r.duration("OPS_IDLE_TIMEOUT", 30*time.Minute),
		FreshAuthWindow:          r.duration("FRESH_AUTH_WINDOW", 10*time.Minute),
		LimitAttempts:            r.boolean("LIMIT_ATTEMPTS", true),
		DecisionTimeout:          r.duration("REQUEST_DECISION_TIMEOUT", 14*24*time.Hour),
		SecondApproverKinds:      r.list("SECOND_APPROVER_KINDS", []string{"ONBOARDING", "GO_LIVE", "CERTIFICATE_RENEWAL"}),
		ApprovalStateMachineName: r.str("APPROVAL_STATE_MACHINE_NAME", "devportal-approval"),
		ApprovalStateMachineARN:  r.str("APPROVAL_STATE_MACHINE_ARN", ""),
		OrgMaxMembers:            r.integer("ORG_MAX_MEMBERS", 10),
		InvitationTTL:            r.duration("INVITATION_TTL", 7*24*time.Hour),
		SandboxCADir:             r.str("SANDBOX_CA_DIR", ""),
		SandboxCASecretARN:       r.str("SANDBOX_CA_SECRET_ARN", ""),
		SandboxCACertSecretARN:   r.str("SANDBOX_CA_CERTIFICATE_SECRET_ARN", ""),
		OAuthKeySecretARN:        r.str("OAUTH_KEY_SECRET_ARN", ""),
		RegistrationKeySecretARN: r.str("REGISTRATION_KEY_SECRET_ARN", ""),
		SessionKeyID:             r.str("SESSION_KEY_ID", DefaultSessionKey),
		PasswordKeyID:            r.str("PASSWORD_KEY_ID", DefaultPasswordKey),
		TruststoreFile:           r.str("EIDAS_TRUSTSTORE_FILE", ""),
		TPPURL:                   strings.TrimRight(r.str("TPP_URL", "https://127.0.0.1:8443"), "/"),
		OAuthAuthorizeURL:        r.str("OAUTH_AUTHORIZE_URL", "http://127.0.0.1:8080/oauth2/authorize"),
		AccessTokenTTL:           r.duration("ACCESS_TOKEN_TTL", time.Hour),
		RefreshTokenTTL:          r.duration("REFRESH_TOKEN_TTL", 90*24*time.Hour),
		CRLBucket:                r.str("CRL_BUCKET", "devportal-crl"),
		RevocationTimeout:        r.duration("REVOCATION_CHECK_TIMEOUT", 3*time.Second),
		SandboxBankSeed:          r.integer("SANDBOX_BANK_SEED", 1),
		SandboxBankDate:          r.str("SANDBOX_BANK_DATE", "2026-11-30"),
		UsagePlanIDs:             r.stringMap("USAGE_PLAN_IDS"),
		SupportEmail:             r.str("SUPPORT_EMAIL", "api-support@devportal.example"),
		SupportHours:             r.str("SUPPORT_HOURS", "Monday to Friday, 9:00 to 17:00 CET"),
		Password: PasswordPolicy{
			MinLength:      r.integer("PASSWORD_MIN_LENGTH", 12),
			MinUpper:       r.integer("PASSWORD_MIN_UPPER", 1),
			MinLower:       r.integer("PASSWORD_MIN_LOWER", 1),
			MinDigits:      r.integer("PASSWORD_MIN_DIGITS", 1),
			MinSpecial:     r.integer("PASSWORD_MIN_SPECIAL", 1),
			MaxRepeated:    r.integer("PASSWORD_MAX_REPEATED", 3),
			HistorySize:    r.integer("PASSWORD_HISTORY_SIZE", 5),
			MaxAgeDays:     r.integer("PASSWORD_MAX_AGE_DAYS", 730),
			ExpiryWarnDays: r.ints("PASSWORD_EXPIRY_WARNING_DAYS", []int{14, 3, 1}),
		},
	}
	c.SandboxCACRLURL = r.str("SANDBOX_CA_CRL_URL", c.PortalURL+CRLPath)
	if r.err != nil {
		return Config{}, r.err
	}
	if c.Password.MinLength < 8 || c.Password.MinLength > 64 {
		return Config{}, fmt.Errorf("PASSWORD_MIN_LENGTH: must be between 8 and 64 (passwords are at most 64 characters), got %d", c.Password.MinLength)
	}
	if c.OrgMaxMembers < 1 {
		return Config{}, fmt.Errorf("ORG_MAX_MEMBERS: must be at least 1, got %d", c.OrgMaxMembers)
	}
	if _, err := time.Parse(time.DateOnly, c.SandboxBankDate); err != nil {
		return Config{}, fmt.Errorf("SANDBOX_BANK_DATE=%q: must be a date such as 2026-11-30", c.SandboxBankDate)
	}
	if c.Password.MaxAgeDays < 1 {
		return Config{}, fmt.Errorf("PASSWORD_MAX_AGE_DAYS: must be at least 1, got %d", c.Password.MaxAgeDays)
	}
	return c, nil
}

type reader struct {
	get func(string) string
	err error
}

func (r *reader) str(name, def string) string {
	if v := r.get(name); v != "" {
		return v
	}
	return def
}

// list is a comma-separated list; an empty value is an empty list.
func (r *reader) list(name string, def []string) []string {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (r *reader) fail(name, v, rule string) {
	if r.err == nil {
		r.err = fmt.Errorf("%s=%q: %s", name, v, rule)
	}
}

func (r *reader) integer(name string, def int) int {
	v := r.get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		r.fail(name, v, "must be a whole number ≥ 0")
		return def
	}
	return n
}

func (r *reader) ints(name string, def []int) []int {
	v := r.get(name)
	if v == "" {
		return def
	}
	var out []int
	for _, part := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n <= 0 {
			r.fail(name, v, "must be a comma-separated list of whole numbers > 0")
			return def
		}
		out = append(out, n)
	}
	return out
}

// stringMap reads a JSON object of strings; unset or empty is nil.
func (r *reader) stringMap(name string) map[string]string {
	v := r.get(name)
	if v == "" {
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		r.fail(name, v, `must be a JSON object of strings, such as {"ais-sandbox":"a1b2c3"}`)
		return nil
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func (r *reader) boolean(name string, def bool) bool {
	v := r.get(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, v, "must be true or false")
		return def
	}
	return b
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.get(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, v, "must be a positive Go duration such as 72h")
		return def
	}
	return d
}
