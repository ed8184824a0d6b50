package apps

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
)

// Hand-written fakes: each embeds its interface (nil), so a call a test did not expect
// panics instead of passing unnoticed. fakeStore records the names it was asked to store.
type fakeStore struct {
	Store
	app  App
	cred Credential
	// stored is the last app or credential name written.
	stored []string
}

func (f *fakeStore) GetApp(context.Context, string, string) (App, error) { return f.app, nil }
func (f *fakeStore) ListCredentials(context.Context, string, string) ([]Credential, error) {
	return []Credential{f.cred}, nil
}
func (f *fakeStore) Credential(context.Context, string) (Credential, error) { return f.cred, nil }
func (f *fakeStore) CreateApp(_ context.Context, a App, _ Credential, _ org.AuditEntry, _ ...workflow.Write) error {
	f.stored = append(f.stored, a.Name)
	return nil
}
func (f *fakeStore) UpdateApp(_ context.Context, _, after App, _ []Credential, _ org.AuditEntry, _ ...workflow.Write) error {
	f.stored = append(f.stored, after.Name)
	return nil
}
func (f *fakeStore) AddCredential(_ context.Context, _ App, c Credential, _ org.AuditEntry, _ ...workflow.Write) error {
	f.stored = append(f.stored, c.Name)
	return nil
}
func (f *fakeStore) RenameCredential(_ context.Context, c Credential, _ org.AuditEntry) error {
	f.stored = append(f.stored, c.Name)
	return nil
}

type fakeSubscriptions struct{ SubscriptionStore }

func (fakeSubscriptions) SubscriptionWrite(Subscription) (workflow.Write, error) {
	return workflow.Write{}, nil
}

type fakeOrgs struct{}

func (fakeOrgs) Membership(_ context.Context, a org.Actor, orgID string) (org.Organization, org.Member, error) {
	return org.Organization{ID: orgID, Environment: org.Sandbox, Status: org.StatusActive}, org.Member{OrgID: orgID, UserID: a.UserID, Role: org.Owner}, nil
}

type fakeDirectory struct{ Directory }

func (fakeDirectory) OffboardingPending(context.Context, string) (bool, error) { return false, nil }
func (fakeDirectory) OpenChecks(string) []workflow.Write                       { return nil }

type fakeApprovals struct{ Approvals }

func (fakeApprovals) Register(string, approval.Kind) {}

func nameRefused(what, code string) error {
	return apperr.Fields(apperr.Field("name", "singleline",
		"Contains "+what+" (U+"+code+"); use one line of plain text without control, invisible or direction-changing characters."))
}

// TestNamesNormalised proves that app and credential names are stored in NFC without
// the spaces around them, whichever way they are set, or refused with the exact field
// error, storing nothing.
func TestNamesNormalised(t *testing.T) {
	ops := []struct {
		name string
		do   func(s *Service, req NameRequest) error
	}{
		{"create app", func(s *Service, req NameRequest) error {
			_, err := s.Create(context.Background(), org.Actor{UserID: "u1"}, "o1", req)
			return err
		}},
		{"rename app", func(s *Service, req NameRequest) error {
			_, _, err := s.Rename(context.Background(), org.Actor{UserID: "u1"}, "o1", "a1", req)
			return err
		}},
		{"add credential", func(s *Service, req NameRequest) error {
			_, err := s.AddCredential(context.Background(), org.Actor{UserID: "u1"}, "o1", "a1", req)
			return err
		}},
		{"rename credential", func(s *Service, req NameRequest) error {
			_, err := s.RenameCredential(context.Background(), org.Actor{UserID: "u1"}, "o1", "a1", "c1", req)
			return err
		}},
	}
	cases := []struct {
		name, in, stored string
		err              error
	}{
		{"plain", "Budget Buddy", "Budget Buddy", nil},
		{"spaces around", "\u3000 Budget Buddy ", "Budget Buddy", nil},
		{"decomposed accent becomes composed", "Cafe\u0301 Pay", "Café Pay", nil},
		{"length counts composed characters", strings.Repeat("a\u030a", 100), strings.Repeat("å", 100), nil},
		{"too long once composed", strings.Repeat("a\u030a", 101), "", apperr.Fields(apperr.Field("name", "max", "Use at most 100 characters; this has 101."))},
		{"right-to-left override", "Budget \u202eyddub", "", nameRefused("a direction-changing character", "202E")},
		{"left-to-right isolate", "\u2066Budget Buddy", "", nameRefused("a direction-changing character", "2066")},
		{"Arabic letter mark", "Budget\u061cBuddy", "", nameRefused("a direction-changing character", "061C")},
		{"zero-width joiner", "Budget\u200dBuddy", "", nameRefused("a zero-width character", "200D")},
		{"word joiner", "Budget\u2060Buddy", "", nameRefused("a zero-width character", "2060")},
		{"paragraph separator", "Budget\u2029Buddy", "", nameRefused("a line or paragraph separator", "2029")},
		{"NUL", "Budget\x00Buddy", "", nameRefused("a control character", "0000")},
		{"empty once trimmed", "   ", "", apperr.Fields(apperr.Field("name", "required", "This field is required."))},
	}
	for _, op := range ops {
		for _, c := range cases {
			t.Run(op.name+"/"+c.name, func(t *testing.T) {
				store := &fakeStore{app: App{ID: "a1", OrgID: "o1", Name: "Before", Environment: org.Sandbox},
					cred: Credential{ClientID: "c1", AppID: "a1", OrgID: "o1", Name: "Before"}}
				s := NewService(Deps{Store: store, Subscriptions: fakeSubscriptions{}, Orgs: fakeOrgs{}, Directory: fakeDirectory{}, Approvals: fakeApprovals{}})
				err := op.do(s, NameRequest{Name: c.in})
				if !reflect.DeepEqual(err, c.err) {
					t.Fatalf("err = %#v\nwant %#v", err, c.err)
				}
				var want []string
				if c.err == nil {
					want = []string{c.stored}
				}
				if !reflect.DeepEqual(store.stored, want) {
					t.Fatalf("stored %+q, want %+q", store.stored, want)
				}
			})
		}
	}
}
