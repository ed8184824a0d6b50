package sca

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// memStore keeps authorisations in memory, each change conditional on the version read.
type memStore struct{ items map[Ref]Authorisation }

func (m *memStore) Create(_ context.Context, a Authorisation) error {
	if _, ok := m.items[a.Ref()]; ok {
		return errors.New("taken")
	}
	m.items[a.Ref()] = a
	return nil
}

func (m *memStore) Get(_ context.Context, ref Ref) (Authorisation, error) {
	a, ok := m.items[ref]
	if !ok {
		return a, ErrNotFound
	}
	return a, nil
}

func (m *memStore) List(_ context.Context, kind Kind, resourceID string) ([]Authorisation, error) {
	var out []Authorisation
	for _, a := range m.items {
		if a.Kind == kind && a.ResourceID == resourceID {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b Authorisation) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

func (m *memStore) Replace(_ context.Context, a Authorisation, from int) error {
	if m.items[a.Ref()].Version != from {
		return ErrChanged
	}
	m.items[a.Ref()] = a
	return nil
}

func (m *memStore) Started(context.Context, string, int) ([]Authorisation, error) { return nil, nil }

// customers are three customers, all with the sandbox's credentials.
type customers struct{}

func (customers) CustomerByLogin(_ context.Context, login string) (sandboxbank.Customer, error) {
	if !slices.Contains([]string{"one", "two", "three"}, login) {
		return sandboxbank.Customer{}, sandboxbank.ErrCustomerUnknown
	}
	return sandboxbank.Customer{ID: "psu-" + login, Login: login, Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP}, nil
}

// signed is a resource that needs two distinct signatures of psu-one and psu-three (as a
// payment from a two-signatory account does); lenient lets CanSign pass everyone, as a
// signature given elsewhere meanwhile would.
type signed struct {
	signers, via []string
	failed       bool
	lenient      bool
}

func (r *signed) Find(context.Context, string) (Resource, error) {
	res := Resource{ID: "res", AppID: "app", Status: "RCVD", Waiting: !r.failed && len(r.signers) < 2}
	if len(r.signers) == 2 {
		res.Status, res.Approved, res.Subject = "ACCC", true, r.signers[1]
	} else if len(r.signers) == 1 {
		res.Status = "PATC"
	}
	for _, v := range r.via {
		if v == "" && res.Waiting {
			res.OAuthApprovals++
		}
	}
	return res, nil
}

func (r *signed) refusal(customerID string) error {
	switch {
	case customerID != "psu-one" && customerID != "psu-three":
		return ErrNotSignatory
	case slices.Contains(r.signers, customerID):
		return ErrAlreadySigned
	}
	return nil
}

func (r *signed) CanSign(_ context.Context, _, customerID string) error {
	if r.lenient {
		return nil
	}
	return r.refusal(customerID)
}

func (r *signed) Authorise(ctx context.Context, _, customerID string) error {
	if err := r.refusal(customerID); err != nil {
		return err
	}
	r.signers, r.via = append(r.signers, customerID), append(r.via, notify.AuthorisationOf(ctx))
	return nil
}

func (r *signed) Fail(context.Context, string) error { r.failed = true; return nil }

var owner = Owner{AppID: "app"}

func newSigned(t *testing.T) (*Service, *signed, *memStore, *time.Time) {
	t.Helper()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	store, res := &memStore{items: map[Ref]Authorisation{}}, &signed{}
	svc := &Service{Store: store, Customers: customers{}, Targets: map[Kind]Target{Payment: res}, Now: func() time.Time { return now }}
	return svc, res, store, &now
}

func pref(redirect, decoupled string) Preferences {
	var p Preferences
	for _, c := range []struct {
		v   string
		dst **bool
	}{{redirect, &p.Redirect}, {decoupled, &p.Decoupled}} {
		if c.v != "" {
			b := c.v == "true"
			*c.dst = &b
		}
	}
	return p
}

// TestOAuthApprovalsOfASignedResource: the OAuth2 approvals of a resource that waits for
// more signatures finalise its OAuth2 authorisations oldest first, one each; once the
// resource is approved every OAuth2 authorisation reads finalised.
func TestOAuthApprovalsOfASignedResource(t *testing.T) {
	for _, c := range []struct {
		name      string
		approvals []string // who approves through the OAuth2 flow
		want      []Status
	}{
		{"none yet", nil, []Status{Received, Received, Received}},
		{"one", []string{"psu-one"}, []Status{Finalised, Received, Received}},
		{"both: approved", []string{"psu-three", "psu-one"}, []Status{Finalised, Finalised, Finalised}},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc, res, _, now := newSigned(t)
			var refs []Ref
			for range 3 {
				step, err := svc.Start(context.Background(), Start{Kind: Payment, ResourceID: "res", Owner: owner})
				if err != nil || step.Approach != OAuth {
					t.Fatalf("start: %+v %v", step, err)
				}
				refs = append(refs, step.Ref())
				*now = now.Add(time.Second)
			}
			for _, customer := range c.approvals {
				if err := res.Authorise(context.Background(), "res", customer); err != nil {
					t.Fatal(err)
				}
			}
			var got []Status
			for _, ref := range refs {
				a, err := svc.Status(context.Background(), owner, ref)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, a.Status)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("statuses %v, want %v", got, c.want)
			}
		})
	}
}

// TestSignatoryRefusals: a customer who may not add their signature is refused in each
// approach and the resource waits as before: where the TPP names them, before anything is
// stored; on the bank's redirect page, with the authorisation left open for a signatory;
// at the last step of an embedded one (a signature given meanwhile), with the
// authorisation failed since it names them.
func TestSignatoryRefusals(t *testing.T) {
	ctx := context.Background()
	password := sandboxbank.SandboxPassword
	for _, c := range []struct {
		name  string
		first string // who signed before
		run   func(t *testing.T, svc *Service, res *signed) (Ref, error)
		want  error
		// stored is the authorisation's status after the refusal ("" for none stored).
		stored Status
	}{
		{"embedded start, no signatory", "", func(t *testing.T, svc *Service, _ *signed) (Ref, error) {
			_, err := svc.Start(ctx, Start{Kind: Payment, ResourceID: "res", Owner: owner, Preferences: pref("false", ""), PSUID: "two", Password: &password})
			return Ref{}, err
		}, ErrNotSignatory, ""},
		{"decoupled start, the same signatory", "psu-one", func(t *testing.T, svc *Service, _ *signed) (Ref, error) {
			_, err := svc.Start(ctx, Start{Kind: Payment, ResourceID: "res", Owner: owner, Preferences: pref("", "true"), PSUID: "one"})
			return Ref{}, err
		}, ErrAlreadySigned, ""},
		{"embedded identification, the same signatory", "psu-three", func(t *testing.T, svc *Service, _ *signed) (Ref, error) {
			step, err := svc.Start(ctx, Start{Kind: Payment, ResourceID: "res", Owner: owner, Preferences: pref("false", "")})
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Update(ctx, owner, step.Ref(), Update{PSUID: "three", Password: &password})
			return step.Ref(), err
		}, ErrAlreadySigned, Received},
		{"redirect page, no signatory", "", func(t *testing.T, svc *Service, _ *signed) (Ref, error) {
			step, err := svc.Start(ctx, Start{Kind: Payment, ResourceID: "res", Owner: owner, Preferences: pref("true", ""), RedirectURI: "https://tpp.example/ok"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Decide(ctx, step.Ref(), "psu-two", true)
			return step.Ref(), err
		}, ErrNotSignatory, Received},
		{"embedded one-time code, signed meanwhile", "psu-one", func(t *testing.T, svc *Service, res *signed) (Ref, error) {
			res.lenient = true
			step, err := svc.Start(ctx, Start{Kind: Payment, ResourceID: "res", Owner: owner, Preferences: pref("false", ""), PSUID: "one", Password: &password})
			if err != nil {
				t.Fatal(err)
			}
			method, otp := "sms", sandboxbank.SandboxOTP
			if _, err := svc.Update(ctx, owner, step.Ref(), Update{MethodID: &method}); err != nil {
				t.Fatal(err)
			}
			_, err = svc.Update(ctx, owner, step.Ref(), Update{OTP: &otp})
			return step.Ref(), err
		}, ErrAlreadySigned, Failed},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc, res, store, _ := newSigned(t)
			if c.first != "" {
				res.signers, res.via = []string{c.first}, []string{"earlier"}
			}
			ref, err := c.run(t, svc, res)
			if err != c.want {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			wantSigners := 0
			if c.first != "" {
				wantSigners = 1
			}
			if res.failed || len(res.signers) != wantSigners {
				t.Fatalf("the resource changed: %+v", res)
			}
			if c.stored == "" {
				if len(store.items) != 0 {
					t.Fatalf("stored %v", store.items)
				}
				return
			}
			if a := store.items[ref]; a.Status != c.stored {
				t.Fatalf("authorisation %s, want %s", a.Status, c.stored)
			}
		})
	}
}
