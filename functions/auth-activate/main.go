// Command auth-activate is the Lambda function of the portal route "auth-activate".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("auth-activate") }
