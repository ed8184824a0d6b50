package notify

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
)

// The resource types a notification names.
const (
	PaymentResource      = "payment"
	ConsentResource      = "consent"
	FundsConsentResource = "funds-confirmation-consent"
)

// The status attributes a notification tells.
const (
	TransactionStatus = "transactionStatus"
	ConsentStatus     = "consentStatus"
	ScaStatus         = "scaStatus"
)

// Change is one status change of a resource, as its service reports it.
type Change struct {
	Subscription *Subscription
	AppID, OrgID string
	// ResourceType is PaymentResource, ConsentResource or FundsConsentResource; Href
	// the resource's path on the TPP API.
	ResourceType string
	ResourceID   string
	Href         string
	// Attribute is TransactionStatus or ConsentStatus, and Status its new value; Final
	// says that the status is the resource's last (for LAST).
	Attribute string
	Status    string
	Final     bool
	// SCAStatus is the authorisation's new scaStatus when the change also changed it
	// (the customer's decision), else "".
	SCAStatus string
	// AuthorisationID is the authorisation sub-resource that decided the change, ""
	// for none (the OAuth2 approval, a TPP's own change); Changed reads it from the
	// context (WithAuthorisation) when it is "".
	AuthorisationID string
}

// authorisationKey is the context key of WithAuthorisation.
type authorisationKey struct{}

// WithAuthorisation is ctx for the status changes that authorisation id decides: the
// services of payments and consents learn of their changes through the same code whether
// an authorisation or the OAuth2 approval decided them, so the authorisation travels with
// the context rather than through every target's signature.
func WithAuthorisation(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, authorisationKey{}, id)
}

// AuthorisationOf is the authorisation WithAuthorisation named in ctx, "" for none.
func AuthorisationOf(ctx context.Context) string {
	id, _ := ctx.Value(authorisationKey{}).(string)
	return id
}

// Notifier enqueues the notifications of status changes. The services of payments and
// consents call it after a change is stored.
type Notifier struct {
	Log notifylog.Log
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Changed enqueues what the change's subscription asks for: the new status (PROCESS; LAST
// when it is final) and the new scaStatus (SCA). A change reported again is enqueued once.
// Without a subscription it does nothing.
func (n *Notifier) Changed(ctx context.Context, c Change) error {
	s := c.Subscription
	if s == nil || s.URI == "" {
		return nil
	}
	now := time.Now().UTC()
	if n.Now != nil {
		now = n.Now().UTC()
	}
	authorisation := c.AuthorisationID
	if authorisation == "" {
		authorisation = AuthorisationOf(ctx)
	}
	var errs []error
	enqueue := func(attribute, status string) {
		id := notificationID(c.ResourceType, c.ResourceID, attribute, status)
		if attribute == ScaStatus {
			// A resource may have several authorisations (a failed one, then another),
			// each passing the same scaStatus values once.
			id = notificationID(c.ResourceType, c.ResourceID+"\x00"+authorisation, attribute, status)
		}
		d := notifylog.Delivery{ID: id, AppID: c.AppID, OrgID: c.OrgID,
			ResourceType: c.ResourceType, ResourceID: c.ResourceID, Href: c.Href, StatusAttribute: attribute, Status: status,
			URI: s.URI, CreatedAt: now, Outcome: notifylog.Pending, Attempts: []notifylog.Attempt{}, NextAttemptAt: &now}
		if err := n.Log.Enqueue(ctx, d); err != nil && !errors.Is(err, notifylog.ErrDuplicate) {
			errs = append(errs, err)
		}
	}
	if s.Wants(SCA) && c.SCAStatus != "" {
		enqueue(ScaStatus, c.SCAStatus)
	}
	if s.Wants(PROCESS) || (s.Wants(LAST) && c.Final) {
		enqueue(c.Attribute, c.Status)
	}
	return errors.Join(errs...)
}

// Report tells n of c, logging a failure rather than returning it: the change is stored
// already, and its caller must not read the failed enqueue as a failed change. nil n
// reports nothing.
func Report(ctx context.Context, n interface {
	Changed(context.Context, Change) error
}, c Change) {
	if n == nil || c.Subscription == nil {
		return
	}
	if err := n.Changed(ctx, c); err != nil {
		slog.ErrorContext(ctx, "status notification not enqueued", "resource", c.ResourceType, "id", c.ResourceID,
			"status", c.Status, "error", err.Error())
	}
}

// notificationID names a status change: a resource passes each value of each status
// attribute at most once, so the change reported twice gets the same ID.
func notificationID(resourceType, id, attribute, status string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%s", resourceType, id, attribute, status)))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
