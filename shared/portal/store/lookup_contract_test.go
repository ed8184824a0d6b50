package store_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
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
	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/lookup/lookupdb"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/tpp/callercheck"
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
		t.Run(b.Name, func(t *testing.T) {
			c := testenv.Config(t, b.Endpoint(t))
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
			if name, err := lookups.OrganizationName(ctx, "o1"); name != "" || !errors.Is(err, lookup.ErrUnknownOrganization) {
				t.Fatalf("name of a missing organization = %q, %v", name, err)
			}
			if name, err := lookups.AppName(ctx, "o1", "a1"); name != "" || !errors.Is(err, lookup.ErrUnknownApp) {
				t.Fatalf("name of a missing app = %q, %v", name, err)
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

			if name, err := lookups.OrganizationName(ctx, "o1"); name != "Budget Buddy Ltd" || err != nil {
				t.Fatalf("organization name = %q, %v", name, err)
			}
			if name, err := lookups.AppName(ctx, "o1", "a1"); name != a.Name || err != nil {
				t.Fatalf("app name = %q, %v, want %q", name, err, a.Name)
			}

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

			// Items of the TPP table come along in the same request, strongly consistent: one
			// just written is there, and one missing is answered as missing.
			present := prefetch.Key{Table: c.TPPTable, PK: "CONSENT#c1", SK: "CONSENT"}
			absent := prefetch.Key{Table: c.TPPTable, PK: "CONSENT#gone", SK: "CONSENT"}
			item := present.AttributeValues()
			item["status"] = &types.AttributeValueMemberS{Value: "valid"}
			_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &c.TPPTable, Item: item})
			must(t, err)
			reader.calls.Store(0)
			got, err = lookups.Caller(ctx, "ab12", "o1", "a1", present, absent, present)
			if err != nil {
				t.Fatal(err)
			}
			if n := reader.calls.Load(); n != 1 || got.App == nil || got.Ahead.Len() != 2 {
				t.Fatalf("%d requests, app %v, %d items ahead: want 1 request, the app and 2 items", n, got.App, got.Ahead.Len())
			}
			if back, ok := got.Ahead.Take(present); !ok || !reflect.DeepEqual(back, item) {
				t.Errorf("the item read ahead = %v %v, want %v", back, ok, item)
			}
			if back, ok := got.Ahead.Take(absent); !ok || back != nil {
				t.Errorf("the missing item read ahead = %v %v, want an answer of none", back, ok)
			}

			// Without an API key's names only the fingerprint lookup is read.
			got, err = lookups.Caller(ctx, "ab12", "", "")
			if err != nil || got.Owner == nil || got.Owner.AppID != "a1" || got.Org != nil || got.App != nil || got.Certificate != nil {
				t.Fatalf("fingerprint alone = %+v, %v", got, err)
			}
		})
	}
}

// BenchmarkCallerCheck runs the TPP API's caller check (an accepted call: certificate,
// organization, role, API key, subscription) on the items the store writes, and reports
// its DynamoDB requests per call and its latency percentiles.
func BenchmarkCallerCheck(b *testing.B) {
	ctx := context.Background()
	for _, backend := range backends {
		b.Run(backend.Name, func(b *testing.B) {
			c := testenv.Config(b, backend.Endpoint(b))
			client := dynamodb.NewFromConfig(testenv.AWS(b, c))
			if err := motoserver.CreateTables(ctx, client, c); err != nil {
				b.Fatal(err)
			}
			o := store.NewOrgs(client, c.PortalTable)
			g := org.Organization{ID: "o1", Name: "Budget Buddy Ltd", Environment: org.Sandbox, Status: org.StatusActive, Services: []string{"AIS"}, CreatedAt: t0, OwnerID: "u1"}
			if err := o.CreateOrganization(ctx, g, org.Member{OrgID: "o1", UserID: "u1", Role: org.Owner, JoinedAt: t0}, audit("o1", "org.created")); err != nil {
				b.Fatal(err)
			}
			a := apps.App{ID: "a1", OrgID: "o1", Name: "Budget Buddy", Environment: org.Sandbox, CreatedAt: t0, Products: map[string]string{"oauth2": "sandbox", "ais": "sandbox"}}
			if err := o.CreateApp(ctx, a, apps.Credential{ClientID: "c1", AppID: "a1", OrgID: "o1", Name: "Default", SecretHash: "h", CreatedAt: t0, ResetAt: t0}, audit("o1", "app.created")); err != nil {
				b.Fatal(err)
			}
			leaf, der := benchCertificate(b)
			cert := apps.Certificate{Fingerprint: leaf, OrgID: "o1", Subject: "CN=x", Issuer: "CN=x", NotBefore: t0, NotAfter: t0.Add(time.Hour), PEM: "pem", UploadedAt: t0}
			if err := o.PutCertificate(ctx, cert, audit("o1", "certificate.uploaded")); err != nil {
				b.Fatal(err)
			}
			ch := possession.Challenge{OrgID: "o1", Fingerprint: leaf, Text: "sign me", CreatedAt: t0, ExpiresAt: t0.Add(possession.TTL)}
			if _, err := o.PutChallenge(ctx, ch, t0); err != nil {
				b.Fatal(err)
			}
			if err := o.RecordPossession(ctx, cert, proof, o.SpendWrite(ch, t0), audit("o1", "certificate.possession_proven")); err != nil {
				b.Fatal(err)
			}
			w, _ := o.AttachWrites(cert, a)
			a, _ = o.GetApp(ctx, "o1", "a1")
			after := a
			after.Fingerprints = []string{leaf}
			if err := o.UpdateApp(ctx, a, after, []apps.Credential{{ClientID: "c1", AppID: "a1", OrgID: "o1", Name: "Default", SecretHash: "h", CreatedAt: t0, ResetAt: t0}}, audit("o1", "certificate.attached"), w...); err != nil {
				b.Fatal(err)
			}
			key := lookup.NewAPIKey("o1", "a1", strings.Repeat("s", 43))
			keys, _ := attributevalue.Marshal([]lookup.APIKeyHash{{Hash: lookup.HashAPIKey(key), CreatedAt: t0}})
			k := store.AppKey("o1", "a1")
			if _, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &c.PortalTable,
				Key:              map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.PK}, "SK": &types.AttributeValueMemberS{Value: k.SK}},
				UpdateExpression: aws.String("SET apiKeys = :k"), ExpressionAttributeValues: map[string]types.AttributeValue{":k": keys}}); err != nil {
				b.Fatal(err)
			}
			reader := &batchCounter{Client: client}
			check := &callercheck.Authorizer{Lookups: lookupdb.NewReader(reader, c.PortalTable), Environment: lookup.Sandbox}
			call := callercheck.Call{CertDER: der, APIKey: key, Product: "ais"}
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := check.Check(ctx, call); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(reader.calls.Load())/float64(len(took)), "dynamodb-calls/op")
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// benchCertificate is a self-signed certificate's fingerprint and DER.
func benchCertificate(b *testing.B) (string, []byte) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench"}, NotBefore: t0, NotAfter: t0.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), der
}
