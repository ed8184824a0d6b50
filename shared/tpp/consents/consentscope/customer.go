package consentscope

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/piis"
)

// Held is a consent as the customer who approved it sees it at the bank.
type Held struct {
	// Kind is "AIS" (account information) or "PIIS" (confirmation of funds), as the
	// scopes name them.
	Kind, ID     string
	AppID, OrgID string
	// Summary says in plain words what the consent gives the app.
	Summary string
	Status  consents.Status
	// ValidUntil is the consent's last day; "" for a confirmation-of-funds consent,
	// which lasts until it is ended.
	ValidUntil string
	CreatedAt  time.Time
}

// Customer is the customer's side of their consents at the bank: those they approved,
// of both kinds, and their revocation.
type Customer struct {
	Consents *consents.Service
	Funds    *piis.Service
}

// ErrNotTheirs refuses to revoke a consent the customer does not hold valid: another
// customer's, one that does not exist, or one that has ended. All look the same, so no
// customer learns of another's consents.
var ErrNotTheirs = errors.New("consentscope: the customer holds no valid consent with this ID")

// Of lists the consents customer subject approved, of both kinds, newest first, limit at
// most.
func (c Customer) Of(ctx context.Context, subject string, limit int) ([]Held, error) {
	ais, err := c.Consents.ConsentsOf(ctx, subject, limit)
	if err != nil {
		return nil, err
	}
	funds, err := c.Funds.ConsentsOf(ctx, subject, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Held, 0, len(ais)+len(funds))
	for _, a := range ais {
		out = append(out, Held{Kind: "AIS", ID: a.ID, AppID: a.AppID, OrgID: a.OrgID, Summary: consents.Summary(a),
			Status: a.Status, ValidUntil: a.ValidUntil, CreatedAt: a.CreatedAt})
	}
	for _, f := range funds {
		out = append(out, Held{Kind: "PIIS", ID: f.ID, AppID: f.AppID, OrgID: f.OrgID, Summary: piis.Summary(f),
			Status: f.Status, CreatedAt: f.CreatedAt})
	}
	slices.SortStableFunc(out, func(a, b Held) int { return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID)) })
	return out[:min(len(out), limit)], nil
}

// Revoke ends customer subject's valid consent id of kind at their request:
// revokedByPsu. Anything else is ErrNotTheirs, and changes nothing.
func (c Customer) Revoke(ctx context.Context, kind, id, subject string) error {
	var err error
	switch kind {
	case "AIS":
		err = c.Consents.Revoke(ctx, id, subject)
	case "PIIS":
		err = c.Funds.Revoke(ctx, id, subject)
	default:
		return ErrNotTheirs
	}
	if errors.Is(err, consents.ErrNotFound) || errors.Is(err, consents.ErrUnknown) || errors.Is(err, piis.ErrUnknown) {
		return ErrNotTheirs
	}
	return err
}
