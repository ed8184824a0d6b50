package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/platform/tppkeys"
	"github.com/bank/devportal/shared/portal/lookup/keyspace"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// mayReachEveryItem are the functions whose role may reach every item of the portal
// table, each with its reason. None: every function, jobs and authorizers included,
// declares the partition-key families it reaches.
var mayReachEveryItem = map[string]string{}

// portalTableStatements are the statements of the function's role on the portal table or
// its indexes, from the portal API's stack or the TPP API's.
func portalTableStatements(t *testing.T, s *synthesized, name string) []map[string]interface{} {
	t.Helper()
	return tableStatements(t, s, name, "PortalTable")
}

// tppTableStatements are the statements of the function's role on the TPP table or its
// index.
func tppTableStatements(t *testing.T, s *synthesized, name string) []map[string]interface{} {
	t.Helper()
	return tableStatements(t, s, name, "TppTable")
}

// tableStatements are the statements of the function's role on the table whose logical
// ID is tableID, or its indexes, from the portal API's stack or the TPP API's.
func tableStatements(t *testing.T, s *synthesized, name, tableID string) []map[string]interface{} {
	t.Helper()
	var out []map[string]interface{}
	for _, where := range []struct {
		fns, policies map[string]map[string]interface{}
	}{
		{apiResources(t, s, "AWS::Lambda::Function"), apiResources(t, s, "AWS::IAM::Policy")},
		{resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::Lambda::Function"), resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::IAM::Policy")},
	} {
		fn, ok := where.fns[stacks.FunctionLogicalID(name)]
		if !ok {
			continue
		}
		role := getAtt(props(fn)["Role"], "Arn")
		for _, policy := range where.policies {
			p := props(policy)
			roles, _ := p["Roles"].([]interface{})
			if !slices.ContainsFunc(roles, func(r interface{}) bool { return ref(r) == role }) {
				continue
			}
			for _, raw := range list(p["PolicyDocument"].(map[string]interface{})["Statement"]) {
				st := raw.(map[string]interface{})
				if strings.Contains(mustJSON(t, st["Resource"]), tableID) {
					out = append(out, st)
				}
			}
		}
		return out
	}
	t.Fatalf("no function %s in either API's stack", name)
	return nil
}

// leadingKeys are the statement's dynamodb:LeadingKeys patterns under
// ForAllValues:StringLike, and whether it has them as its only condition.
func leadingKeys(st map[string]interface{}) ([]string, bool) {
	cond, _ := st["Condition"].(map[string]interface{})
	like, _ := cond["ForAllValues:StringLike"].(map[string]interface{})
	if len(cond) != 1 || len(like) != 1 || like["dynamodb:LeadingKeys"] == nil {
		return nil, false
	}
	return stringList(like["dynamodb:LeadingKeys"]), true
}

// TestPortalTableLeadingKeys: every statement of every function's role on the portal table
// and its indexes allows only the partitions of the function's key families
// (dynamodb:LeadingKeys, which a query on an index checks against the index's partition
// key), never a scan, whose partitions no condition can hold; only mayReachEveryItem may
// go without, and none does.
func TestPortalTableLeadingKeys(t *testing.T) {
	s := synth(t)
	all := keyspace.All.LeadingKeys()
	for _, name := range stacks.AllFunctionNames() {
		a, _ := stacks.FunctionAccess(name)
		if a.Table == stacks.NoTable {
			continue
		}
		t.Run(name, func(t *testing.T) {
			sts := portalTableStatements(t, s, name)
			if len(sts) == 0 {
				t.Fatal("no statement on the portal table, but the function reaches it")
			}
			want := a.Keys.LeadingKeys()
			for _, st := range sts {
				if slices.Contains(stringList(st["Action"]), "dynamodb:Scan") {
					t.Errorf("%v allows a scan", st["Action"])
				}
				got, ok := leadingKeys(st)
				if _, every := mayReachEveryItem[name]; every {
					continue
				}
				if !ok {
					t.Errorf("%v on the portal table without a LeadingKeys condition: %v", st["Action"], st["Condition"])
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("LeadingKeys %v, want %v", got, want)
				}
				for _, p := range got {
					if !slices.Contains(all, p) {
						t.Errorf("pattern %q is no family of the table", p)
					}
				}
				if slices.Equal(got, all) {
					t.Error("the condition allows every family: list the function in mayReachEveryItem with its reason, or narrow its Keys")
				}
			}
		})
	}
	for name := range mayReachEveryItem {
		if !slices.Contains(stacks.AllFunctionNames(), name) {
			t.Errorf("mayReachEveryItem names %s, which is no function", name)
		}
	}
}

// mayReachEveryTPPItem are the functions whose role may reach every item of the TPP
// table, each with its reason. None: every function that reaches the table, jobs and the
// bearer authorizer included, declares the partition-key families it reaches.
var mayReachEveryTPPItem = map[string]string{}

// TestTPPTableLeadingKeys: every statement of every function's role on the TPP table and
// its index allows only the partitions of the function's TPP key families
// (dynamodb:LeadingKeys), never a scan; only mayReachEveryTPPItem may go without, and none
// does. A function that does not reach the table has no statement on it.
func TestTPPTableLeadingKeys(t *testing.T) {
	s := synth(t)
	all := tppkeys.All.LeadingKeys()
	for _, name := range stacks.AllFunctionNames() {
		a, _ := stacks.FunctionAccess(name)
		t.Run(name, func(t *testing.T) {
			sts := tppTableStatements(t, s, name)
			if !a.TPPTable && !a.TPPTableRead {
				if len(sts) > 0 {
					t.Fatalf("%d statements on the TPP table, but the function does not reach it", len(sts))
				}
				return
			}
			if len(sts) == 0 {
				t.Fatal("no statement on the TPP table, but the function reaches it")
			}
			want := a.TPPKeys.LeadingKeys()
			for _, st := range sts {
				if slices.Contains(stringList(st["Action"]), "dynamodb:Scan") {
					t.Errorf("%v allows a scan", st["Action"])
				}
				if _, every := mayReachEveryTPPItem[name]; every {
					continue
				}
				got, ok := leadingKeys(st)
				if !ok {
					t.Errorf("%v on the TPP table without a LeadingKeys condition: %v", st["Action"], st["Condition"])
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("LeadingKeys %v, want %v", got, want)
				}
				for _, p := range got {
					if !slices.Contains(all, p) {
						t.Errorf("pattern %q is no family of the table", p)
					}
				}
				if slices.Equal(got, all) {
					t.Error("the condition allows every family: list the function in mayReachEveryTPPItem with its reason, or narrow its TPPKeys")
				}
			}
		})
	}
	for name := range mayReachEveryTPPItem {
		if !slices.Contains(stacks.AllFunctionNames(), name) {
			t.Errorf("mayReachEveryTPPItem names %s, which is no function", name)
		}
	}
}

// TestTPPLeadingKeysSpotChecks: a few functions' exact TPP families, as their code reaches
// them, and families that whole groups of functions must never reach.
func TestTPPLeadingKeysSpotChecks(t *testing.T) {
	s := synth(t)
	for name, want := range map[string][]string{
		// An account read: its consent (and the day's count of reads) and the sandbox
		// account with its ledger; no token, no customer, no payment.
		"ais-accounts": {"BANKACCOUNT#*", "CONSENT#*"},
		// A transaction by its ID, through GSI1.
		"ais-transaction": {"BANKACCOUNT#*", "BANKTX#*", "CONSENT#*"},
		// Funds: the confirmation-of-funds consent and its account's ledger.
		"cof-confirm": {"BANKACCOUNT#*", "PIIS#*"},
		// The token endpoint: codes, their PKCE challenges and the grants' tokens.
		"oauth2-token": {"OAUTH#CODE#*", "OAUTH#GRANT#*", "OAUTH#PKCE#*"},
		// Revocation and introspection: a grant's tokens only.
		"oauth2-revoke":     {"OAUTH#GRANT#*"},
		"oauth2-introspect": {"OAUTH#GRANT#*"},
		// A consent's authorisation step: its authorisations (not a payment's), the
		// customer by sign-in name and their accounts, the consent, the basket that may hold
		// it, its notification.
		"ais-consent-authorisation-update": {"BANKCUSTOMER#*", "BANKLOGIN#*", "BASKET#*", "BASKETMEMBER#*", "CONSENT#*", "NOTIFY#*", "NOTIFYLOG#*", "SCA#AIS#*"},
		// A payment's cancellation step: its cancellation's authorisations and the payment;
		// no ledger, no accounts.
		"pis-payments-cancellation-update": {"BANKLOGIN#*", "NOTIFY#*", "NOTIFYLOG#*", "PAYMENT#*", "SCA#PISCANC#*"},
		// The bearer authorizer's read ahead: the token's grant and the call's consent.
		tpproutes.BearerAuthorizerName: {"CONSENT#*", "OAUTH#GRANT#*"},
		// The delivery job: the due deliveries (GSI1) and their records.
		tpproutes.NotificationJob: {"NOTIFYDUE", "NOTIFYLOG#*"},
		// The portal's view of an app's notifications.
		"app-notifications": {"NOTIFYLOG#*"},
	} {
		t.Run(name, func(t *testing.T) {
			sts := tppTableStatements(t, s, name)
			if len(sts) == 0 {
				t.Fatal("no statement on the TPP table")
			}
			for _, st := range sts {
				if got, _ := leadingKeys(st); !slices.Equal(got, want) {
					t.Errorf("LeadingKeys %v, want %v", got, want)
				}
			}
		})
	}
	// Only the authorization server, the bearer authorizer and the bank's pages reach
	// OAuth2 state; only the steps that identify a customer, and the bank's pages, reach
	// the customers' sign-in names; no Berlin Group endpoint reaches the delivery queue;
	// no account-information or funds endpoint reaches payments or their authorisations.
	for _, name := range stacks.AllFunctionNames() {
		a, _ := stacks.FunctionAccess(name)
		if !a.TPPTable && !a.TPPTableRead {
			continue
		}
		rt, isTPP := tppRouteNamed(name)
		for _, st := range tppTableStatements(t, s, name) {
			got, _ := leadingKeys(st)
			for _, p := range got {
				oauthState := strings.HasPrefix(p, "OAUTH#")
				switch {
				case oauthState && isTPP && rt.Tag != "OAuth2":
					t.Errorf("%s may reach OAuth2 state %s", name, p)
				case p == "BANKLOGIN#*" && isTPP && rt.Tag == "OAuth2":
					t.Errorf("%s may reach the customers' sign-in names", name)
				case p == "BANKLOGIN#*" && isTPP && !(strings.Contains(rt.Path, "authorisations") && (rt.Method == "POST" || rt.Method == "PUT")):
					t.Errorf("%s may reach the customers' sign-in names, but identifies no customer", name)
				case p == "NOTIFYDUE" && name != tpproutes.NotificationJob:
					t.Errorf("%s may reach the delivery queue", name)
				case isTPP && (rt.Tag == "AIS" || rt.Tag == "CoF") && (strings.HasPrefix(p, "PAYMENT#") || strings.HasPrefix(p, "SCA#PIS") || strings.HasPrefix(p, "BANKBOOKING#")):
					t.Errorf("%s, an account-information or funds endpoint, may reach payments (%s)", name, p)
				}
			}
		}
	}
}

// tppRouteNamed is the route of the TPP API's mTLS origin named name.
func tppRouteNamed(name string) (route.Route, bool) {
	rt, err := route.Find(tpproutes.TPP, name)
	return rt, err == nil
}

// TestLeadingKeysSpotChecks: a few functions' exact families, as their code reaches them.
func TestLeadingKeysSpotChecks(t *testing.T) {
	s := synth(t)
	for name, want := range map[string][]string{
		// Sign-in reads the profile, counts the attempts and writes the session: no
		// organization, app or credential.
		"auth-login": {"ATTEMPTS#*", "SESSION#*", "USER#*"},
		// Sign-up reserves the address, writes the profile and its activation link, and
		// may join an organization by its code.
		"auth-signup": {"ATTEMPTS#*", "EMAIL#*", "LINK#*", "MAILPAUSE#*", "ORG#*", "ORGCODE#*", "USER#*"},
		// Forgot-password and resend-activation mail a link to an address; no session.
		"auth-forgot-password":   {"ATTEMPTS#*", "EMAIL#*", "LINK#*", "MAILPAUSE#*", "USER#*"},
		"auth-resend-activation": {"EMAIL#*", "LINK#*", "MAILPAUSE#*", "USER#*"},
		// The health check's one key no item has.
		"healthz": {"HEALTH#*"},
		// The operations inbox: its session, and GSI1's partition of a status.
		"ops-requests": {"REQUESTS#*", "SESSION#*", "USER#*"},
		// Every organization: GSI1's one partition of them, not the organizations' items.
		"ops-organizations": {"ORGS", "SESSION#*", "USER#*"},
		// The caller check's one BatchGetItem.
		tpproutes.AuthorizerName: {"FPR#*", "ORG#*"},
		// The token endpoint reads a client's lookup copy and the organization's name.
		"oauth2-token": {"CLIENT#*", "ORG#*"},
		// The password expiry reminder lists the profiles (GSI1) and reads them.
		"password-expiry-reminder": {"PROFILES", "USER#*"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, st := range portalTableStatements(t, s, name) {
				if got, _ := leadingKeys(st); !slices.Equal(got, want) {
					t.Errorf("LeadingKeys %v, want %v", got, want)
				}
			}
		})
	}
	// No sign-in, sign-up or password-reset function reaches an organization's apps,
	// credentials or certificates through anything but ORG# (auth-signup's join by code)
	// and none reaches the lookups the TPP API reads.
	for _, name := range []string{"auth-login", "auth-login-mfa", "auth-forgot-password", "auth-reset-password", "auth-activate", "auth-resend-activation"} {
		for _, st := range portalTableStatements(t, s, name) {
			got, _ := leadingKeys(st)
			for _, forbidden := range []string{"CLIENT#*", "FPR#*", "REQUEST#*", "ISSUED#*"} {
				if slices.Contains(got, forbidden) {
					t.Errorf("%s may reach %s", name, forbidden)
				}
			}
			if name == "auth-login" || name == "auth-login-mfa" || name == "auth-forgot-password" {
				if slices.Contains(got, "ORG#*") {
					t.Errorf("%s may reach organizations (ORG#)", name)
				}
			}
		}
	}
}
