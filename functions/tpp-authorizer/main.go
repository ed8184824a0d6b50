// Command tpp-authorizer is the TPP API's Lambda REQUEST authorizer: the client
// certificate must be attached to an app of the API's environment (shared/tpp).
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartAuthorizer("tpp-authorizer") }
