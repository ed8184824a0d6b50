package bankpages

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
)

// maxListed bounds the customer's list to their newest consents: a sandbox customer may
// have approved many for a TPP's automated tests, and a page of hundreds helps nobody.
const maxListed = 100

// row is a consent on the customer's list, with the names of the app and its
// organization.
type row struct {
	consentscope.Held
	AppName, OrgName string
}

// StatusText says the consent's status in plain words (the Berlin Group's in brackets on
// the page).
func (r row) StatusText() string {
	switch r.Status {
	case consents.Valid:
		return "Active"
	case consents.RevokedByPSU:
		return "Revoked by you"
	case consents.Expired:
		return "Expired"
	case consents.TerminatedByTPP:
		return "Ended by the app"
	case consents.Rejected:
		return "Refused"
	case consents.Received:
		return "Waiting for your approval"
	}
	return string(r.Status)
}

// Revocable says whether the customer can still revoke the consent.
func (r row) Revocable() bool { return r.Status == consents.Valid }

// key is how the session names the consent ("<kind>:<id>").
func (r row) key() string { return r.Kind + ":" + r.ID }

// customerSession is the session of the customer signed in, or false once the browser
// was asked to sign in: a browser without a session (or whose session ended) came to the
// bank directly, and gets a session of its own and the sign-in form.
func (p *Pages) customerSession(w http.ResponseWriter, r *http.Request) (session, bool) {
	s, err := p.readSession(r)
	switch {
	case err != nil:
		p.render(w, http.StatusOK, p.signInView(p.directSession(w), "", nil))
		return s, false
	case s.CustomerID == "":
		http.Redirect(w, r, SignInPath, http.StatusSeeOther)
		return s, false
	}
	return s, true
}

// consentsPage lists the consents the customer approved, with a Revoke button for each
// valid one, and confirms a revocation just made.
func (p *Pages) consentsPage(w http.ResponseWriter, r *http.Request) {
	s, ok := p.customerSession(w, r)
	if !ok {
		return
	}
	rows, err := p.rows(r.Context(), s.CustomerID)
	if err != nil {
		p.unavailable(w, r, "list the customer's consents", err)
		return
	}
	v := view{Name: "consents", Title: "Your consents", Session: s, CSRF: p.keys.csrfToken(s), Rows: rows, Limited: len(rows) == maxListed}
	if s.Revoked != "" {
		// The list comes from an index, which may be a moment behind the revocation the
		// bank just made: the bank's own word counts for that one.
		if i := slices.IndexFunc(rows, func(x row) bool { return x.key() == s.Revoked }); i >= 0 {
			if rows[i].Status == consents.Valid {
				rows[i].Status = consents.RevokedByPSU
			}
			v.Notice = "You revoked the access of " + rows[i].AppName + ". It can no longer use this consent."
		}
		s.Revoked = ""
		p.setCookie(w, s)
	}
	p.render(w, http.StatusOK, v)
}

// rows are the customer's consents with the names of their apps and organizations, each
// looked up once. An app or organization the portal no longer has is named as such.
func (p *Pages) rows(ctx context.Context, subject string) ([]row, error) {
	held, err := p.opts.Consents.Of(ctx, subject, maxListed)
	if err != nil {
		return nil, err
	}
	orgs, apps := map[string]string{}, map[[2]string]string{}
	out := make([]row, 0, len(held))
	for _, h := range held {
		org, ok := orgs[h.OrgID]
		if !ok {
			switch org, err = p.opts.Organizations.OrganizationName(ctx, h.OrgID); {
			case errors.Is(err, lookup.ErrUnknownOrganization):
				org = "an organization no longer registered"
			case err != nil:
				return nil, err
			}
			orgs[h.OrgID] = org
		}
		app, ok := apps[[2]string{h.OrgID, h.AppID}]
		if !ok {
			switch app, err = p.opts.Organizations.AppName(ctx, h.OrgID, h.AppID); {
			case errors.Is(err, lookup.ErrUnknownApp):
				app = "an app no longer registered"
			case err != nil:
				return nil, err
			}
			apps[[2]string{h.OrgID, h.AppID}] = app
		}
		out = append(out, row{Held: h, AppName: app, OrgName: org})
	}
	return out, nil
}

// revoke asks the customer to confirm the revocation of one of their valid consents, and
// once they confirm, revokes it (revokedByPsu) and shows the list again. A consent that
// is not theirs, or no longer valid, is refused and nothing changes.
func (p *Pages) revoke(w http.ResponseWriter, r *http.Request) {
	s, ok := p.postedSession(w, r)
	if !ok {
		return
	}
	if s.CustomerID == "" {
		http.Redirect(w, r, SignInPath, http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	kind, id := r.PostForm.Get("kind"), r.PostForm.Get("id")
	rows, err := p.rows(ctx, s.CustomerID)
	if err != nil {
		p.unavailable(w, r, "list the customer's consents", err)
		return
	}
	i := slices.IndexFunc(rows, func(x row) bool { return x.Kind == kind && x.ID == id })
	if i < 0 || !rows[i].Revocable() {
		p.notTheirs(w, r, s, kind, id)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		p.render(w, http.StatusOK, view{Name: "revoke", Title: "Revoke this consent?", Session: s, CSRF: p.keys.csrfToken(s), Row: rows[i]})
		return
	}
	switch err := p.opts.Consents.Revoke(ctx, kind, id, s.CustomerID); {
	case errors.Is(err, consentscope.ErrNotTheirs):
		p.notTheirs(w, r, s, kind, id)
		return
	case err != nil:
		p.unavailable(w, r, "revoke a consent", err)
		return
	}
	p.opts.Log.InfoContext(ctx, "sandbox bank: consent revoked by its customer", "kind", kind, "consentId", id, "customer", s.CustomerID)
	s.Revoked = rows[i].key()
	p.setCookie(w, s)
	http.Redirect(w, r, ConsentsPath, http.StatusSeeOther)
}

// notTheirs refuses the revocation of a consent the customer does not hold valid.
func (p *Pages) notTheirs(w http.ResponseWriter, r *http.Request, s session, kind, id string) {
	p.opts.Log.WarnContext(r.Context(), "sandbox bank: revocation refused", "kind", kind, "consentId", id, "customer", s.CustomerID)
	p.render(w, http.StatusNotFound, view{Name: "error", Title: "No such consent to revoke", Session: s, Back: ConsentsPath,
		Message: "You hold no active consent with this ID: it is not yours, or it has already ended. Nothing was changed."})
}
