// Package notifylog is the delivery log of the TPP API's status notifications: one record
// per notification of a payment's or consent's status change to the URI its TPP gave
// (TPP-Notification-URI), with every delivery attempt. The TPP area's notifier writes the
// records and its delivery job works through them; the portal reads an app's records for
// its developers. It lives in the platform because both areas read it and neither may
// import the other.
//
// The records are kept in the TPP table (its key layout: PK, SK, GSI1PK, GSI1SK, ttl):
//
//	item                      PK                        SK                            GSI1PK      GSI1SK
//	delivery                  NOTIFYLOG#<appId>         <createdAt>#<notificationId>  NOTIFYDUE   <nextAttemptAt>#<appId>#<SK>   (GSI1 while pending)
//	once-marker               NOTIFY#<notificationId>   NOTIFY
//
// A notification's ID names the status change it tells (resource, status attribute and
// value), and its marker is written with its record in one transaction on condition that
// neither exists: a status change is enqueued once however often it is reported. Pending
// records are in GSI1 under one partition sorted by their next attempt, which the job
// reads; a delivered or abandoned record leaves the index.
package notifylog

import (
	"context"
	"errors"
	"time"

	"github.com/bank/devportal/shared/platform/paging"
)

// Outcome is where a delivery stands.
type Outcome string

// The outcomes of a delivery.
const (
	// Pending deliveries wait for their next attempt.
	Pending Outcome = "pending"
	// Delivered deliveries were answered 2xx.
	Delivered Outcome = "delivered"
	// Failed deliveries used up their attempts without a 2xx answer.
	Failed Outcome = "failed"
)

// Attempt is one try to deliver a notification.
type Attempt struct {
	At time.Time `json:"at" dynamodbav:"at"`
	// HTTPStatus is the status the TPP answered, 0 when no answer came (Error says why).
	HTTPStatus int    `json:"httpStatus,omitempty" dynamodbav:"httpStatus,omitempty"`
	Error      string `json:"error,omitempty" dynamodbav:"error,omitempty"`
	// NextRetryAt is when the next attempt is due after this failed one; nil when this
	// one delivered or was the last.
	NextRetryAt *time.Time `json:"nextRetryAt,omitempty" dynamodbav:"nextRetryAt,omitempty"`
}

// Delivery is one status notification to a TPP and its attempts.
type Delivery struct {
	// ID identifies the status change the notification tells; the body carries it, so a
	// TPP can drop a notification it received twice.
	ID    string `json:"id" dynamodbav:"notificationId"`
	AppID string `json:"appId" dynamodbav:"appId"`
	OrgID string `json:"orgId" dynamodbav:"orgId"`
	// ResourceType is payment, consent or funds-confirmation-consent; Href its path on
	// the TPP API.
	ResourceType string `json:"resourceType" dynamodbav:"resourceType"`
	ResourceID   string `json:"resourceId" dynamodbav:"resourceId"`
	Href         string `json:"href" dynamodbav:"href"`
	// StatusAttribute is the Berlin Group attribute that changed (transactionStatus,
	// consentStatus or scaStatus) and Status its new value.
	StatusAttribute string `json:"statusAttribute" dynamodbav:"statusAttribute"`
	Status          string `json:"status" dynamodbav:"status"`
	URI             string `json:"uri" dynamodbav:"uri"`
	// CreatedAt is when the status changed and the notification was enqueued.
	CreatedAt time.Time `json:"createdAt" dynamodbav:"createdAt"`
	Outcome   Outcome   `json:"outcome" dynamodbav:"outcome" enum:"pending,delivered,failed"`
	// Tries counts the attempts begun (claimed), Attempts those whose result was
	// recorded: a job that stopped mid-attempt leaves one more try than attempts.
	Tries    int       `json:"-" dynamodbav:"tries"`
	Attempts []Attempt `json:"attempts" dynamodbav:"attempts"`
	// NextAttemptAt is when a pending delivery is due.
	NextAttemptAt *time.Time `json:"nextAttemptAt,omitempty" dynamodbav:"nextAttemptAt,omitempty"`
}

// Log keeps the deliveries.
type Log interface {
	// Enqueue stores a new pending delivery, once per ID: ErrDuplicate when its ID was
	// enqueued before.
	Enqueue(ctx context.Context, d Delivery) error
	// Due lists pending deliveries whose next attempt is at or before now, earliest
	// first, limit at most.
	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// Claim begins an attempt of d as read: it counts the try and moves the next attempt
	// to until, so no other run takes it meanwhile, on condition that nobody claimed it
	// since d was read (ErrChanged).
	Claim(ctx context.Context, d Delivery, until time.Time) (Delivery, error)
	// Record stores d with the result of its claimed attempt, on condition that nobody
	// claimed it since (ErrChanged).
	Record(ctx context.Context, d Delivery) error
	// List is the app's deliveries, newest first, limit at most.
	List(ctx context.Context, appID string, limit int) ([]Delivery, error)
	// Page is one page of the app's deliveries, newest first, and the next page's cursor
	// ("" at the end).
	Page(ctx context.Context, appID string, page paging.Page) ([]Delivery, string, error)
}

// Errors of the log.
var (
	ErrDuplicate = errors.New("notifylog: this status change was enqueued before")
	ErrChanged   = errors.New("notifylog: another run claimed the delivery meanwhile")
)

// Retention is how long a delivery stays in the log.
const Retention = 30 * 24 * time.Hour
