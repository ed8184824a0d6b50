package portalapi

import (
	"net/http"

	"github.com/bank/devportal/shared/platform/httpapi"
)

// securityEvents are the routes whose every answer is a security event, by route name:
// what a bank's security team follows. Each is logged once, after the answer, with its
// outcome, the actor (the signed-in user) and the subject the path names. Refusals of any
// route (401, 403, 429) are logged by the error writer besides, with their code.
var securityEvents = map[string]string{
	"auth-login":              "sign-in",
	"auth-login-mfa":          "sign-in-mfa",
	"auth-mfa-setup":          "mfa-enrolment-start",
	"auth-mfa-verify":         "mfa-enrolment",
	"auth-mfa-disable":        "mfa-disable",
	"auth-logout":             "sign-out",
	"auth-confirm-password":   "password-confirmation",
	"auth-activate":           "activation",
	"auth-reset-password":     "password-reset",
	"account-change-password": "password-change",
	"org-member-role":         "role-change",
	"org-member-remove":       "member-removal",
	"org-owner":               "ownership-transfer",
	"ops-request-approve":     "operations-decision",
	"ops-request-reject":      "operations-decision",
	"ops-member-mfa-reset":    "mfa-reset",
	"credential-reset":        "secret-reset",
	"credential-revoke":       "credential-revocation",
	"app-api-key-rotate":      "api-key-rotation",
}

// logSecurityEvent logs event for r, answered with status. A sign-in names the address
// it was tried for (there is no session yet); no event names a password or a token.
func logSecurityEvent(r *http.Request, event string, status int) {
	outcome := "success"
	switch {
	case status >= 400:
		outcome = "failure"
	case status == http.StatusAccepted && event == "sign-in":
		outcome = "code-needed" // the password was right; the sign-in waits for its code
	}
	attrs := []any{"outcome", outcome, "status", status}
	if s := sessionFrom(r.Context()); s.UserID != "" {
		attrs = append(attrs, "actorUserId", s.UserID, "actorEmail", s.Email)
	}
	for _, p := range []string{"orgId", "userId", "appId", "clientId", "requestId"} {
		if v := r.PathValue(p); v != "" {
			attrs = append(attrs, p, v)
		}
	}
	if email, ok := r.Context().Value(signInEmailKey{}).(*string); ok && *email != "" {
		attrs = append(attrs, "email", *email)
	}
	httpapi.SecurityEvent(r.Context(), event, attrs...)
}

// signInEmailKey carries, from the sign-in handler to its event, the address the sign-in
// was tried for.
type signInEmailKey struct{}
