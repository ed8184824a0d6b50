// Package tppworld writes what the portal holds about TPPs (organizations, apps with API
// keys, proven client certificates, OAuth clients' secrets and redirect URIs) through the
// portal's own store, as its endpoints write it, for the tests that call the TPP API and
// its authorization server as those TPPs: the local stack's and the browser's.
package tppworld

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// World is the portal table the TPPs are written to, with the API keys and client
// certificates it handed out by name.
type World struct {
	Orgs  *store.Orgs
	DB    *dynamodb.Client
	Table string
	// Now is when everything is written.
	Now time.Time
	// Keys are API keys by name; Certs client certificates by name.
	Keys  map[string]string
	Certs map[string]tls.Certificate
}

// New is a world in the portal table named table.
func New(db *dynamodb.Client, table string, now time.Time) *World {
	return &World{Orgs: store.NewOrgs(db, table), DB: db, Table: table, Now: now, Keys: map[string]string{}, Certs: map[string]tls.Certificate{}}
}

// Fingerprint is a certificate's lower-case hex SHA-256, as the portal keys it.
func Fingerprint(c tls.Certificate) string {
	sum := sha256.Sum256(c.Certificate[0])
	return hex.EncodeToString(sum[:])
}

// Audit is the audit entry of a change the world makes.
func (w *World) Audit(orgID, action string) org.AuditEntry {
	return org.AuditEntry{OrgID: orgID, At: w.Now, ActorID: "u1", Actor: "dev@example.com", Action: action}
}

// Must fails the test on err.
func (w *World) Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Organization writes an organization "TPP <id>" of env in status with the PSD2 services.
func (w *World) Organization(t testing.TB, id string, env org.Environment, status org.Status, services ...string) {
	t.Helper()
	g := org.Organization{ID: id, Name: "TPP " + id, Environment: env, Status: status, Services: services,
		OrganizationIdentifier: "PSDBE-NBB-" + id, CreatedAt: w.Now, OwnerID: "u1"}
	w.Must(t, w.Orgs.CreateOrganization(context.Background(), g, org.Member{OrgID: id, UserID: "u1", Email: "dev@example.com", Role: org.Owner, JoinedAt: w.Now}, w.Audit(id, "org.created")))
}

// App writes an app "App <appID>" subscribed to products, with the credential
// "client-<appID>" and API keys: the current one and, for the rest of keyNames, keys
// rotated away (the first still in its grace period, then expired).
func (w *World) App(t testing.TB, orgID, appID string, env org.Environment, products []string, keyNames ...string) apps.App {
	t.Helper()
	a := apps.App{ID: appID, OrgID: orgID, Name: "App " + appID, Environment: env, CreatedAt: w.Now, CreatedBy: "dev@example.com", Products: map[string]string{}}
	for _, p := range products {
		a.Products[p] = string(env)
	}
	c := apps.Credential{ClientID: "client-" + appID, AppID: appID, OrgID: orgID, Name: "Default", SecretHash: "h", CreatedAt: w.Now, ResetAt: w.Now}
	w.Must(t, w.Orgs.CreateApp(context.Background(), a, c, w.Audit(orgID, "app.created")))
	var hashes []lookup.APIKeyHash
	for i, name := range keyNames {
		key := lookup.NewAPIKey(orgID, appID, strings.Repeat(fmt.Sprint(i), 43))
		w.Keys[name] = key
		h := lookup.APIKeyHash{Hash: lookup.HashAPIKey(key), CreatedAt: w.Now.Add(-time.Duration(i) * 24 * time.Hour)}
		switch i {
		case 1:
			grace := w.Now.Add(time.Hour)
			h.ExpiresAt = &grace
		case 2:
			gone := w.Now.Add(-time.Second)
			h.ExpiresAt = &gone
		}
		hashes = append(hashes, h)
	}
	av, err := attributevalue.Marshal(hashes)
	w.Must(t, err)
	w.SetAttribute(t, store.AppKey(orgID, appID), lookup.AttrAPIKeys, av)
	got, err := w.Orgs.GetApp(context.Background(), orgID, appID)
	w.Must(t, err)
	return got
}

// Certificate issues a client certificate named name from ca, uploads it to the app's
// organization and, when proven, proves possession of its key and attaches it to a.
func (w *World) Certificate(t testing.TB, ca *sandboxca.CA, name string, a apps.App, proven bool) apps.Certificate {
	t.Helper()
	ctx := context.Background()
	cert, err := ca.ClientCertificate(pkix.Name{CommonName: name + ".example", Organization: []string{"TPP " + a.OrgID}}, time.Hour)
	w.Must(t, err)
	w.Certs[name] = cert
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	c := apps.Certificate{Fingerprint: Fingerprint(cert), OrgID: a.OrgID, Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(),
		NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter, UploadedAt: w.Now, UploadedBy: "dev@example.com",
		PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}))}
	w.Must(t, w.Orgs.PutCertificate(ctx, c, w.Audit(a.OrgID, "certificate.uploaded")))
	if !proven {
		return c
	}
	ch := possession.Challenge{OrgID: a.OrgID, Fingerprint: c.Fingerprint, Text: "sign " + name, CreatedAt: w.Now, ExpiresAt: w.Now.Add(possession.TTL)}
	_, err = w.Orgs.PutChallenge(ctx, ch, w.Now)
	w.Must(t, err)
	w.Must(t, w.Orgs.RecordPossession(ctx, c, possession.Proof{Method: possession.BySignature, At: w.Now, By: "dev@example.com"}, w.Orgs.SpendWrite(ch, w.Now), w.Audit(a.OrgID, "certificate.possession_proven")))
	writes, err := w.Orgs.AttachWrites(c, a)
	w.Must(t, err)
	after := a
	after.Fingerprints = append(after.Fingerprints, c.Fingerprint)
	w.Must(t, w.Orgs.UpdateApp(ctx, a, after, []apps.Credential{{ClientID: "client-" + a.ID, AppID: a.ID, OrgID: a.OrgID, Name: "Default", SecretHash: "h", CreatedAt: w.Now, ResetAt: w.Now}},
		w.Audit(a.OrgID, "certificate.attached"), writes...))
	return c
}

// SetAttribute sets one attribute of an item, as another part of the portal would.
func (w *World) SetAttribute(t testing.TB, k store.Key, name string, value types.AttributeValue) {
	t.Helper()
	_, err := w.DB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: &w.Table,
		Key:                      map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.PK}, "SK": &types.AttributeValueMemberS{Value: k.SK}},
		UpdateExpression:         aws.String("SET #a = :v"),
		ExpressionAttributeNames: map[string]string{"#a": name}, ExpressionAttributeValues: map[string]types.AttributeValue{":v": value}})
	w.Must(t, err)
}

// OAuthClient gives the app's credential "client-<appID>" its secret and its redirect
// URIs, as the portal's copy holds them (the hash, and the URIs inside the app's access).
func (w *World) OAuthClient(t testing.TB, appID, secret string, redirectURIs ...string) {
	t.Helper()
	sum := sha256.Sum256([]byte(secret))
	k := store.ClientKey("client-" + appID)
	w.SetAttribute(t, k, "secretHash", &types.AttributeValueMemberS{Value: hex.EncodeToString(sum[:])})
	uris := make([]types.AttributeValue, 0, len(redirectURIs))
	for _, u := range redirectURIs {
		uris = append(uris, &types.AttributeValueMemberS{Value: u})
	}
	_, err := w.DB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: &w.Table,
		Key:                       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.PK}, "SK": &types.AttributeValueMemberS{Value: k.SK}},
		UpdateExpression:          aws.String("SET #acc.#ru = :ru"),
		ExpressionAttributeNames:  map[string]string{"#acc": "access", "#ru": "redirectUris"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":ru": &types.AttributeValueMemberL{Value: uris}}})
	w.Must(t, err)
}

// RedirectURIs gives app orgID/appID the registered redirect URIs, as the portal keeps
// them on the app item for the caller check: their hosts are the app's domains, where
// the TPP API sends the customer back (TPP-Redirect-URI) and the status notifications.
func (w *World) RedirectURIs(t testing.TB, orgID, appID string, uris ...string) {
	t.Helper()
	w.SetAttribute(t, store.AppKey(orgID, appID), "redirectUris", &types.AttributeValueMemberSS{Value: uris})
}

// MTLSClient calls the TPP API as an app does: over TLS trusting roots, with the client
// certificate named cert and the API key named key (none when key is "").
func (w *World) MTLSClient(roots *x509.CertPool, cert, key string) *http.Client {
	var rt http.RoundTripper = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{w.Certs[cert]}}}
	if key != "" {
		rt = APIKeyTransport{Key: w.Keys[key], Next: rt}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: rt}
}

// APIKeyTransport adds the app's API key, which the caller check asks of every call.
type APIKeyTransport struct {
	Key  string
	Next http.RoundTripper
}

// RoundTrip sends r with the API key header.
func (t APIKeyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(lookup.APIKeyHeader, t.Key)
	return t.Next.RoundTrip(r)
}

// Snapshot is every item of the portal table, to show a refusal changed nothing.
func (w *World) Snapshot(t testing.TB) string {
	t.Helper()
	var items []map[string]any
	// Page by page: a table holding the sandbox bank is larger than one Scan's megabyte.
	pages := dynamodb.NewScanPaginator(w.DB, &dynamodb.ScanInput{TableName: &w.Table})
	for pages.HasMorePages() {
		out, err := pages.NextPage(context.Background())
		w.Must(t, err)
		var page []map[string]any
		w.Must(t, attributevalue.UnmarshalListOfMaps(out.Items, &page))
		items = append(items, page...)
	}
	b, _ := json.Marshal(items)
	return fmt.Sprintf("%d items %x", len(items), sha256.Sum256(b))
}
