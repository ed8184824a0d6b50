// Package paymentdb keeps payment initiations in the TPP table, beside the consents and
// the sandbox bank's ledger that their execution changes.
//
//	item                     PK                                   SK
//	payment                  PAYMENT#<paymentId>                  PAYMENT
//	X-Request-ID of an app   PAYREQ#<appId>#<X-Request-ID>        PAYREQ
//	booked instalment        INSTALMENT#<paymentId>#<day>         INSTALMENT
//
// A standing order that runs (ACTC or ACSP) is in GSI1 under STANDING, which the
// standing-order job reads; it leaves the index with its final status. A booked
// instalment's record is written in the transaction that books it, on condition that it
// is new, so an instalment is booked once.
//
// The record of an X-Request-ID is written with its payment in one transaction, on
// condition that neither exists, so an app's request makes one payment however often it
// arrives. Both expire (TTL) after payments.Retention.
package paymentdb

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
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// Store keeps payments in the TPP table and executes them in the sandbox bank's ledger
// there.
type Store struct {
	db    bankstore.DynamoDB
	table string
	bank  *bankstore.Store
}

var _ payments.Store = (*Store)(nil)

// New is the store on the TPP table named table.
func New(db bankstore.DynamoDB, table string) *Store {
	return &Store{db: db, table: table, bank: bankstore.New(db, table)}
}

// The only place that builds the keys of payment items.
func paymentKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("PAYMENT#" + id), tppdata.AttrSK: s("PAYMENT")}
}

func instalmentKey(id, day string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("INSTALMENT#" + id + "#" + day), tppdata.AttrSK: s("INSTALMENT")}
}

// standingPartition is GSI1's partition of the running standing orders.
const standingPartition = "STANDING"

func replayKey(appID, requestID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("PAYREQ#" + appID + "#" + requestID), tppdata.AttrSK: s("PAYREQ")}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

// withKey adds key and the expiry of a payment made at created to the item av.
func withKey(av, key map[string]types.AttributeValue, created time.Time) map[string]types.AttributeValue {
	for k, v := range key {
		av[k] = v
	}
	av[tppdata.AttrTTL] = n(created.Add(payments.Retention).Unix())
	return av
}

func item(p payments.Payment) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(p)
	if err != nil {
		return nil, fmt.Errorf("paymentdb: marshal %s: %w", p.ID, err)
	}
	av = withKey(av, paymentKey(p.ID), p.CreatedAt)
	if p.Service == payments.Periodic && (p.Status == payments.Accepted || p.Status == payments.InProcess) {
		av[tppdata.AttrGSI1PK], av[tppdata.AttrGSI1SK] = s(standingPartition), s(p.ID)
	}
	return av, nil
}

// createRetries is how often Create writes again after DynamoDB cancelled its transaction
// for a concurrent one on the same items, before it knows which came first.
const createRetries = 10

// Create writes the record of the app's X-Request-ID and the payment in one transaction,
// each on condition that its key is new.
func (st *Store) Create(ctx context.Context, p payments.Payment, r payments.Replay) error {
	pay, err := item(p)
	if err != nil {
		return err
	}
	rec, err := attributevalue.MarshalMap(r)
	if err != nil {
		return fmt.Errorf("paymentdb: marshal the request of %s: %w", p.ID, err)
	}
	rec = withKey(rec, replayKey(p.AppID, p.RequestID), p.CreatedAt)
	rec["appId"] = s(p.AppID)
	notExists := aws.String("attribute_not_exists(PK)")
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &st.table, Item: rec, ConditionExpression: notExists}},
		{Put: &types.Put{TableName: &st.table, Item: pay, ConditionExpression: notExists}},
	}}
	for attempt := 0; ; attempt++ {
		_, err := st.db.TransactWriteItems(ctx, in)
		var canceled *types.TransactionCanceledException
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &canceled):
			return fmt.Errorf("paymentdb: create %s: %w", p.ID, err)
		case reason(canceled, 0) == "ConditionalCheckFailed":
			return payments.ErrRequestIDTaken
		case reason(canceled, 1) == "ConditionalCheckFailed":
			return fmt.Errorf("paymentdb: create %s: the payment ID is taken", p.ID)
		case attempt == createRetries:
			return fmt.Errorf("paymentdb: create %s: %w", p.ID, err)
		}
		// A concurrent transaction on the same X-Request-ID: once it is written, this
		// one's condition fails and tells the duplicate.
		time.Sleep(time.Duration(10*(attempt+1)) * time.Millisecond)
	}
}

// reason is the code of the transaction's cancellation for item i.
func reason(e *types.TransactionCanceledException, i int) string {
	if i >= len(e.CancellationReasons) {
		return ""
	}
	return aws.ToString(e.CancellationReasons[i].Code)
}

// Replay reads the record of an app's X-Request-ID.
func (st *Store) Replay(ctx context.Context, appID, requestID string) (payments.Replay, error) {
	var r payments.Replay
	err := st.get(ctx, replayKey(appID, requestID), &r)
	return r, err
}

// Get reads a payment.
func (st *Store) Get(ctx context.Context, id string) (payments.Payment, error) {
	var p payments.Payment
	if id == "" {
		return p, payments.ErrNotFound
	}
	err := st.get(ctx, paymentKey(id), &p)
	return p, err
}

// get reads the item at key into dst (strongly consistent), or answers payments.ErrNotFound.
func (st *Store) get(ctx context.Context, key map[string]types.AttributeValue, dst any) error {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("paymentdb: get: %w", err)
	}
	if out.Item == nil {
		return payments.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(out.Item, dst); err != nil {
		return fmt.Errorf("paymentdb: unmarshal: %w", err)
	}
	return nil
}

// replace is the conditional put of p over a stored payment of status from.
func (st *Store) replace(p payments.Payment, from payments.Status) (*types.Put, error) {
	return Replacement(st.table, p, from)
}

// Replacement is the put of p over the stored payment in the table named table, on
// condition that the stored one still has status from: for a transaction that changes
// payments with other items (a signing basket's authorisation).
func Replacement(table string, p payments.Payment, from payments.Status) (*types.Put, error) {
	av, err := item(p)
	if err != nil {
		return nil, err
	}
	return &types.Put{TableName: &table, Item: av,
		ConditionExpression:       aws.String("attribute_exists(PK) AND #status = :from"),
		ExpressionAttributeNames:  map[string]string{"#status": "transactionStatus"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":from": s(string(from))}}, nil
}

// Replace writes p over the stored payment if its status is still from: with notes, in
// one transaction with their items (notifylogdb.Items), the payment's first.
func (st *Store) Replace(ctx context.Context, p payments.Payment, from payments.Status, notes ...notifylog.Delivery) error {
	put, err := st.replace(p, from)
	if err != nil {
		return err
	}
	items, err := notifylogdb.ItemsOf(st.table, notes)
	if err != nil {
		return err
	}
	return st.write(ctx, "replace", p.ID, append([]types.TransactWriteItem{{Put: put}}, items...))
}

// write stores writes, whose first is the payment's conditional put: alone as a put, or
// with the rest in one transaction. ErrChanged when the payment's condition failed.
func (st *Store) write(ctx context.Context, op, id string, writes []types.TransactWriteItem) error {
	if len(writes) > 1 {
		_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
		var canceled *types.TransactionCanceledException
		switch {
		case err == nil:
			return nil
		case errors.As(err, &canceled) && len(canceled.CancellationReasons) > 0 && aws.ToString(canceled.CancellationReasons[0].Code) == "ConditionalCheckFailed":
			return payments.ErrChanged
		}
		return fmt.Errorf("paymentdb: %s %s: %w", op, id, err)
	}
	put := writes[0].Put
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
		ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return payments.ErrChanged
	}
	if err != nil {
		return fmt.Errorf("paymentdb: %s %s: %w", op, id, err)
	}
	return nil
}

// Execute writes p over the stored payment of status from and books the bookings, in one
// transaction (bankstore.Settle): the payment's condition makes it happen once.
func (st *Store) Execute(ctx context.Context, p payments.Payment, from payments.Status, bookings []sandboxbank.Booking, notes ...notifylog.Delivery) error {
	put, err := st.replace(p, from)
	if err != nil {
		return err
	}
	items, err := notifylogdb.ItemsOf(st.table, notes)
	if err != nil {
		return err
	}
	err = st.bank.Settle(ctx, bookings, append([]types.TransactWriteItem{{Put: put}}, items...))
	if errors.Is(err, bankstore.ErrExtraFailed) {
		return payments.ErrChanged
	}
	return err
}

// BankAccount finds the bank's account of iban in currency.
func (st *Store) BankAccount(ctx context.Context, iban, currency string) (string, error) {
	id, err := st.bank.AccountByIBAN(ctx, iban, currency)
	if errors.Is(err, sandboxbank.ErrAccountUnknown) {
		return "", payments.ErrNotFound
	}
	return id, err
}

// Account reads the bank's account of iban in currency: its ledger's index names it.
func (st *Store) Account(ctx context.Context, iban, currency string) (sandboxbank.Account, error) {
	id, err := st.BankAccount(ctx, iban, currency)
	if err != nil {
		return sandboxbank.Account{}, err
	}
	a, err := st.bank.Account(ctx, id)
	if errors.Is(err, sandboxbank.ErrAccountUnknown) {
		return a, payments.ErrNotFound
	}
	return a, err
}

// Sign writes p over the stored payment of status from that has one signature fewer,
// with the bookings when there are any (bankstore.Settle), in one transaction.
func (st *Store) Sign(ctx context.Context, p payments.Payment, from payments.Status, bookings []sandboxbank.Booking, notes ...notifylog.Delivery) error {
	if len(p.Signatures) == 0 {
		return fmt.Errorf("paymentdb: sign %s: the payment carries no signature", p.ID)
	}
	put, err := st.replace(p, from)
	if err != nil {
		return err
	}
	// The count of the stored signatures is the payment's version for its signatories: two
	// signatures read against the same count cannot both be stored.
	if before := len(p.Signatures) - 1; before == 0 {
		put.ConditionExpression = aws.String(*put.ConditionExpression + " AND attribute_not_exists(#signatures)")
	} else {
		put.ConditionExpression = aws.String(*put.ConditionExpression + " AND size(#signatures) = :signed")
		put.ExpressionAttributeValues[":signed"] = n(int64(before))
	}
	put.ExpressionAttributeNames["#signatures"] = "signatures"
	items, err := notifylogdb.ItemsOf(st.table, notes)
	if err != nil {
		return err
	}
	writes := append([]types.TransactWriteItem{{Put: put}}, items...)
	if len(bookings) > 0 {
		err = st.bank.Settle(ctx, bookings, writes)
		if errors.Is(err, bankstore.ErrExtraFailed) {
			return payments.ErrChanged
		}
		return err
	}
	return st.write(ctx, "sign", p.ID, writes)
}

// Standing queries GSI1 for the running standing orders and reads each again strongly
// consistently.
func (st *Store) Standing(ctx context.Context) ([]payments.Payment, error) {
	var out []payments.Payment
	var start map[string]types.AttributeValue
	for {
		page, err := st.db.Query(ctx, &dynamodb.QueryInput{TableName: &st.table, IndexName: aws.String(tppdata.IndexGSI1),
			KeyConditionExpression:    aws.String("#pk = :pk"),
			ExpressionAttributeNames:  map[string]string{"#pk": tppdata.AttrGSI1PK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(standingPartition)},
			ExclusiveStartKey:         start})
		if err != nil {
			return nil, fmt.Errorf("paymentdb: standing orders: %w", err)
		}
		for _, it := range page.Items {
			id, _ := it["paymentId"].(*types.AttributeValueMemberS)
			if id == nil {
				continue
			}
			p, err := st.Get(ctx, id.Value)
			if errors.Is(err, payments.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		if start = page.LastEvaluatedKey; len(start) == 0 {
			return out, nil
		}
	}
}

// ExecuteInstalment writes p over the stored payment of status from, the record of the
// instalment key, and the bookings, in one transaction.
func (st *Store) ExecuteInstalment(ctx context.Context, p payments.Payment, from payments.Status, key string, bookings []sandboxbank.Booking, notes ...notifylog.Delivery) error {
	put, err := st.replace(p, from)
	if err != nil {
		return err
	}
	items, err := notifylogdb.ItemsOf(st.table, notes)
	if err != nil {
		return err
	}
	rec := withKey(map[string]types.AttributeValue{}, instalmentKey(p.ID, key), p.CreatedAt)
	rec["paymentId"], rec["instalment"], rec["bookedAt"] = s(p.ID), s(key), s(p.ChangedAt.UTC().Format(time.RFC3339Nano))
	marker := &types.Put{TableName: &st.table, Item: rec, ConditionExpression: aws.String("attribute_not_exists(PK)")}
	err = st.bank.Settle(ctx, bookings, append([]types.TransactWriteItem{{Put: put}, {Put: marker}}, items...))
	if errors.Is(err, bankstore.ErrExtraFailed) {
		return payments.ErrChanged
	}
	return err
}
