package apps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
)

// KindAppChange is a change of a live production app that operations review first: its
// name (what customers see when they consent) or a new redirect URI (where their
// authorization codes go). Removing a redirect URI needs no review.
const KindAppChange = "APP_CHANGE"

// PendingChange is a production app's change waiting for the bank's review. An app has
// at most one.
type PendingChange struct {
	RequestID string `json:"requestId" dynamodbav:"requestId"`
	// Name is the new name, if the change renames the app.
	Name string `json:"name,omitempty" dynamodbav:"name,omitempty"`
	// RedirectURI is the redirect URI to add, if the change adds one.
	RedirectURI string    `json:"redirectUri,omitempty" dynamodbav:"redirectUri,omitempty"`
	RequestedAt time.Time `json:"requestedAt" dynamodbav:"requestedAt"`
	RequestedBy string    `json:"requestedBy" dynamodbav:"requestedBy"`
}

// Reviewed says that a change was not made yet but waits for the bank's review.
type Reviewed bool

// ErrChangePending refuses a second change of a production app while one waits.
var ErrChangePending = apperr.New(apperr.Conflict, "CHANGE_PENDING", "A change of this app is waiting for the bank's review; wait for its decision before you ask for another.")

// reviewed says whether changes of app go to operations first: those of a production app
// that went live through the bank's go-live review, whose name and redirect URIs the bank
// approved. (An OAuth client the TPP's software registered in production through the
// registration API manages its callback URLs through that API.)
func reviewed(app App) bool { return app.Environment == org.Production && app.SandboxAppID != "" }

// requestChange asks operations to apply change to a production app, and returns the app
// with the change pending.
func (s *Service) requestChange(ctx context.Context, a org.Actor, app App, change PendingChange, summary string) (App, error) {
	if app.PendingChange != nil {
		return App{}, ErrChangePending
	}
	g, err := s.dir.GetOrganization(ctx, app.OrgID)
	if err != nil {
		return App{}, err
	}
	change.RequestID, change.RequestedAt, change.RequestedBy = token(12), s.Now(), a.Email
	form := map[string]string{"appId": app.ID, "appName": app.Name, "environment": string(app.Environment)}
	details := map[string]string{"appId": app.ID}
	if change.Name != "" {
		form["name"], details["to"] = change.Name, change.Name
	}
	if change.RedirectURI != "" {
		form["redirectUri"], details["uri"] = change.RedirectURI, change.RedirectURI
	}
	entry := s.audit(a, app.OrgID, "app.change_requested", details)
	entry.RequestID = change.RequestID
	audit, err := s.dir.AuditWrite(entry)
	if err != nil {
		return App{}, err
	}
	pending, err := s.store.PendingChangeWrite(app, change)
	if err != nil {
		return App{}, err
	}
	_, err = s.approvals.Submit(ctx, approval.Request{ID: change.RequestID, Kind: KindAppChange, OrgID: app.OrgID, OrgName: g.Name,
		Environment: string(g.Environment), RequesterID: a.UserID, RequesterEmail: a.Email, Summary: summary, Form: form}, pending, audit)
	if errors.Is(err, apperr.ErrConflict) {
		return App{}, apperr.New(apperr.Conflict, "CONFLICT", "The app changed at the same time; reload it and try again.")
	}
	if err != nil {
		return App{}, err
	}
	app.PendingChange = &change
	app.Version++
	return app, nil
}

// appChangeKind applies or drops a reviewed change of a production app.
type appChangeKind struct{ s *Service }

func (k appChangeKind) pending(ctx context.Context, r approval.Request) (App, error) {
	app, err := k.s.store.GetApp(ctx, r.OrgID, r.Form["appId"])
	if err != nil {
		return App{}, err
	}
	if app.PendingChange == nil || app.PendingChange.RequestID != r.ID {
		return App{}, apperr.New(apperr.Conflict, "CHANGE_GONE", "The app no longer waits for this change.")
	}
	return app, nil
}

func (k appChangeKind) Approve(ctx context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	app, err := k.pending(ctx, r)
	if err != nil {
		return workflow.Effects{}, err
	}
	creds, err := k.s.store.ListCredentials(ctx, r.OrgID, app.ID)
	if err != nil {
		return workflow.Effects{}, err
	}
	after := app
	change := *app.PendingChange
	after.PendingChange = nil
	if change.Name != "" {
		after.Name = change.Name
	}
	if change.RedirectURI != "" && !slices.Contains(after.RedirectURIs, change.RedirectURI) {
		after.RedirectURIs = append(slices.Clone(after.RedirectURIs), change.RedirectURI)
		slices.Sort(after.RedirectURIs)
	}
	writes, err := k.s.store.AppWrites(app, after, creds)
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.requestEffects(writes, r, d, "app.change_approved", "The change of "+r.Form["appName"]+" is live",
		fmt.Sprintf("The bank approved the change of %s (%s). It applies from now on.", r.Form["appName"], r.Summary))
}

func (k appChangeKind) Reject(ctx context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	return k.s.requestEffects([]workflow.Write{k.s.store.ClearPendingChangeWrite(r.OrgID, r.Form["appId"], r.ID)}, r, d, "app.change_rejected",
		"The change of "+r.Form["appName"]+" was not approved",
		fmt.Sprintf("The bank did not approve the change of %s (%s). The reason given: %s", r.Form["appName"], r.Summary, d.Comment))
}

func (k appChangeKind) Expire(r approval.Request) (workflow.Effects, error) {
	return k.s.requestEffects([]workflow.Write{k.s.store.ClearPendingChangeWrite(r.OrgID, r.Form["appId"], r.ID)}, r,
		approval.Decision{ActorID: "system", Actor: "system", At: r.ExpiresAt}, "app.change_expired", "The change of "+r.Form["appName"]+" expired",
		fmt.Sprintf("The change of %s (%s) expired before the bank decided it. Ask for it again if it still applies.", r.Form["appName"], r.Summary))
}

func (k appChangeKind) Fail(r approval.Request) (workflow.Effects, error) {
	return k.s.failureEffects([]workflow.Write{k.s.store.ClearPendingChangeWrite(r.OrgID, r.Form["appId"], r.ID)}, r,
		"The change of "+r.Form["appName"]+" could not be completed",
		"The bank's decision could not be applied, because the app changed at the same time. Ask for the change again.",
		k.s.appLink(r.OrgID, r.Form["appId"], TabSettings))
}
