package apps

import (
	"context"
	"errors"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/portal/org"
)

// NotificationLog reads the TPP API's delivery log of status notifications
// (notifylog), which the portal reads through the platform, not the TPP area.
type NotificationLog interface {
	List(ctx context.Context, appID string, limit int) ([]notifylog.Delivery, error)
}

// NotificationsShown is how many of an app's latest notifications its page lists.
const NotificationsShown = 50

// NotificationsView is an app's latest status notifications, newest first.
type NotificationsView struct {
	Deliveries []notifylog.Delivery `json:"deliveries"`
}

var errNoNotificationLog = errors.New("apps: the delivery log of status notifications is not configured")

// Notifications lists the app's latest status notifications to the TPP (resource,
// status, outcome, attempts) for any member of its organization.
func (s *Service) Notifications(ctx context.Context, a org.Actor, orgID, appID string) (NotificationsView, error) {
	if _, _, err := s.app(ctx, a, orgID, appID, false); err != nil {
		return NotificationsView{}, err
	}
	if s.notifyLog == nil {
		return NotificationsView{}, errNoNotificationLog
	}
	list, err := s.notifyLog.List(ctx, appID, NotificationsShown)
	if err != nil {
		return NotificationsView{}, err
	}
	out := NotificationsView{Deliveries: []notifylog.Delivery{}}
	for _, d := range list {
		// The log is kept per app; an app's ID is unique, but its organization is
		// checked too, so that no other organization's delivery can ever show.
		if d.OrgID == orgID {
			out.Deliveries = append(out.Deliveries, d)
		}
	}
	return out, nil
}
