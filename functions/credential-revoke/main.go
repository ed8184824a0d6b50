// Command credential-revoke is the Lambda function of the portal route "credential-revoke".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("credential-revoke") }
