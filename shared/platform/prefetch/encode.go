package prefetch

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// entry is one item on the wire, in DynamoDB's own JSON (each value typed: {"S": "x"}),
// so that numbers, binary values and sets come back as they were stored.
type entry struct {
	Key
	Item map[string]wireValue `json:"item"`
}

// Encode writes the items as a string, for an API Gateway authorizer's context, whose
// values are strings, to hand them to the integration's function.
func (s *Items) Encode() (string, error) {
	var out []entry
	if s != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		for k, item := range s.items {
			e := entry{Key: k}
			if item != nil {
				e.Item = map[string]wireValue{}
				for name, v := range item {
					w, err := toWire(v)
					if err != nil {
						return "", fmt.Errorf("prefetch: %s/%s attribute %s: %w", k.PK, k.SK, name, err)
					}
					e.Item[name] = w
				}
			}
			out = append(out, e)
		}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// Decode reads what Encode wrote.
func Decode(s string) (*Items, error) {
	var in []entry
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("prefetch: decode: %w", err)
	}
	items := NewItems()
	for _, e := range in {
		var item map[string]types.AttributeValue
		if e.Item != nil {
			item = map[string]types.AttributeValue{}
			for name, w := range e.Item {
				v, err := w.value()
				if err != nil {
					return nil, fmt.Errorf("prefetch: %s/%s attribute %s: %w", e.PK, e.SK, name, err)
				}
				item[name] = v
			}
		}
		items.items[e.Key] = item
	}
	return items, nil
}

// wireValue is one attribute value in DynamoDB JSON: exactly one field is set.
type wireValue struct {
	S    *string              `json:"S,omitempty"`
	N    *string              `json:"N,omitempty"`
	B    []byte               `json:"B,omitempty"`
	BOOL *bool                `json:"BOOL,omitempty"`
	NULL *bool                `json:"NULL,omitempty"`
	M    map[string]wireValue `json:"M,omitempty"`
	L    []wireValue          `json:"L,omitempty"`
	SS   []string             `json:"SS,omitempty"`
	NS   []string             `json:"NS,omitempty"`
	BS   [][]byte             `json:"BS,omitempty"`
	// Empty marks an empty map or list, which omitempty would otherwise lose.
	Empty string `json:"empty,omitempty"`
}

func toWire(v types.AttributeValue) (wireValue, error) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return wireValue{S: &v.Value}, nil
	case *types.AttributeValueMemberN:
		return wireValue{N: &v.Value}, nil
	case *types.AttributeValueMemberB:
		if v.Value == nil {
			v.Value = []byte{}
		}
		return wireValue{B: v.Value, Empty: emptyIf(len(v.Value) == 0, "B")}, nil
	case *types.AttributeValueMemberBOOL:
		return wireValue{BOOL: &v.Value}, nil
	case *types.AttributeValueMemberNULL:
		return wireValue{NULL: &v.Value}, nil
	case *types.AttributeValueMemberM:
		m := map[string]wireValue{}
		for k, x := range v.Value {
			w, err := toWire(x)
			if err != nil {
				return wireValue{}, err
			}
			m[k] = w
		}
		return wireValue{M: m, Empty: emptyIf(len(m) == 0, "M")}, nil
	case *types.AttributeValueMemberL:
		l := make([]wireValue, 0, len(v.Value))
		for _, x := range v.Value {
			w, err := toWire(x)
			if err != nil {
				return wireValue{}, err
			}
			l = append(l, w)
		}
		return wireValue{L: l, Empty: emptyIf(len(l) == 0, "L")}, nil
	case *types.AttributeValueMemberSS:
		return wireValue{SS: v.Value}, nil
	case *types.AttributeValueMemberNS:
		return wireValue{NS: v.Value}, nil
	case *types.AttributeValueMemberBS:
		return wireValue{BS: v.Value}, nil
	}
	return wireValue{}, fmt.Errorf("unsupported attribute value %T", v)
}

func emptyIf(empty bool, kind string) string {
	if empty {
		return kind
	}
	return ""
}

func (w wireValue) value() (types.AttributeValue, error) {
	switch {
	case w.S != nil:
		return &types.AttributeValueMemberS{Value: *w.S}, nil
	case w.N != nil:
		return &types.AttributeValueMemberN{Value: *w.N}, nil
	case w.B != nil || w.Empty == "B":
		return &types.AttributeValueMemberB{Value: append([]byte{}, w.B...)}, nil
	case w.BOOL != nil:
		return &types.AttributeValueMemberBOOL{Value: *w.BOOL}, nil
	case w.NULL != nil:
		return &types.AttributeValueMemberNULL{Value: *w.NULL}, nil
	case w.M != nil || w.Empty == "M":
		m := make(map[string]types.AttributeValue, len(w.M))
		for k, x := range w.M {
			v, err := x.value()
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	case w.L != nil || w.Empty == "L":
		l := make([]types.AttributeValue, 0, len(w.L))
		for _, x := range w.L {
			v, err := x.value()
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return &types.AttributeValueMemberL{Value: l}, nil
	case w.SS != nil:
		return &types.AttributeValueMemberSS{Value: w.SS}, nil
	case w.NS != nil:
		return &types.AttributeValueMemberNS{Value: w.NS}, nil
	case w.BS != nil:
		return &types.AttributeValueMemberBS{Value: w.BS}, nil
	}
	return nil, fmt.Errorf("an attribute value of no known type")
}
