package apps

import (
	"context"
	"errors"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/org"
)

// NotificationLog reads the TPP API's delivery log of status notifications
// (notifylog), which the portal reads through the platform, not the TPP area.
type NotificationLog interface {
	Page(ctx context.Context, appID string, page paging.Page) ([]notifylog.Delivery, string, error)
}

// NotificationsView is a page of an app's status notifications, newest first.
type NotificationsView struct {
	Deliveries []notifylog.Delivery `json:"deliveries"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

var errNoNotificationLog = errors.New("apps: the delivery log of status notifications is not configured")

// Notifications lists one page of the app's status notifications to the TPP (resource,
// status, outcome, attempts), newest first, for any member of its organization.
func (s *Service) Notifications(ctx context.Context, a org.Actor, orgID, appID string, page paging.Page) (NotificationsView, error) {
	if _, _, err := s.app(ctx, a, orgID, appID, false); err != nil {
		return NotificationsView{}, err
	}
	if s.notifyLog == nil {
		return NotificationsView{}, errNoNotificationLog
	}
	list, next, err := s.notifyLog.Page(ctx, appID, page)
	if err != nil {
		return NotificationsView{}, err
	}
	out := NotificationsView{Deliveries: []notifylog.Delivery{}, NextCursor: next}
	for _, d := range list {
		// The log is kept per app; an app's ID is unique, but its organization is
		// checked too, so that no other organization's delivery can ever show.
		if d.OrgID == orgID {
			out.Deliveries = append(out.Deliveries, d)
		}
	}
	return out, nil
}
