package apps

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
)

// write is a write that transactions accept; what it writes does not matter to links.
var write = workflow.Write{Put: &types.Put{TableName: aws.String("t"), Item: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "x"}}}}

type linkStore struct{ Store }

func (linkStore) GoLiveWrite(string, string, GoLive) (workflow.Write, error)    { return write, nil }
func (linkStore) ClearPendingChangeWrite(string, string, string) workflow.Write { return write }

type linkSubs struct{ SubscriptionStore }

func (linkSubs) SubscriptionDecisionWrite(Subscription, SubscriptionStatus, string, approval.Event) (workflow.Write, error) {
	return write, nil
}

type linkDir struct{ Directory }

func (linkDir) AuditWrite(org.AuditEntry) (workflow.Write, error) { return write, nil }

// TestDecisionEmailsLinkToTheirTab: every email about an app's request links to the app's
// tab where the decision shows, as the portal's routes name it.
func TestDecisionEmailsLinkToTheirTab(t *testing.T) {
	s := &Service{store: linkStore{}, subs: linkSubs{}, dir: linkDir{}, portalURL: "https://portal.example"}
	form := map[string]string{"appId": "app-1", "appName": "Budget Buddy", "productName": "AIS", "productId": "ais", "sandboxOrganizationId": "org-sbx"}
	request := func(kind string) approval.Request {
		return approval.Request{ID: "rq-1", Kind: kind, OrgID: "org-1", RequesterEmail: "ada@example.com", Form: form, ExpiresAt: time.Now()}
	}
	for _, tc := range []struct {
		name    string
		effects func() (workflow.Effects, error)
		link    string
	}{
		{"subscription expired", func() (workflow.Effects, error) { return subscriptionKind{s}.Expire(request(KindSubscription)) },
			"https://portal.example/organizations/org-1/apps/app-1/subscriptions"},
		{"subscription failed", func() (workflow.Effects, error) { return subscriptionKind{s}.Fail(request(KindSubscription)) },
			"https://portal.example/organizations/org-1/apps/app-1/subscriptions"},
		{"live app change rejected", func() (workflow.Effects, error) {
			return appChangeKind{s}.Reject(context.Background(), request(KindAppChange), approval.Decision{Comment: "No."})
		}, "https://portal.example/organizations/org-1/apps/app-1/settings"},
		{"live app change expired", func() (workflow.Effects, error) { return appChangeKind{s}.Expire(request(KindAppChange)) },
			"https://portal.example/organizations/org-1/apps/app-1/settings"},
		{"live app change failed", func() (workflow.Effects, error) { return appChangeKind{s}.Fail(request(KindAppChange)) },
			"https://portal.example/organizations/org-1/apps/app-1/settings"},
		{"go-live rejected", func() (workflow.Effects, error) {
			return goLiveKind{s}.Reject(context.Background(), request(KindGoLive), approval.Decision{Comment: "No."})
		}, "https://portal.example/organizations/org-sbx/apps/app-1/go-live"},
		{"go-live expired", func() (workflow.Effects, error) { return goLiveKind{s}.Expire(request(KindGoLive)) },
			"https://portal.example/organizations/org-sbx/apps/app-1/go-live"},
		{"go-live failed", func() (workflow.Effects, error) { return goLiveKind{s}.Fail(request(KindGoLive)) },
			"https://portal.example/organizations/org-sbx/apps/app-1/go-live"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := tc.effects()
			if err != nil {
				t.Fatal(err)
			}
			if e.Mail == nil {
				t.Fatal("no email")
			}
			if want := "\n\nSee the app: " + tc.link + "\n\nOpen Banking Developer Portal"; !strings.HasSuffix(e.Mail.Text, want) {
				t.Errorf("text = %q\nwant it to end %q", e.Mail.Text, want)
			}
			if want := `<p><a href="` + tc.link + `">See the app</a></p><p>Open Banking Developer Portal</p>`; !strings.HasSuffix(e.Mail.HTML, want) {
				t.Errorf("HTML = %q\nwant it to end %q", e.Mail.HTML, want)
			}
		})
	}
}

// TestCertificateEmailsLink: an email about an mTLS certificate links to the certificates
// tab of the app that uses it.
func TestCertificateEmailsLink(t *testing.T) {
	s := &Service{portalURL: "https://portal.example"}
	for _, tc := range []struct{ appID, want string }{
		{"app-1", "https://portal.example/organizations/org-1/apps/app-1/certificates"},
		{"", "https://portal.example/organizations/org-1/apps"},
	} {
		if got := s.certificateLink("org-1", tc.appID); got != tc.want {
			t.Errorf("certificateLink(org-1, %q) = %s, want %s", tc.appID, got, tc.want)
		}
	}
}
