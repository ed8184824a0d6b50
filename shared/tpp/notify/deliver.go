package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
)

// Delivery limits: a notification is tried MaxAttempts times, the n-th retry FirstRetry
// × 2^(n-1) after the failed attempt before it (1, 2, 4, 8 minutes), each attempt
// waiting at most AttemptTimeout for the answer.
const (
	MaxAttempts    = 5
	FirstRetry     = time.Minute
	AttemptTimeout = 10 * time.Second
	// lease is how long a claimed delivery is kept from other runs: longer than an
	// attempt, so that a run that stopped mid-attempt leaves it to a later run.
	lease = 2 * time.Minute
	// batch is how many due deliveries a run reads at a time.
	batch = 25
)

// Deliverer is the delivery job: it posts the due notifications of the log to their
// URIs and records each attempt.
type Deliverer struct {
	Log notifylog.Log
	// Client posts the notifications; nil is a client with AttemptTimeout that follows
	// no redirect.
	Client *http.Client
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// FirstRetry overrides the constant of that name when positive (the local stack's
	// shorter retries).
	FirstRetry time.Duration
}

// Run is what a run of the job did.
type Run struct {
	Delivered int `json:"delivered"`
	Retrying  int `json:"retrying"`
	Failed    int `json:"failed"`
}

// Body is a notification as posted.
type Body struct {
	NotificationID string    `json:"notificationId"`
	Resource       Resource  `json:"resource"`
	Transaction    string    `json:"transactionStatus,omitempty"`
	Consent        string    `json:"consentStatus,omitempty"`
	SCA            string    `json:"scaStatus,omitempty"`
	ChangedAt      time.Time `json:"changedAt"`
}

// Resource names the resource whose status changed.
type Resource struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Href string `json:"href"`
}

// BodyOf is the notification of d.
func BodyOf(d notifylog.Delivery) Body {
	b := Body{NotificationID: d.ID, Resource: Resource{Type: d.ResourceType, ID: d.ResourceID, Href: d.Href}, ChangedAt: d.CreatedAt.UTC()}
	switch d.StatusAttribute {
	case TransactionStatus:
		b.Transaction = d.Status
	case ConsentStatus:
		b.Consent = d.Status
	case ScaStatus:
		b.SCA = d.Status
	}
	return b
}

func (j *Deliverer) now() time.Time {
	if j.Now == nil {
		return time.Now().UTC()
	}
	return j.Now().UTC()
}

func (j *Deliverer) client() *http.Client {
	if j.Client != nil {
		return j.Client
	}
	return &http.Client{Timeout: AttemptTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Run delivers every notification due now, each at most once per run: a delivery
// another run claimed first is left to it.
func (j *Deliverer) Run(ctx context.Context) (Run, error) {
	var out Run
	now := j.now()
	seen := map[string]bool{}
	for {
		due, err := j.Log.Due(ctx, now, batch)
		if err != nil {
			return out, err
		}
		fresh := 0
		for _, d := range due {
			if seen[d.ID] {
				continue
			}
			seen[d.ID], fresh = true, fresh+1
			switch outcome, err := j.attempt(ctx, d); {
			case errors.Is(err, notifylog.ErrChanged):
			case err != nil:
				return out, err
			case outcome == notifylog.Delivered:
				out.Delivered++
			case outcome == notifylog.Failed:
				out.Failed++
			default:
				out.Retrying++
			}
		}
		if fresh == 0 || len(due) < batch {
			return out, nil
		}
	}
}

// attempt claims d, posts it and records the result.
func (j *Deliverer) attempt(ctx context.Context, d notifylog.Delivery) (notifylog.Outcome, error) {
	claimed, err := j.Log.Claim(ctx, d, j.now().Add(lease))
	if err != nil {
		return "", err
	}
	at := j.now()
	status, postErr := j.post(ctx, claimed)
	a := notifylog.Attempt{At: at, HTTPStatus: status}
	switch {
	case postErr == nil:
		claimed.Outcome, claimed.NextAttemptAt = notifylog.Delivered, nil
	case claimed.Tries >= MaxAttempts:
		a.Error = postErr.Error()
		claimed.Outcome, claimed.NextAttemptAt = notifylog.Failed, nil
	default:
		a.Error = postErr.Error()
		next := at.Add(j.retryAfter(claimed.Tries))
		a.NextRetryAt, claimed.NextAttemptAt = &next, &next
	}
	claimed.Attempts = append(claimed.Attempts, a)
	if err := j.Log.Record(ctx, claimed); err != nil {
		return "", err
	}
	slog.InfoContext(ctx, "status notification attempt", "notificationId", d.ID, "appId", d.AppID, "try", claimed.Tries,
		"httpStatus", status, "outcome", string(claimed.Outcome))
	return claimed.Outcome, nil
}

// retryAfter is the wait after the tries-th failed attempt.
func (j *Deliverer) retryAfter(tries int) time.Duration {
	first := FirstRetry
	if j.FirstRetry > 0 {
		first = j.FirstRetry
	}
	return first << (tries - 1)
}

// post sends d's notification: nil for a 2xx answer.
func (j *Deliverer) post(ctx context.Context, d notifylog.Delivery) (int, error) {
	body, err := json.Marshal(BodyOf(d))
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URI, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := j.client().Do(req)
	if err != nil {
		return 0, fmt.Errorf("no answer: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
