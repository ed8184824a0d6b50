package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/account"
)

// DynamoDB is the subset of the DynamoDB client the store uses.
type DynamoDB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Portal stores profiles, links and sessions in the portal table.
type Portal struct {
	db    DynamoDB
	table string
}

var (
	_ account.Profiles = (*Portal)(nil)
	_ account.Links    = (*Portal)(nil)
	_ account.Sessions = (*Portal)(nil)
)

// NewPortal returns the store for the named table.
func NewPortal(db DynamoDB, table string) *Portal { return &Portal{db: db, table: table} }

type profileItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	account.Profile
	Version int64 `dynamodbav:"version"`
	// WriteID is unique per write, so an identical item found by conditionalPut is our own
	// retried write, never another writer's equal result.
	WriteID string `dynamodbav:"writeId"`
}

type emailItem struct {
	Key
	UserID string `dynamodbav:"userId"`
}

func (s *Portal) key(k Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: k.PK},
		AttrSK: &types.AttributeValueMemberS{Value: k.SK},
	}
}

// CreateProfile writes the profile and reserves its email in one transaction.
func (s *Portal) CreateProfile(ctx context.Context, p account.Profile) error {
	p.Email = validation.NormalizeEmail(p.Email)
	gpk, gsk := profileGSI(p.UserID)
	prof, err := attributevalue.MarshalMap(profileItem{Key: UserKey(p.UserID), GSI1PK: gpk, GSI1SK: gsk, Profile: p, Version: 1})
	if err != nil {
		return apperr.Wrap(err, "marshal profile")
	}
	email, err := attributevalue.MarshalMap(emailItem{Key: EmailKey(p.Email), UserID: p.UserID})
	if err != nil {
		return apperr.Wrap(err, "marshal email")
	}
	notExists := aws.String("attribute_not_exists(PK)")
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: prof, ConditionExpression: notExists}},
		{Put: &types.Put{TableName: &s.table, Item: email, ConditionExpression: notExists}},
	}})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) && conditionFailed(canceled, 1) {
		return account.ErrEmailTaken
	}
	if errors.As(err, &canceled) && conditionFailed(canceled, 0) {
		return apperr.New(apperr.Conflict, "PROFILE_EXISTS", "This account already has a profile.")
	}
	if err != nil {
		return apperr.Wrap(err, "create profile")
	}
	return nil
}

// conditionFailed reports whether the transaction's item i failed its condition (rather
// than the transaction being cancelled for throttling or a conflict).
func conditionFailed(e *types.TransactionCanceledException, i int) bool {
	return i < len(e.CancellationReasons) && aws.ToString(e.CancellationReasons[i].Code) == "ConditionalCheckFailed"
}

func writeID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// errConditionFailed reports a conditional put whose condition did not hold.
var errConditionFailed = errors.New("condition failed")

// conditionalPut writes an item under a condition. When the condition fails because the
// table already holds exactly this item, the write is taken as done: that is the SDK
// retrying a put whose first attempt succeeded but whose response was lost.
func (s *Portal) conditionalPut(ctx context.Context, in *dynamodb.PutItemInput) error {
	in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	_, err := s.db.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if reflect.DeepEqual(ccf.Item, in.Item) {
			return nil
		}
		return errConditionFailed
	}
	return err
}

// GetProfile returns the profile of a user.
func (s *Portal) GetProfile(ctx context.Context, userID string) (account.Profile, error) {
	item, err := s.getProfileItem(ctx, userID)
	return item.Profile, err
}

func (s *Portal) getProfileItem(ctx context.Context, userID string) (profileItem, error) {
	var item profileItem
	if err := s.get(ctx, UserKey(userID), &item); err != nil {
		return profileItem{}, err
	}
	return item, nil
}

func (s *Portal) get(ctx context.Context, k Key, dst any) error {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(k), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return apperr.Wrap(err, "get %s", k.PK)
	}
	if out.Item == nil {
		return apperr.New(apperr.NotFound, "NOT_FOUND", "Not found.")
	}
	if err := attributevalue.UnmarshalMap(out.Item, dst); err != nil {
		return apperr.Wrap(err, "unmarshal %s", k.PK)
	}
	return nil
}

// GetProfileByEmail finds a profile through its email reservation.
func (s *Portal) GetProfileByEmail(ctx context.Context, email string) (account.Profile, error) {
	var e emailItem
	if err := s.get(ctx, EmailKey(email), &e); err != nil {
		return account.Profile{}, err
	}
	return s.GetProfile(ctx, e.UserID)
}

// UpdateProfile reads, changes and writes back the profile under a version condition.
// The email is not changeable here (it is the user's Cognito username), nor the
// credential version.
func (s *Portal) UpdateProfile(ctx context.Context, userID string, change func(*account.Profile) error) (account.Profile, error) {
	item, err := s.getProfileItem(ctx, userID)
	if err != nil {
		return account.Profile{}, err
	}
	email, credentials := item.Email, item.CredentialVersion
	if err := change(&item.Profile); err != nil {
		return account.Profile{}, err
	}
	item.Email = email
	item.UserID = userID
	// Only RecordPasswordChange moves the credential version: a change here must not
	// bring dead links back.
	item.CredentialVersion = credentials
	prev := item.Version
	item.Version++
	item.WriteID = writeID()
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return account.Profile{}, apperr.Wrap(err, "marshal profile")
	}
	err = s.conditionalPut(ctx, &dynamodb.PutItemInput{
		TableName:                 &s.table,
		Item:                      av,
		ConditionExpression:       aws.String("#version = :v"),
		ExpressionAttributeNames:  map[string]string{"#version": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: fmt.Sprint(prev)}},
	})
	if errors.Is(err, errConditionFailed) {
		return account.Profile{}, errConcurrentUpdate
	}
	if err != nil {
		return account.Profile{}, apperr.Wrap(err, "update profile")
	}
	return item.Profile, nil
}

// DeleteProfile removes a profile and its email reservation together.
func (s *Portal) DeleteProfile(ctx context.Context, userID string) error {
	item, err := s.getProfileItem(ctx, userID)
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: &s.table, Key: s.key(UserKey(userID))}},
		{Delete: &types.Delete{TableName: &s.table, Key: s.key(EmailKey(item.Email))}},
		{Delete: &types.Delete{TableName: &s.table, Key: s.key(PasswordHistoryKey(userID))}},
	}})
	if err != nil {
		return apperr.Wrap(err, "delete profile")
	}
	return nil
}

// ListProfiles pages through GSI1's profile list.
func (s *Portal) ListProfiles(ctx context.Context, cursor string, limit int) ([]account.Profile, string, error) {
	items, next, err := queryPage[profileItem](ctx, s.db, dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: gsiProfile}},
	}, paging.Page{Cursor: cursor, Limit: limit})
	profiles := make([]account.Profile, len(items))
	for i, it := range items {
		profiles[i] = it.Profile
	}
	return profiles, next, err
}

type historyItem struct {
	Key
	Hashes []string `dynamodbav:"hashes"`
}

// PasswordHistory returns the stored password hashes, newest first (none if no history).
func (s *Portal) PasswordHistory(ctx context.Context, userID string) ([]string, error) {
	var h historyItem
	err := s.get(ctx, PasswordHistoryKey(userID), &h)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil
	}
	return h.Hashes, err
}

// PushPasswordHistory prepends a hash and trims the history to keep entries.
func (s *Portal) PushPasswordHistory(ctx context.Context, userID, hash string, keep int) error {
	prev, err := s.PasswordHistory(ctx, userID)
	if err != nil {
		return err
	}
	hashes := append([]string{hash}, prev...)
	if len(hashes) > keep {
		hashes = hashes[:keep]
	}
	if keep == 0 {
		_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(PasswordHistoryKey(userID))})
		return err
	}
	av, err := attributevalue.MarshalMap(historyItem{Key: PasswordHistoryKey(userID), Hashes: hashes})
	if err != nil {
		return apperr.Wrap(err, "marshal history")
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return apperr.Wrap(err, "put history")
	}
	return nil
}

// RecordPasswordChange bumps the credential version and writes the history in one
// transaction. The profile's condition on the version also guards the history, which is
// read first and rewritten whole: every change of the history after sign-up goes through
// here, so a change that committed in between fails this one instead of being lost.
func (s *Portal) RecordPasswordChange(ctx context.Context, userID string, c account.PasswordChange) (account.Profile, error) {
	atAV, err := attributevalue.Marshal(c.At)
	if err != nil {
		return account.Profile{}, apperr.Wrap(err, "marshal time")
	}
	cond, names, values := credentialCondition(c.From)
	names["#version"] = "version"
	values[":next"] = &types.AttributeValueMemberN{Value: fmt.Sprint(c.From + 1)}
	values[":at"] = atAV
	values[":one"] = &types.AttributeValueMemberN{Value: "1"}
	values[":writeId"] = &types.AttributeValueMemberS{Value: writeID()}
	writes := []types.TransactWriteItem{{Update: &types.Update{
		TableName: &s.table,
		Key:       s.key(UserKey(userID)),
		// version and writeId change too, so an UpdateProfile that read the profile
		// before this write conflicts rather than writing the old version back.
		UpdateExpression:          aws.String("SET #cred = :next, passwordChangedAt = :at, #version = #version + :one, writeId = :writeId REMOVE expiryWarnedDays"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}}}
	if c.HistoryHash != "" && c.Keep > 0 {
		prev, err := s.PasswordHistory(ctx, userID)
		if err != nil {
			return account.Profile{}, err
		}
		hashes := append([]string{c.HistoryHash}, prev...)
		hashes = hashes[:min(len(hashes), c.Keep)]
		av, err := attributevalue.MarshalMap(historyItem{Key: PasswordHistoryKey(userID), Hashes: hashes})
		if err != nil {
			return account.Profile{}, apperr.Wrap(err, "marshal history")
		}
		writes = append(writes, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) && conditionFailed(canceled, 0) {
		return account.Profile{}, errConcurrentUpdate
	}
	if err != nil {
		return account.Profile{}, apperr.Wrap(err, "record password change")
	}
	return s.GetProfile(ctx, userID)
}

// errConcurrentUpdate answers a write that lost to another one made at the same time.
var errConcurrentUpdate = apperr.New(apperr.Conflict, "CONCURRENT_UPDATE", "Your account was changed at the same time elsewhere; reload and try again.")

// credentialCondition holds a profile to credential version v. A profile written before
// the version existed has no attribute and counts as version 0.
func credentialCondition(v int64) (string, map[string]string, map[string]types.AttributeValue) {
	cond := "attribute_exists(PK) AND #cred = :cred"
	if v == 0 {
		cond = "attribute_exists(PK) AND (attribute_not_exists(#cred) OR #cred = :cred)"
	}
	return cond, map[string]string{"#cred": "credentialVersion"},
		map[string]types.AttributeValue{":cred": &types.AttributeValueMemberN{Value: fmt.Sprint(v)}}
}

type linkItem struct {
	Key
	account.Link
	// ExpiresEpoch and UsedEpoch are numbers so conditions compare instants, not strings.
	ExpiresEpoch int64 `dynamodbav:"expiresEpoch"`
	UsedEpoch    int64 `dynamodbav:"usedEpoch,omitempty"`
	TTL          int64 `dynamodbav:"ttl"`
}

// PutLink stores a new link; a token hash is never reused.
func (s *Portal) PutLink(ctx context.Context, l account.Link) error {
	av, err := attributevalue.MarshalMap(linkItem{Key: LinkKey(l.TokenHash), Link: l, ExpiresEpoch: l.ExpiresAt.Unix(), TTL: l.ExpiresAt.Add(30 * 24 * time.Hour).Unix()})
	if err != nil {
		return apperr.Wrap(err, "marshal link")
	}
	err = s.conditionalPut(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err != nil {
		return apperr.Wrap(err, "put link")
	}
	return nil
}

// UseLink marks the link used if it is of the kind, unused and unexpired, and its
// owner's credential version is still the one it recorded. One transaction spends the link
// and checks the profile, so a password change comes either before the use, and the link
// is refused, or after it; a second use fails even when two requests race.
func (s *Portal) UseLink(ctx context.Context, tokenHash string, kind account.LinkKind, now time.Time) (account.Link, error) {
	nowAV, err := attributevalue.Marshal(now)
	if err != nil {
		return account.Link{}, apperr.Wrap(err, "marshal time")
	}
	var lastErr error
	for range 3 {
		// The link's owner and credential version never change once it is stored; the
		// conditions hold what can change to what this read saw.
		link, err := s.checkLink(ctx, tokenHash, kind, now)
		if err != nil {
			return account.Link{}, err
		}
		cond, names, values := credentialCondition(link.CredentialVersion)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{
				TableName:           &s.table,
				Key:                 s.key(LinkKey(tokenHash)),
				UpdateExpression:    aws.String("SET usedAt = :now, usedEpoch = :epoch"),
				ConditionExpression: aws.String("attribute_exists(PK) AND #kind = :kind AND attribute_not_exists(usedEpoch) AND expiresEpoch > :epoch"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":now":   nowAV,
					":epoch": &types.AttributeValueMemberN{Value: fmt.Sprint(now.Unix())},
					":kind":  &types.AttributeValueMemberS{Value: string(kind)},
				},
				ExpressionAttributeNames: map[string]string{"#kind": "kind"},
			}},
			{ConditionCheck: &types.ConditionCheck{
				TableName:                 &s.table,
				Key:                       s.key(UserKey(link.UserID)),
				ConditionExpression:       aws.String(cond),
				ExpressionAttributeNames:  names,
				ExpressionAttributeValues: values,
			}},
		}})
		if err == nil {
			link.UsedAt = now
			return link, nil
		}
		var canceled *types.TransactionCanceledException
		if !errors.As(err, &canceled) {
			return account.Link{}, apperr.Wrap(err, "use link")
		}
		// A condition failed, or another transaction on the link or profile raced this
		// one: the next read says which answer the link gets, or tries again.
		lastErr = err
	}
	// The link still looks usable but every try was cancelled: nothing a user can fix.
	return account.Link{}, apperr.Wrap(lastErr, "use link")
}

type mailPauseItem struct {
	Key
	// UntilMillis is when the next mail may go, in epoch milliseconds.
	UntilMillis int64 `dynamodbav:"untilMillis"`
	TTL         int64 `dynamodbav:"ttl"`
	// WriteID tells this request's retried put from another request's in the same
	// millisecond, which must be refused.
	WriteID string `dynamodbav:"writeId"`
}

// PauseMail records that a mail of kind goes to email now and none other before
// now+pause, unless the last one's pause has not ended: then it reports false. One
// conditional put, whether or not the address has an account.
func (s *Portal) PauseMail(ctx context.Context, email string, kind account.LinkKind, now time.Time, pause time.Duration) (bool, error) {
	until := now.Add(pause)
	av, err := attributevalue.MarshalMap(mailPauseItem{Key: MailPauseKey(email, string(kind)), UntilMillis: until.UnixMilli(), TTL: until.Add(24 * time.Hour).Unix(), WriteID: writeID()})
	if err != nil {
		return false, apperr.Wrap(err, "marshal mail pause")
	}
	err = s.conditionalPut(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR untilMillis <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: fmt.Sprint(now.UnixMilli())}},
	})
	if errors.Is(err, errConditionFailed) {
		return false, nil
	}
	if err != nil {
		return false, apperr.Wrap(err, "put mail pause")
	}
	return true, nil
}

// Attempt counts an attempt of key in the fixed window of now, unless limit were counted
// in it already; the window's item expires with TTL a day after it ends.
func (s *Portal) Attempt(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	start := now.Truncate(window)
	end := start.Add(window)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      s.key(AttemptsKey(key, start)),
		UpdateExpression:         aws.String("ADD attempts :one SET #ttl = :ttl"),
		ConditionExpression:      aws.String("attribute_not_exists(attempts) OR attempts < :limit"),
		ExpressionAttributeNames: map[string]string{"#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one":   &types.AttributeValueMemberN{Value: "1"},
			":limit": &types.AttributeValueMemberN{Value: strconv.Itoa(limit)},
			":ttl":   &types.AttributeValueMemberN{Value: strconv.FormatInt(end.Add(24*time.Hour).Unix(), 10)},
		},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return false, end.Sub(now), nil
	}
	if err != nil {
		return false, 0, apperr.Wrap(err, "count attempt")
	}
	return true, 0, nil
}

// ReleaseLink makes a link spent at usedAt usable again; the condition keeps it from
// undoing a different, later use.
func (s *Portal) ReleaseLink(ctx context.Context, tokenHash string, usedAt time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       s.key(LinkKey(tokenHash)),
		UpdateExpression:          aws.String("REMOVE usedEpoch SET usedAt = :zero"),
		ConditionExpression:       aws.String("usedEpoch = :epoch"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":epoch": &types.AttributeValueMemberN{Value: fmt.Sprint(usedAt.Unix())}, ":zero": &types.AttributeValueMemberS{Value: "0001-01-01T00:00:00Z"}},
	})
	if err != nil {
		return apperr.Wrap(err, "release link")
	}
	return nil
}

// GetLink returns the link if it could be used now.
func (s *Portal) GetLink(ctx context.Context, tokenHash string, kind account.LinkKind, now time.Time) (account.Link, error) {
	return s.checkLink(ctx, tokenHash, kind, now)
}

// checkLink reads the link and its owner's profile and returns the link if it could be
// used now, or why not (account.Link.Refusal).
func (s *Portal) checkLink(ctx context.Context, tokenHash string, kind account.LinkKind, now time.Time) (account.Link, error) {
	var item linkItem
	err := s.get(ctx, LinkKey(tokenHash), &item)
	if errors.Is(err, apperr.ErrNotFound) {
		return account.Link{}, account.ErrLinkInvalid
	}
	if err != nil {
		return account.Link{}, err
	}
	if item.UsedEpoch == 0 {
		item.UsedAt = time.Time{} // a released link keeps a zero usedAt
	}
	// The rule is applied to what UseLink's conditions test, the epochs, so that the two
	// never disagree about a link.
	seen := item.Link
	seen.ExpiresAt = time.Unix(item.ExpiresEpoch, 0).UTC()
	if item.UsedEpoch != 0 {
		seen.UsedAt = time.Unix(item.UsedEpoch, 0).UTC()
	}
	var owner *account.Profile
	if item.Kind == kind {
		p, err := s.GetProfile(ctx, item.UserID)
		switch {
		case err == nil:
			owner = &p
		case !errors.Is(err, apperr.ErrNotFound):
			return account.Link{}, err
		}
	}
	if err := seen.Refusal(kind, owner, now); err != nil {
		return account.Link{}, err
	}
	return item.Link, nil
}

type sessionItem struct {
	Key
	// GSI1 lists a user's sessions, so a password change can end all of them.
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	account.Session
	TTL int64 `dynamodbav:"ttl"`
}

func (s *Portal) sessionAV(sess account.Session) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(sessionItem{Key: SessionKey(sess.IDHash), GSI1PK: sessionsOf(sess.UserID), GSI1SK: sess.IDHash, Session: sess, TTL: sess.ExpiresAt.Unix()})
	if err != nil {
		return nil, apperr.Wrap(err, "marshal session")
	}
	return av, nil
}

// PutSession stores a new session.
func (s *Portal) PutSession(ctx context.Context, sess account.Session) error {
	av, err := s.sessionAV(sess)
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return apperr.Wrap(err, "put session")
	}
	return nil
}

// SaveSession replaces a session only while it exists.
func (s *Portal) SaveSession(ctx context.Context, sess account.Session) error {
	av, err := s.sessionAV(sess)
	if err != nil {
		return err
	}
	err = s.conditionalPut(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_exists(PK)")})
	if errors.Is(err, errConditionFailed) {
		return apperr.New(apperr.NotFound, "NOT_FOUND", "Session ended.")
	}
	if err != nil {
		return apperr.Wrap(err, "save session")
	}
	return nil
}

// GetSession returns a live session; an expired one counts as not found because TTL
// deletion may lag by days.
func (s *Portal) GetSession(ctx context.Context, idHash string, now time.Time) (account.Session, error) {
	var item sessionItem
	if err := s.get(ctx, SessionKey(idHash), &item); err != nil {
		return account.Session{}, err
	}
	if !now.Before(item.ExpiresAt) {
		return account.Session{}, apperr.New(apperr.NotFound, "NOT_FOUND", "Session expired.")
	}
	return item.Session, nil
}

// DeleteSession removes a session; deleting an absent one is not an error.
func (s *Portal) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(SessionKey(idHash))}); err != nil {
		return apperr.Wrap(err, "delete session")
	}
	return nil
}

// DeleteUserSessions removes every session of a user except one. The index is read
// eventually consistently, so a session started in the same instant may survive; the
// caller also revokes the user's tokens at Cognito, which ends such a session at its
// next refresh.
func (s *Portal) DeleteUserSessions(ctx context.Context, userID, exceptHash string) error {
	pages := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(IndexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: sessionsOf(userID)}},
		ProjectionExpression:      aws.String("GSI1SK"),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return apperr.Wrap(err, "list sessions")
		}
		for _, item := range page.Items {
			var k struct{ GSI1SK string }
			if err := attributevalue.UnmarshalMap(item, &k); err != nil {
				return apperr.Wrap(err, "unmarshal session key")
			}
			if k.GSI1SK == exceptHash {
				continue
			}
			if err := s.DeleteSession(ctx, k.GSI1SK); err != nil {
				return err
			}
		}
	}
	return nil
}

// Ping reads HealthKey: it fails if the table does not answer or refuses the read.
func (p *Portal) Ping(ctx context.Context) error {
	_, err := p.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &p.table, Key: keyAV(HealthKey())})
	return err
}
