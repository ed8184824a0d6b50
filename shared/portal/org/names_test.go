package org

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

func lineRefused(field, what, code string) error {
	return apperr.Fields(apperr.Field(field, "singleline",
		"Contains "+what+" (U+"+code+"); use one line of plain text without control, invisible or direction-changing characters."))
}

// TestSandboxCertificateName proves that the organization name a test certificate is
// issued to is the NFC form of what was typed, or refused with the exact field error.
func TestSandboxCertificateName(t *testing.T) {
	certPEM, keyPEM, err := sandboxca.Generate()
	if err != nil {
		t.Fatal(err)
	}
	ca, err := sandboxca.Parse(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, in, subject string
		err               error
	}{
		{"plain", "Example Payments Ltd", "Example Payments Ltd", nil},
		{"decomposed accents become composed", " Socie\u0301te\u0301 Ge\u0301ne\u0301rale ", "Société Générale", nil},
		{"length counts composed characters", strings.Repeat("o\u0308", 64), strings.Repeat("ö", 64), nil},
		{"too long once composed", strings.Repeat("o\u0308", 65), "", apperr.Fields(apperr.Field("organizationName", "max", "Use at most 64 characters; this has 65."))},
		{"right-to-left override", "Example \u202eLtd", "", lineRefused("organizationName", "a direction-changing character", "202E")},
		{"zero-width space", "Example\u200bPayments", "", lineRefused("organizationName", "a zero-width character", "200B")},
		{"line separator", "Example\u2028Payments", "", lineRefused("organizationName", "a line or paragraph separator", "2028")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := (&Service{}).IssueSandboxCertificate(ca, SandboxCertificateRequest{Kind: "QWAC", OrganizationName: c.in, Country: "BE", Roles: []string{"AIS"}})
			if !reflect.DeepEqual(err, c.err) {
				t.Fatalf("err = %#v\nwant %#v", err, c.err)
			}
			if c.err == nil && got.Certificate.Subject.Organization != c.subject {
				t.Fatalf("issued to %+q, want %+q", got.Certificate.Subject.Organization, c.subject)
			}
		})
	}
}

// fakeStore embeds Store (nil), so a call a test did not expect panics.
type fakeStore struct{ Store }

func (fakeStore) GetMember(_ context.Context, orgID, userID string) (Member, error) {
	return Member{OrgID: orgID, UserID: userID, Role: Owner}, nil
}

func (fakeStore) GetOrganization(_ context.Context, id string) (Organization, error) {
	return Organization{ID: id, Name: "Acme", Environment: Sandbox, Status: StatusActive}, nil
}

// TestRenameRefusesNames proves that a rename request with a name (or reason) plain text
// may not hold is refused with the exact field error before anything is submitted: the
// service has no approvals, so a submission would panic.
func TestRenameRefusesNames(t *testing.T) {
	cases := []struct {
		name string
		req  RenameRequest
		err  error
	}{
		{"right-to-left isolate in the name", RenameRequest{Name: "Acme \u2067Pay", Reason: "Merger."}, lineRefused("name", "a direction-changing character", "2067")},
		{"left-to-right mark in the name", RenameRequest{Name: "Acme\u200e", Reason: "Merger."}, lineRefused("name", "a direction-changing character", "200E")},
		{"byte order mark in the name", RenameRequest{Name: "\ufeffAcme", Reason: "Merger."}, lineRefused("name", "a zero-width character", "FEFF")},
		{"newline in the name", RenameRequest{Name: "Acme\nPay", Reason: "Merger."}, lineRefused("name", "a line break", "000A")},
		{"name too long once composed", RenameRequest{Name: strings.Repeat("e\u0301", 201), Reason: "Merger."},
			apperr.Fields(apperr.Field("name", "max", "Use at most 200 characters; this has 201."))},
		{"zero-width joiner in the reason", RenameRequest{Name: "Acme Pay", Reason: "Mer\u200dger."}, apperr.Fields(apperr.Field("reason", "text",
			"Contains a zero-width character (U+200D); use plain text without control, invisible or direction-changing characters."))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Service{store: fakeStore{}}
			_, err := s.Rename(context.Background(), Actor{UserID: "u1", Email: "owner@example.com"}, "o1", c.req)
			if !reflect.DeepEqual(err, c.err) {
				t.Fatalf("err = %#v\nwant %#v", err, c.err)
			}
		})
	}
}
