package org

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/workflow"
)

// write is a write that transactions accept; what it writes does not matter to links.
var write = workflow.Write{Put: &types.Put{TableName: aws.String("t"), Item: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "x"}}}}

type linkStore struct{ Store }

func (linkStore) AuditWrite(AuditEntry) (workflow.Write, error) { return write, nil }
func (linkStore) PendingRelease(string, string) workflow.Write  { return write }
func (linkStore) StatusWrite(string, []Status, Status, map[string]string) workflow.Write {
	return write
}
func (linkStore) IdentifierRelease(string, string, string) workflow.Write { return write }
func (linkStore) CodeReservation(string, string) (workflow.Write, error)  { return write, nil }
func (linkStore) RenewalEndWrite(string, string) workflow.Write           { return write }

// TestDecisionEmailsLinkToTheRequestsTab: the email telling a requester what became of an
// organization's request links to the organization's requests tab, where the decision
// is; an approved offboarding, after which the organization is gone for its members, to
// their organizations.
func TestDecisionEmailsLinkToTheRequestsTab(t *testing.T) {
	s := &Service{store: linkStore{}, portalURL: "https://portal.example", maxMembers: 10}
	request := func(kind string) approval.Request {
		return approval.Request{ID: "rq-1", Kind: kind, OrgID: "org-1", OrgName: "Example TPP", RequesterEmail: "ada@example.com",
			Summary: "Rename to X", Form: map[string]string{"name": "X"}, ExpiresAt: time.Now()}
	}
	decision := approval.Decision{ActorID: "ops", Actor: "ops@bank.example", Comment: "Checked.", At: time.Now()}
	const requests = "See your organization's requests: https://portal.example/organizations/org-1/requests"
	for _, tc := range []struct {
		name    string
		effects func() (workflow.Effects, error)
		link    string
	}{
		{"onboarding approved", func() (workflow.Effects, error) {
			return onboardingKind{s}.Approve(context.Background(), request(KindOnboarding), decision)
		}, requests},
		{"onboarding rejected", func() (workflow.Effects, error) {
			return onboardingKind{s}.Reject(context.Background(), request(KindOnboarding), decision)
		}, requests},
		{"onboarding expired", func() (workflow.Effects, error) { return onboardingKind{s}.Expire(request(KindOnboarding)) }, requests},
		{"rename approved", func() (workflow.Effects, error) {
			return renameKind(s).Approve(context.Background(), request(KindRename), decision)
		}, requests},
		{"rename rejected", func() (workflow.Effects, error) {
			return renameKind(s).Reject(context.Background(), request(KindRename), decision)
		}, requests},
		{"offboarding expired", func() (workflow.Effects, error) { return offboardingKind(s).Expire(request(KindOffboarding)) }, requests},
		{"certificate renewal rejected", func() (workflow.Effects, error) {
			return renewalKind{s}.Reject(context.Background(), request(KindCertificateRenewal), decision)
		}, requests},
		{"certificate renewal expired", func() (workflow.Effects, error) { return renewalKind{s}.Expire(request(KindCertificateRenewal)) }, requests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := tc.effects()
			if err != nil {
				t.Fatal(err)
			}
			if want := "\n\n" + tc.link + "\n\nOpen Banking Developer Portal"; e.Mail == nil || !strings.HasSuffix(e.Mail.Text, want) {
				t.Fatalf("mail = %+v\nwant the text to end %q", e.Mail, want)
			}
			if want := `<p><a href="https://portal.example/organizations/org-1/requests">See your organization&#39;s requests</a></p><p>Open Banking Developer Portal</p>`; !strings.HasSuffix(e.Mail.HTML, want) {
				t.Fatalf("HTML = %q\nwant it to end %q", e.Mail.HTML, want)
			}
		})
	}
}

func (linkStore) AccessCopies(context.Context, string) ([]workflow.Delete, error) { return nil, nil }
func (linkStore) CleanupMarker(Cleanup) (workflow.Write, error)                   { return write, nil }

func TestApprovedOffboardingLinksToTheOrganizations(t *testing.T) {
	s := &Service{store: linkStore{}, portalURL: "https://portal.example"}
	r := approval.Request{ID: "rq-1", Kind: KindOffboarding, OrgID: "org-1", OrgName: "Example TPP", RequesterEmail: "ada@example.com", Summary: "Offboard the organization",
		Form: map[string]string{"environment": "sandbox", "organizationIdentifier": "PSDBE-NBB-1"}}
	e, err := offboardingKind(s).Approve(context.Background(), r, approval.Decision{At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if want := "\n\nSee your organizations: https://portal.example/organizations\n\nOpen Banking Developer Portal"; !strings.HasSuffix(e.Mail.Text, want) {
		t.Fatalf("text = %q\nwant it to end %q", e.Mail.Text, want)
	}
	if want := `<p><a href="https://portal.example/organizations">See your organizations</a></p><p>Open Banking Developer Portal</p>`; !strings.HasSuffix(e.Mail.HTML, want) {
		t.Fatalf("HTML = %q\nwant it to end %q", e.Mail.HTML, want)
	}
}

// TestOrganizationLink: the organization's page, or one of its tabs.
func TestOrganizationLink(t *testing.T) {
	for _, tc := range []struct{ tab, want string }{
		{"", "https://portal.example/organizations/org-1"},
		{TabRequests, "https://portal.example/organizations/org-1/requests"},
	} {
		if got := OrganizationLink("https://portal.example", "org-1", tc.tab); got != tc.want {
			t.Errorf("OrganizationLink(%q) = %s, want %s", tc.tab, got, tc.want)
		}
	}
}
