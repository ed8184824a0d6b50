package account

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"slices"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
)

// TOTPIssuer is the name authenticator apps show next to the account's codes.
const TOTPIssuer = "Open Banking Developer Portal"

// ErrMFAAlreadyEnabled refuses to set up a second authenticator app over the first: the
// user turns two-step sign-in off (which needs their password) and sets up the new one.
var ErrMFAAlreadyEnabled = apperr.New(apperr.Conflict, "MFA_ALREADY_ENABLED",
	"Two-step sign-in is already on. Turn it off first to set up another authenticator app.")

// MFAChallengeResponse answers a right password of a user with two-step sign-in: the
// code from the authenticator app is needed to finish signing in.
type MFAChallengeResponse struct {
	// Challenge is the opaque handle of this sign-in, for LoginMFARequest. It holds
	// Cognito's short-lived challenge session sealed with the session key.
	Challenge string `json:"challenge"`
	Message   string `json:"message"`
}

// LoginMFARequest finishes a sign-in with the code from the authenticator app.
type LoginMFARequest struct {
	Email     string `json:"email" validate:"required,email,max=254" example:"sam@example.com"`
	Challenge string `json:"challenge" validate:"required,max=8192" example:"the-challenge-of-the-sign-in"`
	Code      string `json:"code" validate:"required,len=6,numeric" example:"123456"`
}

// MFACodeRequest is a code from the authenticator app being set up.
type MFACodeRequest struct {
	Code string `json:"code" validate:"required,len=6,numeric" example:"123456"`
}

// MFASetupResponse is what an authenticator app needs to be set up: the shared secret,
// and the same as an otpauth URI for a QR code. It is shown once and never stored by the
// portal.
type MFASetupResponse struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauthUri"`
	Issuer     string `json:"issuer"`
	Account    string `json:"account"`
}

// mfaChallengeBinding binds a sealed challenge to the address that signed in: a handle
// does not open for another address, nor as a session's tokens (bound to user IDs).
func mfaChallengeBinding(email string) string { return "mfa-challenge:" + email }

// challenge seals Cognito's challenge session of email into the handle the browser holds
// for the code step. Cognito's session lives a few minutes; the handle lives as long.
func (s *Service) challenge(ctx context.Context, email, cognitoSession string) (NewSession, error) {
	if s.Vault == nil {
		return NewSession{}, apperr.Wrap(errors.New("no session key configured"), "seal sign-in challenge")
	}
	sealed, err := s.Vault.Seal(ctx, mfaChallengeBinding(email), SessionTokens{Access: cognitoSession})
	if err != nil {
		return NewSession{}, apperr.Wrap(err, "seal sign-in challenge")
	}
	return NewSession{Challenge: &MFAChallengeResponse{
		Challenge: base64.RawURLEncoding.EncodeToString(sealed),
		Message:   "Enter the 6-digit code your authenticator app shows for this portal.",
	}}, nil
}

// LoginMFA finishes a sign-in whose password was right with a code of the user's
// authenticator app, and starts a session that counts as two-step. A wrong code names
// the field and leaves the challenge usable until Cognito stops accepting it.
func (s *Service) LoginMFA(ctx context.Context, req LoginMFARequest) (NewSession, error) {
	req.Email = validation.NormalizeEmail(req.Email)
	if errs := validation.Struct(req); len(errs) > 0 {
		return NewSession{}, apperr.Fields(errs...)
	}
	if err := s.attempt(ctx, signInPerAccount, req.Email); err != nil {
		return NewSession{}, err
	}
	if s.Vault == nil || s.TOTP == nil {
		return NewSession{}, apperr.Wrap(errors.New("two-step sign-in is not wired"), "sign-in code")
	}
	sealed, err := base64.RawURLEncoding.DecodeString(req.Challenge)
	if err != nil {
		return NewSession{}, ErrMFAChallengeEnded
	}
	held, err := s.Vault.Open(ctx, mfaChallengeBinding(req.Email), sealed)
	if err != nil {
		return NewSession{}, ErrMFAChallengeEnded
	}
	tok, err := s.TOTP.RespondTOTP(ctx, req.Email, held.Access, req.Code)
	if err != nil {
		return NewSession{}, err
	}
	return s.startSession(ctx, tok, true)
}

// MFARequired says that sess is an operations user's without a proven code: such a
// session reaches only the set-up of an authenticator app until it has one.
func (s *Service) MFARequired(sess Session) bool {
	return slices.Contains(sess.Groups, s.cfg.OpsGroup) && !sess.MFA
}

// StartMFA begins setting up an authenticator app for the signed-in user: Cognito makes
// a new secret, which goes to the browser once and nowhere else (not to the logs).
func (s *Service) StartMFA(ctx context.Context, sess Session) (MFASetupResponse, error) {
	p, err := s.profiles.GetProfile(ctx, sess.UserID)
	if err != nil {
		return MFASetupResponse{}, err
	}
	if p.MFAEnabled {
		return MFASetupResponse{}, ErrMFAAlreadyEnabled
	}
	if s.TOTP == nil {
		return MFASetupResponse{}, apperr.Wrap(errors.New("two-step sign-in is not wired"), "set up authenticator")
	}
	held, err := s.tokens(ctx, sess)
	if err != nil {
		return MFASetupResponse{}, err
	}
	secret, err := s.TOTP.AssociateTOTP(ctx, held.Access)
	if err != nil {
		return MFASetupResponse{}, err
	}
	return MFASetupResponse{Secret: secret, OTPAuthURI: OTPAuthURI(TOTPIssuer, p.Email, secret), Issuer: TOTPIssuer, Account: p.Email}, nil
}

// OTPAuthURI is the key URI authenticator apps read from a QR code: TOTP, SHA-1, six
// digits, 30 seconds (what Cognito uses), labelled issuer:account.
func OTPAuthURI(issuer, accountName, secret string) string {
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", "6")
	q.Set("period", "30")
	return "otpauth://totp/" + url.PathEscape(issuer+":"+accountName) + "?" + q.Encode()
}

// ConfirmMFA finishes setting up the authenticator app with a code it shows: Cognito
// checks the code and turns two-step sign-in on. The session counts as two-step from
// now: its user has just proved the app.
func (s *Service) ConfirmMFA(ctx context.Context, sess Session, req MFACodeRequest) (AccountView, error) {
	if errs := validation.Struct(req); len(errs) > 0 {
		return AccountView{}, apperr.Fields(errs...)
	}
	if err := s.attempt(ctx, signInPerAccount, sess.Email); err != nil {
		return AccountView{}, err
	}
	if s.TOTP == nil {
		return AccountView{}, apperr.Wrap(errors.New("two-step sign-in is not wired"), "confirm authenticator")
	}
	held, err := s.tokens(ctx, sess)
	if err != nil {
		return AccountView{}, err
	}
	if err := s.TOTP.VerifyTOTP(ctx, held.Access, req.Code); err != nil {
		return AccountView{}, err
	}
	p, err := s.updateProfile(ctx, sess.UserID, func(p *Profile) error {
		p.MFAEnabled = true
		return nil
	})
	if err != nil {
		return AccountView{}, err
	}
	sess.MFA = true
	if err := s.sessions.SaveSession(ctx, sess); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return AccountView{}, ErrUnauthenticated
		}
		return AccountView{}, err
	}
	return s.sessionView(p, sess), nil
}

// DisableMFA turns two-step sign-in off for the signed-in user (the route asks for the
// password confirmed moments ago). Operations staff keep it.
func (s *Service) DisableMFA(ctx context.Context, sess Session) (AccountView, error) {
	if slices.Contains(sess.Groups, s.cfg.OpsGroup) {
		return AccountView{}, ErrMFAKeptForOperations
	}
	if s.TOTP == nil {
		return AccountView{}, apperr.Wrap(errors.New("two-step sign-in is not wired"), "turn off authenticator")
	}
	held, err := s.tokens(ctx, sess)
	if err != nil {
		return AccountView{}, err
	}
	if err := s.TOTP.SetTOTP(ctx, held.Access, false); err != nil {
		return AccountView{}, err
	}
	p, err := s.updateProfile(ctx, sess.UserID, func(p *Profile) error {
		p.MFAEnabled = false
		return nil
	})
	if err != nil {
		return AccountView{}, err
	}
	if err := s.mail.Send(ctx, mfaDisabledMail(p.Email, p.FullName, s.cfg.PortalURL+"/account")); err != nil {
		slog.ErrorContext(ctx, "two-step sign-in notice not sent", "userId", p.UserID, "error", err.Error())
	}
	return s.sessionView(p, sess), nil
}

// ResetMFA turns two-step sign-in off for the user userID on operations' behalf (the
// user lost the authenticator app and is locked out): Cognito forgets the app, every
// session of the user ends, and the user is told by email. Who may ask is the caller's
// rule (operations, never for themselves).
func (s *Service) ResetMFA(ctx context.Context, userID string) error {
	if s.TOTP == nil {
		return apperr.Wrap(errors.New("two-step sign-in is not wired"), "reset authenticator")
	}
	p, err := s.profiles.GetProfile(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.TOTP.ResetTOTP(ctx, p.Email); err != nil {
		return err
	}
	if p, err = s.updateProfile(ctx, userID, func(p *Profile) error {
		p.MFAEnabled = false
		return nil
	}); err != nil {
		return err
	}
	if err := s.endSessions(ctx, userID, p.Email, ""); err != nil {
		return err
	}
	if err := s.mail.Send(ctx, mfaResetMail(p.Email, p.FullName, s.cfg.PortalURL+"/account")); err != nil {
		slog.ErrorContext(ctx, "two-step sign-in reset notice not sent", "userId", p.UserID, "error", err.Error())
	}
	return nil
}

// sessionView is the account as the user of sess sees it.
func (s *Service) sessionView(p Profile, sess Session) AccountView {
	v := s.view(p, sess.Groups)
	v.MFASetupRequired = s.MFARequired(sess)
	return v
}
