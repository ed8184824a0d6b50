// Package account holds the rules of portal accounts: sign-up, activation, sessions,
// passwords and the user's own settings. Cognito keeps identities and passwords; this
// package adds what Cognito lacks (72-hour links, password history and expiry, the
// organization code given at sign-up, communication preferences).
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
	// LinkMailedAt is when a link of each kind was last emailed, so the public "send me a
	// link" forms cannot be used to flood someone's mailbox.
	LinkMailedAt map[LinkKind]time.Time `dynamodbav:"linkMailedAt,omitempty"`
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
}

// Session is a signed-in browser, stored by the SHA-256 of its cookie value. The Cognito
// tokens stay on the server: no page script can read them.
type Session struct {
	IDHash string `dynamodbav:"idHash"`
	UserID string `dynamodbav:"userId"`
	Email  string `dynamodbav:"email"`
	// FullName is the name members see, kept here at sign-in so that a request names its
	// actor without reading the profile.
	FullName        string    `dynamodbav:"fullName,omitempty"`
	Groups          []string  `dynamodbav:"groups,omitempty"`
	AccessToken     string    `dynamodbav:"accessToken"`
	RefreshToken    string    `dynamodbav:"refreshToken"`
	AccessExpiresAt time.Time `dynamodbav:"accessExpiresAt"`
	CSRFToken       string    `dynamodbav:"csrfToken"`
	CreatedAt       time.Time `dynamodbav:"createdAt"`
	ExpiresAt       time.Time `dynamodbav:"expiresAt"`
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
	// PasswordHistory returns the bcrypt hashes of the last passwords, newest first.
	PasswordHistory(ctx context.Context, userID string) ([]string, error)
	// PushPasswordHistory adds a hash in front and keeps at most keep hashes.
	PushPasswordHistory(ctx context.Context, userID, hash string, keep int) error
}

// Links stores emailed links. UseLink marks a link used, once: ErrNotFound for an unknown
// token, ErrGone (code LINK_USED or LINK_EXPIRED) for a used or expired one.
type Links interface {
	PutLink(ctx context.Context, l Link) error
	// GetLink returns a link that UseLink would accept now, with the same errors, without
	// spending it.
	GetLink(ctx context.Context, tokenHash string, kind LinkKind, now time.Time) (Link, error)
	UseLink(ctx context.Context, tokenHash string, kind LinkKind, now time.Time) (Link, error)
	// ReleaseLink makes a link used at usedAt usable again, when what it was spent on failed.
	ReleaseLink(ctx context.Context, tokenHash string, usedAt time.Time) error
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
