package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/validation"
)

// Service applies the account rules over the stores, Cognito and SES.
type Service struct {
	cfg      config.Config
	profiles Profiles
	links    Links
	sessions Sessions
	idp      Identity
	mail     Mailer
	// Orgs checks the organization code at sign-up and joins it at activation; nil when
	// organizations are not wired (unit tests).
	Orgs OrgCodes
	// Attempts limits the attempts of the public forms (nil: no limits beyond Cognito's).
	Attempts Attempts
	// Vault seals the sessions' Cognito tokens (the routes that start, renew or end a
	// session, or change its password, need it).
	Vault TokenVault
	// HistoryMAC keys the password history (the routes that set a password need it).
	HistoryMAC PasswordMAC
	// TOTP is the authenticator-app second factor at Cognito (two-step sign-in).
	TOTP TOTPFactors
	// Now is the clock; tests move it.
	Now func() time.Time
}

// OrgCodes is what accounts need of organizations: a code to check and to join.
type OrgCodes interface {
	// CheckCode fails with a field error on organizationCode if nobody can join it now.
	CheckCode(ctx context.Context, code string) error
	// JoinWithCode makes the user an App Developer of the code's organization and returns
	// the organization's name.
	JoinWithCode(ctx context.Context, userID, email, fullName, code string) (string, error)
}

// NewService wires the account rules to their dependencies.
func NewService(cfg config.Config, profiles Profiles, links Links, sessions Sessions, idp Identity, mail Mailer) *Service {
	return &Service{cfg: cfg, profiles: profiles, links: links, sessions: sessions, idp: idp, mail: mail, Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// PolicyView is the password policy as the SPA needs it to guide the user while typing.
type PolicyView struct {
	config.PasswordPolicy
	// SpecialCharacters are the characters that count as special (Cognito's set).
	SpecialCharacters string `json:"specialCharacters"`
}

// Policy returns the password policy in force.
func (s *Service) Policy() PolicyView {
	return PolicyView{PasswordPolicy: s.cfg.Password, SpecialCharacters: specialChars}
}

// SignUpRequest is the sign-up form.
type SignUpRequest struct {
	FullName             string `json:"fullName" validate:"required,max=100,singleline" example:"Sam Example"`
	Email                string `json:"email" validate:"required,email,max=254" example:"sam@example.com"`
	Password             string `json:"password" validate:"required" example:"Str0ng!Passw0rd"`
	PasswordConfirmation string `json:"passwordConfirmation" validate:"required" example:"Str0ng!Passw0rd"`
	// OrganizationCode links the account to an onboarded organization (optional).
	OrganizationCode string `json:"organizationCode,omitempty" validate:"omitempty,alphanum,max=32" example:"ABCDEFGH23"`
	AcceptTerms      bool   `json:"acceptTerms" example:"true"`
}

// SignUpResponse says what happens next.
type SignUpResponse struct {
	Email   string `json:"email"`
	Status  Status `json:"status" enum:"PENDING_ACTIVATION,ACTIVE"`
	Message string `json:"message"`
}

// SignUp creates the Cognito user and the profile, then emails the activation link. If
// the profile cannot be written the Cognito user is removed again, so a failed sign-up
// leaves nothing behind.
func (s *Service) SignUp(ctx context.Context, req SignUpRequest) (SignUpResponse, error) {
	// Counted first: the organization code check must not become a way to try codes.
	if err := s.attemptByAddress(ctx, signUpPerAddress); err != nil {
		return SignUpResponse{}, err
	}
	validation.Normalize(&req)
	req.Email = validation.NormalizeEmail(req.Email)
	req.OrganizationCode = strings.ToUpper(strings.TrimSpace(req.OrganizationCode))
	errs := validation.Struct(req)
	if req.Password != "" {
		errs = append(errs, CheckPassword("password", req.Password, s.cfg.Password)...)
	}
	if req.PasswordConfirmation != "" && req.PasswordConfirmation != req.Password {
		errs = append(errs, apperr.Field("passwordConfirmation", "match", "The passwords do not match."))
	}
	if !req.AcceptTerms {
		errs = append(errs, apperr.Field("acceptTerms", "accepted", "Accept the terms and conditions to create an account."))
	}
	if req.OrganizationCode != "" && s.Orgs != nil && !slices.ContainsFunc(errs, func(e apperr.FieldError) bool { return e.Field == "organizationCode" }) {
		var codeErr *apperr.Error
		if err := s.Orgs.CheckCode(ctx, req.OrganizationCode); errors.As(err, &codeErr) && len(codeErr.Fields) > 0 {
			errs = append(errs, codeErr.Fields...)
		} else if err != nil {
			return SignUpResponse{}, err
		}
	}
	if len(errs) > 0 {
		return SignUpResponse{}, apperr.Fields(errs...)
	}
	// The answer is the same whether or not the address has an account: the mail tells
	// its owner which it is.
	resp := SignUpResponse{Email: req.Email, Status: StatusPending, Message: s.signUpMessage()}
	existing, err := s.profiles.GetProfileByEmail(ctx, req.Email)
	if err == nil {
		// The key call a new account's password history costs, so that the answer's time
		// says less about whether the account exists; the MAC itself is not kept.
		if _, err := s.historyHash(ctx, existing.UserID, req.Password); err != nil {
			return SignUpResponse{}, err
		}
		s.mailAddress(ctx, req.Email, LinkActivation, func() (Mail, error) { return s.existingAccountMail(ctx, existing) })
		return resp, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return SignUpResponse{}, err
	}
	userID, err := s.idp.SignUp(ctx, req.Email, req.Password, req.FullName)
	if errors.Is(err, ErrEmailTaken) {
		// Cognito has the email but we have no profile: a sign-up that failed half-way.
		// Clear it if it was never activated, and try once more.
		if deleted, derr := s.idp.DeleteIfUnconfirmed(ctx, req.Email); derr != nil {
			return SignUpResponse{}, derr
		} else if deleted {
			userID, err = s.idp.SignUp(ctx, req.Email, req.Password, req.FullName)
		}
	}
	if errors.Is(err, ErrEmailTaken) {
		// A confirmed Cognito user without a profile (or a sign-up racing this one): there
		// is no profile to mail about, and the answer must not differ.
		slog.WarnContext(ctx, "sign-up of an address Cognito holds without a profile")
		return resp, nil
	}
	if err != nil {
		return SignUpResponse{}, err
	}
	now := s.Now()
	p := Profile{
		UserID: userID, Email: req.Email, FullName: req.FullName, OrganizationCode: req.OrganizationCode,
		Status: StatusPending, CreatedAt: now, TermsAcceptedAt: now, PasswordChangedAt: now,
		Preferences: DefaultPreferences,
	}
	if err := s.profiles.CreateProfile(ctx, p); err != nil {
		// Undo even if the request was cancelled: an orphan Cognito user blocks the email.
		if derr := s.idp.Delete(context.WithoutCancel(ctx), req.Email); derr != nil {
			slog.ErrorContext(ctx, "undo sign-up failed", "userId", userID, "error", derr.Error())
		}
		if errors.Is(err, ErrEmailTaken) {
			// Another sign-up of the address won the race; its mail is on its way.
			return resp, nil
		}
		return SignUpResponse{}, err
	}
	if err := s.rememberPassword(ctx, userID, req.Password); err != nil {
		slog.ErrorContext(ctx, "password history not recorded", "userId", userID, "error", err.Error())
	}
	s.mailAddress(ctx, req.Email, LinkActivation, func() (Mail, error) { return s.activationMail(ctx, p, msgActivationNew) })
	return resp, nil
}

// signUpMessage is the one answer to a valid sign-up.
func (s *Service) signUpMessage() string {
	return "Check your email. If this address is new to us, we sent it a link to activate your account, valid for " + lifetime(s.cfg.ActivationTTL) +
		"; if it already has an account, we sent it a reminder of how to sign in. Nothing arrived after a few minutes? Use \"Resend activation email\"."
}

// mailAddress is the one way the public forms (sign-up, resend activation, forgot
// password) mail an address, whatever it holds: one conditional write of the address's
// pause (no more than one mail of kind a minute, so the forms cannot flood a mailbox),
// then compose (which may store a link) and send. Failures are logged, not answered: the
// forms answer the same for every address, and a failure that only an existing account
// can meet would tell. The user asks again after the pause.
func (s *Service) mailAddress(ctx context.Context, email string, kind LinkKind, compose func() (Mail, error)) {
	ok, err := s.links.PauseMail(ctx, email, kind, s.Now(), linkMailPause)
	if err != nil {
		slog.ErrorContext(ctx, "mail pause not recorded", "kind", string(kind), "error", err.Error())
		return
	}
	if !ok {
		return
	}
	m, err := compose()
	if err == nil {
		err = s.mail.Send(ctx, m)
	}
	if err != nil {
		slog.ErrorContext(ctx, "mail not sent", "kind", string(kind), "error", err.Error())
	}
}

// activationMail stores a new activation link of p and returns its email.
func (s *Service) activationMail(ctx context.Context, p Profile, intro string) (Mail, error) {
	token, err := s.newLink(ctx, LinkActivation, p, s.cfg.ActivationTTL)
	if err != nil {
		return Mail{}, err
	}
	return activationMail(p.Email, p.FullName, intro, s.cfg.PortalURL+"/activate#token="+url.QueryEscape(token), s.cfg.ActivationTTL), nil
}

// existingAccountMail is what a sign-up or an activation request for an address with an
// account sends: an activation link while it waits for activation (whose page lets the
// address's owner choose a new password), else a reminder of how to sign in.
func (s *Service) existingAccountMail(ctx context.Context, p Profile) (Mail, error) {
	if p.Status == StatusPending {
		return s.activationMail(ctx, p, msgActivationAgain)
	}
	return accountExistsMail(p.Email, p.FullName, s.cfg.PortalURL+"/login", s.cfg.PortalURL+"/forgot-password"), nil
}

// newLink stores a fresh single-use link and returns its token; only the hash is kept. The
// link records the user's credential version: the next password reset or change kills it.
func (s *Service) newLink(ctx context.Context, kind LinkKind, p Profile, ttl time.Duration) (string, error) {
	token := randomToken()
	now := s.Now()
	err := s.links.PutLink(ctx, Link{TokenHash: HashToken(token), Kind: kind, UserID: p.UserID, Email: p.Email, CreatedAt: now, ExpiresAt: now.Add(ttl),
		// p may be a moment old: a password changed since makes the link dead on arrival,
		// never one changed later alive.
		CredentialVersion: p.CredentialVersion})
	return token, err
}

// EmailRequest carries just an email (resend activation, forgot password).
type EmailRequest struct {
	Email string `json:"email" validate:"required,email,max=254" example:"sam@example.com"`
}

// MessageResponse is a confirmation for the user.
type MessageResponse struct {
	Message string `json:"message"`
}

// ResendActivation emails a new activation link if the account exists and is pending, a
// reminder of how to sign in if it is active, and a note that there is no account
// otherwise. The answer is the same in every case, so the form cannot be used to probe
// for accounts.
func (s *Service) ResendActivation(ctx context.Context, req EmailRequest) (MessageResponse, error) {
	req.Email = validation.NormalizeEmail(req.Email)
	if errs := validation.Struct(req); len(errs) > 0 {
		return MessageResponse{}, apperr.Fields(errs...)
	}
	if err := s.attemptByAddress(ctx, resendPerAddress); err != nil {
		return MessageResponse{}, err
	}
	p, err := s.profiles.GetProfileByEmail(ctx, req.Email)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return MessageResponse{}, err
	}
	known := err == nil
	s.mailAddress(ctx, req.Email, LinkActivation, func() (Mail, error) {
		if !known {
			return s.noAccountMail(req.Email, "an activation link"), nil
		}
		return s.existingAccountMail(ctx, p)
	})
	return MessageResponse{Message: "We sent an email to this address: a new activation link if its account is waiting for activation, or else how to sign in or sign up. It can take a few minutes to arrive."}, nil
}

// linkMailPause is the least time between two mails of one kind to one address.
const linkMailPause = time.Minute

// noAccountMail tells the owner of an address that something was asked for it, though
// no account has it: the same work as mailing an account, and a warning if it was not
// them.
func (s *Service) noAccountMail(to, what string) Mail {
	return noAccountMail(to, what, s.cfg.PortalURL+"/signup")
}

// ActivateRequest is the form behind an activation link. Opening the link activates
// nothing: whoever holds it proves they are the person who chose the account's password,
// by entering it, or replaces that password with a new one. Either way the account ends
// up with a password known only to the owner of the mailbox, so an account someone else
// signed up with this address (with a password of their own) is taken over by the address
// owner, never the other way round.
type ActivateRequest struct {
	Token string `json:"token" validate:"required,max=200" example:"sample-token-from-the-activation-email"`
	// Password is the password chosen at sign-up; empty when a new one is chosen instead.
	Password string `json:"password" validate:"max=256" example:"Str0ng!Passw0rd"`
	// NewPassword replaces the password chosen at sign-up (leave Password out).
	NewPassword             string `json:"newPassword,omitempty" example:"N3w!Password12"`
	NewPasswordConfirmation string `json:"newPasswordConfirmation,omitempty" example:"N3w!Password12"`
	// AcceptTerms is needed with a new password: the terms were accepted at sign-up by
	// whoever chose the password being replaced, who may not be this person.
	AcceptTerms bool `json:"acceptTerms,omitempty" example:"true"`
}

// ActivateResponse confirms an activation.
type ActivateResponse struct {
	Email   string `json:"email"`
	Status  Status `json:"status" enum:"PENDING_ACTIVATION,ACTIVE"`
	Message string `json:"message"`
	// Organization is the organization joined with the sign-up's code, if any.
	Organization string `json:"organization,omitempty"`
}

// Messages of activation.
const (
	msgActivated            = "Your account is active. You can sign in now."
	msgActivatedNewPassword = "Your account is active with the password you just chose. You can sign in now."
	// msgCodeNotUsed: an account activated with a new password may have been signed up by
	// someone else, who also chose its organization code; joining that organization would
	// put the owner's work in a stranger's organization.
	msgCodeNotUsed = " The organization code given at sign-up was not used, because the password chosen at sign-up was replaced: join an organization from Organizations if you meant to."
)

// Activate uses an activation link once, with the password chosen at sign-up or a new
// one, and marks the profile active. A wrong password leaves the link usable.
func (s *Service) Activate(ctx context.Context, req ActivateRequest) (ActivateResponse, error) {
	errs := validation.Struct(req)
	switch {
	case req.Password == "" && req.NewPassword == "":
		errs = append(errs, apperr.Field("password", "required", "Enter the password you chose when you signed up, or choose a new password."))
	case req.Password != "" && req.NewPassword != "":
		errs = append(errs, apperr.Field("newPassword", "exclusive", "Either enter the password you chose when you signed up or choose a new one, not both."))
	case req.NewPassword != "":
		errs = append(errs, CheckPassword("newPassword", req.NewPassword, s.cfg.Password)...)
		if req.NewPasswordConfirmation != req.NewPassword {
			errs = append(errs, apperr.Field("newPasswordConfirmation", "match", "The passwords do not match."))
		}
		if !req.AcceptTerms {
			errs = append(errs, apperr.Field("acceptTerms", "accepted", "Accept the terms and conditions to activate the account with a new password."))
		}
	}
	if len(errs) > 0 {
		return ActivateResponse{}, apperr.Fields(errs...)
	}
	link, err := s.links.GetLink(ctx, HashToken(req.Token), LinkActivation, s.Now())
	if err != nil {
		return ActivateResponse{}, err
	}
	if req.NewPassword != "" {
		return s.activateWithNewPassword(ctx, link, req.NewPassword)
	}
	// Cognito checks a password only for a confirmed user; confirming it first changes
	// nothing the user can reach, since sign-in also needs the profile active.
	if err := s.idp.Confirm(ctx, link.Email); err != nil {
		return ActivateResponse{}, err
	}
	check, err := s.idp.Login(ctx, link.Email, req.Password)
	if errors.Is(err, ErrBadCredentials) {
		return ActivateResponse{}, apperr.Fields(apperr.Field("password", "incorrect",
			"This is not the password chosen when the account was signed up. Enter it exactly, or choose a new password."))
	}
	if err != nil {
		return ActivateResponse{}, err
	}
	s.revoke(ctx, check.RefreshToken)
	if _, err := s.links.UseLink(ctx, link.TokenHash, LinkActivation, s.Now()); err != nil {
		return ActivateResponse{}, err
	}
	p, err := s.markActive(ctx, link.UserID)
	if err != nil {
		return ActivateResponse{}, err
	}
	return s.joinSignUpCode(ctx, p, ActivateResponse{Email: link.Email, Status: StatusActive, Message: msgActivated}), nil
}

// activateWithNewPassword spends the link, sets the new password at Cognito and records
// it as a password change, which kills every other link emailed before (including ones
// sent to whoever signed up with this address); it drops the sign-up's organization code
// and records the terms as accepted now, by this person.
func (s *Service) activateWithNewPassword(ctx context.Context, link Link, password string) (ActivateResponse, error) {
	if err := s.checkHistory(ctx, link.UserID, "newPassword", password); err != nil {
		return ActivateResponse{}, err
	}
	usedAt := s.Now()
	if _, err := s.links.UseLink(ctx, link.TokenHash, LinkActivation, usedAt); err != nil {
		return ActivateResponse{}, err
	}
	if err := s.idp.SetPassword(ctx, link.Email, password); err != nil {
		if rerr := s.links.ReleaseLink(context.WithoutCancel(ctx), link.TokenHash, usedAt); rerr != nil {
			slog.ErrorContext(ctx, "activation link not released", "error", rerr.Error())
		}
		var fe *apperr.Error
		if errors.As(err, &fe) && len(fe.Fields) == 1 && fe.Fields[0].Field == "password" {
			// Cognito's policy error names the reset form's field; this form's is newPassword.
			return ActivateResponse{}, apperr.Fields(apperr.Field("newPassword", fe.Fields[0].Rule, fe.Fields[0].Message))
		}
		return ActivateResponse{}, err
	}
	// The owner of the mailbox has just chosen the password: no notice to send them.
	if _, err := s.recordPasswordChange(ctx, link.UserID, password); err != nil {
		return ActivateResponse{}, err
	}
	if err := s.idp.Confirm(ctx, link.Email); err != nil {
		return ActivateResponse{}, err
	}
	hadCode := false
	if _, err := s.updateProfile(ctx, link.UserID, func(p *Profile) error {
		if p.Status != StatusActive {
			p.Status, p.ActivatedAt = StatusActive, s.Now()
		}
		// Kept, the code would read as the owner's own choice under My account.
		hadCode = p.OrganizationCode != ""
		p.OrganizationCode = ""
		// This person accepted the terms just now (ActivateRequest.AcceptTerms).
		p.TermsAcceptedAt = s.Now()
		return nil
	}); err != nil {
		return ActivateResponse{}, err
	}
	resp := ActivateResponse{Email: link.Email, Status: StatusActive, Message: msgActivatedNewPassword}
	if hadCode {
		resp.Message += msgCodeNotUsed
	}
	return resp, nil
}

// markActive marks a profile active, keeping the first activation's date.
func (s *Service) markActive(ctx context.Context, userID string) (Profile, error) {
	return s.updateProfile(ctx, userID, func(p *Profile) error {
		if p.Status != StatusActive {
			p.Status, p.ActivatedAt = StatusActive, s.Now()
		}
		return nil
	})
}

// joinSignUpCode joins the organization of the sign-up's code, if any, and says in resp
// what became of it; the account is active either way.
func (s *Service) joinSignUpCode(ctx context.Context, p Profile, resp ActivateResponse) ActivateResponse {
	if p.OrganizationCode == "" || s.Orgs == nil {
		return resp
	}
	name, err := s.Orgs.JoinWithCode(ctx, p.UserID, p.Email, p.FullName, p.OrganizationCode)
	var ae *apperr.Error
	switch {
	case err == nil:
		resp.Organization = name
		resp.Message = "Your account is active and you joined " + name + " as App Developer. You can sign in now."
	case errors.As(err, &ae) && ae.Kind != apperr.Internal:
		msg := ae.Message
		if len(ae.Fields) > 0 {
			msg = ae.Fields[0].Message
		}
		resp.Message = "Your account is active, but we could not add you to the organization: " + msg + " You can join later from Organizations."
	default:
		slog.ErrorContext(ctx, "join with code at activation failed", "userId", p.UserID, "error", err.Error())
		resp.Message = "Your account is active, but we could not add you to the organization just now. You can join later from Organizations."
	}
	return resp
}

// LoginRequest is the sign-in form.
type LoginRequest struct {
	Email    string `json:"email" validate:"required,email,max=254" example:"sam@example.com"`
	Password string `json:"password" validate:"required,max=256" example:"Str0ng!Passw0rd"`
}

// LoginResponse is the signed-in user and whether to warn about password expiry.
type LoginResponse struct {
	Account               AccountView `json:"account"`
	PasswordExpiryWarning bool        `json:"passwordExpiryWarning"`
}

// NewSession is a started session: the cookie value and CSRF token go to the browser.
// When the user has two-step sign-in, no session starts yet: Challenge says so.
type NewSession struct {
	ID        string
	CSRFToken string
	ExpiresAt time.Time
	Response  LoginResponse
	// Challenge is set instead when the password was right and a code is needed.
	Challenge *MFAChallengeResponse
}

// Login checks the password with Cognito, applies the expiry rule and starts a session.
func (s *Service) Login(ctx context.Context, req LoginRequest) (NewSession, error) {
	req.Email = validation.NormalizeEmail(req.Email)
	if errs := validation.Struct(req); len(errs) > 0 {
		return NewSession{}, apperr.Fields(errs...)
	}
	if err := s.attemptByAddress(ctx, signInPerAddress); err != nil {
		return NewSession{}, err
	}
	// Counted whether or not the account exists, so the limit tells nobody which do.
	if err := s.attempt(ctx, signInPerAccount, req.Email); err != nil {
		return NewSession{}, err
	}
	tok, err := s.idp.Login(ctx, req.Email, req.Password)
	if err != nil {
		return NewSession{}, err
	}
	if tok.MFASession != "" {
		return s.challenge(ctx, req.Email, tok.MFASession)
	}
	return s.startSession(ctx, tok, false)
}

// startSession applies the account rules to a user Cognito signed in and starts the
// session; mfa says that a code of the authenticator app was proved.
func (s *Service) startSession(ctx context.Context, tok Tokens, mfa bool) (NewSession, error) {
	p, err := s.profiles.GetProfile(ctx, tok.UserID)
	if err != nil {
		return NewSession{}, err
	}
	if p.Status != StatusActive {
		// Cognito may know the user as confirmed already (activation confirms it before it
		// checks the password): the tokens it just gave are of no use to anyone.
		s.revoke(ctx, tok.RefreshToken)
		return NewSession{}, ErrNotActivated
	}
	if mfa && !p.MFAEnabled {
		// Cognito asked for the code, so the app is on: the profile catches up.
		if p, err = s.updateProfile(ctx, p.UserID, func(p *Profile) error { p.MFAEnabled = true; return nil }); err != nil {
			s.revoke(ctx, tok.RefreshToken)
			return NewSession{}, err
		}
	}
	view := s.view(p, tok.Groups)
	if view.PasswordExpiresInDays <= 0 {
		s.revoke(ctx, tok.RefreshToken)
		return NewSession{}, ErrPasswordExpired
	}
	sealed, err := s.seal(ctx, p.UserID, tok)
	if err != nil {
		s.revoke(ctx, tok.RefreshToken)
		return NewSession{}, err
	}
	id, csrf := randomToken(), randomToken()
	now := s.Now()
	sess := Session{IDHash: HashToken(id), UserID: p.UserID, Email: p.Email, FullName: p.FullName, Groups: tok.Groups,
		Tokens: sealed, AccessExpiresAt: tok.ExpiresAt,
		CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL), LastActiveAt: now, AuthenticatedAt: now, MFA: mfa}
	if err := s.sessions.PutSession(ctx, sess); err != nil {
		return NewSession{}, err
	}
	view.MFASetupRequired = s.MFARequired(sess)
	return NewSession{ID: id, CSRFToken: csrf, ExpiresAt: sess.ExpiresAt,
		Response: LoginResponse{Account: view, PasswordExpiryWarning: s.warnExpiry(view.PasswordExpiresInDays)}}, nil
}

// seal seals the Cognito tokens tok for userID's session item.
func (s *Service) seal(ctx context.Context, userID string, tok Tokens) ([]byte, error) {
	if s.Vault == nil {
		return nil, apperr.Wrap(errors.New("no session key configured"), "seal session tokens")
	}
	sealed, err := s.Vault.Seal(ctx, userID, SessionTokens{Access: tok.AccessToken, Refresh: tok.RefreshToken})
	if err != nil {
		return nil, apperr.Wrap(err, "seal session tokens")
	}
	return sealed, nil
}

// tokens opens the Cognito tokens of sess. Tokens that do not open (sealed for another
// user, or damaged) end the session: the user signs in again.
func (s *Service) tokens(ctx context.Context, sess Session) (SessionTokens, error) {
	if s.Vault == nil {
		return SessionTokens{}, apperr.Wrap(errors.New("no session key configured"), "open session tokens")
	}
	t, err := s.Vault.Open(ctx, sess.UserID, sess.Tokens)
	if err != nil {
		slog.WarnContext(ctx, "session tokens do not open: the session ends", "userId", sess.UserID, "error", err.Error())
		_ = s.sessions.DeleteSession(ctx, sess.IDHash)
		return SessionTokens{}, ErrUnauthenticated
	}
	return t, nil
}

// revoke revokes a refresh token at Cognito, best effort: the token is only ever held in
// our session item, which is already gone, so a failure here is logged, not shown.
func (s *Service) revoke(ctx context.Context, refreshToken string) {
	if refreshToken == "" {
		return // a password check answered with a challenge holds no token
	}
	if err := s.idp.RevokeToken(context.WithoutCancel(ctx), refreshToken); err != nil {
		slog.WarnContext(ctx, "revoke refresh token failed", "error", err.Error())
	}
}

func (s *Service) warnExpiry(daysLeft int) bool {
	return len(s.cfg.Password.ExpiryWarnDays) > 0 && daysLeft <= slices.Max(s.cfg.Password.ExpiryWarnDays)
}

// Authenticate returns the live session for a cookie value, refreshing Cognito's access
// token when it has expired. Any failure is ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, sessionID string, activity bool) (Session, error) {
	if sessionID == "" {
		return Session{}, ErrUnauthenticated
	}
	sess, err := s.sessions.GetSession(ctx, HashToken(sessionID), s.Now())
	if errors.Is(err, apperr.ErrNotFound) {
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, err
	}
	if sess, err = s.checkIdle(ctx, sess, activity); err != nil {
		return Session{}, err
	}
	if sess.FullName == "" {
		// A session started before sessions kept the name: read it once per request
		// until the user signs in again.
		p, err := s.profiles.GetProfile(ctx, sess.UserID)
		if err != nil {
			return Session{}, err
		}
		sess.FullName = p.FullName
	}
	if s.Now().Before(sess.AccessExpiresAt.Add(-time.Minute)) {
		return sess, nil
	}
	return s.refreshTokens(ctx, sess)
}

// Fresh says whether the session's user entered their password within the fresh
// authentication window.
func (s *Service) Fresh(sess Session) bool {
	at := sess.AuthenticatedAt
	if at.IsZero() {
		at = sess.CreatedAt
	}
	return !s.Now().After(at.Add(s.cfg.FreshAuthWindow))
}

// ConfirmPasswordRequest is the password the signed-in user confirms.
type ConfirmPasswordRequest struct {
	Password string `json:"password" validate:"required,max=256" example:"Str0ng!Passw0rd"`
}

// ConfirmPassword checks the signed-in user's password with Cognito and records the time
// on the session, for the actions that need it confirmed moments ago. A wrong password
// is a field error, not the end of the session; Cognito's lockout counts it as a failed
// sign-in.
func (s *Service) ConfirmPassword(ctx context.Context, sess Session, req ConfirmPasswordRequest) (MessageResponse, error) {
	if errs := validation.Struct(req); len(errs) > 0 {
		return MessageResponse{}, apperr.Fields(errs...)
	}
	if err := s.attempt(ctx, signInPerAccount, sess.Email); err != nil {
		return MessageResponse{}, err
	}
	tok, err := s.idp.Login(ctx, sess.Email, req.Password)
	if errors.Is(err, ErrBadCredentials) {
		return MessageResponse{}, apperr.Fields(apperr.Field("password", "incorrect", "The password is not correct."))
	}
	if err != nil {
		return MessageResponse{}, err
	}
	// The session keeps its own tokens: the ones this check got are of no use.
	s.revoke(ctx, tok.RefreshToken)
	sess.AuthenticatedAt = s.Now()
	if err := s.sessions.SaveSession(ctx, sess); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return MessageResponse{}, ErrUnauthenticated
		}
		return MessageResponse{}, err
	}
	return MessageResponse{Message: "Password confirmed."}, nil
}

// activityResolution is how stale LastActiveAt may be before a request writes it again:
// the idle timeout costs at most one write a minute per session.
const activityResolution = time.Minute

// IdleTimeout is how long a session of the groups given may go without activity: the
// operations timeout for operations staff, who decide for the bank.
func (s *Service) IdleTimeout(groups []string) time.Duration {
	if slices.Contains(groups, s.cfg.OpsGroup) {
		return s.cfg.OpsIdleTimeout
	}
	return s.cfg.IdleTimeout
}

// checkIdle ends a session idle for longer than its idle timeout, and records the
// activity of a request that is some (the page's keep-alive is not).
func (s *Service) checkIdle(ctx context.Context, sess Session, activity bool) (Session, error) {
	idle := s.IdleTimeout(sess.Groups)
	last := sess.LastActiveAt
	if last.IsZero() {
		last = sess.CreatedAt
	}
	now := s.Now()
	if idle > 0 && now.Sub(last) > idle {
		if err := s.sessions.DeleteSession(ctx, sess.IDHash); err != nil {
			return Session{}, err
		}
		return Session{}, apperr.New(apperr.Unauthorized, ErrUnauthenticated.Code,
			fmt.Sprintf("You were signed out after %s without activity. Sign in again.", lifetime(idle)))
	}
	if !activity || now.Sub(last) < activityResolution {
		return sess, nil
	}
	sess.LastActiveAt = now
	if err := s.sessions.SaveSession(ctx, sess); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return Session{}, ErrUnauthenticated // signed out meanwhile
		}
		return Session{}, err
	}
	return sess, nil
}

func (s *Service) refreshTokens(ctx context.Context, sess Session) (Session, error) {
	held, err := s.tokens(ctx, sess)
	if err != nil {
		return Session{}, err
	}
	tok, err := s.idp.Refresh(ctx, held.Refresh)
	if err != nil {
		if errors.Is(err, ErrUnauthenticated) {
			_ = s.sessions.DeleteSession(ctx, sess.IDHash)
		}
		return Session{}, err
	}
	if sess.Tokens, err = s.seal(ctx, sess.UserID, tok); err != nil {
		return Session{}, err
	}
	sess.AccessExpiresAt, sess.Groups = tok.ExpiresAt, tok.Groups
	if err := s.sessions.SaveSession(ctx, sess); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return Session{}, ErrUnauthenticated // logged out meanwhile
		}
		return Session{}, err
	}
	return sess, nil
}

// Refresh renews Cognito's tokens and extends the session by the session lifetime, but
// never past SessionMaxAge from sign-in: then the user signs in again.
func (s *Service) Refresh(ctx context.Context, sess Session) (LoginResponse, time.Time, error) {
	limit := sess.CreatedAt.Add(s.cfg.SessionMaxAge)
	if !s.Now().Before(limit) {
		_ = s.sessions.DeleteSession(ctx, sess.IDHash)
		return LoginResponse{}, time.Time{}, ErrUnauthenticated
	}
	sess, err := s.refreshTokens(ctx, sess)
	if err != nil {
		return LoginResponse{}, time.Time{}, err
	}
	sess.ExpiresAt = s.Now().Add(s.cfg.SessionTTL)
	if sess.ExpiresAt.After(limit) {
		sess.ExpiresAt = limit
	}
	if err := s.sessions.SaveSession(ctx, sess); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return LoginResponse{}, time.Time{}, ErrUnauthenticated
		}
		return LoginResponse{}, time.Time{}, err
	}
	view, err := s.Account(ctx, sess)
	if err != nil {
		return LoginResponse{}, time.Time{}, err
	}
	return LoginResponse{Account: view, PasswordExpiryWarning: s.warnExpiry(view.PasswordExpiresInDays)}, sess.ExpiresAt, nil
}

// Logout ends this session (not the user's others) and revokes its refresh token.
func (s *Service) Logout(ctx context.Context, sess Session) error {
	held, openErr := s.tokens(ctx, sess)
	if err := s.sessions.DeleteSession(ctx, sess.IDHash); err != nil {
		return err
	}
	if openErr == nil {
		s.revoke(ctx, held.Refresh)
	}
	return nil
}

// ForgotPassword emails a reset link to an account, or a note that there is none to
// an address without one; the answer does not reveal which, and both do the same work
// (one lookup, one mail pause, one mail).
func (s *Service) ForgotPassword(ctx context.Context, req EmailRequest) (MessageResponse, error) {
	req.Email = validation.NormalizeEmail(req.Email)
	if errs := validation.Struct(req); len(errs) > 0 {
		return MessageResponse{}, apperr.Fields(errs...)
	}
	if err := s.attemptByAddress(ctx, forgotPerAddress); err != nil {
		return MessageResponse{}, err
	}
	p, err := s.profiles.GetProfileByEmail(ctx, req.Email)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return MessageResponse{}, err
	}
	known := err == nil
	s.mailAddress(ctx, req.Email, LinkReset, func() (Mail, error) {
		if !known {
			return s.noAccountMail(req.Email, "a link to reset a password"), nil
		}
		token, err := s.newLink(ctx, LinkReset, p, s.cfg.ResetTTL)
		if err != nil {
			return Mail{}, err
		}
		return resetMail(p.Email, p.FullName, s.cfg.PortalURL+"/reset-password#token="+url.QueryEscape(token), s.cfg.ResetTTL), nil
	})
	return MessageResponse{Message: "If an account with this email exists, we sent a link to reset its password. It is valid for " + lifetime(s.cfg.ResetTTL) + "."}, nil
}

// ResetPasswordRequest is the form behind a reset link.
type ResetPasswordRequest struct {
	Token                string `json:"token" validate:"required,max=200" example:"sample-token-from-the-reset-email"`
	Password             string `json:"password" validate:"required" example:"N3w!Password12"`
	PasswordConfirmation string `json:"passwordConfirmation" validate:"required" example:"N3w!Password12"`
}

// ResetPassword sets a new password through a reset link. The password is checked
// before the link is spent, so a rejected password leaves the link usable; the link is
// checked (used, expired, emailed before the password last changed) before the password
// history, so a dead link cannot be used to test guesses of old passwords.
func (s *Service) ResetPassword(ctx context.Context, req ResetPasswordRequest) (MessageResponse, error) {
	errs := validation.Struct(req)
	if req.Password != "" {
		errs = append(errs, CheckPassword("password", req.Password, s.cfg.Password)...)
	}
	if req.PasswordConfirmation != "" && req.PasswordConfirmation != req.Password {
		errs = append(errs, apperr.Field("passwordConfirmation", "match", "The passwords do not match."))
	}
	if len(errs) > 0 {
		return MessageResponse{}, apperr.Fields(errs...)
	}
	link, err := s.links.GetLink(ctx, HashToken(req.Token), LinkReset, s.Now())
	if err != nil {
		return MessageResponse{}, err
	}
	if err := s.checkHistory(ctx, link.UserID, "password", req.Password); err != nil {
		return MessageResponse{}, err
	}
	usedAt := s.Now()
	if _, err := s.links.UseLink(ctx, link.TokenHash, LinkReset, usedAt); err != nil {
		return MessageResponse{}, err
	}
	if err := s.idp.SetPassword(ctx, link.Email, req.Password); err != nil {
		// The password did not change: give the link back so the user can try again.
		if rerr := s.links.ReleaseLink(context.WithoutCancel(ctx), link.TokenHash, usedAt); rerr != nil {
			slog.ErrorContext(ctx, "reset link not released", "error", rerr.Error())
		}
		return MessageResponse{}, err
	}
	// Every other link dies first: they were emailed for the password just replaced.
	p, err := s.passwordChanged(ctx, link.UserID, req.Password)
	if err != nil {
		return MessageResponse{}, err
	}
	// Whoever knew the old password is signed out everywhere.
	if err := s.endSessions(ctx, link.UserID, link.Email, ""); err != nil {
		return MessageResponse{}, err
	}
	if p.Status == StatusPending {
		// The emailed link proves the address as well as an activation link would.
		if err := s.idp.Confirm(ctx, p.Email); err != nil {
			return MessageResponse{}, err
		}
		if _, err := s.markActive(ctx, p.UserID); err != nil {
			return MessageResponse{}, err
		}
	}
	return MessageResponse{Message: "Your password has been changed. Sign in with your new password."}, nil
}

func (s *Service) checkHistory(ctx context.Context, userID, field, password string) error {
	if s.cfg.Password.HistorySize == 0 {
		return nil
	}
	kept, err := s.profiles.PasswordHistory(ctx, userID)
	if err != nil {
		return err
	}
	h, err := s.historyHash(ctx, userID, password)
	if err != nil {
		return err
	}
	if inHistory(h, kept) {
		return apperr.Fields(apperr.Field(field, "history", "Choose a password you have not used for your last "+itoa(s.cfg.Password.HistorySize)+" passwords."))
	}
	return nil
}

// historyHash is what the password history keeps of userID's password: its PasswordMAC,
// base64 ("" when the history keeps none).
func (s *Service) historyHash(ctx context.Context, userID, password string) (string, error) {
	if s.cfg.Password.HistorySize == 0 {
		return "", nil
	}
	if s.HistoryMAC == nil {
		return "", apperr.Wrap(errors.New("no password MAC key configured"), "password history")
	}
	mac, err := s.HistoryMAC.MAC(ctx, userID, password)
	if err != nil {
		return "", apperr.Wrap(err, "password history")
	}
	return base64.StdEncoding.EncodeToString(mac), nil
}

// rememberPassword puts the first password, chosen at sign-up, in the history.
func (s *Service) rememberPassword(ctx context.Context, userID, password string) error {
	h, err := s.historyHash(ctx, userID, password)
	if err != nil || h == "" {
		return err
	}
	return s.profiles.PushPasswordHistory(ctx, userID, h, s.cfg.Password.HistorySize)
}

// passwordChanged records a password Cognito has just taken, then sends the notice. One
// write moves the credential version on, which kills every link emailed before, and
// records the history, the change date and the cleared expiry warning. A conflict means
// another change was recorded in between: the password has changed all the same, so the
// write is decided again on the fresh profile rather than failed.
func (s *Service) passwordChanged(ctx context.Context, userID, password string) (Profile, error) {
	p, err := s.recordPasswordChange(ctx, userID, password)
	if err != nil {
		return Profile{}, err
	}
	if err := s.mail.Send(ctx, passwordChangedMail(p.Email, p.FullName, s.cfg.PortalURL+"/login")); err != nil {
		slog.ErrorContext(ctx, "password-changed notice not sent", "userId", userID, "error", err.Error())
	}
	return p, nil
}

// recordPasswordChange is passwordChanged without the notice.
func (s *Service) recordPasswordChange(ctx context.Context, userID, password string) (Profile, error) {
	h, err := s.historyHash(ctx, userID, password)
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	for range 3 {
		if p, err = s.profiles.GetProfile(ctx, userID); err != nil {
			return Profile{}, err
		}
		p, err = s.profiles.RecordPasswordChange(ctx, userID, PasswordChange{
			From: p.CredentialVersion, At: s.Now(), HistoryHash: h, Keep: s.cfg.Password.HistorySize})
		if !errors.Is(err, apperr.ErrConflict) {
			break
		}
	}
	if err != nil {
		return Profile{}, err
	}
	return p, nil
}

// ChangePasswordRequest is the change-password form.
type ChangePasswordRequest struct {
	CurrentPassword         string `json:"currentPassword" validate:"required,max=256" example:"Str0ng!Passw0rd"`
	NewPassword             string `json:"newPassword" validate:"required" example:"N3w!Password12"`
	NewPasswordConfirmation string `json:"newPasswordConfirmation" validate:"required" example:"N3w!Password12"`
	// Code is the authenticator app's code, needed with two-step sign-in.
	Code string `json:"code,omitempty" validate:"omitempty,len=6,numeric" example:"123456"`
}

// ChangePassword changes the signed-in user's password.
func (s *Service) ChangePassword(ctx context.Context, sess Session, req ChangePasswordRequest) (AccountView, error) {
	errs := validation.Struct(req)
	if req.NewPassword != "" {
		errs = append(errs, CheckPassword("newPassword", req.NewPassword, s.cfg.Password)...)
	}
	if req.NewPasswordConfirmation != "" && req.NewPasswordConfirmation != req.NewPassword {
		errs = append(errs, apperr.Field("newPasswordConfirmation", "match", "The passwords do not match."))
	}
	if len(errs) > 0 {
		return AccountView{}, apperr.Fields(errs...)
	}
	// The current password is checked first, so the history check below cannot be used to
	// test guesses of it; Cognito counts these attempts towards its lockout.
	check, err := s.idp.Login(ctx, sess.Email, req.CurrentPassword)
	if errors.Is(err, ErrBadCredentials) {
		return AccountView{}, apperr.Fields(apperr.Field("currentPassword", "incorrect", "The current password is not correct."))
	}
	if err != nil {
		return AccountView{}, err
	}
	// With two-step sign-in this session's fresh tokens for the new password need a
	// code: asked for before anything changes. The check's challenge is left unanswered.
	if check.MFASession != "" && req.Code == "" {
		return AccountView{}, apperr.Fields(apperr.Field("code", "required", "Enter the 6-digit code your authenticator app shows now."))
	}
	s.revoke(ctx, check.RefreshToken)
	if err := s.checkHistory(ctx, sess.UserID, "newPassword", req.NewPassword); err != nil {
		return AccountView{}, err
	}
	held, err := s.tokens(ctx, sess)
	if err != nil {
		return AccountView{}, err
	}
	if err := s.idp.ChangePassword(ctx, held.Access, req.CurrentPassword, req.NewPassword); err != nil {
		return AccountView{}, err
	}
	// Every emailed link dies first: they were emailed for the password just replaced.
	p, err := s.passwordChanged(ctx, sess.UserID, req.NewPassword)
	if err != nil {
		return AccountView{}, err
	}
	// Other devices are signed out; this one gets fresh tokens for the new password.
	if err := s.endSessions(ctx, sess.UserID, sess.Email, sess.IDHash); err != nil {
		return AccountView{}, err
	}
	fresh, err := s.idp.Login(ctx, sess.Email, req.NewPassword)
	if err == nil && fresh.MFASession != "" {
		fresh, err = s.freshWithCode(ctx, sess, fresh.MFASession, req.Code)
	}
	if err != nil {
		return AccountView{}, err
	}
	if sess.Tokens, err = s.seal(ctx, sess.UserID, fresh); err != nil {
		return AccountView{}, err
	}
	sess.AccessExpiresAt = fresh.ExpiresAt
	if err := s.sessions.SaveSession(ctx, sess); err != nil {
		return AccountView{}, err
	}
	return s.sessionView(p, sess), nil
}

// ErrSignInAfterPasswordChange answers a password change whose code was refused after
// the password had changed: this session could not get tokens for the new password.
var ErrSignInAfterPasswordChange = apperr.New(apperr.Unauthorized, "SIGN_IN_AGAIN",
	"Your password has been changed, but the code was not accepted, so you were signed out. Sign in with your new password.")

// freshWithCode answers the challenge of the sign-in with the new password with the code
// of the change-password form; if Cognito refuses it, the session ends (its old tokens
// were revoked with the password).
func (s *Service) freshWithCode(ctx context.Context, sess Session, challenge, code string) (Tokens, error) {
	if s.TOTP == nil {
		return Tokens{}, apperr.Wrap(errors.New("two-step sign-in is not wired"), "change password")
	}
	tok, err := s.TOTP.RespondTOTP(ctx, sess.Email, challenge, code)
	if err != nil {
		slog.WarnContext(ctx, "code refused after a password change: the session ends", "userId", sess.UserID, "error", err.Error())
		_ = s.sessions.DeleteSession(ctx, sess.IDHash)
		return Tokens{}, ErrSignInAfterPasswordChange
	}
	return tok, nil
}

// endSessions signs a user out everywhere (Cognito and our sessions) but one session.
func (s *Service) endSessions(ctx context.Context, userID, email, exceptHash string) error {
	if err := s.idp.SignOutEverywhere(ctx, email); err != nil {
		return err
	}
	return s.sessions.DeleteUserSessions(ctx, userID, exceptHash)
}

// updateProfile applies change, retrying on a concurrent update: it is used after steps
// that cannot be undone (a spent link, a changed password), where a conflict must not
// leave the profile behind. change must be safe to apply again to a fresh copy.
func (s *Service) updateProfile(ctx context.Context, userID string, change func(*Profile) error) (Profile, error) {
	var err error
	for range 3 {
		var p Profile
		p, err = s.profiles.UpdateProfile(ctx, userID, change)
		if !errors.Is(err, apperr.ErrConflict) {
			return p, err
		}
	}
	return Profile{}, err
}

// AccountView is the account as the user sees it.
type AccountView struct {
	UserID                string      `json:"userId"`
	Email                 string      `json:"email"`
	FullName              string      `json:"fullName"`
	OrganizationCode      string      `json:"organizationCode,omitempty"`
	Status                Status      `json:"status" enum:"PENDING_ACTIVATION,ACTIVE"`
	CreatedAt             time.Time   `json:"createdAt"`
	ActivatedAt           time.Time   `json:"activatedAt"`
	PasswordChangedAt     time.Time   `json:"passwordChangedAt"`
	PasswordExpiresAt     time.Time   `json:"passwordExpiresAt"`
	PasswordExpiresInDays int         `json:"passwordExpiresInDays"`
	Operations            bool        `json:"operations"`
	Preferences           Preferences `json:"preferences"`
	// MFAEnabled says that signing in needs a code of an authenticator app.
	MFAEnabled bool `json:"mfaEnabled"`
	// MFASetupRequired says that this session reaches nothing but the set-up of an
	// authenticator app: its user is operations staff without a proven code.
	MFASetupRequired bool `json:"mfaSetupRequired"`
}

func (s *Service) passwordExpiry(p Profile) (time.Time, int) {
	expires := p.PasswordChangedAt.Add(time.Duration(s.cfg.Password.MaxAgeDays) * 24 * time.Hour)
	days := int(math.Ceil(expires.Sub(s.Now()).Hours() / 24))
	return expires, days
}

func (s *Service) view(p Profile, groups []string) AccountView {
	expires, days := s.passwordExpiry(p)
	return AccountView{
		UserID: p.UserID, Email: p.Email, FullName: p.FullName, OrganizationCode: p.OrganizationCode,
		Status: p.Status, CreatedAt: p.CreatedAt, ActivatedAt: p.ActivatedAt, PasswordChangedAt: p.PasswordChangedAt,
		PasswordExpiresAt: expires, PasswordExpiresInDays: days,
		Operations:  slices.Contains(groups, s.cfg.OpsGroup),
		Preferences: p.Preferences,
		MFAEnabled:  p.MFAEnabled,
	}
}

// Account returns the signed-in user's account.
func (s *Service) Account(ctx context.Context, sess Session) (AccountView, error) {
	p, err := s.profiles.GetProfile(ctx, sess.UserID)
	if err != nil {
		return AccountView{}, err
	}
	return s.sessionView(p, sess), nil
}

// UpdateAccountRequest is the edit-name form.
type UpdateAccountRequest struct {
	FullName string `json:"fullName" validate:"required,max=100,singleline" example:"Sam Example"`
}

// UpdateAccount changes the user's name, in the profile and at Cognito.
func (s *Service) UpdateAccount(ctx context.Context, sess Session, req UpdateAccountRequest) (AccountView, error) {
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return AccountView{}, apperr.Fields(errs...)
	}
	if err := s.idp.UpdateName(ctx, sess.Email, req.FullName); err != nil {
		return AccountView{}, err
	}
	p, err := s.updateProfile(ctx, sess.UserID, func(p *Profile) error {
		p.FullName = req.FullName
		return nil
	})
	if err != nil {
		return AccountView{}, err
	}
	// This browser's next requests act under the new name; other sessions keep the name
	// they signed in with until they sign in again.
	sess.FullName = p.FullName
	if err := s.sessions.SaveSession(ctx, sess); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return AccountView{}, err
	}
	return s.sessionView(p, sess), nil
}

// UpdatePreferences replaces the user's communication preferences.
func (s *Service) UpdatePreferences(ctx context.Context, sess Session, prefs Preferences) (AccountView, error) {
	p, err := s.updateProfile(ctx, sess.UserID, func(p *Profile) error {
		p.Preferences = prefs
		return nil
	})
	if err != nil {
		return AccountView{}, err
	}
	return s.sessionView(p, sess), nil
}

// RemindResult counts what a password-expiry run did.
type RemindResult struct {
	Checked int `json:"checked"`
	Emailed int `json:"emailed"`
	Failed  int `json:"failed"`
}

// errNoReminder tells UpdateProfile that a profile needs no reminder today.
var errNoReminder = apperr.New(apperr.Invalid, "NO_REMINDER", "no reminder due")

// RemindExpiringPasswords emails each user whose password reaches a warning day, once per
// warning, if they want such reminders. It runs daily; missing a day still sends the next
// smaller warning. Whether a warning is due is decided on the consistent copy inside the
// conditional update, so two overlapping runs send it once. One user's failure is logged
// and does not stop the run.
func (s *Service) RemindExpiringPasswords(ctx context.Context) (RemindResult, error) {
	var res RemindResult
	warn := slices.Clone(s.cfg.Password.ExpiryWarnDays)
	slices.Sort(warn)
	cursor := ""
	for {
		profiles, next, err := s.profiles.ListProfiles(ctx, cursor, 100)
		if err != nil {
			return res, err
		}
		for _, listed := range profiles {
			res.Checked++
			var due, daysLeft int
			var expires time.Time
			p, err := s.profiles.UpdateProfile(ctx, listed.UserID, func(p *Profile) error {
				if p.Status != StatusActive || !p.Preferences.PasswordExpiry {
					return errNoReminder
				}
				expires, daysLeft = s.passwordExpiry(*p)
				i := slices.IndexFunc(warn, func(w int) bool { return daysLeft <= w })
				if daysLeft <= 0 || i < 0 || (p.ExpiryWarnedDays != 0 && p.ExpiryWarnedDays <= warn[i]) {
					return errNoReminder
				}
				due = warn[i]
				p.ExpiryWarnedDays = due
				return nil
			})
			switch {
			case errors.Is(err, errNoReminder):
				continue
			case err != nil:
				res.Failed++
				slog.ErrorContext(ctx, "expiry reminder not recorded", "userId", listed.UserID, "error", err.Error())
				continue
			}
			if err := s.mail.Send(ctx, expiryWarningMail(p.Email, p.FullName, s.cfg.PortalURL+"/account/password", daysLeft, expires)); err != nil {
				res.Failed++
				slog.ErrorContext(ctx, "expiry reminder not sent", "userId", listed.UserID, "warning", due, "error", err.Error())
				continue
			}
			res.Emailed++
		}
		if next == "" {
			return res, nil
		}
		cursor = next
	}
}

// HashToken is how tokens and session IDs are stored: their SHA-256, so a leaked table
// holds nothing that signs anyone in.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// OpsGroup is the Cognito group of operations staff.
func (s *Service) OpsGroup() string { return s.cfg.OpsGroup }

// NewToken returns 256 random bits, URL-safe: for links, sessions and CSRF tokens.
func NewToken() string { return randomToken() }

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
