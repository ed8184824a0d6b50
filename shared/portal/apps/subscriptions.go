package apps

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/eidas"
)

// SubscriptionStatus is where a subscription is.
type SubscriptionStatus string

// Subscription states.
const (
	SubscriptionPending  SubscriptionStatus = "PENDING"
	SubscriptionActive   SubscriptionStatus = "ACTIVE"
	SubscriptionRejected SubscriptionStatus = "REJECTED"
)

// KindSubscription is the approval request kind of a premium subscription.
const KindSubscription = "SUBSCRIPTION"

// Subscription is an app's subscription to one product with one plan.
type Subscription struct {
	OrgID       string             `json:"-" dynamodbav:"orgId"`
	AppID       string             `json:"appId" dynamodbav:"appId"`
	ProductID   string             `json:"productId" dynamodbav:"productId"`
	ProductName string             `json:"productName" dynamodbav:"productName"`
	PlanID      string             `json:"planId" dynamodbav:"planId"`
	Status      SubscriptionStatus `json:"status" dynamodbav:"status" enum:"PENDING,ACTIVE,REJECTED"`
	// Reason is why a subscription was rejected.
	Reason string `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
	// RequestID is the approval request of a premium subscription.
	RequestID string           `json:"requestId,omitempty" dynamodbav:"requestId,omitempty"`
	CreatedAt time.Time        `json:"createdAt" dynamodbav:"createdAt"`
	UpdatedAt time.Time        `json:"updatedAt" dynamodbav:"updatedAt"`
	History   []approval.Event `json:"history" dynamodbav:"history"`
}

// SubscriptionStore keeps subscriptions; its writes join the app's transactions.
type SubscriptionStore interface {
	ListSubscriptions(ctx context.Context, orgID, appID string) ([]Subscription, error)
	// SubscriptionsPage reads one page of an app's subscriptions.
	SubscriptionsPage(ctx context.Context, orgID, appID string, page paging.Page) ([]Subscription, string, error)
	// SubscriptionWrite stores a new subscription; it fails if the app has one to the
	// product that is not rejected.
	SubscriptionWrite(s Subscription) (workflow.Write, error)
	// SubscriptionDecisionWrite moves a pending subscription to to, with the reason for a
	// rejection and the event for its history.
	SubscriptionDecisionWrite(s Subscription, to SubscriptionStatus, reason string, e approval.Event) (workflow.Write, error)
	// DeleteSubscriptionWrite removes a subscription if it still has its status.
	DeleteSubscriptionWrite(s Subscription) workflow.Write
	// ClearSubscription removes a rejected subscription from the app's list.
	ClearSubscription(ctx context.Context, s Subscription, audit org.AuditEntry) error
}

// SubscribeRequest chooses a product and one of its plans.
type SubscribeRequest struct {
	ProductID string `json:"productId" validate:"required,max=40" example:"ais"`
	PlanID    string `json:"planId" validate:"required,max=40" example:"sandbox"`
}

// SubscriptionsView lists an app's subscriptions.
type SubscriptionsView struct {
	Subscriptions []Subscription `json:"subscriptions"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// Products is the catalog.
func (s *Service) Products() CatalogView { return CatalogView{Products: Catalog} }

// mandatorySubscription subscribes a new app to the authorization server: the app's
// access says so, and the returned write stores the subscription.
func (s *Service) mandatorySubscription(app *App, actor string) ([]workflow.Write, error) {
	p, _ := ProductByID(OAuthProductID)
	plan := p.PlanFor(app.Environment)
	app.Products = map[string]string{p.ID: plan.ID}
	now := s.Now()
	w, err := s.subs.SubscriptionWrite(Subscription{OrgID: app.OrgID, AppID: app.ID, ProductID: p.ID, ProductName: p.Name, PlanID: plan.ID,
		Status: SubscriptionActive, CreatedAt: now, UpdatedAt: now, History: []approval.Event{{At: now, Actor: actor, Action: "subscribed"}}})
	return []workflow.Write{w}, err
}

// Subscriptions lists one page of an app's subscriptions, by product ID. An app has at
// most one subscription a product, so the default page holds them all.
func (s *Service) Subscriptions(ctx context.Context, a org.Actor, orgID, appID string, page paging.Page) (SubscriptionsView, error) {
	if _, _, err := s.app(ctx, a, orgID, appID, false); err != nil {
		return SubscriptionsView{}, err
	}
	list, next, err := s.subs.SubscriptionsPage(ctx, orgID, appID, page)
	if list == nil {
		list = []Subscription{}
	}
	return SubscriptionsView{Subscriptions: list, NextCursor: next}, err
}

// roles are the PSD2 roles of the organization's QWAC.
func roles(g org.Organization) []string {
	c, err := eidas.Parse(g.QWACPEM)
	if err != nil || c.PSD2 == nil {
		return nil
	}
	return c.PSD2.Roles
}

// checkProduct applies the catalog rules to a subscription form.
func checkProduct(req SubscribeRequest, g org.Organization, env org.Environment) (Product, Plan, error) {
	if errs := validation.Struct(req); len(errs) > 0 {
		return Product{}, Plan{}, apperr.Fields(errs...)
	}
	p, ok := ProductByID(req.ProductID)
	if !ok {
		return Product{}, Plan{}, apperr.Fields(apperr.Field("productId", "unknown", fmt.Sprintf("There is no product %q; choose one from the catalog.", req.ProductID)))
	}
	plan, ok := p.PlanByID(req.PlanID)
	if !ok {
		return Product{}, Plan{}, apperr.Fields(apperr.Field("planId", "unknown", fmt.Sprintf("%s has no plan %q; choose Sandbox or Production.", p.Name, req.PlanID)))
	}
	if plan.Environment != env {
		return Product{}, Plan{}, apperr.Fields(apperr.Field("planId", "environment", fmt.Sprintf("The %s plan is for %s apps; this app is in the %s.", plan.Name, plan.Environment, env)))
	}
	if p.RequiredRole != "" && !slices.Contains(roles(g), p.RequiredRole) {
		return Product{}, Plan{}, apperr.Fields(apperr.Field("productId", "roleMissing", fmt.Sprintf(
			"%s needs the PSD2 role %s, and your organization's eIDAS certificate (QWAC) does not carry it.", p.Name, p.RequiredRole)))
	}
	return p, plan, nil
}

// Subscribe subscribes an app to a product (not Viewers). PSD2 products are active at
// once when the organization's eIDAS roles cover them; premium products wait for the
// bank's decision.
func (s *Service) Subscribe(ctx context.Context, a org.Actor, orgID, appID string, req SubscribeRequest) (Subscription, error) {
	g, _, err := s.access(ctx, a, orgID, true)
	if err != nil {
		return Subscription{}, err
	}
	app, err := s.store.GetApp(ctx, orgID, appID)
	if err != nil {
		return Subscription{}, err
	}
	p, plan, err := checkProduct(req, g, app.Environment)
	if err != nil {
		return Subscription{}, err
	}
	if p.Kind == KindPSD2 && app.Access().Ready() != nil {
		return Subscription{}, apperr.Fields(apperr.Field("productId", "notReady", "Register a redirect URI and an mTLS certificate for this production app before you subscribe it to "+p.Name+"."))
	}
	existing, err := s.subs.ListSubscriptions(ctx, orgID, appID)
	if err != nil {
		return Subscription{}, err
	}
	if i := slices.IndexFunc(existing, func(x Subscription) bool { return x.ProductID == p.ID && x.Status != SubscriptionRejected }); i >= 0 {
		msg := "This app is already subscribed to " + p.Name + "."
		if existing[i].Status == SubscriptionPending {
			msg = "A subscription to " + p.Name + " is already waiting for the bank's decision."
		}
		return Subscription{}, apperr.Fields(apperr.Field("productId", "duplicate", msg))
	}
	now := s.Now()
	sub := Subscription{OrgID: orgID, AppID: appID, ProductID: p.ID, ProductName: p.Name, PlanID: plan.ID, CreatedAt: now, UpdatedAt: now,
		History: []approval.Event{{At: now, Actor: a.Email, Action: "subscribed"}}}
	if p.Approval == Automatic {
		sub.Status = SubscriptionActive
		w, err := s.subs.SubscriptionWrite(sub)
		if err != nil {
			return Subscription{}, err
		}
		key := UsageKey{OrgID: orgID, AppID: appID, ProductID: p.ID, PlanID: plan.ID}
		if _, err := s.addUsageKeys(ctx, []UsageKey{key}); err != nil {
			return Subscription{}, err
		}
		_, err = s.update(ctx, app, s.audit(a, orgID, "subscription.activated", map[string]string{"appId": appID, "productId": p.ID, "planId": plan.ID}),
			func(x *App) { x.Products[p.ID] = plan.ID }, w)
		if err != nil {
			// The same subscription made at the same time may have won: keep its key.
			s.settleUsageKey(ctx, key, "the subscription was not stored")
		}
		if errors.Is(err, apperr.ErrConflict) {
			return Subscription{}, apperr.New(apperr.Conflict, "CONFLICT", "The app or its subscriptions changed at the same time; reload and try again.")
		}
		return sub, err
	}
	sub.Status, sub.RequestID = SubscriptionPending, token(12)
	sub.History[0].Action = "requested"
	w, err := s.subs.SubscriptionWrite(sub)
	if err != nil {
		return Subscription{}, err
	}
	entry := s.audit(a, orgID, "subscription.requested", map[string]string{"appId": appID, "productId": p.ID, "planId": plan.ID})
	entry.RequestID = sub.RequestID
	audit, err := s.dir.AuditWrite(entry)
	if err != nil {
		return Subscription{}, err
	}
	// The app may not be deleted or changed by a read from before the request.
	_, err = s.approvals.Submit(ctx, approval.Request{ID: sub.RequestID, Kind: KindSubscription, OrgID: orgID, OrgName: g.Name, Environment: string(g.Environment),
		RequesterID: a.UserID, RequesterEmail: a.Email, Summary: fmt.Sprintf("Subscribe %s to %s (%s plan)", app.Name, p.Name, plan.Name),
		Form: map[string]string{"appId": appID, "appName": app.Name, "environment": string(app.Environment), "productId": p.ID, "productName": p.Name,
			"planId": plan.ID, "scopes": strings.Join(p.Scopes, " ")}}, w, audit, s.store.TouchWrite(app))
	if errors.Is(err, apperr.ErrConflict) {
		return Subscription{}, apperr.Fields(apperr.Field("productId", "duplicate", "A subscription to "+p.Name+" was requested at the same time."))
	}
	return sub, err
}

// Unsubscribe ends an active subscription or clears a rejected one (not Viewers). The
// authorization server stays, and a pending request has to be decided first.
func (s *Service) Unsubscribe(ctx context.Context, a org.Actor, orgID, appID, productID string) error {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return err
	}
	subs, err := s.subs.ListSubscriptions(ctx, orgID, appID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(subs, func(x Subscription) bool { return x.ProductID == productID })
	if i < 0 {
		return apperr.New(apperr.NotFound, "NOT_FOUND", "This app has no subscription to that product.")
	}
	sub := subs[i]
	if p, ok := ProductByID(productID); ok && p.Mandatory {
		return apperr.New(apperr.Conflict, "MANDATORY_PRODUCT", "Every app is subscribed to the "+p.Name+"; it cannot be removed.")
	}
	audit := s.audit(a, orgID, "subscription.ended", map[string]string{"appId": appID, "productId": productID})
	switch sub.Status {
	case SubscriptionPending:
		return apperr.New(apperr.Conflict, "SUBSCRIPTION_PENDING", "This subscription is waiting for the bank's decision; it can be removed once decided.")
	case SubscriptionRejected:
		audit.Action = "subscription.cleared"
		return s.subs.ClearSubscription(ctx, sub, audit)
	}
	if _, err = s.update(ctx, app, audit, func(x *App) { delete(x.Products, productID) }, s.subs.DeleteSubscriptionWrite(sub)); err != nil {
		return err
	}
	s.settleUsageKey(ctx, UsageKey{OrgID: orgID, AppID: appID, ProductID: productID, PlanID: sub.PlanID}, "the subscription ended")
	return nil
}

// subscriptionKind writes the outcome of a premium subscription request.
type subscriptionKind struct{ s *Service }

func (k subscriptionKind) subscription(ctx context.Context, r approval.Request) (Subscription, error) {
	subs, err := k.s.subs.ListSubscriptions(ctx, r.OrgID, r.Form["appId"])
	if err != nil {
		return Subscription{}, err
	}
	i := slices.IndexFunc(subs, func(x Subscription) bool { return x.RequestID == r.ID })
	if i < 0 {
		return Subscription{}, apperr.New(apperr.Conflict, "SUBSCRIPTION_GONE", "The subscription of this request no longer exists.")
	}
	return subs[i], nil
}

func (k subscriptionKind) Approve(ctx context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	sub, err := k.subscription(ctx, r)
	if err != nil {
		return workflow.Effects{}, err
	}
	app, err := k.s.store.GetApp(ctx, r.OrgID, sub.AppID)
	if err != nil {
		return workflow.Effects{}, err
	}
	creds, err := k.s.store.ListCredentials(ctx, r.OrgID, sub.AppID)
	if err != nil {
		return workflow.Effects{}, err
	}
	// Made before the workflow applies the decision. Should the decision fail to apply,
	// the key stays unused until the app is deleted, which sweeps it.
	if _, err := k.s.addUsageKeys(ctx, []UsageKey{{OrgID: r.OrgID, AppID: sub.AppID, ProductID: sub.ProductID, PlanID: sub.PlanID}}); err != nil {
		return workflow.Effects{}, err
	}
	writes := k.s.store.ProductWrites(app, creds, sub.ProductID, sub.PlanID)
	decision, err := k.s.subs.SubscriptionDecisionWrite(sub, SubscriptionActive, "", approval.Event{At: d.At, Actor: "Bank operations", Action: "approved", Comment: d.Comment})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.requestEffects(append(writes, decision), r, d, "subscription.approved", r.Form["productName"]+" is active for "+r.Form["appName"],
		fmt.Sprintf("The bank approved the subscription of %s to %s. The app can call it now.", r.Form["appName"], r.Form["productName"]))
}

func (k subscriptionKind) Reject(ctx context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	sub, err := k.subscription(ctx, r)
	if err != nil {
		return workflow.Effects{}, err
	}
	decision, err := k.s.subs.SubscriptionDecisionWrite(sub, SubscriptionRejected, d.Comment, approval.Event{At: d.At, Actor: "Bank operations", Action: "rejected", Comment: d.Comment})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.requestEffects([]workflow.Write{decision}, r, d, "subscription.rejected", r.Form["productName"]+" was not approved for "+r.Form["appName"],
		fmt.Sprintf("The bank did not approve the subscription of %s to %s. The reason given: %s", r.Form["appName"], r.Form["productName"], d.Comment))
}

func (k subscriptionKind) Expire(r approval.Request) (workflow.Effects, error) {
	const reason = "Nobody decided the request in time. Subscribe again."
	sub := Subscription{OrgID: r.OrgID, AppID: r.Form["appId"], ProductID: r.Form["productId"], RequestID: r.ID}
	decision, err := k.s.subs.SubscriptionDecisionWrite(sub, SubscriptionRejected, reason, approval.Event{At: r.ExpiresAt, Actor: "system", Action: "expired"})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.requestEffects([]workflow.Write{decision}, r, approval.Decision{ActorID: "system", Actor: "system", At: r.ExpiresAt}, "subscription.expired",
		"The subscription request for "+r.Form["appName"]+" expired",
		fmt.Sprintf("The request to subscribe %s to %s expired before the bank decided it. %s", r.Form["appName"], r.Form["productName"], reason))
}

func (k subscriptionKind) Fail(r approval.Request) (workflow.Effects, error) {
	const reason = "The bank's decision could not be applied, because the app changed at the same time. Subscribe again."
	sub := Subscription{OrgID: r.OrgID, AppID: r.Form["appId"], ProductID: r.Form["productId"], RequestID: r.ID}
	decision, err := k.s.subs.SubscriptionDecisionWrite(sub, SubscriptionRejected, reason, approval.Event{At: r.CreatedAt, Actor: "system", Action: "not applied"})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.failureEffects([]workflow.Write{decision}, r, "The subscription of "+r.Form["appName"]+" could not be completed", reason,
		k.s.appLink(r.OrgID, r.Form["appId"], TabSubscriptions))
}

// appMail is an email about an app's request, linking to the app.
func appMail(to, subject, text, link string) *workflow.Mail {
	return &workflow.Mail{
		To:      []string{to},
		Subject: subject,
		Text:    text + "\n\nSee the app: " + link + "\n\nOpen Banking Developer Portal",
		HTML: fmt.Sprintf(`<p>%s</p><p><a href="%s">See the app</a></p><p>Open Banking Developer Portal</p>`,
			html.EscapeString(text), html.EscapeString(link)),
	}
}

// failureEffects are writes releasing what a request held, and the email telling the
// requester (no audit entry: the request's own history records the failure).
func (s *Service) failureEffects(writes []workflow.Write, r approval.Request, subject, text, link string) (workflow.Effects, error) {
	items, err := workflow.Transaction(writes...)
	if err != nil {
		return workflow.Effects{}, err
	}
	return workflow.Effects{TransactItems: items, Mail: appMail(r.RequesterEmail, r.MailSubject(subject), text, link)}, nil
}

// requestEffects adds the audit entry of a decision to its writes and tells the requester,
// linking to the app's tab where the decision shows.
func (s *Service) requestEffects(writes []workflow.Write, r approval.Request, d approval.Decision, action, subject, text string) (workflow.Effects, error) {
	return s.decisionEffects(writes, r, d, action, subject, text, s.appLink(r.OrgID, r.Form["appId"], decisionTab[r.Kind]))
}

// Tabs of the portal's app page (organizations/:orgId/apps/:appId/:tab) that emails link to.
const (
	TabCertificates  = "certificates"
	TabSubscriptions = "subscriptions"
	TabSettings      = "settings"
	TabGoLive        = "go-live"
)

// decisionTab is the app's tab where a decision of each request kind shows: a live app's
// changes (name, redirect URIs) are its settings.
var decisionTab = map[string]string{KindSubscription: TabSubscriptions, KindAppChange: TabSettings, KindGoLive: TabGoLive}

// certificateLink is where an email about an mTLS certificate sends its organization: the
// certificates tab of the app that uses it, or the apps page, which lists the
// organization's certificates, when no app does.
func (s *Service) certificateLink(orgID, appID string) string {
	if appID == "" {
		return s.portalURL + "/organizations/" + url.PathEscape(orgID) + "/apps"
	}
	return s.appLink(orgID, appID, TabCertificates)
}

// appLink is the portal page of an app's tab ("" for its first tab, credentials).
func (s *Service) appLink(orgID, appID, tab string) string {
	link := s.portalURL + "/organizations/" + url.PathEscape(orgID) + "/apps/" + url.PathEscape(appID)
	if tab != "" {
		link += "/" + tab
	}
	return link
}

// decisionEffects is requestEffects with the link the email gives.
func (s *Service) decisionEffects(writes []workflow.Write, r approval.Request, d approval.Decision, action, subject, text, link string) (workflow.Effects, error) {
	details := map[string]string{"appId": r.Form["appId"]}
	if d.Comment != "" {
		details["comment"] = d.Comment
	}
	audit, err := s.dir.AuditWrite(org.AuditEntry{OrgID: r.OrgID, At: d.At, ActorID: d.ActorID, Actor: d.Actor, Action: action, RequestID: r.ID, Details: details})
	if err != nil {
		return workflow.Effects{}, err
	}
	items, err := workflow.Transaction(append(writes, audit)...)
	if err != nil {
		return workflow.Effects{}, err
	}
	return workflow.Effects{TransactItems: items, Mail: appMail(r.RequesterEmail, r.MailSubject(subject), text, link)}, nil
}
