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
	var errs []error
	enqueue := func(attribute, status string) {
		d := notifylog.Delivery{ID: notificationID(c.ResourceType, c.ResourceID, attribute, status), AppID: c.AppID, OrgID: c.OrgID,
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
