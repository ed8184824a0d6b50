// Package keyspace names the portal table's partition-key families: the prefixes the
// store's keys.go (and the lookup package) build partition keys with, on the table and
// on its indexes. It sits beside the lookups because the TPP area names the families of
// the lookups it reads, and reaches the portal through nothing else. Routes declare the families they reach (route.Route.Keys); the tests'
// AWS guard and the functions' IAM conditions (dynamodb:LeadingKeys) hold them to it.
// A family ending in "#" is every partition starting with it; any other is one partition.
package keyspace

import "github.com/bank/devportal/shared/platform/route"

// The table's partitions.
const (
	User         = "USER#"         // a user's profile and password history
	Email        = "EMAIL#"        // the reservation of an email address
	Link         = "LINK#"         // an emailed link (activation, password reset)
	MailPause    = "MAILPAUSE#"    // the pause between two mails to an address
	Attempts     = "ATTEMPTS#"     // a rate limit's attempts in one window
	Session      = "SESSION#"      // a session
	Request      = "REQUEST#"      // an approval request
	Org          = "ORG#"          // an organization and what it holds; GSI2: its requests
	OrgCode      = "ORGCODE#"      // the reservation of an organization code
	OrgIdent     = "ORGIDENT#"     // the reservation of an eIDAS organization identifier
	Issued       = "ISSUED#"       // the sandbox CA's record of a certificate it issued
	SandboxCA    = "CA#SANDBOX"    // the sandbox CA's revocations and CRL number
	Fingerprint  = "FPR#"          // a certificate's lookup by fingerprint (TPP API)
	Client       = "CLIENT#"       // a credential's lookup by client ID (TPP API)
	InviteToken  = "INVTOKEN#"     // an invitation by its token's hash
	Cleanup      = "CLEANUP#"      // an unfinished offboarding cleanup
	Health       = "HEALTH#"       // the health check's key no item has
	Installation = "INSTALLATION#" // a registration API installation
	Registration = "REGISTRATION#" // a registration API registration and its devices
	RegAPIKey    = "REGAPIKEY#"    // a registration by its API key's hash
	RegCert      = "REGCERT#"      // a certificate's reservation by one registration
	RegSession   = "REGSESSION#"   // a registration API session
	DCRClient    = "DCRCLIENT#"    // a dynamically registered client
)

// GSI1's partitions.
const (
	Sessions    = "SESSIONS#" // one user's sessions
	Requests    = "REQUESTS#" // the requests in one status (the operations inbox)
	Memberships = "MEMBER#"   // one user's memberships
	Orgs        = "ORGS"      // every organization
	Audit       = "AUDIT"     // every audit entry
	Certs       = "CERTS"     // every uploaded certificate, by expiry
	Cleanups    = "CLEANUPS"  // every unfinished offboarding cleanup
	Profiles    = "PROFILES"  // every profile
)

// All is every family of the table and its indexes.
var All = route.Keys{
	User, Email, Link, MailPause, Attempts, Session, Request, Org, OrgCode, OrgIdent, Issued,
	SandboxCA, Fingerprint, Client, InviteToken, Cleanup, Health, Installation, Registration,
	RegAPIKey, RegCert, RegSession, DCRClient,
	Sessions, Requests, Memberships, Orgs, Audit, Certs, Cleanups, Profiles,
}.Union(nil)
