// Package oauthdb keeps the authorization server's state in the TPP table: codes, PKCE
// challenges, pushed requests, requests waiting for the customer, and tokens grouped by
// grant so that a grant's tokens are revoked with one strongly consistent query. Every
// item carries the TTL attribute; reads check expiry themselves, since TTL deletes late.
// Clients are read from the portal table's credential copies (lookup.ClientKey).
package oauthdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/ory/fosite"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// DynamoDBAPI is the DynamoDB calls the store makes.
type DynamoDBAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Store is the authorization server's storage.
type Store struct {
	db          DynamoDBAPI
	table       string
	portalTable string
	// Now is the clock of expiry checks; nil is time.Now.
	Now func() time.Time
}

var _ oauth.Storage = (*Store)(nil)

// New keeps OAuth state in the TPP table and reads clients from the portal table.
func New(db DynamoDBAPI, tppTable, portalTable string) *Store {
	return &Store{db: db, table: tppTable, portalTable: portalTable}
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Attributes of the items.
const (
	attrRequest   = "request"
	attrActive    = "active"
	attrExpiresAt = "expiresAt"
)

// ttlMargin keeps an item past its expiry: a used code or a rotated refresh token must
// still be found to be refused as reused, which revokes what it issued.
const ttlMargin = 24 * time.Hour

func (s *Store) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	if id == "" {
		return nil, fosite.ErrNotFound
	}
	k := lookup.ClientKey(id)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.portalTable, Key: keyAV(k.PK, k.SK), ConsistentRead: aws.Bool(false)})
	if err != nil {
		return nil, fmt.Errorf("oauthdb: client %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, fosite.ErrNotFound
	}
	var c oauth.Client
	if err := attributevalue.UnmarshalMap(out.Item, &c); err != nil {
		return nil, fmt.Errorf("oauthdb: client %s: %w", id, err)
	}
	return &c, nil
}

// ErrAssertionsUnsupported: clients authenticate with certificates or secrets, never
// with signed assertions, so fosite never needs their JTIs.
var ErrAssertionsUnsupported = errors.New("oauthdb: client assertions are not supported")

func (s *Store) ClientAssertionJWTValid(context.Context, string) error {
	return ErrAssertionsUnsupported
}

func (s *Store) SetClientAssertionJWT(context.Context, string, time.Time) error {
	return ErrAssertionsUnsupported
}

// put writes a request item that expires at exp.
func (s *Store) put(ctx context.Context, pk, sk string, r fosite.Requester, exp time.Time, active bool, cond string) error {
	b, err := oauth.EncodeRequest(r)
	if err != nil {
		return err
	}
	item := keyAV(pk, sk)
	item[attrRequest] = &types.AttributeValueMemberS{Value: string(b)}
	item[attrActive] = &types.AttributeValueMemberBOOL{Value: active}
	item[attrExpiresAt] = epoch(exp)
	item[tppdata.AttrTTL] = epoch(exp.Add(ttlMargin))
	in := &dynamodb.PutItemInput{TableName: &s.table, Item: item}
	if cond != "" {
		in.ConditionExpression = aws.String(cond)
	}
	if _, err := s.db.PutItem(ctx, in); err != nil {
		return fmt.Errorf("oauthdb: put %s: %w", pk, err)
	}
	return nil
}

// get reads a request item; fosite.ErrNotFound when it is absent or past exp.
func (s *Store) get(ctx context.Context, pk, sk string) (*fosite.AuthorizeRequest, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: keyAV(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, false, fmt.Errorf("oauthdb: get %s: %w", pk, err)
	}
	return s.decode(out.Item)
}

func (s *Store) decode(item map[string]types.AttributeValue) (*fosite.AuthorizeRequest, bool, error) {
	if item == nil {
		return nil, false, fosite.ErrNotFound
	}
	var it struct {
		Request   string `dynamodbav:"request"`
		Active    bool   `dynamodbav:"active"`
		ExpiresAt int64  `dynamodbav:"expiresAt"`
	}
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, false, fmt.Errorf("oauthdb: item: %w", err)
	}
	if it.ExpiresAt != 0 && !s.now().Before(time.Unix(it.ExpiresAt, 0)) {
		return nil, false, fosite.ErrNotFound
	}
	r, err := oauth.DecodeRequest([]byte(it.Request))
	return r, it.Active, err
}

func (s *Store) remove(ctx context.Context, pk, sk string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: keyAV(pk, sk)}); err != nil {
		return fmt.Errorf("oauthdb: delete %s: %w", pk, err)
	}
	return nil
}

// expiry is when the request's token of kind expires, or fallback from now when the
// session does not say.
func (s *Store) expiry(r fosite.Requester, kind fosite.TokenType, fallback time.Duration) time.Time {
	if t := r.GetSession().GetExpiresAt(kind); !t.IsZero() {
		return t
	}
	return s.now().Add(fallback)
}

// Authorization codes: single use, enforced by a conditional update.

func (s *Store) CreateAuthorizeCodeSession(ctx context.Context, code string, r fosite.Requester) error {
	pk, sk := codeKey(code)
	return s.put(ctx, pk, sk, r, s.expiry(r, fosite.AuthorizeCode, oauth.CodeLifespan), true, "attribute_not_exists(PK)")
}

// GetAuthorizeCodeSession returns the request with fosite.ErrInvalidatedAuthorizeCode
// for a used code, so that fosite revokes the tokens the code issued. A code past its
// lifetime is still returned: fosite refuses it as expired.
func (s *Store) GetAuthorizeCodeSession(ctx context.Context, code string, _ fosite.Session) (fosite.Requester, error) {
	pk, sk := codeKey(code)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: keyAV(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("oauthdb: get code: %w", err)
	}
	if out.Item == nil {
		return nil, fosite.ErrNotFound
	}
	delete(out.Item, attrExpiresAt)
	r, active, err := s.decode(out.Item)
	if err != nil {
		return nil, err
	}
	if !active {
		return r, fosite.ErrInvalidatedAuthorizeCode
	}
	return r, nil
}

func (s *Store) InvalidateAuthorizeCodeSession(ctx context.Context, code string) error {
	pk, sk := codeKey(code)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: keyAV(pk, sk),
		UpdateExpression: aws.String("SET active = :no"), ConditionExpression: aws.String("active = :yes"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":no": &types.AttributeValueMemberBOOL{Value: false}, ":yes": &types.AttributeValueMemberBOOL{Value: true}}})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		// Another exchange of the same code won the race.
		return fosite.ErrInvalidatedAuthorizeCode
	}
	if err != nil {
		return fmt.Errorf("oauthdb: invalidate code: %w", err)
	}
	return nil
}

// PKCE challenges, kept by code.

func (s *Store) CreatePKCERequestSession(ctx context.Context, code string, r fosite.Requester) error {
	pk, sk := pkceKey(code)
	return s.put(ctx, pk, sk, r, s.expiry(r, fosite.AuthorizeCode, oauth.CodeLifespan), true, "")
}

func (s *Store) GetPKCERequestSession(ctx context.Context, code string, _ fosite.Session) (fosite.Requester, error) {
	pk, sk := pkceKey(code)
	r, _, err := s.get(ctx, pk, sk)
	return r, err
}

func (s *Store) DeletePKCERequestSession(ctx context.Context, code string) error {
	pk, sk := pkceKey(code)
	return s.remove(ctx, pk, sk)
}

// Pushed authorization requests.

func (s *Store) CreatePARSession(ctx context.Context, requestURI string, r fosite.AuthorizeRequester) error {
	pk, sk := parKey(requestURI)
	return s.put(ctx, pk, sk, r, s.expiry(r, fosite.PushedAuthorizeRequestContext, oauth.PARLifespan), true, "attribute_not_exists(PK)")
}

func (s *Store) GetPARSession(ctx context.Context, requestURI string) (fosite.AuthorizeRequester, error) {
	pk, sk := parKey(requestURI)
	r, _, err := s.get(ctx, pk, sk)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Store) DeletePARSession(ctx context.Context, requestURI string) error {
	pk, sk := parKey(requestURI)
	return s.remove(ctx, pk, sk)
}

// Requests waiting for the customer's decision: taken once, by a conditional delete.

func (s *Store) CreatePending(ctx context.Context, id string, r fosite.AuthorizeRequester, expiresAt time.Time) error {
	pk, sk := pendingKey(id)
	return s.put(ctx, pk, sk, r, expiresAt, true, "attribute_not_exists(PK)")
}

func (s *Store) TakePending(ctx context.Context, id string) (fosite.AuthorizeRequester, error) {
	pk, sk := pendingKey(id)
	out, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: keyAV(pk, sk),
		ConditionExpression: aws.String("attribute_exists(PK)"), ReturnValues: types.ReturnValueAllOld})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("oauthdb: take pending: %w", err)
	}
	r, _, err := s.decode(out.Attributes)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Tokens, under their grant.

func (s *Store) CreateAccessTokenSession(ctx context.Context, signature string, r fosite.Requester) error {
	pk, sk, err := tokenKey(signature, accessPrefix)
	if err != nil {
		return err
	}
	return s.put(ctx, pk, sk, r, s.expiry(r, fosite.AccessToken, time.Hour), true, "")
}

// GetAccessTokenSession returns the request even after the token's lifetime (fosite's
// strategy then refuses it as expired), until TTL deletes it. The caller check reads the
// item ahead (AccessTokenKey), with the caller's items.
func (s *Store) GetAccessTokenSession(ctx context.Context, signature string, _ fosite.Session) (fosite.Requester, error) {
	pk, sk, err := tokenKey(signature, accessPrefix)
	if err != nil {
		return nil, fosite.ErrNotFound
	}
	return s.getUntilTTL(ctx, pk, sk, false)
}

// AccessTokenKey is the item GetAccessTokenSession reads for signature.
func (s *Store) AccessTokenKey(signature string) (prefetch.Key, bool) {
	pk, sk, err := tokenKey(signature, accessPrefix)
	if err != nil {
		return prefetch.Key{}, false
	}
	return prefetch.Key{Table: s.table, PK: pk, SK: sk}, true
}

func (s *Store) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	pk, sk, err := tokenKey(signature, accessPrefix)
	if err != nil {
		return nil
	}
	return s.remove(ctx, pk, sk)
}

func (s *Store) CreateRefreshTokenSession(ctx context.Context, signature, _ string, r fosite.Requester) error {
	pk, sk, err := tokenKey(signature, refreshPrefix)
	if err != nil {
		return err
	}
	return s.put(ctx, pk, sk, r, s.expiry(r, fosite.RefreshToken, 90*24*time.Hour), true, "")
}

// GetRefreshTokenSession answers a rotated or revoked refresh token with its request and
// fosite.ErrInactiveToken, so that fosite revokes its whole grant.
func (s *Store) GetRefreshTokenSession(ctx context.Context, signature string, _ fosite.Session) (fosite.Requester, error) {
	pk, sk, err := tokenKey(signature, refreshPrefix)
	if err != nil {
		return nil, fosite.ErrNotFound
	}
	return s.getUntilTTL(ctx, pk, sk, true)
}

func (s *Store) getUntilTTL(ctx context.Context, pk, sk string, checkActive bool) (fosite.Requester, error) {
	item, ahead := prefetch.Take(ctx, s.table, keyAV(pk, sk))
	if !ahead {
		out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: keyAV(pk, sk), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("oauthdb: get token: %w", err)
		}
		item = out.Item
	}
	if item == nil {
		return nil, fosite.ErrNotFound
	}
	delete(item, attrExpiresAt)
	r, active, err := s.decode(item)
	if err != nil {
		return nil, err
	}
	if checkActive && !active {
		return r, fosite.ErrInactiveToken
	}
	return r, nil
}

func (s *Store) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	pk, sk, err := tokenKey(signature, refreshPrefix)
	if err != nil {
		return nil
	}
	return s.remove(ctx, pk, sk)
}

// RotateRefreshToken retires a refresh token as it is exchanged (kept, inactive, so that
// a reuse is recognised) and revokes its grant's access tokens. Of two exchanges of the
// same token at once, one finds it already inactive.
func (s *Store) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	pk, sk, err := tokenKey(signature, refreshPrefix)
	if err != nil {
		return fosite.ErrNotFound
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: keyAV(pk, sk),
		UpdateExpression: aws.String("SET active = :no"), ConditionExpression: aws.String("active = :yes"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":no": &types.AttributeValueMemberBOOL{Value: false}, ":yes": &types.AttributeValueMemberBOOL{Value: true}}})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return fosite.ErrInactiveToken
	}
	if err != nil {
		return fmt.Errorf("oauthdb: rotate refresh token: %w", err)
	}
	return s.RevokeAccessToken(ctx, requestID)
}

// RevokeRefreshToken retires every refresh token of the grant (kept, inactive).
func (s *Store) RevokeRefreshToken(ctx context.Context, requestID string) error {
	keys, err := s.grantTokens(ctx, requestID, refreshPrefix)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: k,
			UpdateExpression: aws.String("SET active = :no"), ConditionExpression: aws.String("attribute_exists(PK)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":no": &types.AttributeValueMemberBOOL{Value: false}}}); err != nil {
			var failed *types.ConditionalCheckFailedException
			if !errors.As(err, &failed) {
				return fmt.Errorf("oauthdb: revoke refresh token: %w", err)
			}
		}
	}
	return nil
}

// RevokeAccessToken deletes every access token of the grant.
func (s *Store) RevokeAccessToken(ctx context.Context, requestID string) error {
	keys, err := s.grantTokens(ctx, requestID, accessPrefix)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: k}); err != nil {
			return fmt.Errorf("oauthdb: revoke access token: %w", err)
		}
	}
	return nil
}

// grantTokens are the keys of a grant's tokens of one kind, read consistently.
func (s *Store) grantTokens(ctx context.Context, requestID, prefix string) ([]map[string]types.AttributeValue, error) {
	var keys []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"), ProjectionExpression: aws.String("PK, SK"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: grantPK(requestID)}, ":sk": &types.AttributeValueMemberS{Value: prefix}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("oauthdb: tokens of grant %s: %w", requestID, err)
		}
		keys = append(keys, page.Items...)
	}
	return keys, nil
}

func keyAV(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: &types.AttributeValueMemberS{Value: pk}, tppdata.AttrSK: &types.AttributeValueMemberS{Value: sk}}
}

func epoch(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}
