package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFromEnvDefaults(t *testing.T) {
	for _, k := range []string{"LOCAL_MODE", "PORTAL_TABLE", "ACTIVATION_LINK_TTL", "RESET_LINK_TTL", "PASSWORD_MIN_LENGTH", "PASSWORD_EXPIRY_WARNING_DAYS", "PASSWORD_MAX_AGE_DAYS", "PORTAL_URL", "TPP_URL", "OAUTH_AUTHORIZE_URL", "ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "SANDBOX_CA_CRL_URL", "REVOCATION_CHECK_TIMEOUT", "SANDBOX_BANK_SEED", "SANDBOX_BANK_DATE", "SUPPORT_EMAIL", "SUPPORT_HOURS"} {
		t.Setenv(k, "")
	}
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.PortalTable != "devportal-portal" || c.ActivationTTL != 72*time.Hour || c.ResetTTL != time.Hour ||
		c.Password.MaxAgeDays != 730 || c.SessionMaxAge != 7*24*time.Hour || c.DecisionTimeout != 14*24*time.Hour || c.ApprovalStateMachineName != "devportal-approval" || fmt.Sprint(c.Password.ExpiryWarnDays) != "[14 3 1]" || c.Password.MinLength != 12 ||
		c.PortalURL != "http://127.0.0.1:8080" || c.TPPURL != "https://127.0.0.1:8443" || c.OAuthAuthorizeURL != "http://127.0.0.1:8080/oauth2/authorize" ||
		c.AccessTokenTTL != time.Hour || c.RefreshTokenTTL != 90*24*time.Hour ||
		c.SandboxCACRLURL != "http://127.0.0.1:8080/sandbox-ca/crl.der" || c.RevocationTimeout != 3*time.Second ||
		c.SandboxBankSeed != 1 || c.SandboxBankDate != "2026-11-30" ||
		c.SupportEmail != "api-support@devportal.example" || c.SupportHours != "Monday to Friday, 9:00 to 17:00 CET" {
		t.Fatalf("defaults = %+v", c)
	}
	// The CRL is served under the portal's own address unless configured elsewhere.
	t.Setenv("PORTAL_URL", "https://portal.bank.example/")
	if c, err := FromEnv(); err != nil || c.SandboxCACRLURL != "https://portal.bank.example/sandbox-ca/crl.der" {
		t.Fatalf("CRL URL = %q, %v", c.SandboxCACRLURL, err)
	}
}

func TestFromEnvOverridesAndErrors(t *testing.T) {
	cases := []struct {
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{env: map[string]string{"ACTIVATION_LINK_TTL": "24h", "RESET_LINK_TTL": "30m", "PASSWORD_EXPIRY_WARNING_DAYS": "30, 7", "PORTAL_URL": "https://portal.bank.example/"},
			check: func(c Config) bool {
				return c.ActivationTTL == 24*time.Hour && c.ResetTTL == 30*time.Minute && fmt.Sprint(c.Password.ExpiryWarnDays) == "[30 7]" && c.PortalURL == "https://portal.bank.example"
			}},
		{env: map[string]string{"RESET_LINK_TTL": "0s"}, wantErr: "RESET_LINK_TTL"},
		{env: map[string]string{"PASSWORD_MIN_LENGTH": "six"}, wantErr: "PASSWORD_MIN_LENGTH"},
		{env: map[string]string{"PASSWORD_MIN_LENGTH": "6"}, wantErr: "PASSWORD_MIN_LENGTH: must be between 8 and 64"},
		{env: map[string]string{"PASSWORD_MAX_AGE_DAYS": "0"}, wantErr: "PASSWORD_MAX_AGE_DAYS: must be at least 1"},
		{env: map[string]string{"ACTIVATION_LINK_TTL": "-1h"}, wantErr: "ACTIVATION_LINK_TTL"},
		{env: map[string]string{"PASSWORD_EXPIRY_WARNING_DAYS": "14,0"}, wantErr: "PASSWORD_EXPIRY_WARNING_DAYS"},
		{env: map[string]string{"LOCAL_MODE": "maybe"}, wantErr: "LOCAL_MODE"},
		{env: map[string]string{"SANDBOX_BANK_DATE": "30.11.2026"}, wantErr: "SANDBOX_BANK_DATE"},
		{env: map[string]string{"SANDBOX_BANK_SEED": "-3"}, wantErr: "SANDBOX_BANK_SEED"},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			cfg, err := FromEnv()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to name %s", err, c.wantErr)
				}
				return
			}
			if err != nil || !c.check(cfg) {
				t.Fatalf("cfg = %+v, err = %v", cfg, err)
			}
		})
	}
}

// TestEnvironRoundTrips: FromEnv reads back every field Environ writes, for a
// configuration that differs from the defaults everywhere.
func TestEnvironRoundTrips(t *testing.T) {
	want := Config{Local: true, Region: "eu-central-1", AWSEndpoint: "http://127.0.0.1:5999", PortalTable: "t", TPPTable: "tpp", UserPoolName: "p",
		UserPoolID: "eu-central-1_x", UserPoolClientID: "c", OpsGroup: "ops", MailFrom: "m@bank.example", PortalURL: "https://portal.bank.example", OriginSecret: "from-cloudfront",
		ActivationTTL: time.Hour, ResetTTL: 2 * time.Hour, SessionTTL: 3 * time.Hour, SessionMaxAge: 4 * time.Hour, IdleTimeout: 9 * time.Minute, OpsIdleTimeout: 10 * time.Minute, FreshAuthWindow: 11 * time.Minute, LimitAttempts: true, DecisionTimeout: 5 * time.Hour, SecondApproverKinds: []string{"GO_LIVE"},
		ApprovalStateMachineName: "sm", ApprovalStateMachineARN: "arn:aws:states:eu-central-1:1:stateMachine:sm", OrgMaxMembers: 7,
		InvitationTTL: 6 * time.Hour, SandboxCADir: "/ca", SandboxCASecretARN: "arn:secret", SandboxCACertSecretARN: "arn:ca-cert", OAuthKeySecretARN: "arn:oauth-key", RegistrationKeySecretARN: "arn:registration-key", SessionKeyID: "alias/s", PasswordKeyID: "alias/p", TruststoreFile: "/ts.pem",
		TPPURL: "https://api.bank.example", OAuthAuthorizeURL: "https://login.bank.example/oauth2/authorize", AccessTokenTTL: 7 * time.Minute, RefreshTokenTTL: 8 * time.Hour,
		SandboxCACRLURL: "https://crl.bank.example/ca.crl", CRLBucket: "crls", RevocationTimeout: 7 * time.Second,
		SandboxBankSeed: 42, SandboxBankDate: "2025-06-30", SupportEmail: "developers@bank.example", SupportHours: "Around the clock",
		UsagePlanIDs: map[string]string{"ais-sandbox": "abc123", "oauth2-sandbox": "def456"},
		Password:     PasswordPolicy{MinLength: 14, MinUpper: 2, MinLower: 3, MinDigits: 4, MinSpecial: 5, MaxRepeated: 6, HistorySize: 7, MaxAgeDays: 8, ExpiryWarnDays: []int{9, 2}}}
	for k, v := range want.Environ() {
		t.Setenv(k, v)
	}
	got, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("FromEnv read back\n%+v\nwant\n%+v", got, want)
	}
}
