package store

import (
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup/keyspace"
)

// TestKeysInFamilies: every partition key keys.go builds, on the table and on its indexes,
// belongs to one family of keyspace (the families routes declare and IAM allows), and
// every family is one that keys.go builds.
func TestKeysInFamilies(t *testing.T) {
	gsi, _ := profileGSI("u")
	partitions := []string{
		UserKey("u").PK, PasswordHistoryKey("u").PK, EmailKey("a@b.example").PK, LinkKey("h").PK,
		MailPauseKey("a@b.example", "k").PK, AttemptsKey("k", time.Unix(0, 0)).PK, SessionKey("h").PK,
		RequestKey("r").PK, OrgKey("o").PK, MemberKey("o", "u").PK, PendingKey("o", "k").PK,
		OrgCodeKey("c").PK, RemovedKey("o", "u").PK, OrgIdentifierKey("sandbox", "i").PK, AppKey("o", "a").PK,
		CredentialKey("o", "a", "c").PK, SubscriptionKey("o", "a", "p").PK, OrgCertificateKey("o", "f").PK,
		ChallengeKey("o", "f").PK, IssuanceKey("f").PK, SandboxRevocationKey("1").PK, CRLNumberKey().PK,
		FingerprintKey("f").PK, ClientKey("c").PK, InviteKey("o", "i").PK, InviteTokenKey("h").PK,
		AuditKey("o", "t", "i").PK, CleanupKey("o").PK, HealthKey().PK, InstallationKey("h").PK,
		RegistrationKey("r").PK, RegistrationAPIKeyKey("h").PK, RegisteredCertificateKey("f").PK,
		DeviceKey("r", "d").PK, RegistrationSessionKey("h").PK, DynamicClientKey("c").PK,
		// The indexes' partitions.
		sessionsOf("u"), requestsByStatus("PENDING"), requestsOfOrg("o"), membershipsOf("u"),
		allOrgs, allAudit, allCerts, allCleanups, gsi,
	}
	used := map[string]bool{}
	for _, pk := range partitions {
		found := false
		for _, f := range keyspace.All {
			if (route.Keys{f}).Covers(pk) {
				used[f], found = true, true
			}
		}
		if !found {
			t.Errorf("partition %q is in no family of keyspace", pk)
		}
	}
	for _, f := range keyspace.All {
		if !used[f] {
			t.Errorf("keyspace family %q is built by no key of keys.go", f)
		}
	}
}
