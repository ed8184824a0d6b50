package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/registration"
	"github.com/bank/devportal/shared/portal/store"
)

// TestRegistrationStoreContract: installations, registrations, devices and sessions of
// the registration API, on every backend: each refused write leaves nothing behind.
func TestRegistrationStoreContract(t *testing.T) {
	ctx := context.Background()
	install := func(t *testing.T, o *store.Orgs, hash string) registration.Installation {
		t.Helper()
		in := registration.Installation{ID: "i-" + hash, PublicKeyPEM: "pem", TokenHash: hash, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := o.CreateInstallation(ctx, in); err != nil {
			t.Fatal(err)
		}
		return in
	}
	reg := func(id, install, apiKey, cert string) registration.Registration {
		return registration.Registration{ID: id, InstallationID: "i-" + install, InstallationTokenHash: install, OrgID: "o-" + id, Environment: "sandbox",
			APIKeyHash: apiKey, CertFingerprint: cert, CreatedAt: t0, PublicKeyPEM: "pem"}
	}
	cases := []struct {
		name string
		run  func(t *testing.T, o *store.Orgs)
	}{
		{"an installation is found by its token's hash, once", func(t *testing.T, o *store.Orgs) {
			in := install(t, o, "h1")
			got, err := o.InstallationByToken(ctx, "h1")
			if err != nil || got.ID != in.ID || !got.ExpiresAt.Equal(in.ExpiresAt) || got.RegistrationID != "" {
				t.Fatalf("got %+v, %v", got, err)
			}
			if err := o.CreateInstallation(ctx, in); !errors.Is(err, apperr.ErrConflict) {
				t.Fatalf("a second installation of the same token: %v", err)
			}
			if _, err := o.InstallationByToken(ctx, "other"); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("unknown token: %v", err)
			}
		}},
		{"a registration marks its installation and holds its API key and certificate", func(t *testing.T, o *store.Orgs) {
			install(t, o, "h1")
			install(t, o, "h2")
			if err := o.CreateRegistration(ctx, reg("r1", "h1", "k1", "f1")); err != nil {
				t.Fatal(err)
			}
			got, err := o.RegistrationByAPIKey(ctx, "k1")
			if err != nil || got.ID != "r1" || got.OrgID != "o-r1" || got.Sessions != 0 || got.PublicKeyPEM != "pem" {
				t.Fatalf("by API key: %+v, %v", got, err)
			}
			if in, _ := o.InstallationByToken(ctx, "h1"); in.RegistrationID != "r1" {
				t.Fatalf("installation not marked: %+v", in)
			}
			// The same installation again, or the same certificate from another: refused,
			// and nothing of the refused registration stored.
			if err := o.CreateRegistration(ctx, reg("r2", "h1", "k2", "f2")); !errors.Is(err, registration.ErrInstallationRegistered) {
				t.Fatalf("second registration of an installation: %v", err)
			}
			if err := o.CreateRegistration(ctx, reg("r3", "h2", "k3", "f1")); !errors.Is(err, registration.ErrCertificateRegistered) {
				t.Fatalf("a certificate registered twice: %v", err)
			}
			for _, k := range []string{"k2", "k3"} {
				if _, err := o.RegistrationByAPIKey(ctx, k); !errors.Is(err, apperr.ErrNotFound) {
					t.Fatalf("refused registration's key %s: %v", k, err)
				}
			}
			if in, _ := o.InstallationByToken(ctx, "h2"); in.RegistrationID != "" {
				t.Fatalf("a refused registration marked its installation: %+v", in)
			}
			if err := o.CreateRegistration(ctx, reg("r4", "missing", "k4", "f4")); !errors.Is(err, registration.ErrInstallationRegistered) {
				t.Fatalf("registration of no installation: %v", err)
			}
		}},
		{"devices are counted up to the maximum", func(t *testing.T, o *store.Orgs) {
			install(t, o, "h1")
			if err := o.CreateRegistration(ctx, reg("r1", "h1", "k1", "f1")); err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				if err := o.AddDevice(ctx, registration.Device{ID: fmt.Sprint("d", i), RegistrationID: "r1", Description: "backend", PermittedIPs: []string{"127.0.0.1"}, CreatedAt: t0}, 2); err != nil {
					t.Fatal(err)
				}
			}
			if err := o.AddDevice(ctx, registration.Device{ID: "d9", RegistrationID: "r1", Description: "x", PermittedIPs: []string{"::1"}, CreatedAt: t0}, 2); !errors.Is(err, registration.ErrTooManyDevices) {
				t.Fatalf("third device: %v", err)
			}
			if err := o.AddDevice(ctx, registration.Device{ID: "d0", RegistrationID: "nobody", Description: "x", PermittedIPs: []string{"::1"}, CreatedAt: t0}, 2); err == nil {
				t.Fatal("a device of no registration was stored")
			}
			ds, err := o.Devices(ctx, "r1")
			if err != nil || fmt.Sprint(ds) != fmt.Sprint([]registration.Device{
				{ID: "d0", RegistrationID: "r1", Description: "backend", PermittedIPs: []string{"127.0.0.1"}, CreatedAt: t0},
				{ID: "d1", RegistrationID: "r1", Description: "backend", PermittedIPs: []string{"127.0.0.1"}, CreatedAt: t0}}) {
				t.Fatalf("devices %+v, %v", ds, err)
			}
		}},
		{"sessions are counted against the count read, and end", func(t *testing.T, o *store.Orgs) {
			install(t, o, "h1")
			r := reg("r1", "h1", "k1", "f1")
			if err := o.CreateRegistration(ctx, r); err != nil {
				t.Fatal(err)
			}
			s1 := registration.Session{TokenHash: "s1", RegistrationID: "r1", InstallationID: "i-h1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
			if err := o.StartSession(ctx, r, s1); err != nil {
				t.Fatal(err)
			}
			// A second start from the same read lost the race: refused, not stored.
			if err := o.StartSession(ctx, r, registration.Session{TokenHash: "s2", RegistrationID: "r1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); !errors.Is(err, apperr.ErrConflict) {
				t.Fatalf("stale count: %v", err)
			}
			if _, err := o.Session(ctx, "s2"); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("refused session stored: %v", err)
			}
			got, err := o.Session(ctx, "s1")
			if err != nil || got != s1 {
				t.Fatalf("session %+v, %v", got, err)
			}
			if r, _ := o.GetRegistration(ctx, "r1"); r.Sessions != 1 {
				t.Fatalf("sessions counted %d", r.Sessions)
			}
			if err := o.EndSession(ctx, "s1"); err != nil {
				t.Fatal(err)
			}
			if _, err := o.Session(ctx, "s1"); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("ended session: %v", err)
			}
		}},
		{"a dynamic client's update and its app's change are one transaction: a failed condition leaves both as they were", func(t *testing.T, o *store.Orgs) {
			sampleApp(t, o, "o1", "a1", "c1")
			dc := registration.DynamicClient{ClientID: "c1", AppID: "a1", OrgID: "o1", RegistrationID: "r1", TokenHash: "t1",
				Metadata: registration.ClientMetadata{ClientName: "Budget Buddy", RedirectURIs: []string{}}, IssuedAt: t0}
			must(t, o.CreateDynamicClient(ctx, dc))
			before, err := o.GetApp(ctx, "o1", "a1")
			must(t, err)
			beforeClient, err := o.Client(ctx, "c1")
			must(t, err)
			beforeAudit, _, err := o.Audit(ctx, org.AuditFilter{OrgID: "o1"}, paging.Page{Limit: 50})
			must(t, err)
			after := before
			after.Name, after.RedirectURIs = "Budget Buddy 2", []string{"https://budgetbuddy.example/cb"}
			changed := dc
			changed.TokenHash, changed.Metadata = "t2", registration.ClientMetadata{ClientName: "Budget Buddy 2", RedirectURIs: after.RedirectURIs}
			unchanged := func(t *testing.T) {
				t.Helper()
				app, err := o.GetApp(ctx, "o1", "a1")
				if err != nil || app.Name != before.Name || len(app.RedirectURIs) != 0 || app.Version != before.Version {
					t.Fatalf("the app changed: %+v, %v", app, err)
				}
				if c, err := o.Client(ctx, "c1"); err != nil || !reflect.DeepEqual(c, beforeClient) {
					t.Fatalf("the client's access copy changed: %+v, %v", c, err)
				}
				if got, err := o.DynamicClient(ctx, "c1"); err != nil || !reflect.DeepEqual(got, dc) {
					t.Fatalf("the dynamic client changed: %+v, %v", got, err)
				}
				if entries, _, err := o.Audit(ctx, org.AuditFilter{OrgID: "o1"}, paging.Page{Limit: 50}); err != nil || len(entries) != len(beforeAudit) {
					t.Fatalf("audited %d entries, had %d (%v)", len(entries), len(beforeAudit), err)
				}
			}
			creds := []apps.Credential{{ClientID: "c1", AppID: "a1", OrgID: "o1"}}
			// The token was replaced by another call: the app's change fails with it.
			stale, err := o.ReplaceDynamicClientWrite(changed, "t0")
			must(t, err)
			if err := o.UpdateApp(ctx, before, after, creds, audit("o1", "app.renamed"), stale); !errors.Is(err, apperr.ErrConflict) {
				t.Fatalf("stale token: %v, want a conflict", err)
			}
			unchanged(t)
			// The app changed in the meantime: the token is not replaced either.
			w, err := o.ReplaceDynamicClientWrite(changed, "t1")
			must(t, err)
			older := before
			older.Version--
			if err := o.UpdateApp(ctx, older, after, creds, audit("o1", "app.renamed"), w); !errors.Is(err, apperr.ErrConflict) {
				t.Fatalf("stale app: %v, want a conflict", err)
			}
			unchanged(t)
			// Both as read: both change.
			must(t, o.UpdateApp(ctx, before, after, creds, audit("o1", "app.renamed"), w))
			app, err := o.GetApp(ctx, "o1", "a1")
			if err != nil || app.Name != "Budget Buddy 2" || !reflect.DeepEqual(app.RedirectURIs, after.RedirectURIs) {
				t.Fatalf("the app after the update: %+v, %v", app, err)
			}
			if got, err := o.DynamicClient(ctx, "c1"); err != nil || !reflect.DeepEqual(got, changed) {
				t.Fatalf("the dynamic client after the update: %+v, %v", got, err)
			}
		}},
	}
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			endpoint := b.Endpoint(t)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					o, _ := newOrgs(t, endpoint)
					c.run(t, o)
				})
			}
		})
	}
}
