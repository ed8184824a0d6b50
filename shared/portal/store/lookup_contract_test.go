package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/lookup/lookupdb"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/store"
)

// batchCounter counts the TPP API's reads of the portal table.
type batchCounter struct {
	*dynamodb.Client
	calls atomic.Int64
}

func (b *batchCounter) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	b.calls.Add(1)
	return b.Client.BatchGetItem(ctx, in, opts...)
}

// TestCallerLookupContract: the TPP API's caller lookup reads, in one request, the items
// the portal's store writes, under the shapes it writes them, on moto and DynamoDB Local.
func TestCallerLookupContract(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := testenv.Config(t, b.endpoint(t))
			client := dynamodb.NewFromConfig(testenv.AWS(t, c))
			must(t, motoserver.CreateTables(ctx, client, c))
			o := store.NewOrgs(client, c.PortalTable)
			reader := &batchCounter{Client: client}
			lookups := lookupdb.NewReader(reader, c.PortalTable)

			// Nothing is stored: every item is missing, which is no error.
			got, err := lookups.Caller(ctx, "ab12", "o1", "a1")
			if err != nil || got != (lookup.CallerItems{}) {
				t.Fatalf("empty table = %+v, %v", got, err)
			}

			g := org.Organization{ID: "o1", Name: "Budget Buddy Ltd", Environment: org.Sandbox, Status: org.StatusActive, Services: []string{"AIS", "PIS"},
				OrganizationIdentifier: "PSDBE-NBB-0123456789", CreatedAt: t0, OwnerID: "u1"}
			must(t, o.CreateOrganization(ctx, g, org.Member{OrgID: "o1", UserID: "u1", Email: "dev@example.com", Role: org.Owner, JoinedAt: t0}, audit("o1", "org.created")))
			a, _ := sampleApp(t, o, "o1", "a1", "c1")
			cert := apps.Certificate{Fingerprint: "ab12", OrgID: "o1", Subject: "CN=x", Issuer: "CN=ca", NotBefore: t0, NotAfter: t0.Add(48 * time.Hour), PEM: "pem", UploadedAt: t0}
			must(t, o.PutCertificate(ctx, cert, audit("o1", "certificate.uploaded")))
			proveCertificate(t, o, cert)
			w, err := o.AttachWrites(cert, a)
			must(t, err)
			after := a
			after.Fingerprints = []string{"ab12"}
			must(t, o.UpdateApp(ctx, a, after, nil, audit("o1", "certificate.attached"), w...))

			reader.calls.Store(0)
			got, err = lookups.Caller(ctx, "ab12", "o1", "a1")
			if err != nil {
				t.Fatal(err)
			}
			if n := reader.calls.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if got.Owner == nil || *got.Owner != (lookup.CertificateOwner{Fingerprint: "ab12", OrgID: "o1", AppID: "a1", Environment: lookup.Sandbox}) {
				t.Errorf("owner = %+v", got.Owner)
			}
			if got.Org == nil || fmt.Sprint(*got.Org) != "{o1 sandbox ACTIVE [AIS PIS]}" {
				t.Errorf("organization = %+v", got.Org)
			}
			if got.App == nil || fmt.Sprintf("%s %s %s %v %v", got.App.ID, got.App.OrgID, got.App.Environment, got.App.Fingerprints, got.App.Products) != "a1 o1 sandbox [ab12] map[oauth2:sandbox]" {
				t.Errorf("app = %+v", got.App)
			}
			if got.Certificate == nil || got.Certificate.AppID != "a1" || !got.Certificate.Proven() || got.Certificate.RevokedAt != nil {
				t.Errorf("certificate = %+v", got.Certificate)
			}

			// Without an API key's names only the fingerprint lookup is read.
			got, err = lookups.Caller(ctx, "ab12", "", "")
			if err != nil || got.Owner == nil || got.Owner.AppID != "a1" || got.Org != nil || got.App != nil || got.Certificate != nil {
				t.Fatalf("fingerprint alone = %+v, %v", got, err)
			}
		})
	}
}
