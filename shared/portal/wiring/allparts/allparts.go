// Package allparts gives every part of the portal's wiring: what the local dev server and
// the tests build, serving every route from one process. No Lambda main imports it.
package allparts

import (
	"github.com/bank/devportal/shared/portal/wiring"
	"github.com/bank/devportal/shared/portal/wiring/onapigateway"
	"github.com/bank/devportal/shared/portal/wiring/oncognito"
	"github.com/bank/devportal/shared/portal/wiring/ondynamodb"
	"github.com/bank/devportal/shared/portal/wiring/onkms"
	"github.com/bank/devportal/shared/portal/wiring/ons3"
	"github.com/bank/devportal/shared/portal/wiring/onsecretsmanager"
	"github.com/bank/devportal/shared/portal/wiring/onses"
	"github.com/bank/devportal/shared/portal/wiring/onstepfunctions"
)

// Parts are every part, on AWS's services (moto's, locally).
func Parts() wiring.Parts {
	return wiring.Parts{Table: ondynamodb.Stores, Identity: oncognito.Identity, Mail: onses.Mailer,
		Workflow: onstepfunctions.Engine, SandboxCA: onsecretsmanager.SandboxCA, SandboxCACert: onsecretsmanager.SandboxCACert, CRL: ons3.CRL,
		UsagePlans: onapigateway.UsagePlans, SessionKey: onkms.SessionKey, PasswordKey: onkms.PasswordKey,
		RegistrationKey: onsecretsmanager.RegistrationKey}
}
