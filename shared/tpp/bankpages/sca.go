package bankpages

import (
	"context"
	"errors"
	"net/http"

	"github.com/bank/devportal/shared/tpp/sca"
)

// Authorisations are the authorisations the customer decides at the bank (sca.Service):
// a redirect one on its page, their decoupled ones in the bank's app.
type Authorisations interface {
	Open(ctx context.Context, ref sca.Ref) (sca.Opened, error)
	Decide(ctx context.Context, ref sca.Ref, customerID string, approve bool) (sca.Authorisation, error)
	WaitingFor(ctx context.Context, customerID string) ([]sca.Opened, error)
}

var _ Authorisations = (*sca.Service)(nil)

// waitingRow is a decoupled authorisation in the bank's app, with its app's names.
type waitingRow struct {
	sca.Opened
	AppName, OrgName string
}

// Key is the reference the row's form posts.
func (r waitingRow) Key() string { return r.Ref().String() }

// noAuthorisations answers a page of the SCA approaches where the bank has none.
func (p *Pages) noAuthorisations(w http.ResponseWriter) bool {
	if p.opts.Authorisations != nil {
		return false
	}
	p.render(w, http.StatusServiceUnavailable, view{Name: "error", Title: "The bank is not available",
		Message: "The bank's pages are not connected to its authorisations."})
	return true
}

// notOpen tells the customer the authorisation no longer waits for them.
func (p *Pages) notOpen(w http.ResponseWriter, r *http.Request, s session) {
	p.opts.Log.InfoContext(r.Context(), "sandbox bank: the authorisation no longer waits", "authorisation", s.SCA)
	p.clearCookie(w)
	p.render(w, http.StatusGone, view{Name: "error", Title: "This authorisation has ended",
		Message: "The bank no longer waits for this authorisation: it was decided, it failed, or it ran out of time. Nothing was changed. Go back to the app and start again."})
}

// scaPage is an authorisation's redirect page. With the authorisation's reference (the
// scaRedirect link) it opens the bank's session for it and asks the customer to sign in;
// without, it shows the signed-in customer what the app asks them to authorise.
func (p *Pages) scaPage(w http.ResponseWriter, r *http.Request) {
	if p.noAuthorisations(w) {
		return
	}
	ctx := r.Context()
	if v := r.URL.Query().Get(sca.RefParam); v != "" {
		p.beginSCA(w, r, v)
		return
	}
	s, ok := p.session(w, r)
	if !ok {
		return
	}
	if s.SCA == "" {
		p.render(w, http.StatusBadRequest, view{Name: "error", Title: "No authorisation in progress", Session: s,
			Message: "This browser has no authorisation in progress. Go back to the app and start again."})
		return
	}
	if s.CustomerID == "" {
		http.Redirect(w, r, SignInPath, http.StatusSeeOther)
		return
	}
	ref, _ := sca.ParseRef(s.SCA)
	o, err := p.opts.Authorisations.Open(ctx, ref)
	switch {
	case errors.Is(err, sca.ErrNotOpen) || errors.Is(err, sca.ErrUnknown):
		p.notOpen(w, r, s)
		return
	case err != nil:
		p.unavailable(w, r, "open the authorisation", err)
		return
	}
	p.render(w, http.StatusOK, view{Name: "sca", Title: "Authorise", Session: s, CSRF: p.keys.csrfToken(s), Asks: []string{o.Resource.Summary}})
}

// beginSCA opens the bank's session of the authorisation ref names, if it waits for a
// customer on this page, and sends the browser to the sign-in page.
func (p *Pages) beginSCA(w http.ResponseWriter, r *http.Request, v string) {
	ctx := r.Context()
	ref, ok := sca.ParseRef(v)
	var o sca.Opened
	var err error
	if ok {
		o, err = p.opts.Authorisations.Open(ctx, ref)
	}
	switch {
	case !ok || errors.Is(err, sca.ErrUnknown) || errors.Is(err, sca.ErrNotOpen) || err == nil && o.Approach != sca.Redirect:
		p.notOpen(w, r, session{SCA: v})
		return
	case err != nil:
		p.unavailable(w, r, "open the authorisation", err)
		return
	}
	org, err := p.opts.Organizations.OrganizationName(ctx, o.OrgID)
	if err != nil {
		p.unavailable(w, r, "name the organization", err)
		return
	}
	app, err := p.opts.Organizations.AppName(ctx, o.OrgID, o.AppID)
	if err != nil {
		p.unavailable(w, r, "name the app", err)
		return
	}
	s := session{SCA: ref.String(), SCAApp: app, OrgName: org, SCARedirect: o.RedirectURI, SCANok: o.NokRedirectURI,
		Nonce: newNonce(), Expires: o.ExpiresAt.Unix()}
	p.setCookie(w, s)
	http.Redirect(w, r, SignInPath, http.StatusSeeOther)
}

// scaDecide records the signed-in customer's decision on the authorisation of the
// redirect page, and sends the browser back to the app: to TPP-Redirect-URI once it is
// finalised, else to TPP-Nok-Redirect-URI (or TPP-Redirect-URI when there is none).
func (p *Pages) scaDecide(w http.ResponseWriter, r *http.Request) {
	if p.noAuthorisations(w) {
		return
	}
	s, ok := p.postedSession(w, r)
	if !ok {
		return
	}
	decision := r.PostForm.Get("decision")
	switch {
	case s.SCA == "":
		p.render(w, http.StatusBadRequest, view{Name: "error", Title: "No authorisation in progress", Session: s,
			Message: "This browser has no authorisation in progress. Nothing was changed."})
		return
	case s.CustomerID == "":
		http.Redirect(w, r, SignInPath, http.StatusSeeOther)
		return
	case decision != decisionApprove && decision != decisionDeny:
		p.render(w, http.StatusBadRequest, view{Name: "error", Title: "Choose approve or deny", Session: s,
			Message: "The form said neither approve nor deny. Go back and choose one."})
		return
	}
	ref, _ := sca.ParseRef(s.SCA)
	a, err := p.opts.Authorisations.Decide(r.Context(), ref, s.CustomerID, decision == decisionApprove)
	switch {
	case errors.Is(err, sca.ErrNotOpen) || errors.Is(err, sca.ErrUnknown) || errors.Is(err, sca.ErrNotTheirs):
		p.notOpen(w, r, s)
		return
	case errors.Is(err, sca.ErrAlreadySigned) || errors.Is(err, sca.ErrNotSignatory):
		p.render(w, http.StatusForbidden, view{Name: "error", Title: "You cannot sign this payment", Session: s, Message: cannotSign(err)})
		return
	case err != nil:
		p.unavailable(w, r, "decide the authorisation", err)
		return
	}
	p.opts.Log.InfoContext(r.Context(), "sandbox bank: authorisation decided", "authorisation", s.SCA, "customer", s.CustomerID, "scaStatus", string(a.Status))
	p.clearCookie(w)
	back := s.SCARedirect
	if a.Status != sca.Finalised && s.SCANok != "" {
		back = s.SCANok
	}
	if back != "" {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	msg := "You authorised it. Go back to " + s.SCAApp + "."
	if a.Status != sca.Finalised {
		msg = "Nothing was authorised. Go back to " + s.SCAApp + "."
	}
	p.render(w, http.StatusOK, view{Name: "error", Title: "Done", Message: msg})
}

// appSession is the session of the customer signed in to the bank's app, or false once
// the browser was asked to sign in (coming back here after).
func (p *Pages) appSession(w http.ResponseWriter, r *http.Request) (session, bool) {
	s, err := p.readSession(r)
	switch {
	case err != nil || s.SCA != "" || !s.direct():
		d := session{Nonce: newNonce(), Expires: p.now().Add(directLifespan).Unix(), Next: AppPath}
		p.setCookie(w, d)
		p.render(w, http.StatusOK, p.signInView(d, "", nil))
		return s, false
	case s.CustomerID == "":
		s.Next = AppPath
		p.setCookie(w, s)
		http.Redirect(w, r, SignInPath, http.StatusSeeOther)
		return s, false
	}
	return s, true
}

// Notices of the bank's app.
const (
	noticeApproved = "approved"
	noticeDenied   = "denied"
)

// appPage is the bank's app: the decoupled authorisations that wait for the signed-in
// customer, each with Approve and Deny.
func (p *Pages) appPage(w http.ResponseWriter, r *http.Request) {
	if p.noAuthorisations(w) {
		return
	}
	s, ok := p.appSession(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	list, err := p.opts.Authorisations.WaitingFor(ctx, s.CustomerID)
	if err != nil {
		p.unavailable(w, r, "list the customer's authorisations", err)
		return
	}
	rows := make([]waitingRow, 0, len(list))
	for _, o := range list {
		org, err := p.opts.Organizations.OrganizationName(ctx, o.OrgID)
		if err != nil {
			org = "an organization no longer registered"
		}
		app, err := p.opts.Organizations.AppName(ctx, o.OrgID, o.AppID)
		if err != nil {
			app = "an app no longer registered"
		}
		rows = append(rows, waitingRow{Opened: o, AppName: app, OrgName: org})
	}
	v := view{Name: "app", Title: "Sandbox Bank app", Session: s, CSRF: p.keys.csrfToken(s), Waiting: rows}
	switch r.URL.Query().Get("done") {
	case noticeApproved:
		v.Notice = "You approved it: the app learns it when it next asks the bank."
	case noticeDenied:
		v.Notice = "You denied it: nothing was authorised."
	}
	p.render(w, http.StatusOK, v)
}

// appDecide records the signed-in customer's decision on one of their decoupled
// authorisations; another's, or one no longer waiting, is refused and nothing changes.
func (p *Pages) appDecide(w http.ResponseWriter, r *http.Request) {
	if p.noAuthorisations(w) {
		return
	}
	s, ok := p.postedSession(w, r)
	if !ok {
		return
	}
	if s.CustomerID == "" {
		http.Redirect(w, r, SignInPath, http.StatusSeeOther)
		return
	}
	decision := r.PostForm.Get("decision")
	ref, ok := sca.ParseRef(r.PostForm.Get("authorisation"))
	if !ok || decision != decisionApprove && decision != decisionDeny {
		p.render(w, http.StatusBadRequest, view{Name: "error", Title: "Choose approve or deny", Session: s, Back: AppPath,
			Message: "The form named no authorisation, or neither approve nor deny. Nothing was changed."})
		return
	}
	_, err := p.opts.Authorisations.Decide(r.Context(), ref, s.CustomerID, decision == decisionApprove)
	switch {
	case errors.Is(err, sca.ErrAlreadySigned) || errors.Is(err, sca.ErrNotSignatory):
		p.render(w, http.StatusForbidden, view{Name: "error", Title: "You cannot sign this payment", Session: s, Back: AppPath, Message: cannotSign(err)})
		return
	case errors.Is(err, sca.ErrNotOpen) || errors.Is(err, sca.ErrUnknown) || errors.Is(err, sca.ErrNotTheirs):
		p.opts.Log.WarnContext(r.Context(), "sandbox bank: decision refused", "authorisation", ref.String(), "customer", s.CustomerID)
		p.render(w, http.StatusNotFound, view{Name: "error", Title: "Nothing to decide", Session: s, Back: AppPath,
			Message: "No authorisation of yours with this reference waits for you: it is not yours, or it has ended. Nothing was changed."})
		return
	case err != nil:
		p.unavailable(w, r, "decide the authorisation", err)
		return
	}
	notice := noticeApproved
	if decision == decisionDeny {
		notice = noticeDenied
	}
	http.Redirect(w, r, AppPath+"?done="+notice, http.StatusSeeOther)
}

// cannotSign says why the signed-in customer cannot add their signature to a payment that
// needs several signatories.
func cannotSign(err error) string {
	if errors.Is(err, sca.ErrAlreadySigned) {
		return "You have signed this payment already. It needs the signature of another signatory of the account: they sign in and approve it. Nothing was changed."
	}
	return "You are not a signatory of the account this payment is paid from. One of its signatories signs in and approves it. Nothing was changed."
}
