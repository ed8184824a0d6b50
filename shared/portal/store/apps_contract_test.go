package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/portal/workflow"
)

// countingDB counts the DynamoDB calls made through it.
type countingDB struct {
	store.DynamoDB
	calls atomic.Int64
	// table is the portal table the store under test writes.
	table string
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.calls.Add(1)
	return c.DynamoDB.GetItem(ctx, in, opts...)
}

func (c *countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.calls.Add(1)
	return c.DynamoDB.Query(ctx, in, opts...)
}

func newOrgs(tb testing.TB, endpoint string) (*store.Orgs, *countingDB) {
	tb.Helper()
	c := testenv.Config(tb, endpoint)
	db := &countingDB{DynamoDB: dynamodb.NewFromConfig(testenv.AWS(tb, c)), table: c.PortalTable}
	if err := motoserver.CreateTables(context.Background(), db.DynamoDB.(*dynamodb.Client), c); err != nil {
		tb.Fatalf("create tables: %v", err)
	}
	return store.NewOrgs(db, c.PortalTable), db
}

func audit(orgID, action string) org.AuditEntry {
	return org.AuditEntry{OrgID: orgID, At: t0, ActorID: "u1", Actor: "dev@example.com", Action: action}
}

// sampleApp writes an app subscribed to the authorization server with one credential.
func sampleApp(t *testing.T, o *store.Orgs, orgID, appID, clientID string) (apps.App, apps.Credential) {
	t.Helper()
	a := apps.App{ID: appID, OrgID: orgID, Name: "Budget Buddy", Environment: org.Sandbox, CreatedAt: t0, CreatedBy: "dev@example.com",
		Products: map[string]string{"oauth2": "sandbox"}}
	c := apps.Credential{ClientID: clientID, AppID: appID, OrgID: orgID, Name: "Default", SecretHash: "hash-1", CreatedAt: t0, ResetAt: t0}
	sub, err := o.SubscriptionWrite(apps.Subscription{OrgID: orgID, AppID: appID, ProductID: "oauth2", ProductName: "OAuth2", PlanID: "sandbox",
		Status: apps.SubscriptionActive, CreatedAt: t0, UpdatedAt: t0, History: []approval.Event{{At: t0, Actor: "dev@example.com", Action: "subscribed"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.CreateApp(context.Background(), a, c, audit(orgID, "app.created"), sub); err != nil {
		t.Fatalf("create app: %v", err)
	}
	return a, c
}

// apply runs writes as one transaction, as the approval workflow does.
func apply(ctx context.Context, db *countingDB, writes ...workflow.Write) error {
	items := make([]types.TransactWriteItem, 0, len(writes))
	for _, w := range writes {
		items = append(items, types.TransactWriteItem{Put: w.Put, Update: w.Update, ConditionCheck: w.Check, Delete: w.Delete})
	}
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return apperr.New(apperr.Conflict, "CONFLICT", "canceled")
	}
	return err
}

// proof is the proof the contract cases record.
var proof = possession.Proof{Method: possession.BySignature, At: t0, By: "dev@example.com"}

// proveCertificate records proof for an uploaded certificate, spending a fresh challenge.
func proveCertificate(t *testing.T, o *store.Orgs, cert apps.Certificate) {
	t.Helper()
	c := possession.Challenge{OrgID: cert.OrgID, Fingerprint: cert.Fingerprint, Text: "sign me", CreatedAt: t0, ExpiresAt: t0.Add(possession.TTL)}
	putChallenge(t, o, c)
	must(t, o.RecordPossession(context.Background(), cert, proof, o.SpendWrite(c, t0.Add(time.Minute)), audit(cert.OrgID, "certificate.possession_proven")))
}

// putChallenge stores c as the current challenge, replacing any earlier one.
func putChallenge(t *testing.T, o *store.Orgs, c possession.Challenge) {
	t.Helper()
	// At the end of time every earlier challenge has expired.
	if got, err := o.PutChallenge(context.Background(), c, time.Unix(1<<40, 0)); err != nil || got != c {
		t.Fatalf("put challenge = %+v, %v", got, err)
	}
}

// must fails the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestAppStoreContract runs the apps, credentials, certificates and subscriptions rules
// of the store against moto and DynamoDB Local.
func TestAppStoreContract(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, o *store.Orgs, db *countingDB)
	}{
		{"an app waits for one reviewed change at a time, and only its own decision ends the wait", func(t *testing.T, o *store.Orgs, db *countingDB) {
			a, _ := sampleApp(t, o, "o1", "a1", "c1")
			change := apps.PendingChange{RequestID: "r1", RedirectURI: "https://budget.example/new", RequestedAt: t0, RequestedBy: "dev@example.com"}
			w, err := o.PendingChangeWrite(a, change)
			must(t, err)
			must(t, apply(ctx, db, w))
			got, _ := o.GetApp(ctx, "o1", "a1")
			if got.PendingChange == nil || *got.PendingChange != change || got.Version != a.Version+1 {
				t.Fatalf("app after the request = %+v", got)
			}
			// A second change, or one made from the app as it was before, is refused.
			second, _ := o.PendingChangeWrite(got, apps.PendingChange{RequestID: "r2", Name: "Other", RequestedAt: t0})
			wantKind(t, apply(ctx, db, second), apperr.ErrConflict, "CONFLICT")
			stale, _ := o.PendingChangeWrite(a, apps.PendingChange{RequestID: "r3", Name: "Other", RequestedAt: t0})
			wantKind(t, apply(ctx, db, stale), apperr.ErrConflict, "CONFLICT")
			wantKind(t, apply(ctx, db, o.ClearPendingChangeWrite("o1", "a1", "r2")), apperr.ErrConflict, "CONFLICT")
			must(t, apply(ctx, db, o.ClearPendingChangeWrite("o1", "a1", "r1")))
			if got, _ := o.GetApp(ctx, "o1", "a1"); got.PendingChange != nil || got.Version != a.Version+2 {
				t.Fatalf("app after the decision = %+v", got)
			}
		}},
		{"the client lookup carries the app's access and follows every change", func(t *testing.T, o *store.Orgs, _ *countingDB) {
			a, c := sampleApp(t, o, "o1", "a1", "c1")
			got, err := o.Client(ctx, "c1")
			if err != nil || got.SecretHash != "hash-1" || !got.SecretIssued || fmt.Sprint(got.Access) != "{a1 o1 Budget Buddy sandbox [] [] map[oauth2:sandbox] false}" {
				t.Fatalf("client = %+v, %v", got, err)
			}
			second := apps.Credential{ClientID: "c2", AppID: "a1", OrgID: "o1", Name: "Backend", SecretHash: "hash-2", CreatedAt: t0, ResetAt: t0}
			if err := o.AddCredential(ctx, a, second, audit("o1", "credential.added")); err != nil {
				t.Fatal(err)
			}
			after := a
			after.RedirectURIs, after.Fingerprints = []string{"https://budget.example/cb"}, []string{"ab12"}
			after.Products = map[string]string{"oauth2": "sandbox", "ais": "sandbox"}
			after.FAPI = true
			a, _ = o.GetApp(ctx, "o1", "a1")
			if err := o.UpdateApp(ctx, a, after, []apps.Credential{c, second}, audit("o1", "app.changed")); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"c1", "c2"} {
				got, _ := o.Client(ctx, id)
				if fmt.Sprint(got.Access) != "{a1 o1 Budget Buddy sandbox [https://budget.example/cb] [ab12] map[ais:sandbox oauth2:sandbox] true}" {
					t.Fatalf("%s access = %+v", id, got.Access)
				}
			}
			// Emptying the sets removes them; the app reads back with empty lists.
			a, _ = o.GetApp(ctx, "o1", "a1")
			emptied := a
			emptied.RedirectURIs, emptied.Fingerprints = nil, nil
			if err := o.UpdateApp(ctx, a, emptied, []apps.Credential{c, second}, audit("o1", "app.changed")); err != nil {
				t.Fatal(err)
			}
			a, _ = o.GetApp(ctx, "o1", "a1")
			if fmt.Sprint(a.RedirectURIs, a.Fingerprints, a.Version, a.FAPI) != "[] [] 3 true" {
				t.Fatalf("emptied app = %+v", a)
			}
		}},
		{"the app item keeps its API keys' hashes under apiKeys, written with the app's version", func(t *testing.T, o *store.Orgs, db *countingDB) {
			a, c := sampleApp(t, o, "o1", "a1", "c1")
			if got, _ := o.GetApp(ctx, "o1", "a1"); got.APIKeys == nil || len(got.APIKeys) != 0 {
				t.Fatalf("an app without keys reads back %#v", got.APIKeys)
			}
			grace := t0.Add(24 * time.Hour)
			current := lookup.APIKeyHash{Hash: lookup.HashAPIKey("o1.a1.secret-two-secret-two-secret"), CreatedAt: t0.Add(time.Hour)}
			previous := lookup.APIKeyHash{Hash: lookup.HashAPIKey("o1.a1.secret-one-secret-one-secret"), CreatedAt: t0, ExpiresAt: &grace}
			after := a
			after.APIKeys = []lookup.APIKeyHash{current, previous}
			must(t, o.UpdateApp(ctx, a, after, []apps.Credential{c}, audit("o1", "app.api_key.rotated")))
			got, err := o.GetApp(ctx, "o1", "a1")
			if err != nil || !reflect.DeepEqual(got.APIKeys, after.APIKeys) || got.Version != 1 {
				t.Fatalf("keys = %+v (version %d), %v", got.APIKeys, got.Version, err)
			}
			// The item as the TPP API's caller check reads it: a list of maps with the hash
			// in hex and RFC 3339 times; the current key has no expiresAt.
			item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(db.table), Key: map[string]types.AttributeValue{
				"PK": &types.AttributeValueMemberS{Value: store.AppKey("o1", "a1").PK}, "SK": &types.AttributeValueMemberS{Value: store.AppKey("o1", "a1").SK}}})
			if err != nil {
				t.Fatal(err)
			}
			list, ok := item.Item[lookup.AttrAPIKeys].(*types.AttributeValueMemberL)
			if !ok || len(list.Value) != 2 {
				t.Fatalf("apiKeys attribute = %#v", item.Item[lookup.AttrAPIKeys])
			}
			var stored []map[string]string
			must(t, attributevalue.Unmarshal(list, &stored))
			if want := fmt.Sprintf("[map[createdAt:2026-11-21T11:00:00Z hash:%s] map[createdAt:2026-11-21T10:00:00Z expiresAt:2026-11-22T10:00:00Z hash:%s]]",
				current.Hash, previous.Hash); fmt.Sprint(stored) != want {
				t.Fatalf("stored %v, want %s", stored, want)
			}
			// A rotation computed from the older read loses: the keys stay as they are.
			stale := a
			stale.APIKeys = []lookup.APIKeyHash{{Hash: "other", CreatedAt: t0}}
			wantKind(t, o.UpdateApp(ctx, a, stale, []apps.Credential{c}, audit("o1", "app.api_key.rotated")), apperr.ErrConflict, "CONFLICT")
			if got, _ := o.GetApp(ctx, "o1", "a1"); !reflect.DeepEqual(got.APIKeys, after.APIKeys) {
				t.Fatalf("after the stale write keys = %+v", got.APIKeys)
			}
			// A new app is created with its first key.
			fresh := apps.App{ID: "a2", OrgID: "o1", Name: "Second", Environment: org.Sandbox, CreatedAt: t0, CreatedBy: "dev@example.com",
				Products: map[string]string{}, APIKeys: []lookup.APIKeyHash{current}}
			must(t, o.CreateApp(ctx, fresh, apps.Credential{ClientID: "c2", AppID: "a2", OrgID: "o1", Name: "Default", SecretHash: "h", CreatedAt: t0, ResetAt: t0}, audit("o1", "app.created")))
			if got, _ := o.GetApp(ctx, "o1", "a2"); !reflect.DeepEqual(got.APIKeys, fresh.APIKeys) {
				t.Fatalf("created with keys %+v", got.APIKeys)
			}
		}},
		{"an update from a stale read fails and changes nothing", func(t *testing.T, o *store.Orgs, _ *countingDB) {
			a, c := sampleApp(t, o, "o1", "a1", "c1")
			renamed := a
			renamed.Name = "First"
			if err := o.UpdateApp(ctx, a, renamed, []apps.Credential{c}, audit("o1", "app.renamed")); err != nil {
				t.Fatal(err)
			}
			stale := a
			stale.Name = "Second"
			wantKind(t, o.UpdateApp(ctx, a, stale, []apps.Credential{c}, audit("o1", "app.renamed")), apperr.ErrConflict, "CONFLICT")
			// A credential copying a stale access is refused too.
			late := apps.Credential{ClientID: "c9", AppID: "a1", OrgID: "o1", Name: "Late", SecretHash: "h", CreatedAt: t0, ResetAt: t0}
			wantKind(t, o.AddCredential(ctx, a, late, audit("o1", "credential.added")), apperr.ErrConflict, "CONFLICT")
			got, _ := o.GetApp(ctx, "o1", "a1")
			client, _ := o.Client(ctx, "c1")
			if got.Name != "First" || client.Access.AppName != "First" {
				t.Fatalf("app %q, lookup %q", got.Name, client.Access.AppName)
			}
			if _, err := o.Client(ctx, "c9"); err == nil {
				t.Fatal("the refused credential was written")
			}
		}},
		{"a credential added meanwhile makes updates, deletes and product grants from the older list fail", func(t *testing.T, o *store.Orgs, db *countingDB) {
			a, c := sampleApp(t, o, "o1", "a1", "c1")
			late := apps.Credential{ClientID: "c2", AppID: "a1", OrgID: "o1", Name: "Late", SecretHash: "h", CreatedAt: t0, ResetAt: t0}
			if err := o.AddCredential(ctx, a, late, audit("o1", "credential.added")); err != nil {
				t.Fatal(err)
			}
			after := a
			after.Name = "Renamed"
			wantKind(t, o.UpdateApp(ctx, a, after, []apps.Credential{c}, audit("o1", "app.renamed")), apperr.ErrConflict, "CONFLICT")
			wantKind(t, o.DeleteApp(ctx, a, []apps.Credential{c}, nil, nil, audit("o1", "app.deleted")), apperr.ErrConflict, "CONFLICT")
			wantKind(t, apply(ctx, db, o.ProductWrites(a, []apps.Credential{c}, "ais", "sandbox")...), apperr.ErrConflict, "CONFLICT")
			// With the full list the grant reaches both copies, whatever the app's version.
			if err := apply(ctx, db, o.ProductWrites(a, []apps.Credential{c, late}, "ais", "sandbox")...); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"c1", "c2"} {
				if got, _ := o.Client(ctx, id); fmt.Sprint(got.Access.Products) != "map[ais:sandbox oauth2:sandbox]" {
					t.Fatalf("%s products = %v", id, got.Access.Products)
				}
			}
		}},
		{"credentials stop at the maximum", func(t *testing.T, o *store.Orgs, _ *countingDB) {
			sampleApp(t, o, "o1", "a1", "c1")
			for i := 2; i <= apps.MaxCredentials+1; i++ {
				a, _ := o.GetApp(ctx, "o1", "a1")
				err := o.AddCredential(ctx, a, apps.Credential{ClientID: fmt.Sprintf("c%d", i), AppID: "a1", OrgID: "o1", Name: "n", SecretHash: "h", CreatedAt: t0, ResetAt: t0}, audit("o1", "credential.added"))
				if i <= apps.MaxCredentials && err != nil {
					t.Fatalf("credential %d: %v", i, err)
				}
				if i > apps.MaxCredentials {
					wantKind(t, err, apperr.ErrConflict, "CONFLICT")
				}
			}
		}},
		{"the last credential stays", func(t *testing.T, o *store.Orgs, _ *countingDB) {
			_, c := sampleApp(t, o, "o1", "a1", "c1")
			wantKind(t, o.RevokeCredential(ctx, c, audit("o1", "credential.revoked")), apperr.ErrConflict, "LAST_CREDENTIAL")
			if _, err := o.Client(ctx, "c1"); err != nil {
				t.Fatal(err)
			}
		}},
		{"a certificate belongs to one app", func(t *testing.T, o *store.Orgs, _ *countingDB) {
			a, _ := sampleApp(t, o, "o1", "a1", "c1")
			b, _ := sampleApp(t, o, "o1", "a2", "c2")
			cert := apps.Certificate{Fingerprint: "ab12", OrgID: "o1", Subject: "CN=x", Issuer: "CN=ca", NotBefore: t0, NotAfter: t0.Add(48 * time.Hour), PEM: "pem", UploadedAt: t0}
			if err := o.PutCertificate(ctx, cert, audit("o1", "certificate.uploaded")); err != nil {
				t.Fatal(err)
			}
			wantKind(t, o.PutCertificate(ctx, cert, audit("o1", "certificate.uploaded")), apperr.ErrConflict, "DUPLICATE")
			// Unproven, it cannot be attached: no fingerprint lookup points at it.
			w, _ := o.AttachWrites(cert, a)
			after := a
			after.Fingerprints = []string{"ab12"}
			wantKind(t, o.UpdateApp(ctx, a, after, nil, audit("o1", "certificate.attached"), w...), apperr.ErrConflict, "CONFLICT")
			if _, err := o.Fingerprint(ctx, "ab12"); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("an unproven certificate has a fingerprint lookup: %v", err)
			}
			proveCertificate(t, o, cert)
			if got, _ := o.GetCertificate(ctx, "o1", "ab12"); got.Possession == nil || *got.Possession != proof {
				t.Fatalf("proven certificate = %+v", got)
			}
			a, _ = o.GetApp(ctx, "o1", "a1")
			if err := o.UpdateApp(ctx, a, after, nil, audit("o1", "certificate.attached"), w...); err != nil {
				t.Fatal(err)
			}
			w, _ = o.AttachWrites(cert, b)
			after = b
			after.Fingerprints = []string{"ab12"}
			wantKind(t, o.UpdateApp(ctx, b, after, nil, audit("o1", "certificate.attached"), w...), apperr.ErrConflict, "CONFLICT")
			owner, err := o.Fingerprint(ctx, "ab12")
			if err != nil || owner.AppID != "a1" || owner.Environment != org.Sandbox {
				t.Fatalf("owner = %+v, %v", owner, err)
			}
			cert.AppID = "a1"
			wantKind(t, o.DeleteCertificate(ctx, cert, audit("o1", "certificate.deleted")), apperr.ErrConflict, "CERTIFICATE_IN_USE")
			// Expiring certificates are found by expiry, across organizations.
			soon, err := o.ExpiringCertificates(ctx, t0, t0.Add(72*time.Hour))
			if err != nil || len(soon) != 1 || soon[0].Fingerprint != "ab12" {
				t.Fatalf("expiring = %+v, %v", soon, err)
			}
			if none, _ := o.ExpiringCertificates(ctx, t0, t0.Add(24*time.Hour)); len(none) != 0 {
				t.Fatalf("expiring within a day = %+v", none)
			}
			if err := o.MarkWarned(ctx, cert, 7); err != nil {
				t.Fatal(err)
			}
			if got, _ := o.GetCertificate(ctx, "o1", "ab12"); fmt.Sprint(got.Warned) != "[7]" {
				t.Fatalf("warned = %v", got.Warned)
			}
		}},
		{"challenges: one current per certificate, kept while it lives, spent once, never after expiry", func(t *testing.T, o *store.Orgs, db *countingDB) {
			first := possession.Challenge{OrgID: "o1", Fingerprint: "ab12", Text: "first", CreatedBy: "ann@example.com", CreatedAt: t0, ExpiresAt: t0.Add(possession.TTL)}
			if got, err := o.PutChallenge(ctx, first, t0); err != nil || got != first {
				t.Fatalf("put = %+v, %v", got, err)
			}
			// While it lives, another stays out: both callers show the first.
			second := first
			second.Text, second.CreatedAt, second.ExpiresAt = "second", t0.Add(time.Minute), t0.Add(time.Minute+possession.TTL)
			if got, err := o.PutChallenge(ctx, second, t0.Add(time.Minute)); err != nil || got != first {
				t.Fatalf("put over a live challenge = %+v, %v", got, err)
			}
			if _, err := o.Challenge(ctx, "o2", "ab12"); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("another organization's challenge: %v", err)
			}
			// At its expiry it cannot be spent, and a new one replaces it.
			wantKind(t, apply(ctx, db, o.SpendWrite(first, t0.Add(possession.TTL))), apperr.ErrConflict, "CONFLICT")
			if got, err := o.PutChallenge(ctx, second, t0.Add(possession.TTL)); err != nil || got != second {
				t.Fatalf("put over an expired challenge = %+v, %v", got, err)
			}
			// The replaced one cannot be spent; the current one once, and not after its expiry.
			wantKind(t, apply(ctx, db, o.SpendWrite(first, t0.Add(2*time.Minute))), apperr.ErrConflict, "CONFLICT")
			must(t, apply(ctx, db, o.SpendWrite(second, second.ExpiresAt.Add(-time.Millisecond))))
			wantKind(t, apply(ctx, db, o.SpendWrite(second, t0.Add(2*time.Minute))), apperr.ErrConflict, "CONFLICT")
			got, _ := o.Challenge(ctx, "o1", "ab12")
			if !got.Used || got.Text != "second" {
				t.Fatalf("spent challenge = %+v", got)
			}
			// A used one is replaced at once.
			third := first
			third.Text = "third"
			if got, err := o.PutChallenge(ctx, third, t0.Add(2*time.Minute)); err != nil || got != third {
				t.Fatalf("put over a used challenge = %+v, %v", got, err)
			}
		}},
		{"issuance records: one per certificate", func(t *testing.T, o *store.Orgs, _ *countingDB) {
			i := possession.Issuance{Fingerprint: "ab12", UserID: "u1", Email: "ann@example.com", IssuedAt: t0, NotAfter: t0.Add(time.Hour)}
			must(t, o.RecordIssuance(ctx, i))
			if got, err := o.Issuance(ctx, "ab12"); err != nil || got != i {
				t.Fatalf("issuance = %+v, %v", got, err)
			}
			other := i
			other.UserID = "u2"
			wantKind(t, o.RecordIssuance(ctx, other), apperr.ErrConflict, "CONFLICT")
			if _, err := o.Issuance(ctx, "cd34"); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("never issued: %v", err)
			}
		}},
		{"a certificate is proven once, with its challenge spent", func(t *testing.T, o *store.Orgs, db *countingDB) {
			cert := apps.Certificate{Fingerprint: "ab12", OrgID: "o1", Subject: "CN=x", Issuer: "CN=ca", NotBefore: t0, NotAfter: t0.Add(48 * time.Hour), PEM: "pem", UploadedAt: t0}
			must(t, o.PutCertificate(ctx, cert, audit("o1", "certificate.uploaded")))
			c := possession.Challenge{OrgID: "o1", Fingerprint: "ab12", Text: "x", CreatedAt: t0, ExpiresAt: t0.Add(possession.TTL)}
			putChallenge(t, o, c)
			must(t, o.RecordPossession(ctx, cert, proof, o.SpendWrite(c, t0.Add(time.Minute)), audit("o1", "certificate.possession_proven")))
			// A second proof fails on both counts: the challenge is spent, the certificate proven.
			wantKind(t, o.RecordPossession(ctx, cert, proof, o.SpendWrite(c, t0.Add(time.Minute)), audit("o1", "certificate.possession_proven")), possession.ErrSpent, "VALIDATION_FAILED")
			c.Text = "y"
			putChallenge(t, o, c)
			wantKind(t, o.RecordPossession(ctx, cert, proof, o.SpendWrite(c, t0.Add(time.Minute)), audit("o1", "certificate.possession_proven")), possession.ErrSpent, "VALIDATION_FAILED")
			if got, _ := o.Challenge(ctx, "o1", "ab12"); got.Used {
				t.Fatal("a refused proof spent the challenge")
			}
			// A certificate of another organization is not there to prove.
			missing := cert
			missing.OrgID = "o2"
			putChallenge(t, o, possession.Challenge{OrgID: "o2", Fingerprint: "ab12", Text: "y", CreatedAt: t0, ExpiresAt: t0.Add(possession.TTL)})
			wantKind(t, o.RecordPossession(ctx, missing, proof, o.SpendWrite(possession.Challenge{OrgID: "o2", Fingerprint: "ab12", Text: "y"}, t0), audit("o2", "x")), possession.ErrSpent, "VALIDATION_FAILED")
		}},
		{"a proven certificate takes over a fingerprint an unproven attachment holds, never a proven one", func(t *testing.T, o *store.Orgs, db *countingDB) {
			squatter, _ := sampleApp(t, o, "o1", "a1", "c1")
			owner, _ := sampleApp(t, o, "o2", "a2", "c2")
			mine := apps.Certificate{Fingerprint: "ab12", OrgID: "o2", Subject: "CN=x", Issuer: "CN=ca", NotBefore: t0, NotAfter: t0.Add(48 * time.Hour), PEM: "pem", UploadedAt: t0}
			theirs := mine
			theirs.OrgID = "o1"
			must(t, o.PutCertificate(ctx, mine, audit("o2", "certificate.uploaded")))
			must(t, o.PutCertificate(ctx, theirs, audit("o1", "certificate.uploaded")))
			// An attachment of the unproven copy, as the portal made them before proofs: the
			// attach writes without their possession condition.
			legacy, _ := o.AttachWrites(theirs, squatter)
			legacy[0].Update.ConditionExpression = aws.String("attribute_exists(PK) AND attribute_not_exists(appId)")
			must(t, apply(ctx, db, legacy...))
			theirs.AppID = "a1"

			// Unproven, mine cannot take it; proven, it can, once.
			take := func() error {
				w, err := o.TakeOverWrites(mine, owner, theirs)
				must(t, err)
				return apply(ctx, db, w...)
			}
			wantKind(t, take(), apperr.ErrConflict, "CONFLICT")
			proveCertificate(t, o, mine)
			mine.Possession = &proof
			must(t, take())
			if got, err := o.Fingerprint(ctx, "ab12"); err != nil || got.OrgID != "o2" || got.AppID != "a2" {
				t.Fatalf("lookup = %+v, %v", got, err)
			}
			if got, _ := o.GetCertificate(ctx, "o1", "ab12"); got.AppID != "" {
				t.Fatalf("the unproven copy is still attached: %+v", got)
			}
			if got, _ := o.GetCertificate(ctx, "o2", "ab12"); got.AppID != "a2" {
				t.Fatalf("the proven copy = %+v", got)
			}
			wantKind(t, take(), apperr.ErrConflict, "CONFLICT")
			// A proven attachment is never taken over.
			other, _ := sampleApp(t, o, "o3", "a3", "c3")
			held := apps.Certificate{Fingerprint: "cd34", OrgID: "o3", Subject: "CN=y", Issuer: "CN=ca", NotBefore: t0, NotAfter: t0.Add(48 * time.Hour), PEM: "pem", UploadedAt: t0}
			must(t, o.PutCertificate(ctx, held, audit("o3", "certificate.uploaded")))
			proveCertificate(t, o, held)
			held.Possession = &proof
			w, _ := o.AttachWrites(held, other)
			must(t, apply(ctx, db, w...))
			held.AppID = "a3"
			challenger := held
			challenger.OrgID, challenger.AppID, challenger.Possession = "o2", "", nil
			must(t, o.PutCertificate(ctx, challenger, audit("o2", "certificate.uploaded")))
			proveCertificate(t, o, challenger)
			challenger.Possession = &proof
			w, _ = o.TakeOverWrites(challenger, owner, held)
			wantKind(t, apply(ctx, db, w...), apperr.ErrConflict, "CONFLICT")
			if got, _ := o.Fingerprint(ctx, "cd34"); got.OrgID != "o3" {
				t.Fatalf("a proven attachment was taken over: %+v", got)
			}
		}},
		{"a draft reserves no identifier until both keys are proven, and the second proof submits it", func(t *testing.T, o *store.Orgs, db *countingDB) {
			draft := func(id string) org.Organization {
				g := org.Organization{ID: id, Name: "Acme", Environment: org.Sandbox, Status: org.StatusDraft, OrganizationIdentifier: "PSDBE-NBB-1", CreatedAt: t0}
				must(t, o.CreateOrganization(ctx, g, org.Member{OrgID: id, UserID: "u-" + id, Email: id + "@example.com", Role: org.Owner, JoinedAt: t0}, audit(id, "onboarding.drafted")))
				return g
			}
			squatter, holder := draft("o1"), draft("o2")
			if _, err := o.IdentifierHolder(ctx, "sandbox", "PSDBE-NBB-1"); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("a draft reserved the identifier: %v", err)
			}
			challenge := func(orgID, certificate string) possession.Challenge {
				c := possession.Challenge{OrgID: orgID, Fingerprint: certificate, Text: orgID + certificate, CreatedAt: t0, ExpiresAt: t0.Add(possession.TTL)}
				putChallenge(t, o, c)
				return c
			}
			first := func(orgID, certificate string) error {
				return o.RecordOnboardingPossession(ctx, orgID, certificate, proof, o.SpendWrite(challenge(orgID, certificate), t0.Add(time.Minute)), audit(orgID, "onboarding.possession_proven"))
			}
			last := func(g org.Organization, certificate string) error {
				writes, err := o.OnboardingSubmitWrites(g, certificate, proof)
				must(t, err)
				return apply(ctx, db, append(writes, o.SpendWrite(challenge(g.ID, certificate), t0.Add(time.Minute)))...)
			}
			// The last proof needs the first; the first refuses a second first.
			wantKind(t, last(holder, "qsealc"), apperr.ErrConflict, "CONFLICT")
			must(t, first("o2", "qwac"))
			wantKind(t, first("o2", "qsealc"), possession.ErrSpent, "VALIDATION_FAILED")
			if got, _ := o.GetOrganization(ctx, "o2"); got.Status != org.StatusDraft || got.QWACPossession == nil || got.QSealCPossession != nil {
				t.Fatalf("half proven = %+v", got)
			}
			must(t, last(holder, "qsealc"))
			got, _ := o.GetOrganization(ctx, "o2")
			if got.Status != org.StatusPending || *got.QWACPossession != proof || *got.QSealCPossession != proof {
				t.Fatalf("submitted = %+v", got)
			}
			if h, err := o.IdentifierHolder(ctx, "sandbox", "PSDBE-NBB-1"); err != nil || h != "o2" {
				t.Fatalf("holder = %q, %v", h, err)
			}
			// Submitted, it takes no more proofs; the other draft cannot take the TPP, and
			// its refused last proof leaves it as it was.
			wantKind(t, first("o2", "qwac"), possession.ErrSpent, "VALIDATION_FAILED")
			must(t, first("o1", "qwac"))
			wantKind(t, last(squatter, "qsealc"), apperr.ErrConflict, "CONFLICT")
			if got, _ := o.GetOrganization(ctx, "o1"); got.Status != org.StatusDraft || got.QSealCPossession != nil {
				t.Fatalf("refused draft = %+v", got)
			}
		}},
		{"pending marks: one request per kind, none while an offboarding waits", func(t *testing.T, o *store.Orgs, db *countingDB) {
			must(t, apply(ctx, db, o.PendingLock("o1", "RENAME", "OFFBOARDING")...))
			wantKind(t, apply(ctx, db, o.PendingLock("o1", "RENAME", "OFFBOARDING")...), apperr.ErrConflict, "CONFLICT")
			must(t, apply(ctx, db, o.PendingLock("o1", "OFFBOARDING", "")...))
			must(t, apply(ctx, db, o.PendingRelease("o1", "RENAME")))
			// With the offboarding waiting, a rename is refused even with its own mark gone.
			wantKind(t, apply(ctx, db, o.PendingLock("o1", "RENAME", "OFFBOARDING")...), apperr.ErrConflict, "CONFLICT")
			if pending, err := o.OffboardingPending(ctx, "o1"); err != nil || !pending {
				t.Fatalf("offboarding pending = %v, %v", pending, err)
			}
		}},
		{"open checks and access copies of an organization", func(t *testing.T, o *store.Orgs, db *countingDB) {
			g := org.Organization{ID: "o1", Name: "Acme", Environment: org.Sandbox, Status: org.StatusActive, OrganizationIdentifier: "PSDBE-NBB-1", CreatedAt: t0}
			writes, err := o.OrganizationWrites(g, org.Member{OrgID: "o1", UserID: "u1", Email: "a@example.com", Role: org.Owner, JoinedAt: t0}, audit("o1", "onboarding.submitted"))
			if err != nil {
				t.Fatal(err)
			}
			must(t, apply(ctx, db, writes...))
			must(t, apply(ctx, db, o.OpenChecks("o1")...))
			wantKind(t, apply(ctx, db, o.OpenChecks("missing")...), apperr.ErrConflict, "CONFLICT")
			a, _ := sampleApp(t, o, "o1", "a1", "c1")
			cert := apps.Certificate{Fingerprint: "ab12", OrgID: "o1", Subject: "CN=x", Issuer: "CN=ca", NotBefore: t0, NotAfter: t0.Add(time.Hour), PEM: "pem", UploadedAt: t0}
			w, _ := o.UploadAttachedWrites(cert, a)
			after := a
			after.Fingerprints = []string{"ab12"}
			if err := o.UpdateApp(ctx, a, after, nil, audit("o1", "certificate.issued"), w...); err != nil {
				t.Fatal(err)
			}
			free := apps.Certificate{Fingerprint: "cd34", OrgID: "o1", Subject: "CN=y", Issuer: "CN=ca", NotBefore: t0, NotAfter: t0.Add(time.Hour), PEM: "pem", UploadedAt: t0}
			if err := o.PutCertificate(ctx, free, audit("o1", "certificate.uploaded")); err != nil {
				t.Fatal(err)
			}
			copies, err := o.AccessCopies(ctx, "o1")
			table := ""
			if len(copies) > 0 {
				table = copies[0].Table
			}
			want := []workflow.Delete{{Table: table, PK: "CLIENT#c1", SK: "CLIENT"}, {Table: table, PK: "FPR#ab12", SK: "FPR"}}
			if err != nil || !strings.HasPrefix(table, "portal-") || !reflect.DeepEqual(copies, want) {
				t.Fatalf("access copies = %v, %v", copies, err)
			}
			// An offboarding waiting closes the organization to new ways in.
			must(t, apply(ctx, db, o.PendingLock("o1", "OFFBOARDING", "")...))
			wantKind(t, apply(ctx, db, o.OpenChecks("o1")...), apperr.ErrConflict, "CONFLICT")
		}},
		{"one subscription per product unless rejected", func(t *testing.T, o *store.Orgs, db *countingDB) {
			sampleApp(t, o, "o1", "a1", "c1")
			pending := apps.Subscription{OrgID: "o1", AppID: "a1", ProductID: "pay-later", PlanID: "sandbox", Status: apps.SubscriptionPending, RequestID: "r1",
				CreatedAt: t0, UpdatedAt: t0, History: []approval.Event{{At: t0, Actor: "dev", Action: "requested"}}}
			put := func(s apps.Subscription) error {
				w, err := o.SubscriptionWrite(s)
				if err != nil {
					return err
				}
				return apply(ctx, db, w)
			}
			if err := put(pending); err != nil {
				t.Fatal(err)
			}
			wantKind(t, put(pending), apperr.ErrConflict, "CONFLICT")
			reject, _ := o.SubscriptionDecisionWrite(pending, apps.SubscriptionRejected, "no", approval.Event{At: t0, Actor: "ops", Action: "rejected"})
			if err := apply(ctx, db, reject); err != nil {
				t.Fatal(err)
			}
			// The decision applies once: the same request cannot be decided again.
			wantKind(t, apply(ctx, db, reject), apperr.ErrConflict, "CONFLICT")
			list, _ := o.ListSubscriptions(ctx, "o1", "a1")
			if len(list) != 2 || list[1].Status != apps.SubscriptionRejected || list[1].Reason != "no" || len(list[1].History) != 2 {
				t.Fatalf("subscriptions = %+v", list)
			}
			pending.RequestID = "r2"
			if err := put(pending); err != nil {
				t.Fatalf("asking again after a rejection: %v", err)
			}
		}},
	}
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			endpoint := b.Endpoint(t)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					o, db := newOrgs(t, endpoint)
					c.run(t, o, db)
				})
			}
		})
	}
}

// BenchmarkClientLookup measures the TPP API's lookup from client ID to app, organization,
// environment, products, certificates and redirect URIs, and reports its DynamoDB calls.
func BenchmarkClientLookup(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend.Name, func(b *testing.B) {
			o, db := newOrgs(b, backend.Endpoint(b))
			ctx := context.Background()
			a := apps.App{ID: "a1", OrgID: "o1", Name: "Budget Buddy", Environment: org.Sandbox, CreatedAt: t0, Products: map[string]string{"oauth2": "sandbox", "ais": "sandbox"},
				RedirectURIs: []string{"https://budget.example/cb"}, Fingerprints: []string{"ab12"}}
			c := apps.Credential{ClientID: "c1", AppID: "a1", OrgID: "o1", Name: "Default", SecretHash: "h", CreatedAt: t0, ResetAt: t0}
			if err := o.CreateApp(ctx, a, c, audit("o1", "app.created")); err != nil {
				b.Fatal(err)
			}
			db.calls.Store(0)
			b.ResetTimer()
			for b.Loop() {
				got, err := o.Client(ctx, "c1")
				if err != nil || len(got.Access.Products) != 2 || len(got.Access.Fingerprints) != 1 {
					b.Fatalf("lookup = %+v, %v", got, err)
				}
			}
			b.ReportMetric(float64(db.calls.Load())/float64(b.N), "dynamodb-calls/op")
		})
	}
}
