// Command credential-reset is the Lambda function of the portal route "credential-reset".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("credential-reset") }
