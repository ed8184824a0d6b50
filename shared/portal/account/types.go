// Package account holds the rules of portal accounts: sign-up, activation, sessions,
// passwords and the user's own settings. Cognito keeps identities and passwords; this
// package adds what Cognito lacks (emailed links with lifetimes of our choosing that die
// when the password changes, password history and expiry, the organization code given at
// sign-up, communication preferences).
package account

import (
	"context"
	"time"
)

// Status is where an account is in its life.
type Status string

// Account states.
const (
	// StatusPending is an account whose activation link has not been used yet.
	StatusPending Status = "PENDING_ACTIVATION"
	// StatusActive is an activated account.
	StatusActive Status = "ACTIVE"
)

// Preferences are the optional emails a user chose to receive. Activation, reset and
// security notices are always sent.
type Preferences struct {
	// PasswordExpiry: reminders before the password expires.
	PasswordExpiry bool `json:"passwordExpiry" dynamodbav:"passwordExpiry" example:"true"`
	// RequestUpdates: decisions on onboarding, subscriptions and production access.
	RequestUpdates bool `json:"requestUpdates" dynamodbav:"requestUpdates" example:"true"`
	// CertificateExpiry: reminders before an app's certificate expires.
	CertificateExpiry bool `json:"certificateExpiry" dynamodbav:"certificateExpiry" example:"true"`
	// ProductNews: new APIs, versions and planned maintenance.
	ProductNews bool `json:"productNews" dynamodbav:"productNews" example:"false"`
}

// DefaultPreferences are what a new account starts with.
var DefaultPreferences = Preferences{PasswordExpiry: true, RequestUpdates: true, CertificateExpiry: true}

// Profile is what the portal keeps about a user besides Cognito's identity.
type Profile struct {
	UserID            string      `dynamodbav:"userId"`
	Email             string      `dynamodbav:"email"`
	FullName          string      `dynamodbav:"fullName"`
	OrganizationCode  string      `dynamodbav:"organizationCode,omitempty"`
	Status            Status      `dynamodbav:"status"`
	CreatedAt         time.Time   `dynamodbav:"createdAt"`
	ActivatedAt       time.Time   `dynamodbav:"activatedAt"`
	TermsAcceptedAt   time.Time   `dynamodbav:"termsAcceptedAt"`
	PasswordChangedAt time.Time   `dynamodbav:"passwordChangedAt"`
	Preferences       Preferences `dynamodbav:"preferences"`
	// ExpiryWarnedDays is the warning (days before expiry) last emailed for the current
	// password, so the daily job sends each warning once.
	ExpiryWarnedDays int `dynamodbav:"expiryWarnedDays,omitempty"`
	// CredentialVersion counts the user's password resets and changes. Every emailed link
	// records it when issued and works only while it is unchanged, so a password reset or
	// change kills every link emailed before it, including ones an attacker copied. Only
	// Profiles.RecordPasswordChange moves it; profiles stored before it existed read as 0.
	CredentialVersion int64 `dynamodbav:"credentialVersion"`
	// MFAEnabled says that the user signs in with a code of an authenticator app as well
	// as the password (Cognito's software token MFA), as the portal last set it.
	MFAEnabled bool `dynamodbav:"mfaEnabled,omitempty"`
}

// LinkKind says what an emailed link does.
type LinkKind string

// Kinds of emailed link.
const (
	LinkActivation LinkKind = "activation"
	LinkReset      LinkKind = "reset"
)

// Link is an emailed single-use link, stored by the SHA-256 of its token only.
type Link struct {
	TokenHash string    `dynamodbav:"tokenHash"`
	Kind      LinkKind  `dynamodbav:"kind"`
	UserID    string    `dynamodbav:"userId"`
	Email     string    `dynamodbav:"email"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	ExpiresAt time.Time `dynamodbav:"expiresAt"`
	UsedAt    time.Time `dynamodbav:"usedAt"`
	// CredentialVersion is the user's Profile.CredentialVersion when the link was issued.
	CredentialVersion int64 `dynamodbav:"credentialVersion"`
}

// Refusal says why the link cannot be used now as a link of kind, by owner (nil when the
// user's profile is gone), or returns nil when it can. The store's conditions enforce the
// same rule atomically with the use; this says which answer a refused link gets.
//
// A link emailed before the owner's password last changed answers exactly as an expired
// one does: a different answer would tell whoever holds an old link that the password has
// changed since. Expiry is compared in whole seconds, as the store's condition does.
func (l Link) Refusal(kind LinkKind, owner *Profile, now time.Time) error {
	switch {
	case l.Kind != kind:
		return ErrLinkInvalid
	case !l.UsedAt.IsZero():
		return ErrLinkUsed
	case l.ExpiresAt.Unix() <= now.Unix() || owner == nil || owner.CredentialVersion != l.CredentialVersion:
		return ErrLinkExpired
	}
	return nil
}

// Session is a signed-in browser, stored by the SHA-256 of its cookie value. The Cognito
// tokens stay on the server, where no page script can read them, sealed with the session
// key (TokenVault), where no reader of the table can either.
type Session struct {
	IDHash string `dynamodbav:"idHash"`
	UserID string `dynamodbav:"userId"`
	Email  string `dynamodbav:"email"`
	// FullName is the name members see, kept here at sign-in so that a request names its
	// actor without reading the profile.
	FullName string   `dynamodbav:"fullName,omitempty"`
	Groups   []string `dynamodbav:"groups,omitempty"`
	// Tokens are the session's Cognito tokens as TokenVault.Seal sealed them.
	Tokens          []byte    `dynamodbav:"tokens"`
	AccessExpiresAt time.Time `dynamodbav:"accessExpiresAt"`
	CSRFToken       string    `dynamodbav:"csrfToken"`
	CreatedAt       time.Time `dynamodbav:"createdAt"`
	ExpiresAt       time.Time `dynamodbav:"expiresAt"`
	// LastActiveAt is the user's last request other than the page's keep-alive, to the
	// minute: a session idle for longer than its idle timeout ends.
	LastActiveAt time.Time `dynamodbav:"lastActiveAt,omitempty"`
	// AuthenticatedAt is when the user last entered their password: at sign-in, or to
	// confirm it for a sensitive action.
	AuthenticatedAt time.Time `dynamodbav:"authenticatedAt,omitempty"`
	// MFA says that the user proved a code of their authenticator app in this session: at
	// sign-in, or by enrolling the app during it. Operations staff need it.
	MFA bool `dynamodbav:"mfa,omitempty"`
}

// SessionTokens are the Cognito tokens a session keeps: the access token, for the calls
// made as the user (changing the password), and the refresh token that renews it.
type SessionTokens struct {
	Access  string `json:"a"`
	Refresh string `json:"r"`
}

// TokenVault seals a session's Cognito tokens for the session item and opens them again,
// bound to the session's user.
type TokenVault interface {
	Seal(ctx context.Context, userID string, t SessionTokens) ([]byte, error)
	Open(ctx context.Context, userID string, sealed []byte) (SessionTokens, error)
}

// PasswordMAC is the keyed hash the password history keeps of a user's password: equal
// for equal passwords of one user, and of no use to a reader of the table without the key.
type PasswordMAC interface {
	MAC(ctx context.Context, userID, password string) ([]byte, error)
}

// Profiles stores profiles; CreateProfile fails with apperr.ErrConflict when the email is
// taken, GetProfile* with apperr.ErrNotFound when there is none.
type Profiles interface {
	CreateProfile(ctx context.Context, p Profile) error
	GetProfile(ctx context.Context, userID string) (Profile, error)
	GetProfileByEmail(ctx context.Context, email string) (Profile, error)
	// UpdateProfile applies change to the stored profile, failing with ErrConflict if the
	// profile changed in between (optimistic locking on a version attribute).
	UpdateProfile(ctx context.Context, userID string, change func(*Profile) error) (Profile, error)
	DeleteProfile(ctx context.Context, userID string) error
	// ListProfiles pages through every profile; an empty next cursor ends the list.
	ListProfiles(ctx context.Context, cursor string, limit int) (profiles []Profile, next string, err error)
	// PasswordHistory returns the PasswordMACs of the last passwords (base64), newest first.
	PasswordHistory(ctx context.Context, userID string) ([]string, error)
	// PushPasswordHistory adds a hash in front and keeps at most keep hashes (the first
	// password, at sign-up; later ones go through RecordPasswordChange).
	PushPasswordHistory(ctx context.Context, userID, hash string, keep int) error
	// RecordPasswordChange records a new password in one write: it moves the credential
	// version from c.From to c.From+1 (ErrConflict if it is no longer c.From, or the
	// profile is gone), sets the change date, clears the expiry warning and, unless
	// c.HistoryHash is empty, puts it in front of the history, keeping c.Keep hashes. It
	// returns the profile as written.
	RecordPasswordChange(ctx context.Context, userID string, c PasswordChange) (Profile, error)
}

// PasswordChange is what RecordPasswordChange writes.
type PasswordChange struct {
	// From is the credential version the change was decided on.
	From int64
	// At is when the password changed.
	At time.Time
	// HistoryHash is the new password's PasswordMAC for the history, base64 ("" keeps none).
	HistoryHash string
	// Keep is how many hashes the history keeps.
	Keep int
}

// Links stores emailed links. UseLink marks a link used, once, and only while its owner's
// credential version is the one the link recorded; a refused link gets the answer
// Link.Refusal gives: ErrLinkInvalid for an unknown token or another kind's, ErrLinkUsed,
// or ErrLinkExpired for an expired link and for one emailed before the password changed.
type Links interface {
	PutLink(ctx context.Context, l Link) error
	// GetLink returns a link that UseLink would accept now, with the same errors, without
	// spending it.
	GetLink(ctx context.Context, tokenHash string, kind LinkKind, now time.Time) (Link, error)
	// UseLink spends the link, atomically with checking its owner's credential version. A
	// refused link is left as it is: it keeps its answer on every try, as an expired link
	// does (spending it would make the next answer LINK_USED, and tell stale from expired).
	UseLink(ctx context.Context, tokenHash string, kind LinkKind, now time.Time) (Link, error)
	// ReleaseLink makes a link used at usedAt usable again, when what it was spent on failed.
	ReleaseLink(ctx context.Context, tokenHash string, usedAt time.Time) error
	// PauseMail records that a mail of kind is about to go to email, unless one went less
	// than pause before now; it reports whether this one may go. It keeps the pause by
	// address, whether or not an account has it, so the public "send me a link" forms
	// cannot flood a mailbox and do the same work for every address.
	PauseMail(ctx context.Context, email string, kind LinkKind, now time.Time, pause time.Duration) (bool, error)
}

// Attempts counts attempts of the public forms, by what they name (an account, a client
// address), in fixed windows: Attempt counts one unless limit were counted in the window
// that holds now, and answers whether it may go on and, if not, how long until the window
// ends.
type Attempts interface {
	Attempt(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (allowed bool, retryAfter time.Duration, err error)
}

// Sessions stores sessions; GetSession fails with ErrNotFound for an unknown or expired one.
type Sessions interface {
	// PutSession stores a new session.
	PutSession(ctx context.Context, s Session) error
	// SaveSession replaces a session that still exists (ErrNotFound once it was deleted),
	// so a refresh racing a logout cannot bring the session back.
	SaveSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, idHash string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, idHash string) error
	// DeleteUserSessions ends every session of a user but the one with exceptHash.
	DeleteUserSessions(ctx context.Context, userID, exceptHash string) error
}

// Tokens are what Cognito returns on login or refresh.
type Tokens struct {
	UserID       string
	Email        string
	Groups       []string
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	// MFASession is set instead of the tokens when the password was right and Cognito asks
	// for a code of the user's authenticator app: Cognito's session of that challenge.
	MFASession string
}

// TOTPFactors is the second factor of sign-in at the identity provider: an authenticator
// app (TOTP, RFC 6238) enrolled with the user's access token. Errors: ErrMFACodeWrong for
// a wrong code, ErrMFAChallengeEnded for a sign-in challenge that is no longer accepted.
type TOTPFactors interface {
	// RespondTOTP answers a sign-in's MFASession with a code and returns the tokens.
	RespondTOTP(ctx context.Context, email, session, code string) (Tokens, error)
	// AssociateTOTP starts an enrolment and returns the new shared secret (base32).
	AssociateTOTP(ctx context.Context, accessToken string) (secret string, err error)
	// VerifyTOTP checks a code of the app being enrolled and turns it on as the preferred
	// second factor.
	VerifyTOTP(ctx context.Context, accessToken, code string) error
	// SetTOTP turns the enrolled app on or off.
	SetTOTP(ctx context.Context, accessToken string, enabled bool) error
	// ResetTOTP turns the authenticator app of the user with email off without the user's
	// tokens (an administrator's call), for a user who lost it.
	ResetTOTP(ctx context.Context, email string) error
}

// Identity is the identity provider (Cognito). Errors: ErrConflict (email taken),
// ErrInvalid with fields (password policy), and the codes NOT_ACTIVATED and
// BAD_CREDENTIALS on login.
type Identity interface {
	SignUp(ctx context.Context, email, password, fullName string) (userID string, err error)
	Confirm(ctx context.Context, email string) error
	Delete(ctx context.Context, email string) error
	Login(ctx context.Context, email, password string) (Tokens, error)
	Refresh(ctx context.Context, refreshToken string) (Tokens, error)
	// RevokeToken revokes one session's refresh token (and the tokens issued from it).
	RevokeToken(ctx context.Context, refreshToken string) error
	// SignOutEverywhere revokes every token of the user, on every device.
	SignOutEverywhere(ctx context.Context, email string) error
	// DeleteIfUnconfirmed removes a user who never activated; it reports whether it did.
	DeleteIfUnconfirmed(ctx context.Context, email string) (bool, error)
	ChangePassword(ctx context.Context, accessToken, current, next string) error
	SetPassword(ctx context.Context, email, password string) error
	UpdateName(ctx context.Context, email, fullName string) error
}

// Mail is one email to send.
type Mail struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends email (SES).
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}
