// Package onnotify builds the TPP API's status notifications on the TPP table: the
// notifier the payment and consent services report their status changes to, and the
// delivery job. A part of its own, linking neither fosite nor anything beyond DynamoDB.
package onnotify

import (
	"net/http"
	"time"

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
