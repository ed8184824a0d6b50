package notify

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
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

// Notifier builds and enqueues the notifications of status changes. The services of
// payments and consents ask it for a change's Deliveries and store them in the transaction
// of the change, so a notification is queued exactly when its change is stored.
type Notifier struct {
	Log notifylog.Log
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Deliveries are the notifications the change's subscription asks for, pending and due
// now: the new scaStatus (SCA), then the new status (PROCESS; LAST when it is final).
// Without a subscription there are none; nil n has none.
func (n *Notifier) Deliveries(ctx context.Context, c Change) []notifylog.Delivery {
	s := c.Subscription
	if n == nil || s == nil || s.URI == "" {
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
	var out []notifylog.Delivery
	add := func(attribute, status string) {
		id := notificationID(c.ResourceType, c.ResourceID, attribute, status)
		if attribute == ScaStatus {
			// A resource may have several authorisations (a failed one, then another),
			// each passing the same scaStatus values once.
			id = notificationID(c.ResourceType, c.ResourceID+"\x00"+authorisation, attribute, status)
		}
		out = append(out, notifylog.Delivery{ID: id, AppID: c.AppID, OrgID: c.OrgID,
			ResourceType: c.ResourceType, ResourceID: c.ResourceID, Href: c.Href, StatusAttribute: attribute, Status: status,
			URI: s.URI, CreatedAt: now, Outcome: notifylog.Pending, Attempts: []notifylog.Attempt{}, NextAttemptAt: &now})
	}
	if s.Wants(SCA) && c.SCAStatus != "" {
		add(ScaStatus, c.SCAStatus)
	}
	if s.Wants(PROCESS) || (s.Wants(LAST) && c.Final) {
		add(c.Attribute, c.Status)
	}
	return out
}

// Changed enqueues the change's Deliveries on their own, for a change stored without
// them: a change reported again is enqueued once.
func (n *Notifier) Changed(ctx context.Context, c Change) error {
	var errs []error
	for _, d := range n.Deliveries(ctx, c) {
		if err := n.Log.Enqueue(ctx, d); err != nil && !errors.Is(err, notifylog.ErrDuplicate) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// notificationID names a status change: a resource passes each value of each status
// attribute at most once, so the change reported twice gets the same ID.
func notificationID(resourceType, id, attribute, status string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%s", resourceType, id, attribute, status)))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
