package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Environ is c as the environment variables FromEnv reads, so that FromEnv reads back c:
// what a deployment sets on each function and what the function benchmark starts one
// with. Each caller leaves out what is not its to set (Lambda sets AWS_REGION itself; a
// deployment sets neither LOCAL_MODE nor AWS_ENDPOINT_URL). A test round-trips it.
func (c Config) Environ() map[string]string {
	p := c.Password
	return map[string]string{
		"LOCAL_MODE":                        strconv.FormatBool(c.Local),
		"AWS_REGION":                        c.Region,
		"AWS_ENDPOINT_URL":                  c.AWSEndpoint,
		"PORTAL_TABLE":                      c.PortalTable,
		"TPP_TABLE":                         c.TPPTable,
		"USER_POOL_NAME":                    c.UserPoolName,
		"USER_POOL_ID":                      c.UserPoolID,
		"USER_POOL_CLIENT_ID":               c.UserPoolClientID,
		"OPS_GROUP":                         c.OpsGroup,
		"MAIL_FROM":                         c.MailFrom,
		"PORTAL_URL":                        c.PortalURL,
		"ORIGIN_VERIFY_SECRET":              c.OriginSecret,
		"ACTIVATION_LINK_TTL":               c.ActivationTTL.String(),
		"RESET_LINK_TTL":                    c.ResetTTL.String(),
		"SESSION_TTL":                       c.SessionTTL.String(),
		"SESSION_MAX_AGE":                   c.SessionMaxAge.String(),
		"IDLE_TIMEOUT":                      c.IdleTimeout.String(),
		"OPS_IDLE_TIMEOUT":                  c.OpsIdleTimeout.String(),
		"FRESH_AUTH_WINDOW":                 c.FreshAuthWindow.String(),
		"LIMIT_ATTEMPTS":                    strconv.FormatBool(c.LimitAttempts),
		"REQUEST_DECISION_TIMEOUT":          c.DecisionTimeout.String(),
		"SECOND_APPROVER_KINDS":             listValue(c.SecondApproverKinds),
		"APPROVAL_STATE_MACHINE_NAME":       c.ApprovalStateMachineName,
		"APPROVAL_STATE_MACHINE_ARN":        c.ApprovalStateMachineARN,
		"ORG_MAX_MEMBERS":                   strconv.Itoa(c.OrgMaxMembers),
		"INVITATION_TTL":                    c.InvitationTTL.String(),
		"SANDBOX_CA_DIR":                    c.SandboxCADir,
		"SANDBOX_CA_SECRET_ARN":             c.SandboxCASecretARN,
		"SANDBOX_CA_CERTIFICATE_SECRET_ARN": c.SandboxCACertSecretARN,
		"OAUTH_KEY_SECRET_ARN":              c.OAuthKeySecretARN,
		"REGISTRATION_KEY_SECRET_ARN":       c.RegistrationKeySecretARN,
		"SESSION_KEY_ID":                    c.SessionKeyID,
		"PASSWORD_KEY_ID":                   c.PasswordKeyID,
		"EIDAS_TRUSTSTORE_FILE":             c.TruststoreFile,
		"TPP_URL":                           c.TPPURL,
		"OAUTH_AUTHORIZE_URL":               c.OAuthAuthorizeURL,
		"ACCESS_TOKEN_TTL":                  c.AccessTokenTTL.String(),
		"REFRESH_TOKEN_TTL":                 c.RefreshTokenTTL.String(),
		"SANDBOX_CA_CRL_URL":                c.SandboxCACRLURL,
		"CRL_BUCKET":                        c.CRLBucket,
		"REVOCATION_CHECK_TIMEOUT":          c.RevocationTimeout.String(),
		"SANDBOX_BANK_SEED":                 strconv.Itoa(c.SandboxBankSeed),
		"SANDBOX_BANK_DATE":                 c.SandboxBankDate,
		"PASSWORD_MIN_LENGTH":               strconv.Itoa(p.MinLength),
		"PASSWORD_MIN_UPPER":                strconv.Itoa(p.MinUpper),
		"PASSWORD_MIN_LOWER":                strconv.Itoa(p.MinLower),
		"PASSWORD_MIN_DIGITS":               strconv.Itoa(p.MinDigits),
		"PASSWORD_MIN_SPECIAL":              strconv.Itoa(p.MinSpecial),
		"PASSWORD_MAX_REPEATED":             strconv.Itoa(p.MaxRepeated),
		"PASSWORD_HISTORY_SIZE":             strconv.Itoa(p.HistorySize),
		"PASSWORD_MAX_AGE_DAYS":             strconv.Itoa(p.MaxAgeDays),
		"PASSWORD_EXPIRY_WARNING_DAYS":      joinInts(p.ExpiryWarnDays),
		"USAGE_PLAN_IDS":                    jsonMap(c.UsagePlanIDs),
		"SUPPORT_EMAIL":                     c.SupportEmail,
		"SUPPORT_HOURS":                     c.SupportHours,
	}
}

// jsonMap is the JSON object FromEnv parses a map from; "" for none.
func jsonMap(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// joinInts is the comma-separated form FromEnv parses lists from.
func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ",")
}

// listValue writes a list as list reads it: "none" for an empty one.
func listValue(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ",")
}
