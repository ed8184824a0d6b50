// Command auth-signup is the Lambda function of the portal route "auth-signup".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("auth-signup") }
