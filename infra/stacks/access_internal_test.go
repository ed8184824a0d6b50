package stacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/route"
)

// TestAccessProblemsPanic proves that a function whose needs cannot become grants stops
// the stack before any construct exists, with a message that says what to do.
func TestAccessProblemsPanic(t *testing.T) {
	const name = "auth-signup"
	saved := accessExceptions[name]
	delete(accessExceptions, name)
	defer func() { accessExceptions[name] = saved }()
	defer func() {
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, name+" needs the user pool but no exception lists its calls") {
			t.Errorf("panic %q does not name the function and what it lacks", msg)
		}
	}()
	// checkAccess runs before the scope is touched, so no jsii app is needed.
	NewPortalAPIStack(nil, "test", PortalAPIProps{})
	t.Error("no panic")
}

func TestAccessChecks(t *testing.T) {
	healthz, _ := lookupFunction("healthz")
	publicPool := appFunction{name: "new-public-route", kind: portalRoute,
		route: route.Route{Name: "new-public-route", Auth: route.Public, Needs: route.UserPool}}
	for _, tc := range []struct {
		fns  []appFunction
		want string
	}{
		{append(DefaultRouteTables().functions(), publicPool), "new-public-route needs the user pool but no exception lists its calls"},
		{[]appFunction{healthz}, "accessExceptions names auth-signup, which is not a deployed function"},
		{append(DefaultRouteTables().functions(), appFunction{name: "new-table-route", kind: portalRoute,
			route: route.Route{Name: "new-table-route", Auth: route.Public, Needs: route.PortalTable}}),
			"new-table-route reaches the portal table but declares no key families (Keys in its route table line)"},
		{append(DefaultRouteTables().functions(), appFunction{name: "new-tpp-route", kind: tppRoute,
			route: route.Route{Name: "new-tpp-route", Auth: route.TPP, Needs: route.TPPTable}}),
			"new-tpp-route reaches the TPP table but declares no key families (TPPKeys in its route table line)"},
		{append(DefaultRouteTables().functions(), appFunction{name: "new-tpp-route", kind: tppRoute,
			route: route.Route{Name: "new-tpp-route", Auth: route.TPP, Needs: route.PortalTable, Keys: route.Keys{"CLIENT#"}, TPPKeys: route.Keys{"CONSENT#"}}}),
			"new-tpp-route declares TPP key families but does not need the TPP table"},
	} {
		err := checkAccess(tc.fns)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("checkAccess(%v) = %v, want an error with %q", names(tc.fns), err, tc.want)
		}
	}
	if err := checkAccess(DefaultRouteTables().functions()); err != nil {
		t.Errorf("checkAccess of the app's functions = %v", err)
	}
}

// TestDerivedAccess pins what a few needs turn into.
func TestDerivedAccess(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string
	}{
		{"healthz", "{Table:3 Keys:[HEALTH#] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:false PasswordKey:false}"},
		{"openapi", "{Table:0 Keys:[] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:false PasswordKey:false}"},
		{"org-invite", "{Table:2 Keys:[INVTOKEN# ORG# SESSION# USER#] UserPool:[InitiateAuth] SendMail:true StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:true PasswordKey:false}"},
		{"org-onboard", "{Table:2 Keys:[CA#SANDBOX ISSUED# ORG# ORGIDENT# REQUEST# SESSION# USER#] UserPool:[InitiateAuth] SendMail:false StartApproval:true SandboxCA:false SandboxCACert:true DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:true PasswordKey:false}"},
		{"ops-request-reject", "{Table:2 Keys:[ORG# REQUEST# SESSION# USER#] UserPool:[InitiateAuth] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval:SendTaskFailure PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:true PasswordKey:false}"},
		// Two-step sign-in: the code step answers Cognito's challenge; the set-up checks the
		// app's code and turns it on, with the user's access token.
		{"auth-login-mfa", "{Table:2 Keys:[SESSION# USER#] UserPool:[RespondToAuthChallenge RevokeToken] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:true PasswordKey:false}"},
		{"auth-mfa-verify", "{Table:2 Keys:[SESSION# USER#] UserPool:[InitiateAuth VerifySoftwareToken SetUserMFAPreference] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:true PasswordKey:false}"},
		{"auth-forgot-password", "{Table:2 Keys:[ATTEMPTS# EMAIL# LINK# MAILPAUSE# USER#] UserPool:[] SendMail:true StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:false PasswordKey:false}"},
		{"approval-reconciler", "{Table:2 Keys:[CLEANUP# CLEANUPS CLIENT# FPR# ORG# REQUEST# REQUESTS#] UserPool:[] SendMail:false StartApproval:true SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:false PasswordKey:false}"},
		{"app-get", "{Table:2 Keys:[ORG# SESSION# USER#] UserPool:[InitiateAuth] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[GET] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:true PasswordKey:false}"},
		{"subscription-create", "{Table:2 Keys:[CLIENT# ORG# REQUEST# SESSION# USER#] UserPool:[InitiateAuth] SendMail:false StartApproval:true SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[GET POST DELETE] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:true PasswordKey:false}"},
		// The authorization server's and the bank pages' functions: the portal by GetItem
		// only, the TPP table, the key; the metadata nothing.
		{"oauth2-token", "{Table:3 Keys:[CLIENT# ORG#] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:true TPPTableRead:false TPPKeys:[OAUTH#CODE# OAUTH#GRANT# OAUTH#PKCE#] OAuthKey:true RegistrationKey:false SessionKey:false PasswordKey:false}"},
		{"sandbox-bank-decide", "{Table:3 Keys:[CLIENT# ORG#] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:true TPPTableRead:false TPPKeys:[BANKACCOUNT# BANKBOOKING# BANKCUSTOMER# BANKIBAN# BASKET# BASKETMEMBER# CONSENT# NOTIFY# NOTIFYLOG# OAUTH#CODE# OAUTH#PENDING# OAUTH#PKCE# PAYMENT# PIIS#] OAuthKey:true RegistrationKey:false SessionKey:false PasswordKey:false}"},
		{"oauth2-metadata", "{Table:0 Keys:[] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:false PasswordKey:false}"},
		// A portal route of the TPP API's origin keeps the portal's grants.
		{"certificate-check", "{Table:2 Keys:[ORG#] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:false PasswordKey:false}"},
		{"tpp-authorizer", "{Table:4 Keys:[FPR# ORG#] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:false TPPKeys:[] OAuthKey:false RegistrationKey:false SessionKey:false PasswordKey:false}"},
		// The bearer authorizer reads the token's session and checks it with the key; the
		// account-information functions read and write the TPP table only.
		{"tpp-bearer-authorizer", "{Table:4 Keys:[FPR# ORG#] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:false TPPTableRead:true TPPKeys:[CONSENT# OAUTH#GRANT#] OAuthKey:true RegistrationKey:false SessionKey:false PasswordKey:false}"},
		{"ais-account-transactions", "{Table:0 Keys:[] UserPool:[] SendMail:false StartApproval:false SandboxCA:false SandboxCACert:false DecideApproval: PublishCRL:false UsagePlans:[] TPPTable:true TPPTableRead:false TPPKeys:[BANKACCOUNT# CONSENT#] OAuthKey:false RegistrationKey:false SessionKey:false PasswordKey:false}"},
	} {
		a, ok := FunctionAccess(tc.name)
		if got := fmt.Sprintf("%+v", a); !ok || got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
