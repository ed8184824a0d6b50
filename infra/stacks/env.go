package stacks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bank/devportal/shared/platform/config"
)

// SandboxCAVariable names the sandbox CA's secret to the functions that use it
// (config.Config.SandboxCASecretARN), set per function rather than in FunctionEnvironment.
const SandboxCAVariable = "SANDBOX_CA_SECRET_ARN"

// FunctionEnvironment is the environment of every deployed function: each variable that
// config.FromEnv reads, set from cfg so that the function reads back cfg. The variable
// names are written here once and a test round-trips the map through config.FromEnv, so a
// name cannot drift from the one the functions read.
//
// Three variables are left out on purpose: AWS_REGION is set by Lambda itself (it is a
// reserved key that a function's configuration may not set, and Lambda's value is the
// stack's region), and LOCAL_MODE and AWS_ENDPOINT_URL exist only for the local stack on
// moto, where unset means "on AWS". A cfg that asks for either panics instead of deploying
// functions that would talk to moto.
//
// Values may be CDK tokens (a table name from another stack): they are strings in Go and
// CDK resolves them when it synthesizes the template.
func FunctionEnvironment(cfg config.Config) map[string]string {
	if cfg.Local || cfg.AWSEndpoint != "" {
		panic("stacks: LOCAL_MODE and AWS_ENDPOINT_URL are for the local stack; unset them to synthesize the deployed stacks")
	}
	p := cfg.Password
	return map[string]string{
		"PORTAL_TABLE":                 cfg.PortalTable,
		"USER_POOL_NAME":               cfg.UserPoolName,
		"USER_POOL_ID":                 cfg.UserPoolID,
		"USER_POOL_CLIENT_ID":          cfg.UserPoolClientID,
		"OPS_GROUP":                    cfg.OpsGroup,
		"MAIL_FROM":                    cfg.MailFrom,
		"PORTAL_URL":                   cfg.PortalURL,
		"ACTIVATION_LINK_TTL":          cfg.ActivationTTL.String(),
		"RESET_LINK_TTL":               cfg.ResetTTL.String(),
		"SESSION_TTL":                  cfg.SessionTTL.String(),
		"SESSION_MAX_AGE":              cfg.SessionMaxAge.String(),
		"REQUEST_DECISION_TIMEOUT":     cfg.DecisionTimeout.String(),
		"APPROVAL_STATE_MACHINE_NAME":  cfg.ApprovalStateMachineName,
		"APPROVAL_STATE_MACHINE_ARN":   cfg.ApprovalStateMachineARN,
		"ORG_MAX_MEMBERS":              strconv.Itoa(cfg.OrgMaxMembers),
		"INVITATION_TTL":               cfg.InvitationTTL.String(),
		"EIDAS_TRUSTSTORE_FILE":        cfg.TruststoreFile,
		"PASSWORD_MIN_LENGTH":          strconv.Itoa(p.MinLength),
		"PASSWORD_MIN_UPPER":           strconv.Itoa(p.MinUpper),
		"PASSWORD_MIN_LOWER":           strconv.Itoa(p.MinLower),
		"PASSWORD_MIN_DIGITS":          strconv.Itoa(p.MinDigits),
		"PASSWORD_MIN_SPECIAL":         strconv.Itoa(p.MinSpecial),
		"PASSWORD_MAX_REPEATED":        strconv.Itoa(p.MaxRepeated),
		"PASSWORD_HISTORY_SIZE":        strconv.Itoa(p.HistorySize),
		"PASSWORD_MAX_AGE_DAYS":        strconv.Itoa(p.MaxAgeDays),
		"PASSWORD_EXPIRY_WARNING_DAYS": joinInts(p.ExpiryWarnDays),
	}
}

// joinInts is the comma-separated form config.FromEnv parses lists from.
func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ",")
}
