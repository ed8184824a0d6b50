// Package notifylogdb keeps the delivery log of status notifications (notifylog) in the
// TPP table, with the key layout notifylog describes.
package notifylogdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/paging"
)

// The TPP table's attribute and index names (tppdata), which the platform cannot import;
// a test of the TPP area holds them equal.
const (
	AttrPK     = "PK"
	AttrSK     = "SK"
	AttrGSI1PK = "GSI1PK"
	AttrGSI1SK = "GSI1SK"
	IndexGSI1  = "GSI1"
	AttrTTL    = "ttl"
)

// DynamoDB is what the store calls.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store is the delivery log on the TPP table.
type Store struct {
	db    DynamoDB
	table string
}

var _ notifylog.Log = (*Store)(nil)

// New is the log on the table named table.
func New(db DynamoDB, table string) *Store { return &Store{db: db, table: table} }

// The only place that builds the keys of the log's items.
const duePartition = "NOTIFYDUE"

func logPK(appID string) string { return "NOTIFYLOG#" + appID }

func logSK(d notifylog.Delivery) string {
	return d.CreatedAt.UTC().Format(stamp) + "#" + d.ID
}

func markerKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: s("NOTIFY#" + id), AttrSK: s("NOTIFY")}
}

func logKey(d notifylog.Delivery) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: s(logPK(d.AppID)), AttrSK: s(logSK(d))}
}

// dueSK orders pending deliveries by their next attempt.
func dueSK(d notifylog.Delivery) string {
	return d.NextAttemptAt.UTC().Format(stamp) + "#" + d.AppID + "#" + logSK(d)
}

// stamp is a time format whose strings sort as the times do (fixed width, UTC).
const stamp = "2006-01-02T15:04:05.000000000Z"

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

// item is d's record, in the due index while pending.
func item(d notifylog.Delivery) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(d)
	if err != nil {
		return nil, fmt.Errorf("notifylogdb: marshal %s: %w", d.ID, err)
	}
	for k, v := range logKey(d) {
		av[k] = v
	}
	av[AttrTTL] = n(d.CreatedAt.Add(notifylog.Retention).Unix())
	if d.Outcome == notifylog.Pending && d.NextAttemptAt != nil {
		av[AttrGSI1PK], av[AttrGSI1SK] = s(duePartition), s(dueSK(d))
	}
	return av, nil
}

// Items are the writes that enqueue d in the table named table: its once-marker, then its
// record, each on condition that its key is new. A store that changes a status puts them
// in the transaction of the change, so the notification is queued if and only if the
// change is stored (a marker that exists fails the whole transaction).
func Items(table string, d notifylog.Delivery) ([]types.TransactWriteItem, error) {
	if d.ID == "" || d.AppID == "" {
		return nil, fmt.Errorf("notifylogdb: a delivery needs an ID and an app")
	}
	rec, err := item(d)
	if err != nil {
		return nil, err
	}
	marker := markerKey(d.ID)
	marker["appId"], marker["logSK"] = s(d.AppID), s(logSK(d))
	marker[AttrTTL] = n(d.CreatedAt.Add(notifylog.Retention).Unix())
	notExists := aws.String("attribute_not_exists(PK)")
	return []types.TransactWriteItem{
		{Put: &types.Put{TableName: &table, Item: marker, ConditionExpression: notExists}},
		{Put: &types.Put{TableName: &table, Item: rec, ConditionExpression: notExists}},
	}, nil
}

// ItemsOf are Items of every delivery of list.
func ItemsOf(table string, list []notifylog.Delivery) ([]types.TransactWriteItem, error) {
	var out []types.TransactWriteItem
	for _, d := range list {
		items, err := Items(table, d)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// Enqueue writes the once-marker and the record in one transaction, each on condition
// that its key is new.
func (st *Store) Enqueue(ctx context.Context, d notifylog.Delivery) error {
	items, err := Items(st.table, d)
	if err != nil {
		return err
	}
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) && len(canceled.CancellationReasons) > 0 &&
		aws.ToString(canceled.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		return notifylog.ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("notifylogdb: enqueue %s: %w", d.ID, err)
	}
	return nil
}

// Due queries the index (eventually consistent) and reads each record again strongly
// consistently, keeping those still pending and due.
func (st *Store) Due(ctx context.Context, now time.Time, limit int) ([]notifylog.Delivery, error) {
	out, err := st.db.Query(ctx, &dynamodb.QueryInput{TableName: &st.table, IndexName: aws.String(IndexGSI1),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk <= :now"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK, "#sk": AttrGSI1SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(duePartition), ":now": s(now.UTC().Format(stamp) + "~")},
		Limit:                     aws.Int32(int32(limit))})
	if err != nil {
		return nil, fmt.Errorf("notifylogdb: due: %w", err)
	}
	var list []notifylog.Delivery
	for _, it := range out.Items {
		var d notifylog.Delivery
		if err := attributevalue.UnmarshalMap(it, &d); err != nil {
			return nil, fmt.Errorf("notifylogdb: unmarshal: %w", err)
		}
		cur, err := st.get(ctx, logKey(d))
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if cur.Outcome == notifylog.Pending && cur.NextAttemptAt != nil && !cur.NextAttemptAt.After(now) {
			list = append(list, cur)
		}
	}
	return list, nil
}

var errNotFound = errors.New("notifylogdb: no such delivery")

func (st *Store) get(ctx context.Context, key map[string]types.AttributeValue) (notifylog.Delivery, error) {
	var d notifylog.Delivery
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return d, fmt.Errorf("notifylogdb: get: %w", err)
	}
	if out.Item == nil {
		return d, errNotFound
	}
	if err := attributevalue.UnmarshalMap(out.Item, &d); err != nil {
		return d, fmt.Errorf("notifylogdb: unmarshal: %w", err)
	}
	return d, nil
}

// put writes d on condition that its stored tries are still tries.
func (st *Store) put(ctx context.Context, d notifylog.Delivery, tries int) error {
	av, err := item(d)
	if err != nil {
		return err
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: av,
		ConditionExpression:       aws.String("attribute_exists(PK) AND #tries = :tries AND #outcome = :pending"),
		ExpressionAttributeNames:  map[string]string{"#tries": "tries", "#outcome": "outcome"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":tries": n(int64(tries)), ":pending": s(string(notifylog.Pending))}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return notifylog.ErrChanged
	}
	if err != nil {
		return fmt.Errorf("notifylogdb: write %s: %w", d.ID, err)
	}
	return nil
}

// Claim counts a try of d and holds it until until.
func (st *Store) Claim(ctx context.Context, d notifylog.Delivery, until time.Time) (notifylog.Delivery, error) {
	claimed := d
	claimed.Tries++
	claimed.NextAttemptAt = &until
	if err := st.put(ctx, claimed, d.Tries); err != nil {
		return notifylog.Delivery{}, err
	}
	return claimed, nil
}

// Record stores d after its claimed attempt.
func (st *Store) Record(ctx context.Context, d notifylog.Delivery) error {
	return st.put(ctx, d, d.Tries)
}

// List reads the app's partition newest first.
func (st *Store) List(ctx context.Context, appID string, limit int) ([]notifylog.Delivery, error) {
	list, _, err := st.Page(ctx, appID, paging.Page{Limit: limit})
	return list, err
}

// Page reads one page of the app's partition, newest first. The sort key starts with the
// creation time, so the key's order is the list's.
func (st *Store) Page(ctx context.Context, appID string, page paging.Page) ([]notifylog.Delivery, string, error) {
	list, next, err := paging.Query[notifylog.Delivery](ctx, st.db, dynamodb.QueryInput{TableName: &st.table,
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(logPK(appID))},
		ScanIndexForward:          aws.Bool(false)}, paging.Keys{AttrPK, AttrSK}, page)
	if err != nil {
		return nil, "", fmt.Errorf("notifylogdb: list %s: %w", appID, err)
	}
	return list, next, nil
}
