package portalapi

import "reflect"

// SampleBodyWithOptional is SampleBody with the optional fields written too, so the tests
// can check those examples are valid as well.
func SampleBodyWithOptional(t reflect.Type) ([]byte, error) { return sampleBody(t, true) }
