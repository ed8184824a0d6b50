package prefetch_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/prefetch"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// everyKind is an item with every kind of attribute value, empty ones included.
func everyKind() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": s("CONSENT#c1"), "SK": s("CONSENT"),
		"emptyString": s(""),
		"number":      &types.AttributeValueMemberN{Value: "1765065600"},
		"binary":      &types.AttributeValueMemberB{Value: []byte{0, 1, 2, 255}},
		"emptyBinary": &types.AttributeValueMemberB{Value: []byte{}},
		"yes":         &types.AttributeValueMemberBOOL{Value: true},
		"no":          &types.AttributeValueMemberBOOL{Value: false},
		"null":        &types.AttributeValueMemberNULL{Value: true},
		"map": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"accounts": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a1"), s("a2")}},
			"empty":    &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
		"emptyList": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		"strings":   &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"numbers":   &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"binaries":  &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
	}
}

func TestEncodeDecode(t *testing.T) {
	found := prefetch.Key{Table: "tpp", PK: "CONSENT#c1", SK: "CONSENT"}
	absent := prefetch.Key{Table: "tpp", PK: "CONSENT#gone", SK: "CONSENT"}
	items := prefetch.NewItems()
	items.Put(found, everyKind())
	items.Put(absent, nil)
	wire, err := items.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := prefetch.Decode(wire)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		key    prefetch.Key
		want   map[string]types.AttributeValue
		wantOK bool
	}{
		{"an item comes back attribute for attribute", found, everyKind(), true},
		{"an item the table lacks comes back as none", absent, nil, true},
		{"a key never read ahead is not held", prefetch.Key{Table: "tpp", PK: "CONSENT#other", SK: "CONSENT"}, nil, false},
		{"an item is handed out once", found, nil, false},
	}
	for _, tc := range cases {
		got, ok := back.Take(tc.key)
		if ok != tc.wantOK || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
	if _, err := prefetch.Decode(`[{"table":"t","pk":"p","sk":"s","item":{"x":{}}}]`); err == nil {
		t.Error("a value of no type decoded")
	}
}

func TestTakeFromContext(t *testing.T) {
	k := prefetch.Key{Table: "tpp", PK: "TOKEN#g", SK: "ACCESS#x"}
	items := prefetch.NewItems()
	items.Put(k, map[string]types.AttributeValue{"PK": s(k.PK), "SK": s(k.SK), "active": &types.AttributeValueMemberBOOL{Value: true}})
	items.Put(prefetch.Key{Table: "tpp", PK: "CONSENT#c", SK: "CONSENT"}, nil)
	ctx := prefetch.With(context.Background(), items)
	cases := []struct {
		name   string
		ctx    context.Context
		table  string
		key    map[string]types.AttributeValue
		wantOK bool
	}{
		{"another table's item of the same key is not it", ctx, "portal", k.AttributeValues(), false},
		{"a key of another shape", ctx, "tpp", map[string]types.AttributeValue{"PK": s(k.PK)}, false},
		{"a context without items", context.Background(), "tpp", k.AttributeValues(), false},
		{"the item read ahead", ctx, "tpp", k.AttributeValues(), true},
		{"taken already", ctx, "tpp", k.AttributeValues(), false},
	}
	for _, tc := range cases {
		if _, ok := prefetch.Take(tc.ctx, tc.table, tc.key); ok != tc.wantOK {
			t.Errorf("%s: taken %v, want %v", tc.name, ok, tc.wantOK)
		}
	}
	if only := items.Only(prefetch.Key{Table: "tpp", PK: "CONSENT#c", SK: "CONSENT"}, k); only.Len() != 1 {
		t.Errorf("Only kept %d items, want the one still held", only.Len())
	}
}
