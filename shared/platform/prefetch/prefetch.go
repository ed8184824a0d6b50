// Package prefetch carries DynamoDB items read ahead, in one BatchGetItem with others, to
// the stores that would otherwise read each with a call of its own. The TPP API's caller
// check reads the caller's portal items, the bearer token's session and the consent a
// call names together; the token verifier and the consent store then take their item
// from the context instead of calling DynamoDB again.
//
// An item is taken once: a store that reads the same key again in the same request (after
// writing it, say) reads DynamoDB, so nothing in a request sees an item older than its
// own write.
package prefetch

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The key attributes of every table the stores read ahead (the portal's and the TPP area's).
const (
	AttrPK = "PK"
	AttrSK = "SK"
)

// Key names one item: its table and primary key.
type Key struct {
	Table string `json:"table"`
	PK    string `json:"pk"`
	SK    string `json:"sk"`
}

// KeyOf is the key of the item at key (PK and SK string attributes) in table; ok is false
// for a key of another shape.
func KeyOf(table string, key map[string]types.AttributeValue) (Key, bool) {
	pk, ok1 := key[AttrPK].(*types.AttributeValueMemberS)
	sk, ok2 := key[AttrSK].(*types.AttributeValueMemberS)
	if !ok1 || !ok2 || len(key) != 2 {
		return Key{}, false
	}
	return Key{Table: table, PK: pk.Value, SK: sk.Value}, true
}

// AttributeValues is the key as the DynamoDB API takes it.
func (k Key) AttributeValues() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: k.PK}, AttrSK: &types.AttributeValueMemberS{Value: k.SK}}
}

// Items are the items read ahead: for each key asked, the item, or nil when the table has
// none (which is an answer too: the store need not ask again).
type Items struct {
	mu    sync.Mutex
	items map[Key]map[string]types.AttributeValue
}

// NewItems is an empty set of items read ahead.
func NewItems() *Items { return &Items{items: map[Key]map[string]types.AttributeValue{}} }

// Put records what a read of k answered: item, nil for none.
func (s *Items) Put(k Key, item map[string]types.AttributeValue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[k] = item
}

// Take hands out the item of k once: ok is false when k was not read ahead, or was taken.
func (s *Items) Take(k Key) (item map[string]types.AttributeValue, ok bool) {
	if s == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	item, ok = s.items[k]
	delete(s.items, k)
	return item, ok
}

// Only is the items of the keys given, those of the others left out (what one function
// reads ahead for another need not hand it everything it read).
func (s *Items) Only(keys ...Key) *Items {
	out := NewItems()
	if s == nil {
		return out
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if item, ok := s.items[k]; ok {
			out.items[k] = item
		}
	}
	return out
}

// Len is the number of keys whose answer is held.
func (s *Items) Len() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

type itemsKey struct{}

// With is ctx carrying items for the stores.
func With(ctx context.Context, items *Items) context.Context {
	if items == nil {
		return ctx
	}
	return context.WithValue(ctx, itemsKey{}, items)
}

// Take is the item of key in table, if ctx carries it read ahead and no one took it yet:
// item is nil when the table has none.
func Take(ctx context.Context, table string, key map[string]types.AttributeValue) (item map[string]types.AttributeValue, ok bool) {
	s, _ := ctx.Value(itemsKey{}).(*Items)
	if s == nil {
		return nil, false
	}
	k, ok := KeyOf(table, key)
	if !ok {
		return nil, false
	}
	return s.Take(k)
}
