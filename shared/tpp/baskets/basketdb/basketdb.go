// Package basketdb keeps signing baskets (package baskets) in the TPP table, beside the
// payments and consents they hold.
//
//	item                   PK                                SK
//	basket                 BASKET#<basketId>                 BASKET
//	a member's lock        BASKETMEMBER#<kind>#<memberId>    BASKETMEMBER
//	X-Request-ID of an app BASKETREQ#<appId>#<X-Request-ID>  BASKETREQ
//
// A basket is written with the record of its X-Request-ID and one lock per member in one
// transaction, each on condition that it is new, so an app's request makes one basket
// however often it arrives and a payment or consent is in one open basket at most; the transaction
// that makes a basket no longer open (cancelled, rejected) deletes its locks, each on
// condition that it is still this basket's. Every change is conditional on the status
// read. Items expire (TTL) after baskets.Retention.
package basketdb

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

	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// DynamoDB is what the store calls.
type DynamoDB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store keeps baskets in the TPP table.
type Store struct {
	db    DynamoDB
	table string
}

var _ baskets.Store = (*Store)(nil)

// New is the store on the TPP table named table.
func New(db DynamoDB, table string) *Store { return &Store{db: db, table: table} }

// The only place that builds the keys of basket items.
func basketKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("BASKET#" + id), tppdata.AttrSK: s("BASKET")}
}

func lockKey(m baskets.Member) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("BASKETMEMBER#" + string(m.Kind) + "#" + m.ID), tppdata.AttrSK: s("BASKETMEMBER")}
}

func replayKey(appID, requestID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("BASKETREQ#" + appID + "#" + requestID), tppdata.AttrSK: s("BASKETREQ")}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func ttl(b baskets.Basket) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(b.CreatedAt.Add(baskets.Retention).Unix(), 10)}
}

func item(b baskets.Basket) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(b)
	if err != nil {
		return nil, fmt.Errorf("basketdb: marshal %s: %w", b.ID, err)
	}
	for k, v := range basketKey(b.ID) {
		av[k] = v
	}
	av[tppdata.AttrTTL] = ttl(b)
	return av, nil
}

// createRetries is how often Create writes again after DynamoDB cancelled its transaction
// for a concurrent one on the same items, before it knows which came first.
const createRetries = 10

// Create writes the record of the app's X-Request-ID, the basket and its members' locks
// in one transaction, each on condition that its key is new.
func (st *Store) Create(ctx context.Context, b baskets.Basket, r baskets.Replay) error {
	av, err := item(b)
	if err != nil {
		return err
	}
	rec, err := attributevalue.MarshalMap(r)
	if err != nil {
		return fmt.Errorf("basketdb: marshal the request of %s: %w", b.ID, err)
	}
	for k, v := range replayKey(b.AppID, b.RequestID) {
		rec[k] = v
	}
	rec["appId"], rec[tppdata.AttrTTL] = s(b.AppID), ttl(b)
	notExists := aws.String("attribute_not_exists(PK)")
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &st.table, Item: rec, ConditionExpression: notExists}},
		{Put: &types.Put{TableName: &st.table, Item: av, ConditionExpression: notExists}},
	}}
	for _, m := range b.Members() {
		lock := lockKey(m)
		lock["basketId"], lock[tppdata.AttrTTL] = s(b.ID), ttl(b)
		in.TransactItems = append(in.TransactItems, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: lock, ConditionExpression: notExists}})
	}
	for attempt := 0; ; attempt++ {
		_, err = st.db.TransactWriteItems(ctx, in)
		var canceled *types.TransactionCanceledException
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &canceled):
			return fmt.Errorf("basketdb: create %s: %w", b.ID, err)
		case reason(canceled, 0) == "ConditionalCheckFailed":
			return baskets.ErrRequestIDTaken
		case reason(canceled, 1) == "ConditionalCheckFailed":
			return fmt.Errorf("basketdb: create %s: the ID is taken", b.ID)
		}
		for i := 2; i < len(in.TransactItems); i++ {
			if reason(canceled, i) == "ConditionalCheckFailed" {
				return baskets.ErrMemberTaken
			}
		}
		if attempt == createRetries {
			return fmt.Errorf("basketdb: create %s: %w", b.ID, err)
		}
		// A concurrent transaction on the same X-Request-ID or member: once it is
		// written, this one's condition fails and tells which.
		time.Sleep(time.Duration(10*(attempt+1)) * time.Millisecond)
	}
}

// Replay reads the record of an app's X-Request-ID (strongly consistent).
func (st *Store) Replay(ctx context.Context, appID, requestID string) (baskets.Replay, error) {
	var r baskets.Replay
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: replayKey(appID, requestID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return r, fmt.Errorf("basketdb: replay: %w", err)
	}
	if out.Item == nil {
		return r, baskets.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		return r, fmt.Errorf("basketdb: unmarshal a replay: %w", err)
	}
	return r, nil
}

// reason is the code of the transaction's cancellation for item i.
func reason(e *types.TransactionCanceledException, i int) string {
	if i >= len(e.CancellationReasons) {
		return ""
	}
	return aws.ToString(e.CancellationReasons[i].Code)
}

// Get reads a basket (strongly consistent).
func (st *Store) Get(ctx context.Context, id string) (baskets.Basket, error) {
	var b baskets.Basket
	if id == "" {
		return b, baskets.ErrNotFound
	}
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: basketKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return b, fmt.Errorf("basketdb: get: %w", err)
	}
	if out.Item == nil {
		return b, baskets.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(out.Item, &b); err != nil {
		return b, fmt.Errorf("basketdb: unmarshal: %w", err)
	}
	return b, nil
}

// Holder reads the lock of m (strongly consistent): the basket that holds it.
func (st *Store) Holder(ctx context.Context, m baskets.Member) (string, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: lockKey(m), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("basketdb: holder: %w", err)
	}
	v, ok := out.Item["basketId"].(*types.AttributeValueMemberS)
	if !ok {
		return "", baskets.ErrNotFound
	}
	return v.Value, nil
}

// Authorise writes b over the stored basket if it is still RCVD, each approved member
// over the stored one if it still waits, and the notifications, in one transaction. The
// basket's locks need no condition of their own: they are released only by the
// transaction that moves the basket out of RCVD, which the basket's condition excludes.
func (st *Store) Authorise(ctx context.Context, b baskets.Basket, a baskets.Approvals) error {
	av, err := item(b)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: &st.table, Item: av,
		ConditionExpression:       aws.String("attribute_exists(PK) AND #status = :from"),
		ExpressionAttributeNames:  map[string]string{"#status": "transactionStatus"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":from": s(string(baskets.Received))}}}}
	for _, p := range a.Payments {
		put, err := paymentdb.Replacement(st.table, p, payments.Received)
		if err != nil {
			return err
		}
		items = append(items, types.TransactWriteItem{Put: put})
	}
	for _, c := range a.Consents {
		put, err := consentdb.Replacement(st.table, c, consents.Received)
		if err != nil {
			return err
		}
		items = append(items, types.TransactWriteItem{Put: put})
	}
	for _, c := range a.Funds {
		put, err := consentdb.PIISReplacement(st.table, c, consents.Received)
		if err != nil {
			return err
		}
		items = append(items, types.TransactWriteItem{Put: put})
	}
	members := len(items)
	notes, err := notifylogdb.ItemsOf(st.table, a.Notes)
	if err != nil {
		return err
	}
	items = append(items, notes...)
	if len(items) > maxItems {
		return fmt.Errorf("basketdb: authorise %s: %d items, more than a transaction takes", b.ID, len(items))
	}
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &canceled):
		return fmt.Errorf("basketdb: authorise %s: %w", b.ID, err)
	case reason(canceled, 0) == "ConditionalCheckFailed":
		return baskets.ErrChanged
	}
	for i := 1; i < members; i++ {
		if reason(canceled, i) == "ConditionalCheckFailed" {
			return baskets.ErrMemberChanged
		}
	}
	return fmt.Errorf("basketdb: authorise %s: %w", b.ID, err)
}

// maxItems is how many items DynamoDB takes in one transaction.
const maxItems = 100

// Replace writes b over the stored basket if its status is still from, and deletes its
// members' locks in the same transaction when b is no longer open.
func (st *Store) Replace(ctx context.Context, b baskets.Basket, from baskets.Status) error {
	av, err := item(b)
	if err != nil {
		return err
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &st.table, Item: av,
			ConditionExpression:      aws.String("attribute_exists(PK) AND #status = :from"),
			ExpressionAttributeNames: map[string]string{"#status": "transactionStatus"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":from": s(string(from)),
			}}},
	}}
	if from.Open() && !b.Status.Open() {
		for _, m := range b.Members() {
			in.TransactItems = append(in.TransactItems, types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: lockKey(m),
				ConditionExpression:       aws.String("basketId = :basket"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":basket": s(b.ID)}}})
		}
	}
	_, err = st.db.TransactWriteItems(ctx, in)
	var canceled *types.TransactionCanceledException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &canceled) && reason(canceled, 0) == "ConditionalCheckFailed":
		return baskets.ErrChanged
	}
	return fmt.Errorf("basketdb: replace %s: %w", b.ID, err)
}
