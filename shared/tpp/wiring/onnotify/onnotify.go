// Package onnotify builds the TPP API's status notifications on the TPP table: the
// notifier the payment and consent services report their status changes to, and the
// delivery job. A part of its own, linking neither fosite nor anything beyond DynamoDB.
package onnotify

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/tpp/notify"
)

// Notifier enqueues the notifications in the delivery log of the TPP table of cfg, with
// the clock now (nil: time.Now).
func Notifier(db notifylogdb.DynamoDB, cfg config.Config, now func() time.Time) *notify.Notifier {
	return &notify.Notifier{Log: notifylogdb.New(db, cfg.TPPTable), Now: now}
}

// Deliverer is the delivery job on the log of the TPP table of cfg; client nil is the
// job's own (notify.Deliverer.Client).
func Deliverer(db notifylogdb.DynamoDB, cfg config.Config, client *http.Client, now func() time.Time) *notify.Deliverer {
	return &notify.Deliverer{Log: notifylogdb.New(db, cfg.TPPTable), Client: client, Now: now}
}

// ForJob builds the delivery job of the deployed function (tpp/wiring.StartJob). It
// makes no network call.
func ForJob(ctx context.Context, cfg config.Config, _ string) (func(context.Context) (any, error), error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	job := Deliverer(dynamodb.NewFromConfig(awsCfg), cfg, nil, nil)
	return func(ctx context.Context) (any, error) { return job.Run(ctx) }, nil
}
